# SPDX-License-Identifier: Apache-2.0
"""Verb payloads built by hand for what the capture does not show: optional fields, the other address
layouts, inline certificates, and the lies each parser must refuse."""
from __future__ import annotations

import struct
from pathlib import Path
from typing import Any

import pytest

from libzt import Identity, WireError, wire

VECTORS = Path(__file__).resolve().parent.parent / "vectors"
PLANET = (VECTORS / "capture" / "planet.bin").read_bytes()
ALICE = Identity.from_string(
    "74355ac5db:0:544a4cebe64f57dcbf352e9ce50e929790c139197d6ecc574a48cb7038bae91e45f00470b30594f9cd5927ac714a77065b"
    "8863d70709e7661fd5d0c1d06ce9a2"
)
DEST = bytes.fromhex("1122334455")
NETWORK = bytes.fromhex("0f2e12b3166b6fa3")
IPV4 = b"\x04" + bytes([10, 0, 0, 1]) + struct.pack(">H", 9993)
IPV6_IP = bytes.fromhex("fd000000000000000000000000000001")
COM = b"\x01" + struct.pack(">H", 2) + bytes(8) + bytes(16) + struct.pack(">Q", 1) + NETWORK + bytes(8) + bytes(5)


def packet(verb: int, payload: bytes, source: bytes = bytes.fromhex("6677889900")) -> bytes:
    return bytes(range(1, 9)) + DEST + source + bytes(9) + bytes([verb]) + payload


def fields(plain: bytes) -> dict[str, Any]:
    decoded = wire.decode(plain)
    assert "error" not in decoded, decoded
    result: dict[str, Any] = decoded["fields"]
    return result


def error_of(plain: bytes) -> str:
    decoded = wire.decode(plain)
    assert "error" in decoded, decoded
    return str(decoded["error"])


def hello(tail: bytes) -> bytes:
    body = b"\x0c\x01\x0c" + struct.pack(">HQ", 0, 1234) + ALICE.to_bytes()
    return packet(0x01, body + tail, source=bytes.fromhex(ALICE.address))


def ok(in_re: int, body: bytes) -> bytes:
    return packet(0x03, bytes([in_re]) + bytes(range(8)) + body)


# ---- HELLO and OK(HELLO) ----------------------------------------------------------------------------


def test_hello_fields_after_the_identity_are_optional() -> None:
    assert fields(hello(b""))["destination"] is None
    assert "planet_id" not in fields(hello(b""))
    assert fields(hello(IPV4))["destination"] == "10.0.0.1/9993"
    f = fields(hello(IPV4 + struct.pack(">QQ", 7, 8)))
    assert (f["planet_id"], f["planet_timestamp"]) == (7, 8)
    assert wire.reencode(hello(IPV4), bytes(48)) == hello(IPV4)


@pytest.mark.parametrize(
    ("tail", "why"),
    [(IPV4[:5], "destination"), (IPV4 + bytes(15), "planet"), (b"\x09", "destination")],
    ids=["truncated-address", "truncated-planet", "unknown-address-type"],
)
def test_hello_refuses_partial_fields(tail: bytes, why: str) -> None:
    assert why in error_of(hello(tail))


def test_hello_identity_must_be_the_source() -> None:
    assert "source" in error_of(packet(0x01, hello(IPV4)[28:]))
    assert "identity" in error_of(hello(b"")[:-10])


def test_ok_hello_carries_worlds_within_its_declared_length() -> None:
    head = struct.pack(">Q", 1234) + b"\x0c\x01\x0e" + struct.pack(">H", 1) + IPV4
    one = ok(0x01, head + struct.pack(">H", len(PLANET)) + PLANET)
    f = fields(one)
    assert f["external"] == "10.0.0.1/9993" and f["version"] == "1.14.1"
    assert [(w["type"], w["roots"]) for w in f["worlds"]] == [(1, 1)]
    assert wire.reencode(one) == one
    two = ok(0x01, head + struct.pack(">H", 2 * len(PLANET)) + PLANET + PLANET)
    assert len(fields(two)["worlds"]) == 2
    assert "longer than the packet" in error_of(ok(0x01, head + struct.pack(">H", len(PLANET) + 1) + PLANET))
    assert "world" in error_of(ok(0x01, head + struct.pack(">H", len(PLANET) - 1) + PLANET))
    assert fields(ok(0x01, head))["worlds"] == []  # older responders stop after the address
    assert "truncated" in error_of(ok(0x01, head + b"\x00"))


# ---- replies, WHOIS, RENDEZVOUS, PUSH_DIRECT_PATHS, USER_MESSAGE ------------------------------------


