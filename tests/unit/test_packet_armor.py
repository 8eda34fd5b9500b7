# SPDX-License-Identifier: Apache-2.0
"""Armoring against ZeroTier One 1.14.1's own output (tests/vectors/armor.json), and LZ4 payloads."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from libzt._native import ffi, lib

from libzt import WireError, wire
from libzt.wire import Suite

VECTORS = Path(__file__).resolve().parent.parent / "vectors"
ARMOR = json.loads((VECTORS / "armor.json").read_text())
KEY = bytes.fromhex(ARMOR["key48"])
NAMES = {
    "suite0_poly1305_only": Suite.POLY1305,
    "suite1_salsa2012_poly1305": Suite.SALSA2012_POLY1305,
    "suite3_aes_gmac_siv": Suite.AES_GMAC_SIV,
}
FLAGS, VERB, HEADER = 18, 27, 28


def vector(name: str) -> tuple[bytes, bytes]:
    return bytes.fromhex(ARMOR["input_before_armor"][name]), bytes.fromhex(ARMOR["armored"][name])


def with_hops(packet: bytes, hops: int) -> bytes:
    return packet[:FLAGS] + bytes([(packet[FLAGS] & 0xF8) | hops]) + packet[FLAGS + 1 :]


def with_suite(packet: bytes, suite: int) -> bytes:
    return packet[:FLAGS] + bytes([(packet[FLAGS] & ~0x38 & 0xFF) | (suite << 3)]) + packet[FLAGS + 1 :]


def frame_packet(payload: bytes, packet_id: bytes = bytes(range(1, 9))) -> bytes:
    return packet_id + bytes.fromhex("1122334455") + bytes.fromhex("6677889900") + bytes(9) + b"\x06" + payload


def test_kbkdf_gives_the_reference_aes_keys() -> None:
    assert wire.kbkdf(KEY, "0").hex() == ARMOR["kbkdf_hmac_sha384"]["K0"]
    assert wire.kbkdf(KEY, "1").hex() == ARMOR["kbkdf_hmac_sha384"]["K1"]
    with pytest.raises(WireError, match="label"):
        wire.kbkdf(KEY, "2")


@pytest.mark.parametrize("name", NAMES)
def test_armor_is_byte_exact_with_the_reference(name: str) -> None:
    plain, armored = vector(name)
    assert wire.armor(KEY, plain, NAMES[name]) == armored


@pytest.mark.parametrize("name", NAMES)
def test_dearmor_gives_back_the_packet_also_after_relaying(name: str) -> None:
    plain, armored = vector(name)
    for hops in range(8):  # a relay only changes the hop count; 7 is the field's limit
        relayed = with_hops(armored, hops)
        out = wire.dearmor(KEY, relayed)
        assert out[VERB:] == plain[VERB:]
        assert out[:FLAGS] == armored[:FLAGS]  # under AES-GMAC-SIV the ID stays the SIV tag
        assert out[FLAGS] & 0x07 == hops


def test_armor_resets_the_hop_count_as_an_originator_does() -> None:
    plain, armored = vector("suite3_aes_gmac_siv")
    assert wire.armor(KEY, with_hops(plain, 5), Suite.AES_GMAC_SIV) == armored


@pytest.mark.parametrize("name", NAMES)
def test_any_flipped_bit_except_the_hop_count_fails_authentication(name: str) -> None:
    _, armored = vector(name)
    for i in range(len(armored)):
        for bit in range(8):
            flipped = bytearray(armored)
            flipped[i] ^= 1 << bit
            if i == FLAGS and bit < 3:
                wire.dearmor(KEY, bytes(flipped))  # hops: not authenticated, relays change them
                continue
            with pytest.raises(WireError):
                wire.dearmor(KEY, bytes(flipped))


@pytest.mark.parametrize("name", NAMES)
def test_wrong_key_truncation_and_extension_fail(name: str) -> None:
    _, armored = vector(name)
    with pytest.raises(WireError, match="MAC"):
        wire.dearmor(bytes(48), armored)
    with pytest.raises(WireError, match="MAC"):
        wire.dearmor(KEY, armored[:-1])
    with pytest.raises(WireError, match="MAC"):
        wire.dearmor(KEY, armored + b"\0")


@pytest.mark.parametrize("suite", [2, 4, 5, 6, 7])
def test_trusted_path_and_unassigned_suites_are_rejected(suite: int) -> None:
    _, armored = vector("suite1_salsa2012_poly1305")
    with pytest.raises(WireError, match="suite"):
        wire.dearmor(KEY, with_suite(armored, suite))
    plain, _ = vector("suite0_poly1305_only")
    out = ffi.new("uint8_t[]", 256)
    size = ffi.new("size_t *", 256)
    assert lib.ztx_wire_armor(KEY, suite, 0, 0, plain, len(plain), out, size) == lib.ZTS_ERR_ARG
    with pytest.raises(ValueError):
        wire.armor(KEY, plain, suite)  # type: ignore[arg-type]


# ---- LZ4 -------------------------------------------------------------------------------------------


def lz4_block_expanding_to(size: int) -> bytes:
    """A raw LZ4 block: one literal, a long match repeating it, then the 5 literals a block must end with."""
    match = size - 1 - 5
    extra = match - 19  # the token's nibble says 15, plus the minimum match of 4
    extension = b"\xff" * (extra // 255) + bytes([extra % 255])
    return b"\x1f" + b"A" + b"\x01\x00" + extension + b"\x50" + b"BBBBB"


@pytest.mark.parametrize("suite", list(Suite))
def test_compressed_payload_round_trips(suite: Suite) -> None:
    payload = b"ZeroTier network config dictionary line\n" * 60
    plain = frame_packet(payload)
    armored = wire.armor(KEY, plain, suite, compress=True)
    assert len(armored) < len(plain) // 4
    out = wire.dearmor(KEY, armored)
    assert out[VERB] == 0x06 and out[HEADER:] == payload  # flag cleared, payload restored


def test_incompressible_or_tiny_payloads_are_left_alone() -> None:
    for payload in (os.urandom(1000), b"A" * 64):
        armored = wire.armor(KEY, frame_packet(payload), Suite.AES_GMAC_SIV, compress=True)
        assert len(armored) == HEADER + len(payload)
        assert wire.dearmor(KEY, armored)[VERB] == 0x06


def test_lz4_blocks_made_by_hand_decompress_within_the_packet_limit() -> None:
    block = lz4_block_expanding_to(5000)
    armored = wire.armor(KEY, frame_packet(block)[:VERB] + b"\x86" + block, Suite.SALSA2012_POLY1305)
    out = wire.dearmor(KEY, armored)
    assert out[HEADER:] == b"A" * 4995 + b"BBBBB"
    assert len(out) == HEADER + 5000


@pytest.mark.parametrize(
    "block",
    [
        b"\xff" * 50,  # literal lengths running past the input
        b"\x1f" + b"A" + b"\x09\x00" + b"\x00" + b"\x50BBBBB",  # match reaching before the output
        lz4_block_expanding_to(10024 - 28 + 1),  # one byte more than a packet can hold
        lz4_block_expanding_to(60000),
    ],
    ids=["overlong-literals", "offset-before-start", "one-byte-too-large", "far-too-large"],
)
def test_corrupt_or_oversized_lz4_is_rejected(block: bytes) -> None:
    packet = frame_packet(b"")[:VERB] + b"\x86" + block
    armored = wire.armor(KEY, packet, Suite.AES_GMAC_SIV)
    with pytest.raises(WireError, match="LZ4"):
        wire.dearmor(KEY, armored)


def test_the_largest_decompressed_payload_fits_exactly() -> None:
    block = lz4_block_expanding_to(10024 - 28)
    armored = wire.armor(KEY, frame_packet(b"")[:VERB] + b"\x86" + block, Suite.AES_GMAC_SIV)
    assert len(wire.dearmor(KEY, armored)) == 10024
