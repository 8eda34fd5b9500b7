# SPDX-License-Identifier: Apache-2.0
"""A tiny reader for classic pcap files holding IPv4 UDP traffic, enough to replay captures in tests.

Classic pcap: a 24-byte global header (magic, version, snap length, link type), then per record a
16-byte header (seconds, micro- or nanoseconds, captured length, original length) and the frame. The
magic's byte order gives the file's byte order and whether timestamps are in micro- or nanoseconds.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

LINKTYPE_NULL = 0  # BSD loopback: 4-byte address family in host order
LINKTYPE_ETHERNET = 1  # 14-byte Ethernet header (Linux "lo" captures use it with zero MACs)
LINKTYPE_RAW = 101  # the IP header directly
LINKTYPE_LINUX_SLL = 113  # 16-byte Linux "cooked" header

_MAGICS = {
    b"\xd4\xc3\xb2\xa1": ("<", 1_000_000),
    b"\xa1\xb2\xc3\xd4": (">", 1_000_000),
    b"\x4d\x3c\xb2\xa1": ("<", 1_000_000_000),
    b"\xa1\xb2\x3c\x4d": (">", 1_000_000_000),
}
_LINK_HEADER_LEN = {LINKTYPE_NULL: 4, LINKTYPE_ETHERNET: 14, LINKTYPE_RAW: 0, LINKTYPE_LINUX_SLL: 16}
_ETHERTYPE_IPV4 = 0x0800
_IPPROTO_UDP = 17


@dataclass(frozen=True)
class UdpDatagram:
    time_ms: int
    source_ip: str
    source_port: int
    destination_ip: str
    destination_port: int
    ttl: int
    payload: bytes


def _ipv4_text(raw: bytes) -> str:
    return ".".join(str(b) for b in raw)


def read_udp(path: Path) -> tuple[list[UdpDatagram], int]:
    """The IPv4 UDP datagrams of a capture, in file order, and how many records were something else."""
    data = path.read_bytes()
    if len(data) < 24 or data[:4] not in _MAGICS:
        raise ValueError(f"{path}: not a classic pcap file")
    order, ticks_per_second = _MAGICS[data[:4]]
    link_type = struct.unpack(order + "I", data[20:24])[0] & 0x0FFFFFFF
    if link_type not in _LINK_HEADER_LEN:
        raise ValueError(f"{path}: link type {link_type} is not one this reader knows")
    link_len = _LINK_HEADER_LEN[link_type]

    datagrams: list[UdpDatagram] = []
    skipped = 0
    at = 24
    while at + 16 <= len(data):
        seconds, fraction, captured, _original = struct.unpack(order + "IIII", data[at : at + 16])
        frame = data[at + 16 : at + 16 + captured]
        at += 16 + captured
        if len(frame) < captured:
            raise ValueError(f"{path}: truncated record")
        if link_type == LINKTYPE_ETHERNET and struct.unpack(">H", frame[12:14])[0] != _ETHERTYPE_IPV4:
            skipped += 1
            continue
        ip = frame[link_len:]
        if len(ip) < 20 or ip[0] >> 4 != 4 or ip[9] != _IPPROTO_UDP:
            skipped += 1
            continue
        ip_header_len = (ip[0] & 0x0F) * 4
        total_len = struct.unpack(">H", ip[2:4])[0]
        udp = ip[ip_header_len:total_len]
        source_port, destination_port, udp_len = struct.unpack(">HHH", udp[:6])
        time_ms = seconds * 1000 + fraction * 1000 // ticks_per_second
        datagrams.append(
            UdpDatagram(
                time_ms,
                _ipv4_text(ip[12:16]),
                source_port,
                _ipv4_text(ip[16:20]),
                destination_port,
                ip[8],
                bytes(udp[8:udp_len]),
            )
        )
    if at != len(data):
        raise ValueError(f"{path}: trailing bytes after the last record")
    return datagrams, skipped
