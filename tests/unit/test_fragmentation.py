# SPDX-License-Identifier: Apache-2.0
"""Splitting armored packets into datagrams and reassembling them within a receiver's limits."""
from __future__ import annotations

import itertools
import os
import random

import pytest

from libzt import WireError, wire
from libzt.wire import DatagramKind, Defragmenter, Suite

KEY = bytes(range(48))
DEST, SOURCE = bytes.fromhex("1122334455"), bytes.fromhex("6677889900")
MTU = 1432
TIMEOUT_MS = 5000


def packet_of_size(size: int, packet_id: bytes | None = None) -> bytes:
    packet_id = packet_id or os.urandom(8)
    return packet_id + DEST + SOURCE + bytes(9) + b"\x06" + os.urandom(size - 28)


def armored_of_size(size: int, mtu: int = MTU) -> bytes:
    return wire.armor(KEY, packet_of_size(size), Suite.AES_GMAC_SIV, mtu=mtu)


def fragment_datagram(packet_id: bytes, number: int, total: int, data: bytes = b"x" * 100) -> bytes:
    return packet_id + DEST + b"\xff" + bytes([(total << 4) | number, 0]) + data


def test_a_5000_byte_packet_becomes_a_head_and_three_fragments_of_equal_size() -> None:
    armored = armored_of_size(5000)
    assert armored[18] & 0x40, "the fragmented flag is set before armoring (it is authenticated)"
    pieces = wire.fragment(armored, MTU)
    # As few pieces as the MTU allows (1432 + 2 x 1416 + the rest: four), the bytes spread evenly:
    # 5000 + 3 fragment headers = 5048 bytes on the wire, 1262 per datagram.
    assert [len(p) for p in pieces] == [1262, 1262, 1262, 1262]
    assert pieces[0] == armored[:1262]
    assert wire.classify(pieces[0]) is DatagramKind.PACKET
    body = b"".join(p[16:] for p in pieces[1:])
    assert armored[1262:] == body
    for number, piece in enumerate(pieces[1:], start=1):
        assert wire.classify(piece) is DatagramKind.FRAGMENT
        assert piece[:8] == armored[:8], "the post-armor (SIV) packet ID"
        assert piece[8:13] == DEST and piece[13] == 0xFF
        assert piece[14] == (4 << 4) | number and piece[15] == 0


