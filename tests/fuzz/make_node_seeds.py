# SPDX-License-Identifier: Apache-2.0
"""Writes the seed corpora of fuzz_node and fuzz_root: record sequences (tests/fuzz/node_records.hpp)
that bring each target's handlers past their first checks, so a short run starts deep.

Run from tests/ after building: ``../.venv/bin/python -m fuzz.make_node_seeds``. fuzz_node gets a
joined ad-hoc network with frames, LIKEs and gathers from P, a network R controls with R's answers,
a multicast sent on a joined network, and a config request for one of ours; fuzz_root gets HELLOs
from both peers, then packets from one to the other (relayed, and the two introduced) and a WHOIS.
"""
from __future__ import annotations

import struct
from pathlib import Path

from libzt import Identity
from libzt.netconf import mac_address

HERE = Path(__file__).resolve().parent
# node_records.hpp's cast (identities.json entries 4, 5 and 2: public parts)
ID4 = ("53f3ae9e13:0:78599abbdcc91732c6f55b107bf426e34a8c696c3a34a007ff71ceee8435b73445e93fd313492f3f3f3990779e0f9b72"
       "df228c559a67bacf442517e0ccb02ccb")
ID5 = ("f0e01a6ba0:0:2fa616095f248f076f02a7ee9350e58418b82d8f987e43007aeae67babb34d272cbadaeb6234b86423949d2bbb15ec"
       "8bd677b4347a15c7d3dfe745f934a91b58")
ID2 = ("0e28950832:0:576f7715414097b758b10346e4583a4d6000031e0b542d097b06c072d1baa76e9828bd815227065be8e5360a4b6b63"
       "68ebb028c2fbaa02a0a2af51ce898333ac")

# record kinds: bits 0-1 source (0 raw, 1 A, 2 B, 3 action), bits 2-3 the action, bits 4-5 the suite
# (0 Poly1305, 2 AES-GMAC-SIV), bit 6 to the other party, bit 7 a reply (the harness fills in the ID)
FROM_A, FROM_B, AES, TO_OTHER, REPLY = 1, 2, 0x20, 0x40, 0x80


def action(which: int, argument: bytes = b"") -> bytes:
    return record(3 | which << 2, argument)


def record(kind: int, body: bytes) -> bytes:
    return struct.pack(">BH", kind, len(body)) + body


def packet(kind: int, verb: int, payload: bytes) -> bytes:
    return record(kind, bytes([verb]) + payload)


HELLO, OK, WHOIS, FRAME, EXT_FRAME, ECHO, LIKE, CREDENTIALS, CONFIG_REQUEST, CONFIG, GATHER, MULTICAST_FRAME = (
    1, 3, 4, 6, 7, 8, 9, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E)
ADHOC = 0xFF1C000000000001  # fuzz_node's: IPv4 28.0.0.0/8, every frame accepted
CONTROLLED = int(ID2[:10], 16) << 24 | 0x42
OURS = int(ID4[:10], 16) << 24 | 0x01
BROADCAST = b"\xff" * 6
IPV4_MULTICAST = bytes.fromhex("01005e000001")  # (ad-hoc networks do not enable broadcast)
IPV4_UDP = bytes.fromhex("4500001c000100004011") + b"\0\0" + bytes([28, 0, 0, 1, 28, 0, 0, 2]) + \
    bytes.fromhex("1f401f4000080000")


def reply(kind: int, in_re_verb: int, body: bytes, back: int = 0) -> bytes:
    """An OK to one of the last packets the node sent the sender (``back``: how many before the last)."""
    return packet(kind | REPLY, OK, bytes([in_re_verb, back]) + bytes(7) + body)


def ok_hello(external_ip: bytes, external_port: int) -> bytes:
    return struct.pack(">QBBBH", 1_000_000, 12, 1, 12, 0) + b"\x04" + external_ip + struct.pack(">H", external_port)


def hello(sender: str, to_ip: bytes, to_port: int) -> bytes:
    identity = Identity.from_string(sender).to_bytes()
    return struct.pack(">BBBHQ", 12, 1, 12, 0, 1_000_000) + identity + b"\x04" + to_ip + struct.pack(">H", to_port)


