# SPDX-License-Identifier: Apache-2.0
"""Writes the seed corpus of fuzz_frames: Ethernet frames a member could send to the interface of
fuzz_frames.cpp (its network, address and ports), in that target's record form.

Run from tests/: ``../.venv/bin/python -m fuzz.make_frame_seeds`` (``-m`` puts tests/ on the path, for
``support``).
"""
from __future__ import annotations

import struct
from pathlib import Path

from support import frames

HERE = Path(__file__).resolve().parent

NWID = 0xFF1C000000000001  # as fuzz_frames.cpp
US, PEER = 0x1122334455, 0x66778899AA
US_IP4, PEER_IP4 = "28.51.68.85", "28.136.153.170"
US_MAC, PEER_MAC = frames.zt_mac(NWID, US), frames.zt_mac(NWID, PEER)
US_IP6, PEER_IP6 = frames.sixplane(NWID, US), frames.sixplane(NWID, PEER)
OUR_MAC_AND_CHECKSUMS = 0x03  # record flags: the target sets our MAC and fixes the checksums


def record(frame: bytes, flags: int = OUR_MAC_AND_CHECKSUMS) -> bytes:
    return struct.pack(">BH", flags, len(frame)) + frame


def v4(proto: int, payload: bytes, **kw: int) -> bytes:
    return frames.ethernet(US_MAC, PEER_MAC, frames.ETH_IPV4, frames.ipv4(PEER_IP4, US_IP4, proto, payload, **kw))


def v6(next_header: int, payload: bytes) -> bytes:
    return frames.ethernet(US_MAC, PEER_MAC, frames.ETH_IPV6, frames.ipv6(PEER_IP6, US_IP6, next_header, payload))


def tcp(flags: int, dst_port: int = 80, seq: int = 1000, ack: int = 0, data: bytes = b"") -> bytes:
    options = b"\x02\x04\x0a\xc8\x01\x03\x03\x07\x04\x02\x00\x00"  # MSS 2760, window scale 7, SACK ok
    offset = (20 + len(options)) // 4
    return struct.pack(">HHIIBBHHH", 40000, dst_port, seq, ack, offset << 4, flags, 65535, 0, 0) + options + data


def udp(dst_port: int, data: bytes) -> bytes:
    return struct.pack(">HHHH", 40001, dst_port, 8 + len(data), 0) + data


def fragment(ident: int, offset_units: int, more: bool, payload: bytes) -> bytes:
    """One IPv4 fragment of a UDP datagram (offset in 8-byte units)."""
    header = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, (0x2000 if more else 0) | offset_units,
                         64, 17, 0, bytes(map(int, PEER_IP4.split("."))), bytes(map(int, US_IP4.split("."))))
    return frames.ethernet(US_MAC, PEER_MAC, frames.ETH_IPV4, header + payload)


# UDP-Lite with a checksum coverage longer than the datagram: an lwIP built with UDP-Lite aborts on it
# (an assertion in inet_chksum.c). Ours has none; the packets stay as seeds, also behind IPv6
# extension headers, so that this remains so.
UDPLITE_BAD_COVERAGE = struct.pack(">HHHH", 40001, 53, 0xFFFF, 0) + b"lite"
DESTINATION_OPTIONS_THEN_UDPLITE = bytes([136, 0, 1, 4, 0, 0, 0, 0]) + UDPLITE_BAD_COVERAGE  # PadN option
FRAGMENT_HEADER_THEN_UDPLITE = bytes([136, 0, 0, 0, 0, 0, 0, 7]) + UDPLITE_BAD_COVERAGE  # offset 0, last

def refused(version: int, from_port: int) -> bytes:
    """An ICMP port unreachable from the peer, for a datagram one of our connected sockets sent it."""
    datagram = struct.pack(">HHHH", from_port, 9, 9, 0) + b"q"
    if version == 4:
        return v4(1, struct.pack(">BBHI", 3, 3, 0, 0) + frames.ipv4(US_IP4, PEER_IP4, 17, datagram))
    return v6(58, struct.pack(">BBHI", 1, 4, 0, 0) + frames.ipv6(US_IP6, PEER_IP6, 17, datagram))


SEEDS = {
    "arp_request": record(frames.ethernet(frames.BROADCAST, PEER_MAC, frames.ETH_ARP,
                                          frames.arp(1, PEER_MAC, PEER_IP4, bytes(6), US_IP4)), flags=0),
    # Shorter than their fixed headers: lwIP 2.1.3 would read past them (csrc/net/frame_filter.hpp).
    "arp_truncated": record(frames.ethernet(frames.BROADCAST, PEER_MAC, frames.ETH_ARP,
                                            frames.arp(1, PEER_MAC, PEER_IP4, bytes(6), US_IP4)[:20]), flags=0),
    "ipv4_truncated": record(frames.ethernet(US_MAC, PEER_MAC, frames.ETH_IPV4, b"\x45\x00"), flags=0),
    "ipv6_truncated": record(frames.ethernet(US_MAC, PEER_MAC, frames.ETH_IPV6, b"\x60\x00"), flags=0),
    "icmp4_echo": record(frames.ethernet(US_MAC, PEER_MAC, frames.ETH_IPV4,
                                         frames.icmp4_echo(PEER_IP4, US_IP4, 7, 1, b"fuzz"))),
    "tcp4_syn": record(v4(6, tcp(0x02))),
    "tcp4_syn_then_ack_data": record(v4(6, tcp(0x02))) + record(v4(6, tcp(0x18, seq=1001, ack=1, data=b"GET /"))),
    "tcp4_rst": record(v4(6, tcp(0x04))),
    "udp4": record(v4(17, udp(53, b"\x12\x34query"))),
    "udp4_fragments": record(fragment(9, 0, True, udp(53, bytes(64))[:16]))
    + record(fragment(9, 2, False, udp(53, bytes(64))[16:])),
    "icmp6_neighbor_solicitation": record(frames.ethernet(frames.solicited_node(US_IP6)[1], PEER_MAC, frames.ETH_IPV6,
                                                          frames.neighbor_solicitation(PEER_IP6, PEER_MAC, US_IP6)),
                                          flags=0),
    "icmp6_echo": record(frames.ethernet(US_MAC, PEER_MAC, frames.ETH_IPV6,
                                         frames.icmp6_echo(PEER_IP6, US_IP6, 7, 1, b"fuzz"))),
    "tcp6_syn": record(v6(6, tcp(0x02))),
    "udp6": record(v6(17, udp(53, b"\x56\x78query"))),
    "udplite4_bad_coverage": record(v4(136, UDPLITE_BAD_COVERAGE)),
    "udplite6_bad_coverage": record(v6(136, UDPLITE_BAD_COVERAGE)),
    "udplite6_after_destination_options": record(v6(60, DESTINATION_OPTIONS_THEN_UDPLITE)),
    "udplite6_in_a_fragment": record(v6(44, FRAGMENT_HEADER_THEN_UDPLITE)),
    "icmp4_port_unreachable": record(refused(4, 5353)),
    "icmp6_port_unreachable": record(refused(6, 5354)),
}


def main() -> None:
    out = HERE / "corpus" / "frames"
    out.mkdir(parents=True, exist_ok=True)
    for name, data in SEEDS.items():
        (out / name).write_bytes(data)
    print(f"{len(SEEDS)} seeds in {out}")


if __name__ == "__main__":
    main()