@pytest.mark.parametrize("size", [1433, 1434, 2838, 2851, 4000, 9928])
def test_every_datagram_is_as_long_as_the_head_but_the_last(size: int) -> None:
    armored = armored_of_size(size)
    pieces = wire.fragment(armored, MTU)
    lengths = [len(p) for p in pieces]
    fewest = 1 + -(-(size - MTU) // (MTU - 16))  # what filling every piece to the MTU would take
    assert len(pieces) == fewest
    assert max(lengths) <= MTU
    assert lengths[:-1] == [lengths[0]] * (len(lengths) - 1) and 0 <= lengths[0] - lengths[-1] < len(pieces)
    assert pieces[0] + b"".join(p[16:] for p in pieces[1:]) == armored
    assert all(piece[14] == (len(pieces) << 4) | number for number, piece in enumerate(pieces[1:], start=1))


def test_small_packets_are_one_datagram_and_pass_straight_through() -> None:
    armored = armored_of_size(MTU)
    assert not armored[18] & 0x40
    assert wire.fragment(armored, MTU) == [armored]
    assert Defragmenter().add(armored, 0) == armored


def test_fragment_refuses_a_flag_that_disagrees_with_the_size() -> None:
    small = armored_of_size(500)
    with pytest.raises(WireError, match="fragmented flag"):
        wire.fragment(small, 100)  # armored without the flag: cannot be split afterwards
    big = armored_of_size(3000)
    with pytest.raises(WireError, match="fragmented flag"):
        wire.fragment(big, 4000)


def test_a_packet_needing_more_than_seven_pieces_is_not_sent() -> None:
    # 1432 + 6 x 1416 = 9928 bytes fit in 7 pieces; the largest packets do not.
    assert len(wire.fragment(armored_of_size(9928), MTU)) == 7
    with pytest.raises(WireError, match="7 pieces"):
        wire.fragment(armored_of_size(9929), MTU)


def test_every_arrival_order_reassembles_the_packet() -> None:
    armored = armored_of_size(5000)
    pieces = wire.fragment(armored, MTU)
    for order in itertools.permutations(pieces):
        defrag = Defragmenter()
        results = [defrag.add(p, 0) for p in order]
        assert results[:-1] == [None] * (len(pieces) - 1)
        assert results[-1] == armored
        assert defrag.in_progress == 0 and defrag.dropped == 0
    assert wire.dearmor(KEY, armored)[28:] == wire.dearmor(KEY, results[-1])[28:]


def test_seven_pieces_in_a_random_order_with_duplicates() -> None:
    rng = random.Random(7)
    armored = armored_of_size(9000)
    pieces = wire.fragment(armored, MTU)
    assert len(pieces) == 7
    for _ in range(50):
        stream = pieces + rng.sample(pieces, 3)
        rng.shuffle(stream)
        defrag = Defragmenter()
        done = [p for p in (defrag.add(d, 0) for d in stream) if p is not None]
        assert done == [armored]
        # Duplicates before completion are ignored; after it they start a new set that never completes.
        assert defrag.dropped + defrag.in_progress >= 1


def test_duplicates_are_ignored() -> None:
    pieces = wire.fragment(armored_of_size(5000), MTU)
    defrag = Defragmenter()
    assert defrag.add(pieces[0], 0) is None
    assert defrag.add(pieces[0], 1) is None
    assert defrag.add(pieces[2], 2) is None
    assert defrag.add(pieces[2], 3) is None
    assert defrag.dropped == 2
    assert defrag.add(pieces[1], 4) is None
    assert defrag.add(pieces[3], 5) is not None


@pytest.mark.parametrize(
    ("number", "total"),
    [(1, 8), (7, 8), (15, 15), (0, 3), (3, 3), (4, 3), (1, 1), (0, 0)],
    ids=["8-pieces", "7-of-8", "15-of-15", "number-0", "number-equals-total", "beyond-total", "total-1", "zeros"],
)
def test_fragments_outside_the_limits_are_dropped(number: int, total: int) -> None:
    defrag = Defragmenter()
    assert defrag.add(fragment_datagram(os.urandom(8), number, total), 0) is None
    assert defrag.dropped == 1 and defrag.in_progress == 0


def test_a_fragment_disagreeing_on_the_total_is_dropped() -> None:
    packet_id = os.urandom(8)
    defrag = Defragmenter()
    assert defrag.add(fragment_datagram(packet_id, 1, 3), 0) is None
    assert defrag.add(fragment_datagram(packet_id, 2, 4), 0) is None
    assert defrag.dropped == 1


def test_incomplete_sets_expire_after_five_seconds() -> None:
    pieces = wire.fragment(armored_of_size(5000), MTU)
    defrag = Defragmenter()
    for p in pieces[:3]:
        assert defrag.add(p, 1000) is None
    assert defrag.expire(1000 + TIMEOUT_MS) == 1  # exactly 5 s: still waiting
    assert defrag.expire(1000 + TIMEOUT_MS + 1) == 0
    # A late piece does not complete the forgotten set; it starts a new one.
    for p in pieces[:3]:
        defrag.add(p, 2000)
    assert defrag.add(pieces[3], 2000 + TIMEOUT_MS + 1) is None
    assert defrag.in_progress == 1


def test_at_most_32_packets_are_in_progress_and_the_oldest_gives_way() -> None:
    sets = [wire.fragment(armored_of_size(3000), MTU) for _ in range(33)]
    defrag = Defragmenter()
    for t, pieces in enumerate(sets):
        assert defrag.add(pieces[0], t) is None
        assert defrag.in_progress == min(t + 1, 32)
    assert defrag.add(sets[0][1], 40) is None, "the first set was evicted by the 33rd"
    assert defrag.add(sets[0][2], 40) is None
    for pieces in sets[2:]:  # the second set was evicted by the fragment above, the rest are intact
        assert defrag.add(pieces[1], 41) is None
        assert defrag.add(pieces[2], 41) is not None


def test_the_assembled_packet_never_exceeds_the_packet_limit() -> None:
    # Pieces larger than our own MTU are legal (a path may have a larger one), but not a total above
    # 10024 bytes: the set is abandoned.
    head = packet_of_size(2100)
    head = head[:18] + b"\x40" + head[19:]
    defrag = Defragmenter()
    assert defrag.add(head, 0) is None
    for number in range(1, 5):
        assert defrag.add(fragment_datagram(head[:8], number, 5, b"y" * 2000), 0) is None
    assert defrag.dropped == 1 and defrag.in_progress == 0
    # Exactly at the limit it completes.
    head = head[:2000]
    defrag = Defragmenter()
    defrag.add(head, 0)
    for number in range(1, 4):
        defrag.add(fragment_datagram(head[:8], number, 5, b"y" * 2000), 0)
    done = defrag.add(fragment_datagram(head[:8], 4, 5, b"y" * (10024 - 8000)), 0)
    assert done is not None and len(done) == 10024


def test_datagram_kinds() -> None:
    assert wire.classify(b"") is DatagramKind.INVALID
    assert wire.classify(bytes(4)) is DatagramKind.INVALID
    assert wire.classify(bytes(13)) is DatagramKind.BEACON
    assert wire.classify(bytes(16)) is DatagramKind.INVALID  # a fragment needs at least one data byte
    assert wire.classify(bytes(13) + b"\xff" + bytes(3)) is DatagramKind.FRAGMENT
    assert wire.classify(bytes(27)) is DatagramKind.INVALID
    assert wire.classify(bytes(28)) is DatagramKind.PACKET
    defrag = Defragmenter()
    for junk in (b"", bytes(4), bytes(13), bytes(20)):
        assert defrag.add(junk, 0) is None
    assert defrag.dropped == 4
