# SPDX-License-Identifier: Apache-2.0
"""Networks issued by our controller: a root, ``libzt controller`` and member nodes, each its own
process in the test namespace. Members get their addresses from the controller, talk through their
lwIP stacks and raw taps, and lose the network when deauthorized; the controller keeps its networks
and members across restarts and kill -9, on SQLite and PostgreSQL."""

from __future__ import annotations

import errno
import ipaddress
import struct
import time
from pathlib import Path
from typing import Callable

import pytest

from conftest import new_postgres_database
from support import frames
from support.controllers import (
    NETWORK_ACCESS_DENIED,
    NETWORK_READY_IP4,
    NETWORK_READY_IP6,
    POOL,
    ROUTE,
    ControllerServer,
    arp_answer,
    ipv6_addresses,
    ipv6_pair,
    managed_network,
    member,
    on,
    start_world,
    tcp_transfer,
)
from support.netns import NetNs
from support.official import (
    ZTS_IPPROTO_IPV6,
    ZTS_IPV6_MULTICAST_HOPS,
    ZTS_SO_BROADCAST,
    ZTS_SOCK_DGRAM,
    ZTS_SOL_SOCKET,
    ZtsError,
)

pytestmark = pytest.mark.netns


def test_public_network_gives_addresses_and_carries_frames(netns: NetNs, our_node, tmp_path: Path) -> None:
    planet, ctl = start_world(netns, our_node, tmp_path, 29961)
    try:
        nwid = managed_network(ctl, private=False)
        assert f"{nwid:016x}".startswith(ctl.address)
        a, a_id = member(our_node, netns, planet, "a")
        b, b_id = member(our_node, netns, planet, "b")
        started = time.monotonic()
        for node in (a, b):
            node.net_join(nwid)
        for node in (a, b):
            node.wait_event(NETWORK_READY_IP4, timeout=3, match=on(nwid))
            node.wait_event(NETWORK_READY_IP6, timeout=3 - (time.monotonic() - started), match=on(nwid))
        assert time.monotonic() - started < 3

        a_ip, b_ip = a.addr_get_str(nwid, family=4), b.addr_get_str(nwid, family=4)
        low, high = (ipaddress.IPv4Address(POOL[k]) for k in ("ipRangeStart", "ipRangeEnd"))
        assert a_ip != b_ip and all(low <= ipaddress.IPv4Address(ip) <= high for ip in (a_ip, b_ip))
        for node, node_id in ((a, a_id), (b, b_id)):
            assert ipv6_addresses(node, nwid) >= {frames.rfc4193(nwid, node_id), frames.sixplane(nwid, node_id)}
            assert node.net_transport_is_ready(nwid) == 1
        record = ctl.member(f"{nwid:016x}", f"{b_id:010x}")
        assert record["authorized"] is True and record["ipAssignments"] == [b_ip]

        # TCP through both stacks: to B's pool address, and back to A's RFC4193 address.
        tcp_transfer(a, b, b_ip, 7001, 1 << 20)
        tcp_transfer(b, a, str(frames.rfc4193(nwid, a_id)), 7002, 256 << 10, family=6)

        # Raw Ethernet: A's tap takes over A's side; B's lwIP answers ARP for B's address, and a
        # frame written on A's tap arrives on B's once B's tap is on too.
        a.tap_enable(nwid)
        assert arp_answer(a, nwid, a_id, a_ip, b_ip, timeout=5) == frames.zt_mac(nwid, b_id)
        b.tap_enable(nwid)
        frame = frames.ethernet(frames.zt_mac(nwid, b_id), frames.zt_mac(nwid, a_id), 0x88B5, b"raw from A" * 20)
        a.tap_write(nwid, frame)
        deadline = time.monotonic() + 5
        while (got := b.tap_read(nwid, timeout=max(0.0, deadline - time.monotonic()))) not in (frame, None):
            pass
        assert got == frame
    finally:
        ctl.stop()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_private_network_admits_only_authorized_members(
    backend: str, netns: NetNs, our_node, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    db = new_postgres_database(request.getfixturevalue("postgres")) if backend == "postgresql" else ""
    planet, ctl = start_world(netns, our_node, tmp_path, 29965, db=db)
    try:
        nwid = managed_network(ctl, private=True)
        net = f"{nwid:016x}"
        a, a_id = member(our_node, netns, planet, "a")
        b, b_id = member(our_node, netns, planet, "b")
        ctl.member(net, f"{b_id:010x}", authorized=True)  # B is admitted before it asks
        for node in (a, b):
            node.net_join(nwid)
        b.wait_event(NETWORK_READY_IP4, timeout=3, match=on(nwid))
        a.wait_event(NETWORK_ACCESS_DENIED, timeout=3, match=on(nwid))
        assert a.addr_get_str(nwid, family=4) is None
        assert ctl.member(net, f"{a_id:010x}")["authorized"] is False  # the controller recorded the request

        started = time.monotonic()
        ctl.member(net, f"{a_id:010x}", authorized=True)
        a.wait_event(NETWORK_READY_IP4, timeout=5, match=on(nwid))
        admitted_in = time.monotonic() - started
        a_ip, b_ip = a.addr_get_str(nwid, family=4), b.addr_get_str(nwid, family=4)
        tcp_transfer(a, b, b_ip, 7003, 64 << 10)

        # Restart the controller, then kill -9 it: members and networks stay, and a member that
        # rejoins gets the same address back from the database.
        ctl.stop()
        ctl = ControllerServer(
            tmp_path / "ctl", planet.path, netns.cmd_prefix, port=29966, extra=["--db", db] if db else []
        ).wait_ready()
        ctl.stop(kill=True)
        ctl = ControllerServer(
            tmp_path / "ctl", planet.path, netns.cmd_prefix, port=29966, extra=["--db", db] if db else []
        ).wait_ready()
        assert ctl.member(net, f"{a_id:010x}")["ipAssignments"] == [a_ip]
        since = max(e["seq"] for e in a.event_history()) + 1
        a.net_leave(nwid)
        a.net_join(nwid)
        a.wait_event(NETWORK_READY_IP4, timeout=5, since=since, match=on(nwid))
        assert a.addr_get_str(nwid, family=4) == a_ip

        # Deauthorized, A's frames stop being accepted by B: B's stack no longer answers A's ARP.
        a.tap_enable(nwid)
        assert arp_answer(a, nwid, a_id, a_ip, b_ip, timeout=5) == frames.zt_mac(nwid, b_id)
        dropped_before = b.node_get_stats()["frames_dropped"]
        ctl.member(net, f"{a_id:010x}", authorized=False)
        deadline = time.monotonic() + 10
        while arp_answer(a, nwid, a_id, a_ip, b_ip, timeout=0.5) is not None:
            assert time.monotonic() < deadline, "B still accepts A's frames 10 s after deauthorization"
        assert b.node_get_stats()["frames_dropped"] > dropped_before
        a.wait_event(NETWORK_ACCESS_DENIED, timeout=10, since=since, match=on(nwid))
        assert admitted_in < 5
    finally:
        ctl.stop()


def test_members_get_distinct_addresses_from_a_controller_with_many_members(
    netns: NetNs, our_node, tmp_path: Path
) -> None:
    """Addresses never collide with ones the database already handed out."""
    planet, ctl = start_world(netns, our_node, tmp_path, 29968)
    try:
        nwid = managed_network(ctl, private=False)
        net = f"{nwid:016x}"
        taken = [f"10.147.17.{i}" for i in range(10, 40)]
        for i, ip in enumerate(taken):  # members that exist only in the database
            ctl.member(net, f"{0x1100000000 + i:010x}", authorized=True, ipAssignments=[ip])
        node, _ = member(our_node, netns, planet, "late")
        node.net_join(nwid)
        node.wait_event(NETWORK_READY_IP4, timeout=3, match=on(nwid))
        assert node.addr_get_str(nwid, family=4) not in taken
    finally:
        ctl.stop()


def test_a_broadcast_reaches_every_member_from_a_socket_that_asks_for_it(netns: NetNs, our_node,
                                                                        tmp_path: Path) -> None:
    """UDP to the network's broadcast address and to 255.255.255.255 reaches every member (our
    controller enables broadcast by default; ZeroTier carries it as a multicast to ff:ff:ff:ff:ff:ff
    with ADI 0), and only from a socket with SO_BROADCAST set: without it, sendto and connect fail
    with EACCES, as on Linux. Before, lwIP sent the first from any socket and had no route for the
    second (EHOSTUNREACH)."""
    planet, ctl = start_world(netns, our_node, tmp_path, 29977)
    try:
        nwid = managed_network(ctl, private=False)
        nodes = [member(our_node, netns, planet, name)[0] for name in "abc"]
        for node in nodes:
            node.net_join(nwid)
        for node in nodes:
            node.wait_event(NETWORK_READY_IP4, timeout=30, match=on(nwid))
        a, listeners = nodes[0], nodes[1:]
        a_ip = a.addr_get_str(nwid, family=4)
        port = 7300
        inbox = {}
        for node in listeners:
            inbox[node] = node.bsd_socket(4, ZTS_SOCK_DGRAM)
            node.bind(inbox[node], "0.0.0.0", port)
            node.set_recv_timeout(inbox[node], 0, 200_000)
        sender = a.bsd_socket(4, ZTS_SOCK_DGRAM)
        connected = a.bsd_socket(4, ZTS_SOCK_DGRAM)
        subnet_broadcast = str(ipaddress.IPv4Network(ROUTE["target"]).broadcast_address)

        for target in (subnet_broadcast, "255.255.255.255"):
            with pytest.raises(ZtsError) as refused:
                a.bsd_sendto(sender, b"everyone?", target, port)
            assert refused.value.errno == errno.EACCES, target
            with pytest.raises(ZtsError) as refused:
                a.bsd_connect(connected, target, port)
            assert refused.value.errno == errno.EACCES, target
        # Unicast from the same socket is not affected.
        b_ip = listeners[0].addr_get_str(nwid, family=4)
        a.bsd_sendto(sender, b"just you", b_ip, port)
        assert listeners[0].bsd_recvfrom(inbox[listeners[0]], timeout=30)["data"] == b"just you"

        a.setsockopt_int(sender, ZTS_SOL_SOCKET, ZTS_SO_BROADCAST, 1)
        for target in (subnet_broadcast, "255.255.255.255"):
            payload = f"to {target}".encode()
            heard = set()
            deadline = time.monotonic() + 30
            while len(heard) < len(listeners) and time.monotonic() < deadline:
                # Again until every member got one: UDP, and the first copies may go before the
                # sender learnt the members of the broadcast group.
                assert a.bsd_sendto(sender, payload, target, port) == len(payload)
                for node in listeners:
                    got = node.bsd_recvfrom(inbox[node], timeout=30)
                    while got["ret"] > 0 and got["data"] != payload:  # a copy of an earlier round
                        got = node.bsd_recvfrom(inbox[node], timeout=30)
                    if got["ret"] > 0:
                        assert got["ip"] == a_ip
                        heard.add(node)
            assert heard == set(listeners), f"{target} reached {len(heard)} of {len(listeners)} members"
        a.setsockopt_int(connected, ZTS_SOL_SOCKET, ZTS_SO_BROADCAST, 1)
        assert a.bsd_connect(connected, subnet_broadcast, port) == 0
    finally:
        ctl.stop()


@pytest.mark.parametrize("hops", [None, 255])
def test_ipv6_multicast_leaves_with_the_hop_limit_the_socket_asks_for(netns: NetNs, our_node, tmp_path: Path,
                                                                      hops: int | None) -> None:
    """IPV6_MULTICAST_HOPS (lwIP has no such option) sets the hop limit of what an IPv6 socket sends
    to a group, and a socket that sets none sends with Linux's 1; as seen on another member's raw
    tap, to a group that member subscribed to before its tap took over (its RFC 4193 address's
    solicited-node group)."""
    planet, ctl = start_world(netns, our_node, tmp_path, 29978 if hops is None else 29979)
    try:
        nwid, (a, _), (b, b_id) = ipv6_pair(our_node, netns, planet, ctl)
        group = str(frames.solicited_node(frames.rfc4193(nwid, b_id))[0])
        b.tap_enable(nwid)
        sender = a.bsd_socket(6, ZTS_SOCK_DGRAM)
        if hops is not None:
            a.setsockopt_int(sender, ZTS_IPPROTO_IPV6, ZTS_IPV6_MULTICAST_HOPS, hops)
        payload = b"how far may this go?"
        seen = None
        deadline = time.monotonic() + 30
        while seen is None and time.monotonic() < deadline:
            a.bsd_sendto(sender, payload, group, 7400)  # again until the group's members are known
            resend_at = time.monotonic() + 1.0
            while seen is None and time.monotonic() < resend_at:
                frame = b.tap_read(nwid, timeout=max(0.05, resend_at - time.monotonic()))
                if frame is None:
                    continue
                _, _, ethertype, packet = frames.parse_ethernet(frame)
                if ethertype == frames.ETH_IPV6 and packet[6] == 17 and packet.endswith(payload):
                    seen = packet
        assert seen is not None, "the multicast never reached the other member"
        assert seen[7] == (1 if hops is None else hops)  # the IPv6 header's hop limit
    finally:
        ctl.stop()


def test_packet_too_big_below_ipv6s_minimum_mtu_is_discarded(netns: NetNs, our_node, tmp_path: Path) -> None:
    """A member's ICMPv6 Packet Too Big naming an MTU below 1280 is discarded (RFC 8201): lwIP took
    any value, and one of 48 to 55 made its fragmentation loop forever on the next large send, with
    the stack's lock held. One of 1280 is honoured: large sends leave in fragments."""
    planet, ctl = start_world(netns, our_node, tmp_path, 29980)
    try:
        nwid, (a, a_id), (b, b_id) = ipv6_pair(our_node, netns, planet, ctl)
        a_ip, b_ip = frames.rfc4193(nwid, a_id), frames.rfc4193(nwid, b_id)
        sender = a.bsd_socket(6, ZTS_SOCK_DGRAM)
        a.bsd_sendto(sender, b"hello", str(b_ip), 7500)  # a's stack now has b in its destination cache
        b.tap_enable(nwid)
        a_mac, b_mac = frames.zt_mac(nwid, a_id), frames.zt_mac(nwid, b_id)

        def from_b(packet: bytes) -> None:
            b.tap_write(nwid, frames.ethernet(a_mac, b_mac, frames.ETH_IPV6, packet))

        def too_big(mtu: int) -> None:
            offending = frames.ipv6(a_ip, b_ip, 17, bytes(8 + 1400))[:48]  # the start of a's packet
            from_b(frames.icmp6(b_ip, a_ip, struct.pack(">BBHI", 2, 0, 0, mtu) + offending))

        def next_from_a(*next_headers: int) -> bytes:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                frame = b.tap_read(nwid, timeout=max(0.05, deadline - time.monotonic()))
                if frame is None:
                    continue
                _, src, ethertype, packet = frames.parse_ethernet(frame)
                if src == a_mac and ethertype == frames.ETH_IPV6 and packet[6] in next_headers:
                    return packet
            raise AssertionError(f"a sent no IPv6 packet with next header in {next_headers}")

        large = bytes(2000)
        too_big(1280)
        seen = None
        deadline = time.monotonic() + 30
        while seen is None and time.monotonic() < deadline:  # the message may arrive after a send: again
            assert a.bsd_sendto(sender, large, str(b_ip), 7500) == len(large)
            packet = next_from_a(17, 44)  # whole (UDP) or in fragments
            if packet[6] == 44:
                seen = packet
        assert seen is not None and 1000 < len(seen) <= 1280  # fragments of at most the MTU it was told

        too_big(50)
        # b's frames reach a's stack in order: once a answers the ping sent after it, it has had it.
        from_b(frames.icmp6_echo(b_ip, a_ip, 7, 1, b"after the PTB"))
        while next_from_a(58)[40] != 129:  # an echo reply, not a neighbor solicitation
            pass
        assert a.bsd_sendto(sender, large, str(b_ip), 7500) == len(large)  # did not loop forever
        packet = next_from_a(44)
        assert 1000 < len(packet) <= 1280  # still fragments for MTU 1280, not 50
    finally:
        ctl.stop()


def _virtual_router(nwid: int) -> ipaddress.IPv6Address:
    """The link-local address of the IPv6 router inside each of our interfaces (csrc/net/ipv6_router.hpp):
    its MAC is the network's first octet with one more bit set, then "Ztrtn"; fe80:: and its EUI-64."""
    mac = bytes([frames.zt_mac(nwid, 0)[0] ^ 0x04]) + b"Ztrtn"
    return ipaddress.IPv6Address(b"\xfe\x80" + bytes(6) + bytes([mac[0] ^ 0x02]) + mac[1:3] + b"\xff\xfe" + mac[3:])


def test_forged_neighbor_advertisements_take_over_no_address(netns: NetNs, our_node, tmp_path: Path) -> None:
    """A member's neighbor advertisements cannot redirect what lwIP sends: one naming the virtual IPv6
    router with the member's own MAC would have sent it all of a's off-link IPv6 (to other members'
    6PLANE addresses); one naming another member's RFC 4193 address (which names that member, so
    only its MAC can be right) would have sent it what a had for that member; and one to all-nodes
    naming a's address would have made a give that address up for good (lwIP takes it as another
    host's duplicate address detection, in any state)."""
    planet, ctl = start_world(netns, our_node, tmp_path, 29981)
    try:
        nwid, (a, a_id), (b, b_id) = ipv6_pair(our_node, netns, planet, ctl)
        a_ip, b6 = frames.rfc4193(nwid, a_id), frames.sixplane(nwid, b_id)
        # No such member: what a sends there goes nowhere (6PLANE: through the router; RFC 4193: a
        # neighbor solicitation nobody answers).
        stranger6, stranger_ip = frames.sixplane(nwid, 0x0BADC0FFEE), frames.rfc4193(nwid, 0x0BADC0FFEE)
        a_mac, b_mac = frames.zt_mac(nwid, a_id), frames.zt_mac(nwid, b_id)
        b.tap_enable(nwid)
        sender = a.bsd_socket(6, ZTS_SOCK_DGRAM)
        from_a: list[tuple[ipaddress.IPv6Address, bytes]] = []  # (destination, payload) of a's UDP on b's tap
        echo_replies = 0

        def read_b(until: Callable[[], bool], deadline: float) -> None:
            nonlocal echo_replies
            while not until() and time.monotonic() < deadline:
                frame = b.tap_read(nwid, timeout=max(0.05, deadline - time.monotonic()))
                if frame is None:
                    continue
                _, src, ethertype, packet = frames.parse_ethernet(frame)
                if src != a_mac or ethertype != frames.ETH_IPV6:
                    continue
                if packet[6] == 17:
                    from_a.append((ipaddress.IPv6Address(packet[24:40]), packet[48:]))
                elif packet[6] == 58 and packet[40] == 129 and ipaddress.IPv6Address(packet[8:24]) == a_ip:
                    echo_replies += 1

        def sent_to_b(payload: bytes) -> Callable[[], bool]:
            return lambda: (b6, payload) in from_a

        # a's stack has now resolved its router: this goes to b by way of it.
        deadline = time.monotonic() + 30
        while not sent_to_b(b"to b")() and time.monotonic() < deadline:
            a.bsd_sendto(sender, b"to b", str(b6), 7600)  # again until a has b's path
            read_b(sent_to_b(b"to b"), min(deadline, time.monotonic() + 1.0))
        assert sent_to_b(b"to b")()

        # An advertisement for the stranger's address counts only while a still asks for it (2-3 s
        # after the send, so on a slow machine this part may prove nothing); a solicitation from that
        # address with b's MAC makes a neighbor entry at any time.
        a.bsd_sendto(sender, b"to a stranger", str(stranger_ip), 7600)
        router = _virtual_router(nwid)
        all_nodes = ipaddress.IPv6Address("ff02::1")
        for packet in (
            frames.neighbor_advertisement(b6, a_ip, stranger_ip, b_mac),  # "the stranger's address is mine"
            frames.neighbor_advertisement(b6, a_ip, router, b_mac),  # solicited, override
            frames.neighbor_advertisement(b6, all_nodes, router, b_mac, flags=0x20),  # unsolicited, override
            frames.neighbor_advertisement(b6, all_nodes, a_ip, b_mac, flags=0x20),  # "a_ip is mine"
        ):
            b.tap_write(nwid, frames.ethernet(a_mac, b_mac, frames.ETH_IPV6, packet))
        solicitation = frames.neighbor_solicitation(stranger_ip, b_mac, a_ip)  # "I am the stranger, at b's MAC"
        b.tap_write(nwid, frames.ethernet(a_mac, b_mac, frames.ETH_IPV6, solicitation))
        # b's frames reach a's stack in order: once a answers a ping sent after them, it has had them.
        deadline = time.monotonic() + 30
        while echo_replies == 0 and time.monotonic() < deadline:
            b.tap_write(nwid, frames.ethernet(a_mac, b_mac, frames.ETH_IPV6,
                                              frames.icmp6_echo(b6, a_ip, 9, 1, b"still yours?")))
            read_b(lambda: echo_replies > 0, min(deadline, time.monotonic() + 1.0))
        assert echo_replies > 0, "a no longer answers at its own address"

        # In order again: had the router's entry or the stranger's been taken over, these would reach b
        # before the third.
        a.bsd_sendto(sender, b"to nobody", str(stranger6), 7600)
        a.bsd_sendto(sender, b"to a stranger again", str(stranger_ip), 7600)
        a.bsd_sendto(sender, b"to b again", str(b6), 7600)
        read_b(sent_to_b(b"to b again"), time.monotonic() + 30)
        assert sent_to_b(b"to b again")()
        assert [d for d, _ in from_a if d != b6] == [], from_a  # nothing meant for others reached b
    finally:
        ctl.stop()
