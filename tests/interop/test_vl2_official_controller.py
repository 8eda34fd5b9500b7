# SPDX-License-Identifier: Apache-2.0
"""An official libzt 1.8.4 node joins a network of OUR controller (one that pushes DNS): it gets the
address our controller assigned, and its lwIP answers ARP and ICMP echo from our node's raw tap."""

from __future__ import annotations

import ipaddress
import time
from pathlib import Path

import pytest

from support import frames
from support.controllers import (
    NETWORK_READY_IP4,
    POOL,
    ControllerServer,
    arp_answer,
    echo_reply,
    managed_network,
    member,
    on,
)
from support.netns import NetNs
from support.worlds import make_planet, start_root_node

pytestmark = [pytest.mark.interop, pytest.mark.netns]


def test_official_node_joins_our_controllers_network(netns: NetNs, official_node, our_node, tmp_path: Path) -> None:
    planet = make_planet(tmp_path, [f"{netns.ADDR1}/29951"])
    start_root_node(our_node, netns, planet, 29951)
    with ControllerServer(tmp_path / "ctl", planet.path, netns.cmd_prefix, port=29952) as ctl:
        nwid = managed_network(ctl, private=False)
        # With pushed DNS: the official node must take ZeroTier's DNS entry as our core writes it
        # (a short or malformed one would make its config fail to parse, and it would never be ready).
        dns = {"domain": "lab.zt.example", "servers": ["10.147.17.1", "fd00::53"]}
        assert ctl.api.ok("POST", f"/controller/network/{nwid:016x}", {"dns": dns})["dns"] == dns
        official = official_node(prefix=netns.cmd_prefix, name="official")
        official.init_set_roots(planet.bytes)
        official.init_set_port(29953)
        official.node_start()
        official.wait_online(timeout=30)
        ours, our_id = member(our_node, netns, planet, "ours")
        started = time.monotonic()
        official.net_join(nwid)
        ours.net_join(nwid)
        ours.wait_event(NETWORK_READY_IP4, timeout=5, match=on(nwid))
        official.wait_event(NETWORK_READY_IP4, timeout=30, match=on(nwid))
        joined_in = time.monotonic() - started

        off_id = int(official.node_get_id(), 16)
        off_ip, our_ip = official.addr_get_str(nwid, family=4), ours.addr_get_str(nwid, family=4)
        assert ctl.member(f"{nwid:016x}", f"{off_id:010x}")["ipAssignments"] == [off_ip]
        assert (
            ipaddress.IPv4Address(POOL["ipRangeStart"])
            <= ipaddress.IPv4Address(off_ip)
            <= ipaddress.IPv4Address(POOL["ipRangeEnd"])
        )
        assert official.net_transport_is_ready(nwid) == 1

        ours.tap_enable(nwid)
        off_mac, our_mac = frames.zt_mac(nwid, off_id), frames.zt_mac(nwid, our_id)
        assert arp_answer(ours, nwid, our_id, our_ip, off_ip, timeout=10) == off_mac
        assert echo_reply(ours, nwid, our_mac, off_mac, our_ip, off_ip, timeout=10) == b"ping from libzt for python"
        assert joined_in < 30
