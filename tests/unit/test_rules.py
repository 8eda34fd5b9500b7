# SPDX-License-Identifier: Apache-2.0
"""The flow rules engine: every MATCH and ACTION type on frames built here, NOT/OR, the "hard no",
BREAK, TEE/WATCH/REDIRECT, tags, capabilities, and rules that round-trip through bytes.

Rules are ZeroTier's controller REST objects; frames are Ethernet payloads built byte by byte.
"""
from __future__ import annotations

import ipaddress
import struct
from dataclasses import replace
from typing import Any

import pytest

from libzt import NetconfError
from libzt import netconf as nc
from libzt.netconf import Frame, Verdict

ME, PEER, OTHER = 0x1111111111, 0x2222222222, 0x3333333333
MAC_ME, MAC_PEER = 0x32AABBCCDDEE, 0x3211223344FF
ETH_IPV4, ETH_ARP, ETH_IPV6 = 0x0800, 0x0806, 0x86DD
ACCEPT: dict[str, Any] = {"type": "ACTION_ACCEPT"}


def m(kind: str, *, negate: bool = False, either: bool = False, **fields: Any) -> dict[str, Any]:
    """A MATCH rule."""
    return {"type": kind, **fields, "not": negate, "or": either}


def ip4(text: str) -> bytes:
    return ipaddress.IPv4Address(text).packed


def ip6(text: str) -> bytes:
    return ipaddress.IPv6Address(text).packed


def tcp(sport: int, dport: int, flags: int = nc.TCP_ACK) -> bytes:
    # The 4 bits above the flags byte hold NS (0x100) in their lowest bit.
    return struct.pack(">HHIIBBHHH", sport, dport, 1, 0, (5 << 4) | (flags >> 8), flags & 0xFF, 1024, 0, 0)


def udp(sport: int, dport: int, data: bytes = b"x") -> bytes:
    return struct.pack(">HHHH", sport, dport, 8 + len(data), 0) + data


def icmp(kind: int, code: int) -> bytes:
    return struct.pack(">BBHI", kind, code, 0, 0)


def ipv4(src: str, dst: str, proto: int, payload: bytes, tos: int = 0) -> bytes:
    header = struct.pack(">BBHHHBBH4s4s", 0x45, tos, 20 + len(payload), 0, 0, 64, proto, 0, ip4(src), ip4(dst))
    return header + payload


def ipv6(src: str, dst: str, next_header: int, payload: bytes, *, traffic_class: int = 0,
         extensions: tuple[int, ...] = ()) -> bytes:
    """An IPv6 packet; `extensions` are the types of 8-byte extension headers in front of the payload."""
    chain = b""
    kinds = [*extensions, next_header]
    for i, _ in enumerate(extensions):
        chain += bytes([kinds[i + 1], 0]) + bytes(6)
    first = kinds[0]
    head = struct.pack(">IHBB", (6 << 28) | (traffic_class << 20), len(chain) + len(payload), first, 64)
    return head + ip6(src) + ip6(dst) + chain + payload


