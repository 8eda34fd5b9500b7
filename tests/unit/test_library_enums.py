# SPDX-License-Identifier: Apache-2.0
"""Enums and sizes come from the compiled library, and a value it does not name stays recognisable."""
from __future__ import annotations

from libzt import EventCode, Identity, KeyPair, NetworkStatus, PeerRole, identity, wire
from libzt._bindings import ffi, lib
from libzt._bindings.events import event_from_message


def test_every_event_code_is_the_headers():
    for code in EventCode:
        prefix = "ZTX_EVENT_" if code >= 300 else "ZTS_EVENT_"
        assert getattr(lib, prefix + code.name) == code.value
    assert all(code.is_known for code in EventCode)


def test_an_unknown_event_code_is_reported_as_unknown_not_as_node_up():
    msg = ffi.new("zts_event_msg_t *")
    msg.event_code = 299  # between the header's codes and libzt-for-Python's
    event = event_from_message(msg)
    assert event.code is not EventCode.NODE_UP
    assert int(event.code) == 299
    assert event.code.name == "UNKNOWN_299"
    assert not event.code.is_known
    assert event.code is EventCode(299)  # one stand-in per value: `is` works as with members
    assert "UNKNOWN_299" in repr(event)
    assert 299 not in {int(c) for c in EventCode}  # the stand-in does not become a member


def test_unknown_values_of_other_library_enums():
    assert NetworkStatus(77).name == "UNKNOWN_77" and NetworkStatus(77) == 77
    assert PeerRole(9).name == "UNKNOWN_9"
    for bad in ("NODE_UP", 1.0, None, True):
        try:
            EventCode(bad)
        except ValueError:
            continue
        raise AssertionError(f"EventCode({bad!r}) was accepted")


def test_key_sizes_are_the_librarys_and_what_the_calls_produce():
    me, peer = Identity.generate(), Identity.generate()
    assert len(me.public_key) == identity.PUBLIC_KEY_SIZE == lib.ZTX_PUBLIC_KEY_LEN
    assert len(me.sign(b"m")) == identity.SIGNATURE_SIZE == lib.ZTX_SIGNATURE_LEN
    assert len(me.agree(peer)) == identity.SHARED_KEY_SIZE == lib.ZTX_SYMMETRIC_KEY_LEN
    pair = KeyPair.generate()
    assert len(pair.to_bytes()) == KeyPair.SIZE == lib.ZTX_KEY_PAIR_LEN
    assert identity.PRIVATE_KEY_SIZE == lib.ZTX_PRIVATE_KEY_LEN


def test_wire_enums_and_limits_are_the_librarys():
    assert {s.name: s.value for s in wire.Suite} == {
        "POLY1305": lib.ZTX_WIRE_SUITE_POLY1305,
        "SALSA2012_POLY1305": lib.ZTX_WIRE_SUITE_SALSA2012_POLY1305,
        "AES_GMAC_SIV": lib.ZTX_WIRE_SUITE_AES_GMAC_SIV,
    }
    assert [k.name for k in wire.DatagramKind] == ["INVALID", "BEACON", "FRAGMENT", "PACKET"]
    assert wire.MAX_PACKET_SIZE == lib.ZTX_WIRE_MAX_PACKET_LEN
    assert wire.MAX_FRAGMENTS == lib.ZTX_WIRE_MAX_FRAGMENTS


def test_an_unassigned_suite_is_refused_with_a_reason():
    key = Identity.generate().agree(Identity.generate())
    try:
        wire.armor(key, bytes(40), 2)  # 2 is the trusted-path suite: it carries no MAC to armor with
    except ValueError as exc:
        assert "suite" in str(exc)
    else:
        raise AssertionError("suite 2 was accepted")
