# SPDX-License-Identifier: Apache-2.0
"""Identities against bytes made by the official ZeroTier code (tests/vectors/identities.json)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

import libzt
from libzt import Identity, IdentityError, KeyPair

VECTORS = Path(__file__).resolve().parent.parent / "vectors"
OFFICIAL = json.loads((VECTORS / "identities.json").read_text())


@pytest.mark.parametrize("entry", OFFICIAL["identities"], ids=lambda e: e["address"])
def test_official_identity_parses_validates_and_round_trips(entry: dict) -> None:
    ident = Identity.from_string(entry["secret"])
    assert ident.address == entry["address"]
    assert ident.public == entry["public"]
    assert ident.secret == entry["secret"]
    assert ident.validate()
    # The public key is re-derived from the private key inside validate(); check it explicitly too.
    pair = KeyPair.from_identity(ident)
    assert pair.public.hex() == entry["public"].split(":")[2]
    # Binary form round trip, public (71 bytes) and with the secret (135 bytes).
    assert len(ident.to_bytes()) == 71
    assert Identity.from_bytes(ident.to_bytes()).public == entry["public"]
    assert Identity.from_bytes(ident.to_bytes(include_secret=True)).secret == entry["secret"]


@pytest.mark.parametrize("entry", OFFICIAL["rejected"], ids=lambda e: e["why"][:30])
def test_tampered_identity_is_rejected(entry: dict) -> None:
    assert not Identity.from_string(entry["secret"]).validate()


def test_private_key_not_matching_public_is_invalid() -> None:
    a, b = (Identity.from_string(e["secret"]) for e in OFFICIAL["identities"][:2])
    mixed = Identity.from_string(f"{a.public}:{b.secret.split(':')[3]}")
    assert not mixed.validate()
    assert Identity.from_string(a.public).validate()  # a public identity alone validates


def test_generated_identity_is_valid_and_distinct() -> None:
    a = Identity.generate()
    b = Identity.generate(threads=2)
    for ident in (a, b):
        assert ident.validate()
        assert ident.has_secret
        assert len(ident.address) == 10
        assert int(ident.address, 16) == ident.node_id
        assert not ident.address.startswith("ff") and ident.node_id != 0
        assert Identity.from_string(ident.secret) == ident
    assert a != b


def test_sign_verify_and_agree() -> None:
    a, b = (Identity.from_string(e["secret"]) for e in OFFICIAL["identities"][:2])
    sig = a.sign(b"hello")
    assert len(sig) == 96
    assert a.verify(b"hello", sig)
    assert a.public_identity().verify(b"hello", sig)
    assert not a.verify(b"hellO", sig)
    assert not b.verify(b"hello", sig)
    flipped = bytearray(sig)
    flipped[5] ^= 1
    assert not a.verify(b"hello", bytes(flipped))
    assert not a.verify(b"hello", sig[:95])
    # Signatures are deterministic (Ed25519) and end with SHA-512(message)[:32].
    assert a.sign(b"hello") == sig
    import hashlib

    assert sig[64:] == hashlib.sha512(b"hello").digest()[:32]
    # Key agreement is symmetric and 48 bytes.
    key = a.agree(b)
    assert len(key) == 48 and key == b.agree(a)
    assert key != a.agree(Identity.from_string(OFFICIAL["identities"][2]["secret"]))


def test_agree_against_capture_peers_matches_both_sides() -> None:
    ids = [Identity.from_string(e["secret"]) for e in OFFICIAL["identities"][3:6]]
    for x in ids:
        for y in ids:
            assert x.agree(y.public_identity()) == y.agree(x.public_identity())


def test_public_only_identity_cannot_sign_or_agree() -> None:
    pub = Identity.from_string(OFFICIAL["identities"][0]["public"])
    assert pub.secret is None and not pub.has_secret
    with pytest.raises(IdentityError, match="no private key"):
        pub.sign(b"x")
    with pytest.raises(IdentityError, match="no private key"):
        pub.agree(pub)


GOOD = OFFICIAL["identities"][0]["secret"]
ADDR, _, PUB, PRIV = GOOD.split(":")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "expected address:0:public"),
        (ADDR, "expected address:0:public"),
        (f"{ADDR}:0", "expected address:0:public"),
        (f"{ADDR}:0:{PUB[:-2]}", "public key must be exactly 128 hex"),
        (f"{ADDR}:0:{PUB}00", "public key must be exactly 128 hex"),
        (f"{ADDR}:0:{PUB[:-1]}g", "public key must be exactly 128 hex"),
        (f"{ADDR}:0:{PUB}:{PRIV[:-1]}", "private key must be exactly 128 hex"),
        (f"{ADDR}:0:{PUB}:{PRIV}:00", "too many"),
        (f"{ADDR}:1:{PUB}", "unsupported type"),
        (f"{ADDR}:00:{PUB}", "unsupported type"),
        (f"{ADDR[:-1]}:0:{PUB}", "address must be exactly 10 hex"),
        (f"xx{ADDR[2:]}:0:{PUB}", "address must be exactly 10 hex"),
        (f"0000000000:0:{PUB}", "reserved"),
        (f"ff{ADDR[2:]}:0:{PUB}", "reserved"),
        ("x" * 1000, "too long"),
        (f"{ADDR}:0:{PUB}\u00e9", "ASCII"),
    ],
)
def test_malformed_identity_strings_raise_clear_errors(text: str, reason: str) -> None:
    with pytest.raises(IdentityError, match=reason):
        Identity.from_string(text)


@pytest.mark.parametrize("bad", [None, 123, b"bytes"])
def test_wrong_type_identity_raises_type_error(bad: object) -> None:
    with pytest.raises(TypeError):
        Identity.from_string(bad)  # type: ignore[arg-type]


def test_malformed_identity_bytes_raise_clear_errors() -> None:
    good = Identity.from_string(GOOD)
    raw = good.to_bytes(include_secret=True)
    for cut in (0, 1, 5, 70):
        with pytest.raises(IdentityError, match="truncated"):
            Identity.from_bytes(raw[:cut])
    with pytest.raises(IdentityError, match="truncated private"):
        Identity.from_bytes(raw[:100])
    with pytest.raises(IdentityError, match="trailing"):
        Identity.from_bytes(raw + b"\0")
    with pytest.raises(IdentityError, match="unsupported type"):
        Identity.from_bytes(raw[:5] + b"\x01" + raw[6:])
    with pytest.raises(IdentityError, match="length must be 0 or 64"):
        Identity.from_bytes(raw[:70] + b"\x20" + raw[71:103])
    with pytest.raises(IdentityError, match="reserved"):
        Identity.from_bytes(b"\xff" + raw[1:71])
    with pytest.raises(TypeError):
        Identity.from_bytes("text")  # type: ignore[arg-type]


def test_key_pair_rejects_mismatched_halves(tmp_path: Path) -> None:
    pair = KeyPair.generate()
    assert KeyPair.from_bytes(pair.to_bytes()) == pair
    other = KeyPair.generate()
    with pytest.raises(IdentityError, match="does not belong"):
        KeyPair.from_bytes(pair.public + other.to_bytes()[64:])
    with pytest.raises(IdentityError, match="expected 128 bytes"):
        KeyPair.from_bytes(pair.to_bytes()[:100])
    pair.save(tmp_path / "k.c25519")
    assert (tmp_path / "k.c25519").stat().st_mode & 0o777 == 0o600
    assert KeyPair.load(tmp_path / "k.c25519") == pair
    sig = pair.sign(b"m")
    assert libzt.verify_signature(pair.public, b"m", sig)
    assert not libzt.verify_signature(other.public, b"m", sig)


def test_identity_files_are_written_like_zerotier(tmp_path: Path) -> None:
    ident = Identity.from_string(GOOD)
    ident.save(tmp_path)
    assert (tmp_path / "identity.secret").read_text() == GOOD
    assert (tmp_path / "identity.public").read_text() == OFFICIAL["identities"][0]["public"]
    assert (tmp_path / "identity.secret").stat().st_mode & 0o777 == 0o600
    assert Identity.load(tmp_path / "identity.secret") == ident
    assert "secret" in repr(ident) and PRIV not in repr(ident)