def test_ok_whois_holds_public_identities_only() -> None:
    public = ALICE.to_bytes()
    assert fields(ok(0x04, public + public))["identities"] == [ALICE.public] * 2
    assert "no identity" in error_of(ok(0x04, b""))
    assert "truncated" in error_of(ok(0x04, public[:-1]))
    with_private = public[:70] + b"\x40" + bytes(64)
    assert "private key" in error_of(ok(0x04, with_private))


def test_error_payloads() -> None:
    f = fields(packet(0x02, b"\x0b" + bytes(8) + b"\x03" + NETWORK))
    assert (f["in_re_verb"], f["code"], f["network_id"]) == ("NETWORK_CONFIG_REQUEST", 3, NETWORK.hex())
    assert "network_id" not in fields(packet(0x02, b"\x01" + bytes(8) + b"\x04"))
    assert "missing error code" in error_of(packet(0x02, b"\x01" + bytes(8)))
    assert "truncated" in error_of(packet(0x02, b"\x01" + bytes(7)))
    full = packet(0x02, b"\x06" + bytes(8) + b"\x06" + NETWORK)
    assert wire.reencode(full) == full


def test_whois_addresses() -> None:
    assert fields(packet(0x04, DEST * 3))["addresses"] == [DEST.hex()] * 3
    assert "no address" in error_of(packet(0x04, b""))
    assert "whole number" in error_of(packet(0x04, DEST + b"\x00"))


def test_rendezvous_puts_the_port_before_the_address() -> None:
    v4 = packet(0x05, b"\x00" + DEST + struct.pack(">H", 29995) + b"\x04" + bytes([10, 200, 0, 1]))
    assert fields(v4)["at"] == "10.200.0.1/29995"
    v6 = packet(0x05, b"\x00" + DEST + struct.pack(">H", 9993) + b"\x10" + IPV6_IP)
    assert fields(v6)["at"] == "fd00::1/9993"
    assert wire.reencode(v6) == v6
    assert "neither 4 nor 16" in error_of(packet(0x05, b"\x00" + DEST + b"\x00\x01\x06" + bytes(6)))
    assert "truncated" in error_of(v4[:-1])


def test_push_direct_paths_layout_and_unknown_types() -> None:
    v4 = b"\x00\x00\x00\x04\x06" + bytes([10, 0, 0, 2]) + struct.pack(">H", 1)
    v6 = b"\x02\x00\x02ab\x06\x12" + IPV6_IP + struct.pack(">H", 2)
    other = b"\x00\x00\x00\x09\x03xyz"
    plain = packet(0x10, struct.pack(">H", 3) + v4 + other + v6)
    assert fields(plain)["paths"] == [{"flags": 0, "address": "10.0.0.2/1"}, {"flags": 2, "address": "fd00::1/2"}]
    assert "truncated record" in error_of(packet(0x10, struct.pack(">H", 4) + v4 + other + v6))
    assert "not 6" in error_of(packet(0x10, b"\x00\x01\x00\x00\x00\x04\x07" + bytes(7)))
    built = packet(0x10, struct.pack(">H", 2) + v4 + v6.replace(b"\x00\x02ab", b"\x00\x00"))
    assert wire.reencode(built) == built


def test_user_message() -> None:
    f = fields(packet(0x14, struct.pack(">Q", 65536) + b"hello"))
    assert (f["type"], f["data_len"]) == (65536, 5)
    assert "8-byte type" in error_of(packet(0x14, bytes(7)))


# ---- VL2 verbs ------------------------------------------------------------------------------------


def test_ext_frame_with_and_without_an_inline_certificate() -> None:
    macs = bytes.fromhex("ffffffffffff") + bytes.fromhex("32aabbccddee") + b"\x08\x06"
    plain = packet(0x07, NETWORK + b"\x00" + macs + b"arp")
    f = fields(plain)
    assert (f["to"], f["from"], f["ethertype"], f["payload_len"], f["com_len"]) == (
        "ff:ff:ff:ff:ff:ff", "32:aa:bb:cc:dd:ee", 0x0806, 3, 0)
    with_com = packet(0x07, NETWORK + b"\x01" + COM + macs + b"arp")
    f = fields(with_com)
    assert f["com_len"] == len(COM) and f["payload_offset"] == len(with_com) - 3
    signed = COM[:-5] + bytes.fromhex("0f2e12b316") + bytes(96)
    assert fields(packet(0x07, NETWORK + b"\x01" + signed + macs))["com_len"] == len(signed)
    unordered = b"\x01\x00\x02" + struct.pack(">Q", 2) + bytes(16) + struct.pack(">Q", 1) + bytes(16) + bytes(5)
    assert "out of order" in error_of(packet(0x07, NETWORK + b"\x01" + unordered + macs))
    assert "truncated" in error_of(packet(0x07, NETWORK + b"\x00" + macs[:-1]))


