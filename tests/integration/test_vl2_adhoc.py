# SPDX-License-Identifier: Apache-2.0
"""VL2 frames between our nodes on ad-hoc networks (no controller: the network ID is the config):
unicast frames, multicast found through the root (LIKE/GATHER), ARP by ADI, and a multicast that
waits for its members."""
from __future__ import annotations

import ipaddress
import time
from pathlib import Path

import pytest

import libzt
from libzt import wire
from support import frames
from support.diagnostics import counters
from support.netns import NetNs
from support.official import OurNode, wait_until
from support.rawpeer import confirm_path, multicast_like, to
from support.udp_driver import UdpPort
from support.worlds import make_planet, start_node, start_root_node

pytestmark = pytest.mark.netns

ADHOC_V6 = 0xFF0000FFFF000000  # ports 0..65535, IPv6 6PLANE only
NETWORK_READY_IP6 = 216
NETWORK_READY_IP4 = 215
# Deadlines for what takes milliseconds on an idle machine: generous, so they hold while other
# processes keep every core busy (scripts/run-tests --stress, ASan).
EVENT_DEADLINE = 30.0


def adhoc_v4(prefix: int) -> int:
    """ffAAhhhhhhhhhh01: IPv4 AA.x.y.z/8 from each member's address, no hub."""
    return (0xFF << 56) | (prefix << 48) | 0x01


def expect_frame(node: OurNode, nwid: int, expected: bytes, sender: OurNode, root: OurNode,
                 timeout: float = EVENT_DEADLINE) -> None:
    """Read the tap until `expected` (written to `sender`'s tap) arrives. Other frames may come first:
    the stacks of the other members announce themselves (MLD, neighbor discovery) before their taps
    take over. A frame that never comes fails with the counters (WHOIS, queues, drops) of both nodes
    and of the root, which relays and answers the sender's gathers."""
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        frame = node.tap_read(nwid, timeout=max(0.05, deadline - time.monotonic()))
        if frame == expected:
            return
        if frame is not None:
            seen.append(frame[:14].hex())
    stats = counters({n.name: n.node_get_stats for n in (sender, node, root)})
    raise AssertionError(f"{node.name}: expected frame not seen; other frames: {seen}; counters: {stats}")


def joined(our_node, netns: NetNs, planet, name: str, nwid: int, ready_code: int) -> tuple[OurNode, int]:
    node = start_node(our_node, netns, planet, name)
    node.wait_online(timeout=EVENT_DEADLINE)
    node.net_join(nwid)
    node.wait_event(ready_code, timeout=EVENT_DEADLINE, match={"network.net_id": f"{nwid:016x}"})
    node.tap_enable(nwid)
    return node, int(node.node_get_id(), 16)


def test_unicast_and_multicast_frames_on_an_ipv6_adhoc_network(netns: NetNs, our_node, tmp_path: Path) -> None:
    planet = make_planet(tmp_path, [f"{netns.ADDR1}/29981"])
    root = start_root_node(our_node, netns, planet, 29981)
    a, a_id = joined(our_node, netns, planet, "a", ADHOC_V6, NETWORK_READY_IP6)
    b, b_id = joined(our_node, netns, planet, "b", ADHOC_V6, NETWORK_READY_IP6)
    a_ip, b_ip = frames.sixplane(ADHOC_V6, a_id), frames.sixplane(ADHOC_V6, b_id)
    assert a.addr_get_str(ADHOC_V6, family=6) == str(a_ip)
    a_mac, b_mac = frames.zt_mac(ADHOC_V6, a_id), frames.zt_mac(ADHOC_V6, b_id)

    # Unicast: an ICMPv6 echo from A's tap to B's MAC arrives on B's tap, MACs as ZeroTier derives them.
    ping = frames.ethernet(b_mac, a_mac, frames.ETH_IPV6, frames.icmp6_echo(a_ip, b_ip, 7, 1, b"adhoc"))
    a.tap_write(ADHOC_V6, ping)
    expect_frame(b, ADHOC_V6, ping, sender=a, root=root)

    # These networks have no multicast at all; neighbor discovery for a member's 6PLANE address is
    # answered by A's own node (NDP emulation): the address names the member, hence its MAC.
    _, group_mac = frames.solicited_node(b_ip)
    ns = frames.ethernet(group_mac, a_mac, frames.ETH_IPV6, frames.neighbor_solicitation(a_ip, a_mac, b_ip))
    a.tap_write(ADHOC_V6, ns)
    answer = a.tap_read(ADHOC_V6, timeout=5)
    while answer is not None and frames.parse_ethernet(answer)[1] != b_mac:  # skip the stacks' chatter
        answer = a.tap_read(ADHOC_V6, timeout=5)
    assert answer is not None
    dst, src, ethertype, payload = frames.parse_ethernet(answer)
    assert (dst, src, ethertype) == (a_mac, b_mac, frames.ETH_IPV6)
    kind, body = frames.parse_icmp6(payload)
    assert kind == 136 and body[8:24] == b_ip.packed and body[26:32] == b_mac  # advertisement: B is at b_mac
    assert payload == frames.icmp6(b_ip, a_ip, body, hop_limit=255)  # and its checksum is right

    # The ad-hoc rules admit only IPv6: an IPv4 frame is dropped by the sender.
    v4 = frames.ethernet(b_mac, a_mac, frames.ETH_IPV4, frames.icmp4_echo("10.0.0.1", "10.0.0.2", 1, 1, b"x"))
    assert a.tap_write(ADHOC_V6, v4, check=False) < 0
    assert b.tap_read(ADHOC_V6, timeout=0.5) is None


