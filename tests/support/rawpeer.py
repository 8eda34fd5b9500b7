# SPDX-License-Identifier: Apache-2.0
"""Genuine VL1 packets from a Python "raw peer" (a real identity, no node): built here byte by byte
after docs of the protocol, armored with libzt.wire, so tests can say exactly what a hostile or
crowded peer would say to one of our nodes over real UDP."""
from __future__ import annotations

import os
import struct
import time
from typing import Any, Callable, Optional, Protocol

import libzt
from libzt import wire

VERB_HELLO = 0x01
VERB_OK = 0x03
VERB_ECHO = 0x08
VERB_MULTICAST_LIKE = 0x09
VERB_FRAME = 0x06
VERB_NETWORK_CREDENTIALS = 0x0A
VERB_NETWORK_CONFIG = 0x0C
PROTOCOL_VERSION = 12


def header(sender: int, receiver: int, verb: int) -> bytes:
    """Packet ID, destination, source, flags (0: no hops, suite set by armor), MAC (set by armor), verb."""
    return os.urandom(8) + receiver.to_bytes(5, "big") + sender.to_bytes(5, "big") + b"\0" + bytes(8) + bytes([verb])


def hello(sender: libzt.Identity, receiver: int, key: bytes, timestamp_ms: int) -> bytes:
    """HELLO: protocol, software major/minor/revision, timestamp, the sender's public identity. The
    optional tail (destination address, planet, moons) is left out, as older senders do."""
    body = struct.pack(">BBBHQ", PROTOCOL_VERSION, 1, 12, 0, timestamp_ms) + sender.public_identity().to_bytes()
    return wire.armor(key, header(sender.node_id, receiver, VERB_HELLO) + body, wire.Suite.POLY1305)


def ok_hello(sender: int, receiver: int, key: bytes, in_re: bytes) -> bytes:
    """OK to the HELLO `in_re` (a whole datagram: its first 8 bytes are its packet ID): in-re verb and
    packet ID, the HELLO's timestamp echoed (0 here), then protocol and software version."""
    body = bytes([VERB_HELLO]) + in_re[:8] + struct.pack(">QBBBH", 0, PROTOCOL_VERSION, 1, 12, 0)
    return wire.armor(key, header(sender, receiver, VERB_OK) + body, wire.Suite.AES_GMAC_SIV)


def echo(sender: int, receiver: int, key: bytes, payload: bytes = b"") -> bytes:
    """ECHO: whatever follows the header comes back in the OK (a keepalive carries nothing)."""
    return wire.armor(key, header(sender, receiver, VERB_ECHO) + payload, wire.Suite.AES_GMAC_SIV)


def multicast_like(sender: int, receiver: int, key: bytes, groups: list[tuple[int, bytes, int]]) -> bytes:
    """MULTICAST_LIKE: for each group the sender subscribes to, network ID, MAC and ADI."""
    body = b"".join(struct.pack(">Q", nwid) + mac + struct.pack(">I", adi) for nwid, mac, adi in groups)
    return wire.armor(key, header(sender, receiver, VERB_MULTICAST_LIKE) + body, wire.Suite.AES_GMAC_SIV)


def network_credentials(sender: int, receiver: int, key: bytes, coms: list[bytes]) -> bytes:
    """NETWORK_CREDENTIALS with certificates of membership only: each COM, a 0 that ends the COM
    list, then empty lists of capabilities, tags, revocations and certificates of ownership."""
    body = b"".join(coms) + b"\0" + struct.pack(">HHHH", 0, 0, 0, 0)
    return wire.armor(key, header(sender, receiver, VERB_NETWORK_CREDENTIALS) + body, wire.Suite.AES_GMAC_SIV)


def network_config(sender: int, receiver: int, key: bytes, chunk: bytes) -> bytes:
    """NETWORK_CONFIG pushed by a controller: the payload is one signed config chunk."""
    return wire.armor(key, header(sender, receiver, VERB_NETWORK_CONFIG) + chunk, wire.Suite.AES_GMAC_SIV)


def frame(sender: int, receiver: int, key: bytes, network_id: int, ethertype: int, payload: bytes) -> bytes:
    """FRAME: network ID, ethertype, payload (MACs are implied by the two addresses)."""
    body = struct.pack(">QH", network_id, ethertype) + payload
    return wire.armor(key, header(sender, receiver, VERB_FRAME) + body, wire.Suite.AES_GMAC_SIV)


def membership_certificate_without_identity_hash(controller: libzt.Identity, network_id: int, member: int,
                                                 timestamp: int, max_delta: int) -> bytes:
    """A certificate of membership as controllers before identity-hash qualifiers issued them: only
    timestamp, network ID and issued-to, signed by ``controller``. Such a certificate binds a member by
    its 40-bit address alone, so the receiver must file it under issued-to, never under the sender."""
    qualifiers = [(0, timestamp, max_delta), (1, network_id, 0), (2, member, 0xFFFFFFFFFFFFFFFF)]
    signed = b"".join(struct.pack(">QQQ", *q) for q in qualifiers)
    return b"\x01" + struct.pack(">H", len(qualifiers)) + signed + controller.node_id.to_bytes(5, "big") + \
        controller.sign(signed)


# ---- talking to a node ------------------------------------------------------------------------------


class Socket(Protocol):  # support.udp_driver.UdpPort
    def send(self, datagram: bytes) -> None: ...
    def receive(self, timeout: float, want: Callable[[bytes], bool]) -> Optional[bytes]: ...


def identity_for(node: Any) -> tuple[libzt.Identity, int, bytes]:
    """A new identity to speak to ``node`` (one of our nodes, as a worker) with: it, the node's
    address, and the key the two share."""
    them = libzt.Identity.from_string(node.node_get_id_pair())
    me = libzt.Identity.generate()
    return me, them.node_id, me.agree(them.public_identity())


def to(node_id: int, key: bytes, verb: str) -> Callable[[bytes], bool]:
    """Packets addressed to `node_id` (not fragments) that decode as `verb` ("OK", "HELLO", ...)."""
    def accept(d: bytes) -> bool:
        return (len(d) >= 28 and d[13] != 0xFF and int.from_bytes(d[8:13], "big") == node_id
                and wire.decode(d, key)["verb"] == verb)
    return accept


def confirm_path(udp: Socket, me: libzt.Identity, node_id: int, key: bytes, timeout: float) -> None:
    """HELLO from this socket to a node. A node asks back with its own HELLO before it trusts a new
    path for sending, and learns the path from the OK to that; this sends the OK too."""
    udp.send(hello(me, node_id, key, int(time.time() * 1000)))
    asked = udp.receive(timeout, to(me.node_id, key, "HELLO"))
    assert asked is not None, "the node did not confirm the new path with a HELLO"
    udp.send(ok_hello(me.node_id, node_id, key, asked))
