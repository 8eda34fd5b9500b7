# SPDX-License-Identifier: Apache-2.0
"""The VL1 wire inspector: ZeroTier packets as bytes.

For tests, tools and replaying captured traffic. A *packet* is the 28-byte header, the verb byte and
the payload; a *datagram* is one UDP payload (a whole packet, the head of a fragmented one, a
fragment, or a legacy beacon). ``key`` is always the 48-byte key two peers agree
(:meth:`libzt.Identity.agree`). Everything here runs the node's own native code, so what these
functions accept and decode is exactly what a node would.

Usage (``alice`` and ``bob`` being :class:`libzt.Identity` objects, ``packet`` plain bytes)::

    key = alice.agree(bob)
    armored = wire.armor(key, packet, wire.Suite.AES_GMAC_SIV)
    wire.decode(armored, key)["verb"]   # "FRAME", ...
"""
from __future__ import annotations

import json
from typing import Any, Optional

from libzt._bindings import constants as _c
from libzt._bindings import wire as ll
from libzt._bindings.constants import library_enum
from libzt.errors import WireError
from libzt.identity import BytesLike

MAX_PACKET_SIZE = _c.WIRE_MAX_PACKET_LEN  # 10024
MAX_FRAGMENTS = _c.WIRE_MAX_FRAGMENTS  # 7, the head included
HEADER_SIZE = 28  # packet ID, destination, source, flags/cipher/hops, MAC (ZeroTier's packet layout)
DEFAULT_MTU = 1432  # ZeroTier's default physical payload per UDP datagram

Suite = library_enum(
    "Suite", "ZTX_WIRE_SUITE_", __name__,
    """Cipher suites a packet can be armored with: ``POLY1305`` (MAC only: HELLO),
``SALSA2012_POLY1305`` (peers below protocol 12), ``AES_GMAC_SIV`` (protocol 12 and up).""")

DatagramKind = library_enum(
    "DatagramKind", "ZTX_DATAGRAM_", __name__,
    "What a UDP payload is, judged as a receiver does: ``INVALID``, ``BEACON``, ``FRAGMENT`` or ``PACKET``.")


def kbkdf(key: BytesLike, label: str) -> bytes:
    """ZeroTier's KBKDF-HMAC-SHA384: label ``"0"`` gives K0 (the GMAC key), ``"1"`` K1 (48 bytes each;
    AES-256 uses the first 32)."""
    return ll.wire_kbkdf(bytes(key), label, WireError)


def armor(key: BytesLike, packet: BytesLike, suite: Suite, *, compress: bool = False, mtu: int = 0) -> bytes:
    """Armor ``packet`` as its originator does: the hop count is reset to 0 and, under AES-GMAC-SIV,
    the packet ID is replaced by the SIV tag. ``compress`` LZ4-compresses the payload first when that
    makes it smaller. A non-zero ``mtu`` sets the fragmented flag iff the packet is larger (then split
    the result with :func:`fragment`)."""
    return ll.wire_armor(bytes(key), int(Suite(suite)), compress, mtu, bytes(packet), WireError)


def dearmor(key: BytesLike, packet: BytesLike) -> bytes:
    """Verify, decrypt and decompress a whole packet; :class:`~libzt.WireError` if the MAC fails, the
    suite is unusable or the LZ4 data is corrupt. Relayed copies (hop count changed) verify too."""
    return ll.wire_dearmor(bytes(key), bytes(packet), WireError)


def fragment(armored: BytesLike, mtu: int = DEFAULT_MTU) -> list[bytes]:
    """Split an armored packet into the datagrams a node sends: the head, then fragments."""
    return ll.wire_fragment(bytes(armored), mtu, WireError)


def classify(datagram: BytesLike) -> DatagramKind:
    return DatagramKind(ll.wire_classify(bytes(datagram)))


def describe(datagram: BytesLike, key: Optional[BytesLike] = None) -> str:
    """One line of ``key=value`` about a datagram. With ``key`` a packet is dearmored first; without,
    its payload is read as it is (right for HELLO and for what :func:`dearmor` returns)."""
    return ll.wire_describe(None if key is None else bytes(key), bytes(datagram), False, WireError)


def decode(datagram: BytesLike, key: Optional[BytesLike] = None) -> dict[str, Any]:
    """The same as :func:`describe`, as a dict: header fields, then ``fields`` with the verb's own
    (or ``error`` saying why the packet could not be decoded)."""
    text = ll.wire_describe(None if key is None else bytes(key), bytes(datagram), True, WireError)
    result: dict[str, Any] = json.loads(text)
    return result


def reencode(packet: BytesLike, key: Optional[BytesLike] = None) -> bytes:
    """Parse a dearmored packet and build it again with the node's own builders (same header). Equal
    bytes mean parser and builder agree with whoever made the packet. ``key`` is needed for HELLO
    (its moon list is encrypted). :class:`~libzt.WireError` if it does not parse or the verb has no
    builder (HELLO, OK(HELLO), OK(WHOIS), ERROR, WHOIS, RENDEZVOUS, PUSH_DIRECT_PATHS, USER_MESSAGE
    have one)."""
    return ll.wire_reencode(None if key is None else bytes(key), bytes(packet), WireError)


class Defragmenter:
    """Reassembles packets from datagrams in any order, within a receiver's limits: 32 packets in
    progress (the oldest gives way), 5 seconds each, at most 7 pieces. ``now`` is in milliseconds."""

    __slots__ = ("_dropped", "_handle")

    def __init__(self) -> None:
        self._handle = ll.defrag_new()
        self._dropped = 0

    def add(self, datagram: BytesLike, now: int) -> Optional[bytes]:
        """The assembled (still armored) packet once ``datagram`` completes one, else ``None``. An
        unfragmented packet is complete at once."""
        dropped, packet = ll.defrag_add(self._handle, bytes(datagram), now)
        self._dropped += int(dropped)
        return packet

    def expire(self, now: int) -> int:
        """Forget sets older than 5 s; returns how many remain."""
        return ll.defrag_expire(self._handle, now)

    @property
    def in_progress(self) -> int:
        return ll.defrag_in_progress(self._handle)

    @property
    def dropped(self) -> int:
        """How many datagrams were not used: malformed, duplicates, inconsistent, or too large."""
        return self._dropped