def test_arp_on_an_ipv4_adhoc_network(netns: NetNs, our_node, tmp_path: Path) -> None:
    nwid = adhoc_v4(29)
    planet = make_planet(tmp_path, [f"{netns.ADDR1}/29982"])
    root = start_root_node(our_node, netns, planet, 29982)
    a, a_id = joined(our_node, netns, planet, "a", nwid, NETWORK_READY_IP4)
    b, b_id = joined(our_node, netns, planet, "b", nwid, NETWORK_READY_IP4)
    a_ip, b_ip = a.addr_get_str(nwid, family=4), b.addr_get_str(nwid, family=4)
    # AA.<address bytes>: the member's IPv4 comes from its address.
    assert ipaddress.IPv4Address(b_ip) == ipaddress.IPv4Address(bytes([29]) + b_id.to_bytes(5, "big")[2:])
    a_mac, b_mac = frames.zt_mac(nwid, a_id), frames.zt_mac(nwid, b_id)

    # ARP who-has B, broadcast: ZeroTier sends it only to holders of B's IPv4 (group ff..ff/ADI=B).
    who_has = frames.ethernet(frames.BROADCAST, a_mac, frames.ETH_ARP, frames.arp(1, a_mac, a_ip, bytes(6), b_ip))
    a.tap_write(nwid, who_has)
    expect_frame(b, nwid, who_has, sender=a, root=root)
    # B answers with a unicast ARP reply, which reaches A.
    is_at = frames.ethernet(a_mac, b_mac, frames.ETH_ARP, frames.arp(2, b_mac, b_ip, a_mac, a_ip))
    b.tap_write(nwid, is_at)
    expect_frame(a, nwid, is_at, sender=b, root=root)
    # IPv6 multicast on this network: a neighbor solicitation reaches B through its solicited-node
    # group, whose members A learns from the root (B announced it with MULTICAST_LIKE).
    a6, b6 = frames.sixplane(nwid, a_id), frames.sixplane(nwid, b_id)
    _, group_mac = frames.solicited_node(b6)
    hello = frames.ethernet(group_mac, a_mac, frames.ETH_IPV6, frames.icmp6_echo(a6, b6, 1, 2, b"group"))
    a.tap_write(nwid, hello)
    expect_frame(b, nwid, hello, sender=a, root=root)