def node_seeds() -> dict[str, bytes]:
    frame = struct.pack(">QH", ADHOC, 0x0800) + IPV4_UDP
    like = struct.pack(">Q", ADHOC) + BROADCAST + struct.pack(">I", 0x1C000001)
    gather = struct.pack(">QB", ADHOC, 0) + BROADCAST + struct.pack(">II", 0x1C000001, 32)
    p_mac = mac_address(ADHOC, int(ID5[:10], 16)).to_bytes(6, "big")  # P's MAC there: not a bridged frame
    ext_frame = struct.pack(">QB", ADHOC, 0) + BROADCAST + p_mac + b"\x08\x00" + IPV4_UDP
    mcast = struct.pack(">QB", ADHOC, 0) + BROADCAST + struct.pack(">I", 0x1C000001) + b"\x08\x00" + IPV4_UDP
    # The group the multicast seed sends to (a multicast MAC other than broadcast goes with ADI 0).
    ok_gather = struct.pack(">Q", ADHOC) + IPV4_MULTICAST + struct.pack(">IIH", 0, 2, 1) + bytes.fromhex(ID5[:10])
    config_ok = struct.pack(">QH", CONTROLLED, 7) + b"v=7\nr=1"
    request = struct.pack(">QH", OURS, 3) + b"v=7" + struct.pack(">QQ", 0, 0)
    return {
        "adhoc_frames_from_peer": action(1) + packet(FROM_A | AES, FRAME, frame)
        + packet(FROM_A | AES, EXT_FRAME, ext_frame) + packet(FROM_A | AES, MULTICAST_FRAME, mcast),
        "adhoc_like_and_gather": action(1) + packet(FROM_A | AES, LIKE, like) + packet(FROM_A | AES, GATHER, gather)
        + record(3, b""),
        "adhoc_multicast_out": action(1) + action(3, IPV4_MULTICAST + struct.pack(">I", 0) + IPV4_UDP)
        + b"".join(reply(FROM_B | AES, GATHER, ok_gather, back) for back in range(4)) + action(3),
        "controlled_config": action(2) + reply(FROM_B | AES, CONFIG_REQUEST, config_ok)
        + packet(FROM_B | AES, CONFIG, struct.pack(">QH", CONTROLLED, 7) + b"v=7\nr=1")
        + packet(FROM_B | AES, CREDENTIALS, b"\0" * 8),
        "config_request_for_ours": packet(FROM_A | AES, CONFIG_REQUEST, request),
    }


def root_seeds() -> dict[str, bytes]:
    root_ip, root_port = bytes([127, 0, 0, 1]), 9993
    # Each HELLO gets an OK(HELLO) and a HELLO of the root's (to confirm the path): the second's OK makes
    # the path one the root sends on. Which of the two was last depends on the root: both are answered.
    hellos = b"".join(
        packet(sender, HELLO, hello(identity, root_ip, root_port))
        + reply(sender | AES, HELLO, ok_hello(root_ip, root_port), 0)
        + reply(sender | AES, HELLO, ok_hello(root_ip, root_port), 1)
        for sender, identity in ((FROM_A, ID5), (FROM_B, ID4)))
    return {
        "hellos_then_relay": hellos + packet(FROM_A | AES | TO_OTHER, ECHO, b"ping")
        + packet(FROM_B | AES | TO_OTHER, ECHO, b"pong") + action(1) + packet(FROM_A | AES | TO_OTHER, ECHO, b"again"),
        "whois_the_other": hellos + packet(FROM_A | AES, WHOIS, bytes.fromhex(ID4[:10])),
        "relay_to_unknown": packet(FROM_A, HELLO, hello(ID5, root_ip, root_port))
        + packet(FROM_A | AES | TO_OTHER, FRAME, struct.pack(">QH", ADHOC, 0x0800) + IPV4_UDP),
    }


def main() -> None:
    for corpus, seeds in (("node", node_seeds()), ("root", root_seeds())):
        directory = HERE / "corpus" / corpus
        directory.mkdir(parents=True, exist_ok=True)
        for name, data in seeds.items():
            (directory / name).write_bytes(data)


if __name__ == "__main__":
    main()
