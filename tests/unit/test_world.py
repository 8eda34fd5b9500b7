# SPDX-License-Identifier: Apache-2.0
"""Worlds against bytes made by the official ZeroTier code."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from libzt import Identity, KeyPair, Root, World, WorldError, WorldType

VECTORS = Path(__file__).resolve().parent.parent / "vectors"
IDS = json.loads((VECTORS / "identities.json").read_text())["identities"]
TWO_ROOTS = (VECTORS / "world_two_roots.bin").read_bytes()
TWO_ROOTS_SPEC = json.loads((VECTORS / "world_two_roots.json").read_text())
EARTH = (VECTORS / "world_zerotier_default_planet.bin").read_bytes()


def key_of(index: int) -> KeyPair:
    return KeyPair.from_identity(Identity.from_string(IDS[index]["secret"]))


def test_two_roots_world_is_rebuilt_byte_for_byte() -> None:
    spec = TWO_ROOTS_SPEC
    roots = [Root(Identity.from_string(r["identity"]), tuple(r["stable_endpoints"])) for r in spec["roots"]]
    world = World.create(
        roots, signing_key=key_of(0), update_key=key_of(1), id=spec["id"], timestamp=spec["timestamp_ms"]
    )
    assert world.to_bytes() == TWO_ROOTS
    assert len(TWO_ROOTS) == spec["length"]


def test_two_roots_world_parses_and_verifies() -> None:
    world = World.from_bytes(TWO_ROOTS)
    assert world.type is WorldType.PLANET
    assert world.id == TWO_ROOTS_SPEC["id"]
    assert world.timestamp == TWO_ROOTS_SPEC["timestamp_ms"]
    assert [r.identity.public for r in world.roots] == [r["identity"] for r in TWO_ROOTS_SPEC["roots"]]
    assert [list(r.endpoints) for r in world.roots] == [r["stable_endpoints"] for r in TWO_ROOTS_SPEC["roots"]]
    assert world.update_key == key_of(1).public
    assert world.verify(key_of(0))
    assert not world.verify(key_of(1))
    assert world.to_bytes() == TWO_ROOTS


def test_default_planet_parses_verifies_and_matches_the_compiled_copy() -> None:
    world = World.from_bytes(EARTH)
    assert world.id == 149604618 and world.timestamp == 1644592324813
    assert [r.identity.address for r in world.roots] == ["cafe9efeb9", "778cde7190", "62f865ae71", "cafe04eba9"]
    assert world.roots[0].endpoints == ("104.194.8.134/9993", "2605:9880:200:1200:30:571:e34:51/9993")
    assert world.verify()  # ZeroTier signs Earth with its own update key
    assert all(r.identity.validate() for r in world.roots)
    assert World.default_planet().to_bytes() == EARTH


@pytest.mark.parametrize("data", [TWO_ROOTS, EARTH], ids=["two_roots", "earth"])
def test_every_single_bit_flip_in_the_signed_part_fails_verification(data: bytes) -> None:
    world = World.from_bytes(data)
    key = key_of(0) if data is TWO_ROOTS else None
    assert world.verify(key)
    # Flip one bit in each byte of the signed fields (type/id/timestamp/update key/roots) and of the
    # signature itself: every variant that still parses must fail to verify.
    checked = 0
    for i in range(len(data)):
        flipped = bytearray(data)
        flipped[i] ^= 0x01
        try:
            variant = World.from_bytes(bytes(flipped))
        except WorldError:
            continue
        assert not variant.verify(key if key is not None else world.update_key), f"byte {i}"
        checked += 1
    assert checked > len(data) * 0.9


def test_update_rules() -> None:
    k0, k1, k2 = key_of(0), key_of(1), key_of(2)
    roots = World.from_bytes(TWO_ROOTS).roots
    v1 = World.create(roots, signing_key=k0, update_key=k1, id=7, timestamp=1000)
    v2 = World.create(roots[:1], signing_key=k1, update_key=k2, id=7, timestamp=2000)
    assert v1.should_be_replaced_by(v2)
    assert not v2.should_be_replaced_by(v1)  # older
    forged = World.create(roots[:1], signing_key=k2, update_key=k2, id=7, timestamp=3000)
    assert not v1.should_be_replaced_by(forged)  # not signed by v1's update key
    assert v2.should_be_replaced_by(forged)  # k2 is v2's update key
    other_id = World.create(roots, signing_key=k1, update_key=k1, id=8, timestamp=3000)
    assert not v1.should_be_replaced_by(other_id)
    moon = World.create(roots, signing_key=k1, update_key=k1, id=7, timestamp=3000, type=WorldType.MOON)
    assert not v1.should_be_replaced_by(moon)
    same_time = World.create(roots, signing_key=k1, update_key=k1, id=7, timestamp=1000)
    assert not v1.should_be_replaced_by(same_time)


def test_moon_round_trip() -> None:
    roots = World.from_bytes(TWO_ROOTS).roots
    moon = World.create(roots, signing_key=key_of(0), id=0x6D1621B31F, timestamp=5, type=WorldType.MOON)
    data = moon.to_bytes()
    assert data[0] == 127 and data[-2:] == b"\0\0"  # moons end with an empty dictionary length
    back = World.from_bytes(data)
    assert back == moon and back.verify(key_of(0))


def test_save_and_load(tmp_path: Path) -> None:
    world = World.from_bytes(TWO_ROOTS)
    world.save(tmp_path / "planet")
    assert (tmp_path / "planet").read_bytes() == TWO_ROOTS
    assert World.load(tmp_path / "planet") == world


# ---- bad input -------------------------------------------------------------------------------------


@pytest.mark.parametrize("cut", [0, 1, 9, 17, 81, 177, 178, 200, 248, 249, 260, len(TWO_ROOTS) - 1])
def test_truncated_worlds_raise(cut: int) -> None:
    with pytest.raises(WorldError, match="world: "):
        World.from_bytes(TWO_ROOTS[:cut])


def test_malformed_worlds_raise_clear_errors() -> None:
    with pytest.raises(WorldError, match="trailing"):
        World.from_bytes(TWO_ROOTS + b"\0")
    with pytest.raises(WorldError, match="unknown type"):
        World.from_bytes(b"\x02" + TWO_ROOTS[1:])
    with pytest.raises(WorldError, match="null"):
        World.from_bytes(b"\x00" + TWO_ROOTS[1:])
    with pytest.raises(WorldError, match="more than 4 roots"):
        World.from_bytes(TWO_ROOTS[:177] + b"\x05" + TWO_ROOTS[178:])
    with pytest.raises(WorldError, match="larger than"):
        World.from_bytes(b"\x01" + bytes(9000))
    # The first root's endpoint count (after its 71-byte identity) set to 33.
    at = 178 + 71
    with pytest.raises(WorldError, match="more than 32 endpoints"):
        World.from_bytes(TWO_ROOTS[:at] + b"\x21" + TWO_ROOTS[at + 1 :])
    # An endpoint of unknown address type.
    with pytest.raises(WorldError, match="endpoint"):
        World.from_bytes(TWO_ROOTS[: at + 1] + b"\x09" + TWO_ROOTS[at + 2 :])
    # A root identity with a reserved address.
    with pytest.raises(WorldError, match="reserved"):
        World.from_bytes(TWO_ROOTS[:178] + b"\xff" + TWO_ROOTS[179:])
    with pytest.raises(TypeError):
        World.from_bytes("planet")  # type: ignore[arg-type]


def test_invalid_world_construction_raises() -> None:
    roots = World.from_bytes(TWO_ROOTS).roots
    with pytest.raises(WorldError, match="at most 4 roots"):
        World.create(roots * 3, signing_key=key_of(0), id=1)
    with pytest.raises(WorldError, match="IP/PORT"):
        World.create([Root(roots[0].identity, ("10.0.0.1",))], signing_key=key_of(0), id=1)
    with pytest.raises(WorldError, match="IP/PORT"):
        World.create([Root(roots[0].identity, ("10.0.0.1/70000",))], signing_key=key_of(0), id=1)
    with pytest.raises(WorldError, match="public identity"):
        World.create([Root(Identity.from_string(IDS[0]["secret"]), ())], signing_key=key_of(0), id=1)
    with pytest.raises(WorldError, match="unsigned 64-bit"):
        World.create(roots, signing_key=key_of(0), id=-1)
    with pytest.raises(WorldError, match="expected IDENTITY@"):
        Root.parse("no-at-sign")