def test_multicast_gather_and_frame_optional_fields() -> None:
    gather = NETWORK + b"\x00" + b"\xff" * 6 + struct.pack(">II", 7, 32)
    assert fields(packet(0x0D, gather))["limit"] == 32
    gather_com = NETWORK + b"\x01" + b"\xff" * 6 + struct.pack(">II", 7, 32) + COM
    assert fields(packet(0x0D, gather_com))["flags"] == 1
    assert "certificate" in error_of(packet(0x0D, gather_com[:-1]))

    tail = b"\xff" * 6 + struct.pack(">IH", 7, 0x0806) + b"data"
    f = fields(packet(0x0E, NETWORK + b"\x06" + struct.pack(">I", 33) + bytes.fromhex("32aabbccddee") + tail))
    assert (f["gather_limit"], f["source"], f["adi"], f["payload_len"]) == (33, "32:aa:bb:cc:dd:ee", 7, 4)
    f = fields(packet(0x0E, NETWORK + b"\x01" + COM + tail))
    assert "gather_limit" not in f and "source" not in f and f["ethertype"] == 0x0806


def test_network_config_request_optional_parts() -> None:
    assert fields(packet(0x0B, NETWORK))["metadata_len"] == 0
    f = fields(packet(0x0B, NETWORK + struct.pack(">H", 3) + b"a=b" + struct.pack(">QQ", 5, 6)))
    assert (f["metadata_len"], f["revision"], f["config_timestamp"]) == (3, 5, 6)
    assert "revision" in error_of(packet(0x0B, NETWORK + struct.pack(">H", 0) + bytes(15)))
    assert "metadata" in error_of(packet(0x0B, NETWORK + struct.pack(">H", 4) + b"a=b"))


def test_config_chunks_legacy_and_signed() -> None:
    legacy = packet(0x0C, NETWORK + struct.pack(">H", 3) + b"a=b")
    assert fields(legacy)["has_trailer"] is False
    trailer = b"\x01" + struct.pack(">QII", 9, 10, 7) + b"\x01" + struct.pack(">H", 96) + bytes(96)
    f = fields(packet(0x0C, NETWORK + struct.pack(">H", 3) + b"a=b" + trailer))
    assert (f["flags"], f["total_length"], f["chunk_index"], f["signed_len"]) == (1, 10, 7, 8 + 2 + 3 + 17)
    past_the_end = trailer.replace(struct.pack(">II", 10, 7), struct.pack(">II", 10, 8))
    assert "past the total" in error_of(packet(0x0C, NETWORK + struct.pack(">H", 3) + b"a=b" + past_the_end))
    ed25519 = trailer.replace(b"\x01" + struct.pack(">H", 96), b"\x02" + struct.pack(">H", 96))
    assert "C25519" in error_of(packet(0x0C, NETWORK + struct.pack(">H", 3) + b"a=b" + ed25519))
    in_ok = ok(0x0B, NETWORK + struct.pack(">H", 3) + b"a=b" + trailer)
    assert fields(in_ok)["signed_offset"] == 28 + 9


def test_network_credentials_framing() -> None:
    coo = NETWORK + bytes(8 + 8 + 4) + struct.pack(">H", 1) + bytes(17) + bytes(10) + b"\x01\x00\x60" + bytes(96)
    coo += b"\x00\x00"
    plain = packet(0x0A, COM + b"\x00" + struct.pack(">HHHH", 0, 0, 0, 1) + coo)
    f = fields(plain)
    assert f["com_network_ids"] == [NETWORK.hex()] and f["ownerships"] == 1
    assert fields(packet(0x0A, COM))["capabilities"] == 0  # the oldest senders stop after the COMs
    assert "truncated" in error_of(packet(0x0A, COM + b"\x00" + struct.pack(">HHHH", 0, 0, 0, 1) + coo[:-1]))
    bad_signature = coo.replace(b"\x01\x00\x60", b"\x01\x00\x40")
    assert "96 bytes" in error_of(packet(0x0A, COM + b"\x00" + struct.pack(">HHHH", 0, 0, 0, 1) + bad_signature))


def test_parsers_refuse_payloads_still_compressed() -> None:
    assert "compressed" in error_of(packet(0x84, DEST))


def test_unknown_verbs_are_opaque_not_errors() -> None:
    assert fields(packet(0x1F, b"abc"))["payload_len"] == 3
    with pytest.raises(WireError, match="no builder"):
        wire.reencode(packet(0x1F, b"abc"))
