# SPDX-License-Identifier: Apache-2.0
"""Genuine VL1 packets from a Python "raw peer" (a real identity, no node): built here byte by byte
after docs of the protocol, armored with libzt.wire, so tests can say exactly what a hostile or
crowded peer would say to one of our nodes over real UDP."""
from __future__ import annotations

import os
import struct

import libzt
from libzt import wire

VERB_HELLO = 0x01
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