def test_a_waiting_multicast_goes_to_a_member_that_announces_itself(netns: NetNs, our_node, tmp_path: Path) -> None:
    """A multicast with too few known members waits a few seconds (ZeroTier's transmit timeout) for
    more; a member's own MULTICAST_LIKE names one as much as the root's answer to a gather does, and
    that member gets the frame. Here the root knows nobody (the member, a raw peer speaking genuine
    packets from Python, announces itself to A only), so only the LIKE can name it."""
    nwid = adhoc_v4(31)
    planet = make_planet(tmp_path, [f"{netns.ADDR1}/29944"])
    start_root_node(our_node, netns, planet, 29944)
    a, a_id = joined(our_node, netns, planet, "a", nwid, NETWORK_READY_IP4)
    a_ident = libzt.Identity.from_string(a.node_get_id_pair())
    member = libzt.Identity.generate()
    key = member.agree(a_ident.public_identity())
    udp = UdpPort(netns.cmd_prefix, netns.ADDR2, a.node_get_port())
    try:
        confirm_path(udp, member, a_id, key, EVENT_DEADLINE)
        wait_until(lambda: a.core_query_path_count(member.address) >= 1, EVENT_DEADLINE, 0.02,
                   "A learning the member's path")

        a_mac = frames.zt_mac(nwid, a_id)
        member_ip = str(ipaddress.IPv4Address(bytes([31]) + member.node_id.to_bytes(5, "big")[2:]))
        who_has = frames.ethernet(frames.BROADCAST, a_mac, frames.ETH_ARP,
                                  frames.arp(1, a_mac, a.addr_get_str(nwid, family=4), bytes(6), member_ip))
        a.tap_write(nwid, who_has)
        adi = int(ipaddress.IPv4Address(member_ip))
        udp.send(multicast_like(member.node_id, a_id, key, [(nwid, frames.BROADCAST, adi)]))
        sent = udp.receive(EVENT_DEADLINE, to(member.node_id, key, "MULTICAST_FRAME"))
        assert sent is not None, f"the waiting ARP request never reached the member: {a.node_get_stats()}"
        assert wire.dearmor(key, sent).endswith(who_has[14:])
    finally:
        udp.close()


def test_the_members_tcp_ip_stack_answers_arp_and_ping(netns: NetNs, our_node, tmp_path: Path) -> None:
    """B has no raw tap: its frames go to its lwIP interface, which answers A's ARP and ICMP."""
    nwid = adhoc_v4(30)
    planet = make_planet(tmp_path, [f"{netns.ADDR1}/29983"])
    start_root_node(our_node, netns, planet, 29983)
    a, a_id = joined(our_node, netns, planet, "a", nwid, NETWORK_READY_IP4)
    b = start_node(our_node, netns, planet, "b")
    b.wait_online(timeout=EVENT_DEADLINE)
    b.net_join(nwid)
    b.wait_event(NETWORK_READY_IP4, timeout=EVENT_DEADLINE)
    b_id = int(b.node_get_id(), 16)
    a_ip, b_ip = a.addr_get_str(nwid, family=4), b.addr_get_str(nwid, family=4)
    a_mac, b_mac = frames.zt_mac(nwid, a_id), frames.zt_mac(nwid, b_id)

    who_has = frames.ethernet(frames.BROADCAST, a_mac, frames.ETH_ARP, frames.arp(1, a_mac, a_ip, bytes(6), b_ip))
    is_at = frames.arp(2, b_mac, b_ip, a_mac, a_ip)
    # Asked again every 2 s until answered, as an ARP client does: a broadcast reaches only the members
    # A has learned from the root, and what A does not know yet is asked of the root again.
    answer = None
    deadline = time.monotonic() + EVENT_DEADLINE
    while answer is None and time.monotonic() < deadline:
        a.tap_write(nwid, who_has)
        resend_at = time.monotonic() + 2.0
        while answer is None and time.monotonic() < resend_at:
            frame = a.tap_read(nwid, timeout=max(0.05, resend_at - time.monotonic()))
            if frame is not None and frames.parse_ethernet(frame)[2] == frames.ETH_ARP:  # skip the stacks' chatter
                answer = frame
    assert answer is not None, "B's stack did not answer the ARP request"
    assert frames.parse_ethernet(answer)[:3] == (a_mac, b_mac, frames.ETH_ARP)
    assert frames.parse_ethernet(answer)[3][:28] == is_at

    ping = frames.icmp4_echo(a_ip, b_ip, 0x42, 1, b"ping through lwIP")
    a.tap_write(nwid, frames.ethernet(b_mac, a_mac, frames.ETH_IPV4, ping))
    reply = a.tap_read(nwid, timeout=EVENT_DEADLINE)
    while reply is not None and frames.parse_ethernet(reply)[2] != frames.ETH_IPV4:
        reply = a.tap_read(nwid, timeout=EVENT_DEADLINE)
    assert reply is not None, "B's stack did not answer the ping"
    packet = frames.parse_ethernet(reply)[3]
    assert packet[12:16] == bytes(map(int, b_ip.split("."))) and packet[20] == 0  # echo reply from B
    assert packet[28:] == b"ping through lwIP"
