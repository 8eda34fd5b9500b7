# SPDX-License-Identifier: Apache-2.0
"""VL2 frames between our node and an official libzt 1.8.4 node on an ad-hoc network (no
controller), through our root: our raw Ethernet reaches the official node's lwIP, which answers."""
from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest

from support import frames
from support.netns import NetNs
from support.worlds import RootServer, make_planet

pytestmark = [pytest.mark.interop, pytest.mark.netns]

NWID = 0xFF13881770000000  # ports 5000..6000
NETWORK_READY_IP6 = 216


def test_icmpv6_echo_to_the_official_node_over_adhoc(netns: NetNs, official_node, our_node, tmp_path: Path) -> None:
    planet = make_planet(tmp_path, [f"{netns.ADDR1}/29993"])
    with RootServer(planet, prefix=netns.cmd_prefix):
        official = official_node(prefix=netns.cmd_prefix, name="official")
        official.init_set_roots(planet.bytes)
        official.init_set_port(29990)
        official.node_start()
        ours = our_node(prefix=netns.cmd_prefix, name="ours")
        ours.init_set_roots(planet.bytes)
        ours.node_start()
        ours.wait_online(timeout=5)
        official.wait_online(timeout=30)
        for node in (official, ours):
            node.net_join(NWID)
        official.wait_event(NETWORK_READY_IP6, timeout=30)
        ours.wait_event(NETWORK_READY_IP6, timeout=5)
        ours.tap_enable(NWID)
        off_id, our_id = int(official.node_get_id(), 16), int(ours.node_get_id(), 16)
        off_ip, our_ip = ipaddress.IPv6Address(official.addr_get_str(NWID, family=6)), frames.sixplane(NWID, our_id)
        assert off_ip == frames.sixplane(NWID, off_id)  # both derive the same 6PLANE address
        our_mac, off_mac = frames.zt_mac(NWID, our_id), frames.zt_mac(NWID, off_id)

        # Echo requests until one is answered: the first ones may precede the official node's
        # knowledge of us (WHOIS through the root) or its lwIP's neighbor entry for us.
        reply = None
        for seq in range(1, 11):
            request = frames.icmp6_echo(our_ip, off_ip, 0x77, seq, b"from libzt for python")
            ours.tap_write(NWID, frames.ethernet(off_mac, our_mac, frames.ETH_IPV6, request))
            frame = ours.tap_read(NWID, timeout=2)
            while frame is not None:
                dst, src, ethertype, payload = frames.parse_ethernet(frame)
                if ethertype == frames.ETH_IPV6 and payload[6] == 58 and payload[40] == 129:
                    reply = (dst, src, payload)
                    break
                frame = ours.tap_read(NWID, timeout=2)  # e.g. the official stack's own neighbor solicitation
            if reply is not None:
                break
        assert reply is not None, "no ICMPv6 echo reply from the official node"
        dst, src, payload = reply
        assert (dst, src) == (our_mac, off_mac)
        assert payload[8:24] == off_ip.packed and payload[24:40] == our_ip.packed
        assert payload[48:] == b"from libzt for python"
