# SPDX-License-Identifier: Apache-2.0
"""Ethernet frames for tests that talk raw Ethernet on a network's tap: ARP, ICMPv4, ICMPv6 and
NDP, with real checksums (the official node's lwIP verifies them), and ZeroTier's MAC, 6PLANE and
RFC4193 formulas written out independently of the library (docs/protocol/vl2.md sections 1.2 and 7.1)."""
from __future__ import annotations

import ipaddress
import struct

ETH_IPV4 = 0x0800
ETH_ARP = 0x0806
ETH_IPV6 = 0x86DD
BROADCAST = b"\xff" * 6


def zt_mac(network_id: int, address: int) -> bytes:
    first = (network_id & 0xFE) | 0x02
    if first == 0x52:
        first = 0x32
    mac = (first << 40) | address
    for i, shift in enumerate((8, 16, 24, 32, 40)):
        mac ^= ((network_id >> shift) & 0xFF) << (32 - 8 * i)
    return mac.to_bytes(6, "big")


def sixplane(network_id: int, address: int) -> ipaddress.IPv6Address:
    h = (network_id ^ (network_id >> 32)) & 0xFFFFFFFF
    raw = b"\xfc" + h.to_bytes(4, "big") + address.to_bytes(5, "big") + bytes(5) + b"\x01"
    return ipaddress.IPv6Address(raw)


def rfc4193(network_id: int, address: int) -> ipaddress.IPv6Address:
    raw = b"\xfd" + network_id.to_bytes(8, "big") + b"\x99\x93" + address.to_bytes(5, "big")
    return ipaddress.IPv6Address(raw)


def ethernet(dst: bytes, src: bytes, ethertype: int, payload: bytes) -> bytes:
    return dst + src + struct.pack(">H", ethertype) + payload


def parse_ethernet(frame: bytes) -> tuple[bytes, bytes, int, bytes]:
    return frame[0:6], frame[6:12], struct.unpack(">H", frame[12:14])[0], frame[14:]


def _checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f">{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


# ---- IPv4 ---------------------------------------------------------------------------------------------


def arp(op: int, sender_mac: bytes, sender_ip: str, target_mac: bytes, target_ip: str) -> bytes:
    """ARP payload (op 1 request, 2 reply) for Ethernet/IPv4."""
    return struct.pack(">HHBBH", 1, ETH_IPV4, 6, 4, op) + sender_mac + ipaddress.IPv4Address(
        sender_ip
    ).packed + target_mac + ipaddress.IPv4Address(target_ip).packed


def ipv4(src: str, dst: str, proto: int, payload: bytes, ident: int = 1) -> bytes:
    header = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, 0, 64, proto, 0,
                         ipaddress.IPv4Address(src).packed, ipaddress.IPv4Address(dst).packed)
    return header[:10] + struct.pack(">H", _checksum(header)) + header[12:] + payload


def icmp4_echo(src: str, dst: str, ident: int, seq: int, data: bytes, reply: bool = False) -> bytes:
    body = struct.pack(">BBHHH", 0 if reply else 8, 0, 0, ident, seq) + data
    body = body[:2] + struct.pack(">H", _checksum(body)) + body[4:]
    return ipv4(src, dst, 1, body)


# ---- IPv6 ---------------------------------------------------------------------------------------------


def ipv6(src: ipaddress.IPv6Address, dst: ipaddress.IPv6Address, next_header: int, payload: bytes,
         hop_limit: int = 64) -> bytes:
    return struct.pack(">IHBB", 6 << 28, len(payload), next_header, hop_limit) + src.packed + dst.packed + payload


def icmp6(src: ipaddress.IPv6Address, dst: ipaddress.IPv6Address, body: bytes, hop_limit: int = 64) -> bytes:
    pseudo = src.packed + dst.packed + struct.pack(">IxxxB", len(body), 58)
    body = body[:2] + struct.pack(">H", _checksum(pseudo + body[:2] + b"\0\0" + body[4:])) + body[4:]
    return ipv6(src, dst, 58, body, hop_limit)


def icmp6_echo(src: ipaddress.IPv6Address, dst: ipaddress.IPv6Address, ident: int, seq: int, data: bytes,
               reply: bool = False) -> bytes:
    return icmp6(src, dst, struct.pack(">BBHHH", 129 if reply else 128, 0, 0, ident, seq) + data)


def solicited_node(ip: ipaddress.IPv6Address) -> tuple[ipaddress.IPv6Address, bytes]:
    """The solicited-node multicast address of `ip` and its Ethernet MAC."""
    last3 = ip.packed[13:]
    return ipaddress.IPv6Address(b"\xff\x02" + bytes(9) + b"\x01\xff" + last3), b"\x33\x33\xff" + last3


def neighbor_solicitation(src: ipaddress.IPv6Address, src_mac: bytes, target: ipaddress.IPv6Address) -> bytes:
    group, _ = solicited_node(target)
    body = struct.pack(">BBHI", 135, 0, 0, 0) + target.packed + b"\x01\x01" + src_mac  # source link-layer option
    return icmp6(src, group, body, hop_limit=255)


def neighbor_advertisement(src: ipaddress.IPv6Address, dst: ipaddress.IPv6Address, target: ipaddress.IPv6Address,
                           target_mac: bytes, flags: int = 0x60) -> bytes:
    """A neighbor advertisement (by default solicited and override) with a target link-layer option."""
    body = struct.pack(">BBHI", 136, 0, 0, flags << 24) + target.packed + b"\x02\x01" + target_mac
    return icmp6(src, dst, body, hop_limit=255)


def parse_icmp6(packet: bytes) -> tuple[int, bytes]:
    """(ICMPv6 type, body) of an IPv6 packet carrying ICMPv6 (no extension headers)."""
    assert packet[0] >> 4 == 6 and packet[6] == 58, packet[:8].hex()
    return packet[40], packet[40:]