def arp(sender: str, target: str) -> bytes:
    return struct.pack(">HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, bytes(6), ip4(sender), bytes(6), ip4(target))


def frame(ethertype: int, payload: bytes, **changes: Any) -> Frame:
    base = Frame(ethertype=ethertype, payload=payload, zt_source=ME, zt_dest=PEER, mac_source=MAC_ME,
                 mac_dest=MAC_PEER)
    return replace(base, **changes)


TCP4 = frame(ETH_IPV4, ipv4("10.0.0.1", "10.0.0.2", 6, tcp(40000, 22), tos=0xB8))
UDP4 = frame(ETH_IPV4, ipv4("10.0.0.1", "10.0.0.2", 17, udp(5353, 53)))
ICMP4 = frame(ETH_IPV4, ipv4("10.0.0.1", "10.0.0.2", 1, icmp(8, 0)))
ARP = frame(ETH_ARP, arp("10.0.0.1", "10.0.0.2"), mac_dest=0xFFFFFFFFFFFF)
TCP6 = frame(ETH_IPV6, ipv6("fd00::1", "fd00::2", 6, tcp(40000, 443, nc.TCP_SYN), traffic_class=0x2E,
                            extensions=(0, 60)))
ICMP6 = frame(ETH_IPV6, ipv6("fd00::1", "fd00::2", 58, icmp(128, 0), extensions=(43,)))
UDP6 = frame(ETH_IPV6, ipv6("fd00::1", "fd00::2", 17, udp(1000, 0)))


def matches(rule: dict[str, Any], f: Frame, **kw: Any) -> bool:
    result = nc.evaluate_rules([rule, ACCEPT], f, **kw).verdict
    assert result in (Verdict.ACCEPT, Verdict.NO_MATCH)
    return result is Verdict.ACCEPT


# (rule, frame, whether it matches): one or more rows per MATCH type.
CASES = [
    (m("MATCH_SOURCE_ZEROTIER_ADDRESS", zt=f"{ME:010x}"), TCP4, True),
    (m("MATCH_SOURCE_ZEROTIER_ADDRESS", zt=f"{PEER:010x}"), TCP4, False),
    (m("MATCH_DEST_ZEROTIER_ADDRESS", zt=f"{PEER:010x}"), TCP4, True),
    (m("MATCH_VLAN_ID", vlanId=7), replace(TCP4, vlan_id=7), True),
    (m("MATCH_VLAN_ID", vlanId=7), TCP4, False),
    (m("MATCH_VLAN_PCP", vlanPcp=0), TCP4, True),  # not parsed from frames: only 0 matches
    (m("MATCH_VLAN_PCP", vlanPcp=3), TCP4, False),
    (m("MATCH_VLAN_DEI", vlanDei=0), TCP4, True),
    (m("MATCH_MAC_SOURCE", mac="32:aa:bb:cc:dd:ee"), TCP4, True),
    (m("MATCH_MAC_DEST", mac="32:aa:bb:cc:dd:ee"), TCP4, False),
    (m("MATCH_MAC_DEST", mac="ff:ff:ff:ff:ff:ff"), ARP, True),
    (m("MATCH_IPV4_SOURCE", ip="10.0.0.0/8"), TCP4, True),
    (m("MATCH_IPV4_SOURCE", ip="10.0.0.2/32"), TCP4, False),
    (m("MATCH_IPV4_DEST", ip="10.0.0.2/32"), TCP4, True),
    (m("MATCH_IPV4_DEST", ip="0.0.0.0/0"), UDP4, True),
    (m("MATCH_IPV4_SOURCE", ip="0.0.0.0/0"), ARP, False),  # not IPv4: no
    (m("MATCH_IPV4_SOURCE", ip="10.0.0.0/8", negate=True), ARP, False),  # ...whatever NOT says
    (m("MATCH_IPV4_SOURCE", ip="192.168.0.0/16", negate=True), TCP4, True),
    (m("MATCH_IPV6_SOURCE", ip="fd00::/8"), TCP6, True),
    (m("MATCH_IPV6_DEST", ip="fd00::2/128"), TCP6, True),
    (m("MATCH_IPV6_DEST", ip="fd00::1/128"), TCP6, False),
    (m("MATCH_IPV6_SOURCE", ip="fd00::1/8"), TCP6, False),  # host bits in the rule: ZeroTier matches nothing
    (m("MATCH_IPV6_SOURCE", ip="::/0", negate=True), TCP4, False),
    (m("MATCH_IP_TOS", mask=0xFC, start=0xB8, end=0xB8), TCP4, True),  # DSCP EF
    (m("MATCH_IP_TOS", mask=0xFC, start=0, end=0x10), TCP4, False),
    (m("MATCH_IP_TOS", mask=0xFF, start=0x2E, end=0x2E), TCP6, True),  # IPv6 traffic class
    (m("MATCH_IP_TOS", mask=0xFF, start=0, end=0xFF, negate=True), ARP, False),
    (m("MATCH_IP_PROTOCOL", ipProtocol=6), TCP4, True),
    (m("MATCH_IP_PROTOCOL", ipProtocol=17), TCP4, False),
    (m("MATCH_IP_PROTOCOL", ipProtocol=6), TCP6, True),  # behind hop-by-hop and destination options
    (m("MATCH_IP_PROTOCOL", ipProtocol=58), ICMP6, True),  # behind a routing header
    (m("MATCH_IP_PROTOCOL", ipProtocol=0), TCP6, False),  # the extension header itself is not the protocol
    (m("MATCH_IP_PROTOCOL", ipProtocol=6, negate=True), ARP, False),
    (m("MATCH_ETHERTYPE", etherType=ETH_ARP), ARP, True),
    (m("MATCH_ETHERTYPE", etherType=ETH_ARP), TCP4, False),
    (m("MATCH_ICMP", icmpType=8, icmpCode=None), ICMP4, True),
    (m("MATCH_ICMP", icmpType=8, icmpCode=0), ICMP4, True),
    (m("MATCH_ICMP", icmpType=8, icmpCode=1), ICMP4, False),
    (m("MATCH_ICMP", icmpType=0, icmpCode=None), ICMP4, False),
    (m("MATCH_ICMP", icmpType=0, icmpCode=None, negate=True), ICMP4, False),  # wrong type: hard no
    (m("MATCH_ICMP", icmpType=8, icmpCode=None, negate=True), ICMP4, True),  # right type, any code: a "hard yes"
    (m("MATCH_ICMP", icmpType=128, icmpCode=None), ICMP6, True),
    (m("MATCH_ICMP", icmpType=8, icmpCode=None, negate=True), TCP4, False),
    (m("MATCH_IP_SOURCE_PORT_RANGE", start=40000, end=40000), TCP4, True),
    (m("MATCH_IP_DEST_PORT_RANGE", start=1, end=1023), TCP4, True),
    (m("MATCH_IP_DEST_PORT_RANGE", start=1, end=21), TCP4, False),
    (m("MATCH_IP_DEST_PORT_RANGE", start=53, end=53), UDP4, True),
    (m("MATCH_IP_DEST_PORT_RANGE", start=443, end=443), TCP6, True),
    (m("MATCH_IP_DEST_PORT_RANGE", start=0, end=65535), UDP6, False),  # port 0 never matches over IPv6
    (m("MATCH_IP_DEST_PORT_RANGE", start=0, end=65535), ICMP4, False),  # no ports: plain false...
    (m("MATCH_IP_DEST_PORT_RANGE", start=0, end=65535, negate=True), ICMP4, True),  # ...so NOT applies
    (m("MATCH_IP_DEST_PORT_RANGE", start=0, end=65535, negate=True), ARP, False),  # not IP: hard no
    (m("MATCH_CHARACTERISTICS", mask=f"{nc.TCP_ACK:016x}"), TCP4, True),
    (m("MATCH_CHARACTERISTICS", mask=f"{nc.TCP_SYN:016x}"), TCP4, False),
    (m("MATCH_CHARACTERISTICS", mask=f"{nc.TCP_SYN:016x}"), TCP6, True),  # TCP flags behind extension headers
    (m("MATCH_CHARACTERISTICS", mask=f"{nc.TCP_NS:016x}"),
     frame(ETH_IPV4, ipv4("10.0.0.1", "10.0.0.2", 6, tcp(1, 2, nc.TCP_NS | nc.TCP_ACK))), True),
    (m("MATCH_CHARACTERISTICS", mask=f"{nc.CHARACTERISTIC_BROADCAST:016x}"), ARP, True),
    (m("MATCH_CHARACTERISTICS", mask=f"{nc.CHARACTERISTIC_MULTICAST:016x}"), ARP, True),
    (m("MATCH_CHARACTERISTICS", mask=f"{nc.CHARACTERISTIC_MULTICAST:016x}"), TCP4, False),
    (m("MATCH_CHARACTERISTICS", mask=f"{nc.CHARACTERISTIC_MULTICAST:016x}"),
     replace(TCP4, mac_dest=0x3333FF000001), True),
    (m("MATCH_CHARACTERISTICS", mask=f"{nc.CHARACTERISTIC_INBOUND:016x}"), replace(TCP4, inbound=True), True),
    (m("MATCH_CHARACTERISTICS", mask=f"{nc.CHARACTERISTIC_INBOUND:016x}"), TCP4, False),
    (m("MATCH_CHARACTERISTICS", mask=f"{nc.CHARACTERISTIC_SENDER_IP_AUTHENTICATED:016x}"), TCP4, False),
    (m("MATCH_CHARACTERISTICS", mask=f"{nc.CHARACTERISTIC_SENDER_IP_AUTHENTICATED:016x}"),
     replace(TCP4, sender_owns=["10.0.0.1"]), True),
    (m("MATCH_CHARACTERISTICS", mask=f"{nc.CHARACTERISTIC_SENDER_IP_AUTHENTICATED:016x}"),
     replace(ARP, sender_owns=["10.0.0.1"]), True),  # ARP's sender address
    (m("MATCH_CHARACTERISTICS", mask=f"{nc.CHARACTERISTIC_SENDER_IP_AUTHENTICATED:016x}"),
     replace(TCP6, sender_owns=["fd00::1"]), True),
    (m("MATCH_CHARACTERISTICS", mask=f"{nc.CHARACTERISTIC_SENDER_IP_AUTHENTICATED:016x}"),
     frame(ETH_IPV6, ipv6("::", "ff02::1:ff00:2", 58, bytes([135, 0]) + bytes(22))), True),  # NDP solicitation
    (m("MATCH_CHARACTERISTICS", mask=f"{nc.CHARACTERISTIC_SENDER_MAC_AUTHENTICATED:016x}"),
     replace(TCP4, sender_owns=["32:aa:bb:cc:dd:ee"]), True),
    (m("MATCH_FRAME_SIZE_RANGE", start=40, end=40), TCP4, True),  # 20 IPv4 + 20 TCP
    (m("MATCH_FRAME_SIZE_RANGE", start=41, end=1500), TCP4, False),
    (m("MATCH_RANDOM", probability=0xFFFFFFFF), TCP4, True),
    (m("INTEGER_RANGE", start=f"{22:016x}", end=f"{22:016x}", idx=16, bits=16), TCP4, True),  # BE dst port
    (m("INTEGER_RANGE", start=f"{0x409C:016x}", end=f"{0x409C:016x}", idx=20, bits=16, little=True), TCP4, True),
    (m("INTEGER_RANGE", start=f"{0:016x}", end=f"{0:016x}", idx=1000, bits=16), TCP4, True),  # past the end: 0
    (m("INTEGER_RANGE", start=f"{1:016x}", end=f"{0xFFFF:016x}", idx=1000, bits=16), TCP4, False),
]


@pytest.mark.parametrize(("rule", "f", "expected"), CASES, ids=[f"{i}-{c[0]['type']}" for i, c in enumerate(CASES)])
def test_match_types(rule: dict[str, Any], f: Frame, expected: bool) -> None:
    assert matches(rule, f) is expected


def test_integer_range_reads_the_end_of_an_8_byte_window() -> None:
    # Big-endian values are the last `bits` of the 8 bytes at idx: with idx 0 and 4 bits, the low
    # nibble of byte 7 (IPv4's flags/fragment byte) is read, which is 0.
    assert matches(m("INTEGER_RANGE", start=f"{0:016x}", end=f"{0:016x}", idx=0, bits=4), TCP4)
    # The TTL (byte 8) is the last byte of the window at 1.
    assert matches(m("INTEGER_RANGE", start=f"{64:016x}", end=f"{64:016x}", idx=1, bits=8), TCP4)


def test_unknown_match_types_yield_the_networks_flag_and_are_skipped_by_length() -> None:
    unknown = bytes([0x3F, 3, 1, 2, 3])  # type 63, three bytes nobody knows
    accept = bytes([1, 0])
    assert nc.evaluate_rules(unknown + accept, TCP4).verdict is Verdict.NO_MATCH
    assert nc.evaluate_rules(unknown + accept, TCP4, unsupported_match_result=True).verdict is Verdict.ACCEPT
    assert nc.parse_rules(unknown + accept) == [
        {"type": "UNKNOWN", "typeId": 63, "value": "010203", "not": False, "or": False}, ACCEPT]
    # A known type with a longer value than it needs: the reader takes its bytes and skips the rest.
    long_ethertype = bytes([37, 4, 0x08, 0x06, 0xEE, 0xEE])
    assert nc.parse_rules(long_ethertype + accept)[0] == m("MATCH_ETHERTYPE", etherType=ETH_ARP)
    assert nc.evaluate_rules(long_ethertype + accept, ARP).verdict is Verdict.ACCEPT
    # Unknown actions do nothing.
    assert nc.evaluate_rules(bytes([0x0F, 0]) + bytes([0, 0]), TCP4).verdict is Verdict.DROP


def verdict(rules: list[dict[str, Any]], f: Frame) -> Verdict:
    return nc.evaluate_rules(rules, f).verdict


def test_not_and_or() -> None:
    arp_or_ipv4 = [m("MATCH_ETHERTYPE", etherType=ETH_ARP), m("MATCH_ETHERTYPE", etherType=ETH_IPV4, either=True),
                   ACCEPT]
    assert verdict(arp_or_ipv4, ARP) is verdict(arp_or_ipv4, TCP4) is Verdict.ACCEPT
    assert verdict(arp_or_ipv4, TCP6) is Verdict.NO_MATCH
    only_ipv6 = [m("MATCH_ETHERTYPE", etherType=ETH_IPV6, negate=True), {"type": "ACTION_DROP"}, ACCEPT]
    assert verdict(only_ipv6, TCP4) is Verdict.DROP and verdict(only_ipv6, TCP6) is Verdict.ACCEPT
    # AND of two, then OR: (ipv4 AND udp) OR arp.
    rules = [m("MATCH_ETHERTYPE", etherType=ETH_IPV4), m("MATCH_IP_PROTOCOL", ipProtocol=17),
             m("MATCH_ETHERTYPE", etherType=ETH_ARP, either=True), ACCEPT]
    assert [verdict(rules, f) for f in (UDP4, TCP4, ARP)] == [Verdict.ACCEPT, Verdict.NO_MATCH, Verdict.ACCEPT]
    # A false AND set short-circuits: later ANDed matches (even ones that would be true) cannot revive it.
    rules = [m("MATCH_ETHERTYPE", etherType=ETH_ARP), m("MATCH_IPV4_SOURCE", ip="0.0.0.0/0", negate=True), ACCEPT]
    assert verdict(rules, TCP4) is Verdict.NO_MATCH


def test_the_hard_no_ignores_not() -> None:
    not_from_10 = [m("MATCH_IPV4_SOURCE", ip="10.0.0.0/8", negate=True), ACCEPT]
    assert verdict(not_from_10, replace(TCP4, payload=ipv4("192.168.1.1", "10.0.0.2", 6, tcp(1, 2)))) is Verdict.ACCEPT
    assert verdict(not_from_10, TCP4) is Verdict.NO_MATCH
    assert verdict(not_from_10, ARP) is Verdict.NO_MATCH  # an ARP frame is not "not from 10/8"


def test_actions_and_match_sets() -> None:
    assert verdict([ACCEPT], frame(0x1234, b"")) is Verdict.ACCEPT  # the default set: no matches
    assert verdict([], TCP4) is Verdict.NO_MATCH
    # The match state restarts after every action, taken or not.
    assert verdict([m("MATCH_ETHERTYPE", etherType=ETH_ARP), {"type": "ACTION_DROP"}, ACCEPT], TCP4) is Verdict.ACCEPT
    # BREAK ends the table without a decision when taken.
    brk = [m("MATCH_ETHERTYPE", etherType=ETH_IPV4), {"type": "ACTION_BREAK"}, ACCEPT]
    assert verdict(brk, TCP4) is Verdict.NO_MATCH and verdict(brk, ARP) is Verdict.ACCEPT
    result = nc.evaluate_rules([{"type": "ACTION_PRIORITY"}], TCP4)
    assert (result.verdict, result.qos_bucket) == (Verdict.ACCEPT, 0)  # the bucket is not on the wire


def test_tee_watch_and_redirect() -> None:
    tee = nc.evaluate_rules([{"type": "ACTION_TEE", "address": f"{OTHER:010x}", "flags": 0, "length": 16}, ACCEPT],
                            TCP4)
    assert (tee.verdict, tee.tee_to, tee.tee_length, tee.watch) == (Verdict.ACCEPT, OTHER, 16, False)
    watch = nc.evaluate_rules([{"type": "ACTION_WATCH", "address": f"{OTHER:010x}", "flags": 0, "length": 0},
                               {"type": "ACTION_DROP"}], TCP4)
    assert (watch.verdict, watch.tee_to, watch.tee_length, watch.watch) == (Verdict.DROP, OTHER, 40, True)
    to_an_end = nc.evaluate_rules([{"type": "ACTION_TEE", "address": f"{PEER:010x}", "flags": 0, "length": 0}], TCP4)
    assert (to_an_end.verdict, to_an_end.tee_to) == (Verdict.NO_MATCH, None)  # a copy to an end is pointless
    redirect = nc.evaluate_rules([{"type": "ACTION_REDIRECT", "address": f"{OTHER:010x}", "flags": 0},
                                  {"type": "ACTION_DROP"}], TCP4)
    assert (redirect.verdict, redirect.redirect_to) == (Verdict.ACCEPT, OTHER)
    # Inbound, a TEE/REDIRECT to us (zt_dest) super-accepts: at once when taken...
    inbound = replace(TCP4, zt_source=PEER, zt_dest=ME, inbound=True)
    to_me = {"type": "ACTION_REDIRECT", "address": f"{ME:010x}", "flags": 0}
    assert verdict([to_me], inbound) is Verdict.SUPER_ACCEPT
    # ...and, when not taken, for whatever accepts later.
    assert verdict([m("MATCH_ETHERTYPE", etherType=ETH_ARP), to_me, ACCEPT], inbound) is Verdict.SUPER_ACCEPT
    assert verdict([m("MATCH_ETHERTYPE", etherType=ETH_ARP), to_me, ACCEPT], TCP4) is Verdict.ACCEPT


def test_tags() -> None:
    out = replace(TCP4, sender_tags={1: 5, 2: 0xF0}, receiver_tags={1: 7, 2: 0x0F})
    inbound = replace(out, inbound=True, zt_source=PEER, zt_dest=ME)  # now the sender's are the remote ones
    for f in (out, inbound):
        assert matches(m("MATCH_TAGS_DIFFERENCE", id=1, value=2), f)
        assert not matches(m("MATCH_TAGS_DIFFERENCE", id=1, value=1), f)
        assert matches(m("MATCH_TAGS_BITWISE_AND", id=2, value=0), f)
        assert matches(m("MATCH_TAGS_BITWISE_OR", id=2, value=0xFF), f)
        assert matches(m("MATCH_TAGS_BITWISE_XOR", id=1, value=2), f)
        assert not matches(m("MATCH_TAGS_EQUAL", id=1, value=5), f)
        assert matches(m("MATCH_TAG_SENDER", id=1, value=5), f)
        assert matches(m("MATCH_TAG_RECEIVER", id=1, value=7), f)
        assert not matches(m("MATCH_TAG_RECEIVER", id=1, value=5), f)
        assert not matches(m("MATCH_TAGS_EQUAL", id=9, value=0), f)  # we have no tag 9: no
    assert matches(m("MATCH_TAGS_EQUAL", id=3, value=4), replace(TCP4, sender_tags={3: 4}, receiver_tags={3: 4}))
    # The other end's tag unknown: strict inbound; outbound it passes and lets the next DROP pass too.
    unknown_out = replace(TCP4, sender_tags={1: 5})
    unknown_in = replace(unknown_out, inbound=True, zt_source=PEER, zt_dest=ME, sender_tags={}, receiver_tags={1: 5})
    rules = [m("MATCH_TAGS_EQUAL", id=1, value=5), {"type": "ACTION_DROP"}, {"type": "ACTION_DROP"}]
    assert verdict(rules, unknown_out) is Verdict.DROP  # (the second DROP)
    assert verdict([*rules[:2], ACCEPT], unknown_out) is Verdict.ACCEPT
    assert verdict([*rules[:2], ACCEPT], unknown_in) is Verdict.ACCEPT  # the match failed: DROP not taken
    assert not matches(m("MATCH_TAGS_EQUAL", id=1, value=5), unknown_in)
    assert matches(m("MATCH_TAG_RECEIVER", id=1, value=123), unknown_out)  # receiver's tag not known yet
    assert not matches(m("MATCH_TAG_SENDER", id=1, value=123), unknown_in)


def test_capabilities_decide_what_the_network_rules_leave_open() -> None:
    ssh_only = [m("MATCH_IP_DEST_PORT_RANGE", start=22, end=22), ACCEPT]
    dns_cap = [m("MATCH_IP_DEST_PORT_RANGE", start=53, end=53), ACCEPT]
    drop_all = [{"type": "ACTION_DROP"}]
    net = [m("MATCH_ETHERTYPE", etherType=ETH_ARP), ACCEPT]
    caps = [(1, drop_all), (2, dns_cap), (3, ssh_only)]
    r = nc.filter_frame(net, TCP4, caps)
    assert (r.verdict, r.capability) == (Verdict.ACCEPT, 2)  # a DROP in a capability only ends that one
    r = nc.filter_frame(net, UDP4, caps)
    assert (r.verdict, r.capability) == (Verdict.ACCEPT, 1)
    assert nc.filter_frame(net, ICMP4, caps).verdict is Verdict.DROP  # nothing accepted: dropped
    assert nc.filter_frame(net, ARP, caps) == nc.FilterResult(Verdict.ACCEPT)  # the network's rules decided
    assert nc.filter_frame([], TCP4).verdict is Verdict.DROP
    # Both TEEs go out: the network table's (taken before it ran out) and the accepting capability's.
    tee = [{"type": "ACTION_TEE", "address": f"{OTHER:010x}", "flags": 0, "length": 0}]
    r = nc.filter_frame(tee, TCP4, [(1, [{"type": "ACTION_WATCH", "address": "4444444444", "flags": 0,
                                          "length": 8}, ACCEPT])])
    assert (r.tee_to, r.capability_tee_to, r.capability_tee_length, r.capability_watch) == (OTHER, 0x4444444444, 8,
                                                                                           True)


def test_adhoc_port_range_rules() -> None:
    nwid = nc.adhoc_network_id(8000, 8100)
    config = nc.NetworkConfig.from_bytes(nc.adhoc_network_config(nwid, ME, 1))
    rules = list(config.rules)
    assert len(rules) == 14
    tcp6 = lambda dport, flags: frame(ETH_IPV6, ipv6("fd00::1", "fd00::2", 6, tcp(40000, dport, flags)))  # noqa: E731
    udp6 = lambda dport: frame(ETH_IPV6, ipv6("fd00::1", "fd00::2", 17, udp(40000, dport)))  # noqa: E731
    assert verdict(rules, TCP4) is Verdict.DROP  # IPv6 only
    assert verdict(rules, ARP) is Verdict.DROP
    assert verdict(rules, ICMP6) is Verdict.ACCEPT
    assert verdict(rules, tcp6(8050, nc.TCP_SYN)) is Verdict.ACCEPT
    assert verdict(rules, tcp6(9000, nc.TCP_SYN)) is Verdict.DROP  # no new connections outside the range
    assert verdict(rules, tcp6(9000, nc.TCP_SYN | nc.TCP_ACK)) is Verdict.ACCEPT  # replies
    assert verdict(rules, tcp6(9000, nc.TCP_ACK)) is Verdict.ACCEPT
    assert verdict(rules, udp6(8100)) is Verdict.ACCEPT
    # "Not a SYN" is true of any UDP datagram (characteristics have no hard no), so the rule meant for
    # TCP replies admits UDP to every port: ZeroTier's ad-hoc rule set as written.
    assert verdict(rules, udp6(9999)) is Verdict.ACCEPT


# ---- rules as bytes ------------------------------------------------------------------------------------------

EVERY_TYPE = [
    {"type": "ACTION_DROP"}, ACCEPT, {"type": "ACTION_BREAK"}, {"type": "ACTION_PRIORITY"},
    {"type": "ACTION_TEE", "address": "3333333333", "flags": 1, "length": 64},
    {"type": "ACTION_WATCH", "address": "3333333333", "flags": 0, "length": 0},
    {"type": "ACTION_REDIRECT", "address": "3333333333", "flags": 2},
    m("MATCH_SOURCE_ZEROTIER_ADDRESS", zt="1111111111", negate=True),
    m("MATCH_DEST_ZEROTIER_ADDRESS", zt="2222222222", either=True),
    m("MATCH_VLAN_ID", vlanId=4094), m("MATCH_VLAN_PCP", vlanPcp=7), m("MATCH_VLAN_DEI", vlanDei=1),
    m("MATCH_MAC_SOURCE", mac="32:aa:bb:cc:dd:ee"), m("MATCH_MAC_DEST", mac="ff:ff:ff:ff:ff:ff"),
    m("MATCH_IPV4_SOURCE", ip="10.1.0.0/16"), m("MATCH_IPV4_DEST", ip="10.1.2.3/32"),
    m("MATCH_IPV6_SOURCE", ip="fd00::/8"), m("MATCH_IPV6_DEST", ip="fd00:1::1/128"),
    m("MATCH_IP_TOS", mask=252, start=0, end=184), m("MATCH_IP_PROTOCOL", ipProtocol=17),
    m("MATCH_ETHERTYPE", etherType=2048), m("MATCH_ICMP", icmpType=3, icmpCode=None),
    m("MATCH_ICMP", icmpType=3, icmpCode=4), m("MATCH_IP_SOURCE_PORT_RANGE", start=1024, end=65535),
    m("MATCH_IP_DEST_PORT_RANGE", start=80, end=80), m("MATCH_CHARACTERISTICS", mask="8000000000000012"),
    m("MATCH_FRAME_SIZE_RANGE", start=0, end=1500), m("MATCH_RANDOM", probability=2147483648),
    *(m(kind, id=5, value=9) for kind in ("MATCH_TAGS_DIFFERENCE", "MATCH_TAGS_BITWISE_AND", "MATCH_TAGS_BITWISE_OR",
                                         "MATCH_TAGS_BITWISE_XOR", "MATCH_TAGS_EQUAL", "MATCH_TAG_SENDER",
                                         "MATCH_TAG_RECEIVER")),
    m("INTEGER_RANGE", start="0000000000000010", end="00000000000000ff", idx=12, little=True, bits=16),
    {"type": "UNKNOWN", "typeId": 60, "value": "abcd", "not": True, "or": False},
]


def test_every_rule_type_round_trips() -> None:
    raw = nc.rules_to_bytes(EVERY_TYPE)
    assert nc.parse_rules(raw) == EVERY_TYPE
    assert nc.reserialize_rules(raw) == raw


def test_serialized_layouts() -> None:
    assert nc.rules_to_bytes([ACCEPT]) == b"\x01\x00"
    assert nc.rules_to_bytes([m("MATCH_ETHERTYPE", etherType=0x86DD, negate=True)]) == b"\xa5\x02\x86\xdd"
    assert nc.rules_to_bytes([m("MATCH_IPV4_SOURCE", ip="10.1.0.0/16", either=True)]) == bytes.fromhex("5f050a01000010")
    tee = nc.rules_to_bytes([{"type": "ACTION_TEE", "address": "3333333333", "flags": 1, "length": 64}])
    assert tee == bytes.fromhex("020e" + "0000003333333333" + "00000001" + "0040")
    # ZeroTier keeps an integer range's end as a 32-bit offset from its start.
    wide = m("INTEGER_RANGE", start=f"{0:016x}", end=f"{2**32 + 5:016x}", idx=0, little=False, bits=64)
    assert nc.parse_rules(nc.rules_to_bytes([wide]))[0]["end"] == f"{5:016x}"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"\x25", "truncated"),
        (b"\x25\x02\x08", "truncated"),
        (b"\x25\x01\x08", "shorter"),  # ETHERTYPE needs 2 bytes
        (b"\x01\x00" * 1025, "maximum"),
    ],
)
def test_bad_rules_are_rejected(raw: bytes, reason: str) -> None:
    with pytest.raises(NetconfError, match=reason):
        nc.parse_rules(raw)
    with pytest.raises(NetconfError, match=reason):
        nc.evaluate_rules(raw, TCP4)


