# SPDX-License-Identifier: Apache-2.0
"""Hostile and broken input to the wire inspector: clean failures, never a crash."""
from __future__ import annotations

import random

import pytest
from libzt._native import ffi, lib

from libzt import WireError, wire
from libzt.wire import Suite

KEY = bytes(range(48))
HEADER = bytes(range(1, 9)) + bytes.fromhex("1122334455") + bytes.fromhex("6677889900") + bytes(9)


def packet(verb: int, payload: bytes) -> bytes:
    return HEADER + bytes([verb]) + payload


def test_dearmor_rejects_truncated_and_oversized_packets() -> None:
    for size in range(28):
        with pytest.raises(WireError, match="shorter than the 28-byte header"):
            wire.dearmor(KEY, bytes(size))
    with pytest.raises(WireError, match="longer"):
        wire.dearmor(KEY, bytes(10025))
    with pytest.raises(WireError, match="longer"):
        wire.armor(KEY, bytes(10025), Suite.AES_GMAC_SIV)


@pytest.mark.parametrize("suite", list(Suite))
def test_forged_macs_fail(suite: Suite) -> None:
    armored = bytearray(wire.armor(KEY, packet(0x06, b"payload" * 20), suite))
    rng = random.Random(suite)
    for _ in range(200):
        armored[19:27] = rng.randbytes(8)
        with pytest.raises(WireError, match="MAC check failed"):
            wire.dearmor(KEY, bytes(armored))


def test_an_all_zero_packet_is_not_authentic() -> None:
    with pytest.raises(WireError, match="MAC"):
        wire.dearmor(KEY, bytes(28))


def test_keys_must_be_48_bytes() -> None:
    for key in (b"", bytes(32), bytes(49)):
        with pytest.raises(WireError, match="48 bytes"):
            wire.dearmor(key, bytes(28))
    with pytest.raises(TypeError):
        wire.dearmor(KEY, "not bytes")  # type: ignore[arg-type]


def test_the_c_functions_refuse_null_and_small_buffers() -> None:
    out = ffi.new("uint8_t[]", 64)
    size = ffi.new("size_t *", 64)
    assert lib.ztx_wire_dearmor(ffi.NULL, bytes(28), 28, out, size) == lib.ZTS_ERR_ARG
    assert lib.ztx_wire_dearmor(KEY, ffi.NULL, 28, out, size) == lib.ZTS_ERR_ARG
    assert lib.ztx_wire_armor(KEY, 3, 0, 0, packet(6, bytes(100)), 128, out, size) == lib.ZTS_ERR_ARG
    assert b"too small" in ffi.string(lib.ztx_error_message())
    assert lib.ztx_wire_armor(KEY, 3, 0, 5, packet(6, b""), 28, out, size) == lib.ZTS_ERR_ARG  # mtu < 29
    assert lib.ztx_wire_armor(KEY, 3, 4, 0, packet(6, b""), 28, out, size) == lib.ZTS_ERR_ARG  # unknown option
    text = ffi.new("char[]", 8)
    text_size = ffi.new("size_t *", 8)
    assert lib.ztx_wire_describe(ffi.NULL, bytes(28), 28, 0, text, text_size) == lib.ZTS_ERR_ARG
    assert text_size[0] > 8  # says how much room the description needs
    assert lib.ztx_wire_describe(ffi.NULL, bytes(28), 28, 2, text, text_size) == lib.ZTS_ERR_ARG
    assert lib.ztx_wire_classify(ffi.NULL, 100) == lib.ZTX_DATAGRAM_INVALID
    assert lib.ztx_defrag_add(ffi.NULL, bytes(28), 28, 0, out, size) == lib.ZTS_ERR_ARG
    assert lib.ztx_defrag_in_progress(ffi.NULL) == lib.ZTS_ERR_ARG
    lib.ztx_defrag_free(ffi.NULL)


def test_describe_and_decode_survive_random_datagrams() -> None:
    rng = random.Random(1)
    for i in range(3000):
        size = rng.choice([rng.randrange(0, 40), rng.randrange(0, 1500), rng.randrange(9000, 10100)])
        datagram = rng.randbytes(size)
        key = KEY if i % 2 else None
        decoded = wire.decode(datagram, key)
        assert decoded["kind"] in ("invalid", "beacon", "fragment", "packet")
        assert wire.describe(datagram, key)


@pytest.mark.parametrize("verb", range(32))
def test_authentic_packets_with_random_payloads_decode_or_say_why(verb: int) -> None:
    """Armoring random payloads first gets them past the MAC, so every verb parser sees them."""
    rng = random.Random(verb)
    for _ in range(150):
        payload = rng.randbytes(rng.choice([0, 1, 5, 9, 17, 40, 90, 300, 1400]))
        for compressed in (False, True):
            verb_byte = verb | (0x80 if compressed else 0)
            armored = wire.armor(KEY, packet(verb_byte, payload), Suite.AES_GMAC_SIV)
            decoded = wire.decode(armored, KEY)
            assert ("fields" in decoded) != ("error" in decoded), decoded
            if "error" in decoded:
                assert decoded["error"]
            try:
                wire.reencode(wire.dearmor(KEY, armored), KEY)
            except WireError as e:
                assert str(e)


def test_reencode_needs_a_parsable_packet_with_a_builder() -> None:
    with pytest.raises(WireError, match="no builder"):
        wire.reencode(packet(0x06, bytes(20)))
    with pytest.raises(WireError, match="WHOIS"):
        wire.reencode(packet(0x04, bytes(7)))
    assert wire.reencode(packet(0x04, bytes(range(1, 11)))) == packet(0x04, bytes(range(1, 11)))