def test_bad_rule_objects_are_refused_by_the_packer() -> None:
    for bad in ({"type": "MATCH_NOTHING"}, {"type": "MATCH_ETHERTYPE"}, m("MATCH_IPV4_SOURCE", ip="fd00::/8"),
                m("INTEGER_RANGE", start="0", end="1", bits=65)):
        with pytest.raises(NetconfError):
            nc.rules_to_bytes([bad])


def test_ndp_emulated_prefixes_count_as_owned_inbound() -> None:
    from test_netconf_build import CONTROLLER, NWID, A

    me = A.node_id  # (ownership here does not look at certificates: any member will do)
    spec = nc.NetconfSpec(NWID, me, timestamp=1, flags=nc.FLAG_NDP_EMULATION,
                          static_ips=[str(nc.sixplane_address(NWID, me)), str(nc.rfc4193_address(NWID, me))])
    config = nc.build_network_config(spec, CONTROLLER, A)
    authenticated = m("MATCH_CHARACTERISTICS", mask=f"{nc.CHARACTERISTIC_SENDER_IP_AUTHENTICATED:016x}")

    def from_peer(src: str, inbound: bool = True, with_config: bytes | None = config) -> Frame:
        return frame(ETH_IPV6, ipv6(src, str(nc.sixplane_address(NWID, me).ip), 17, udp(1, 2)),
                     zt_source=PEER, zt_dest=me, inbound=inbound, config=with_config)

    peer_6plane = str(nc.sixplane_address(NWID, PEER).ip).replace("::1", "::abcd")  # anywhere in the peer's /80
    assert matches(authenticated, from_peer(peer_6plane))
    assert matches(authenticated, from_peer(str(nc.rfc4193_address(NWID, PEER).ip)))
    assert not matches(authenticated, from_peer("fd12::1"))
    assert not matches(authenticated, from_peer(peer_6plane, inbound=False))  # outbound: certificates only
    assert not matches(authenticated, from_peer(peer_6plane, with_config=None))
    no_ndp = nc.build_network_config(replace(spec, flags=0), CONTROLLER, A)
    assert not matches(authenticated, from_peer(peer_6plane, with_config=no_ndp))
