# SPDX-License-Identifier: Apache-2.0
"""The identity and root-set calls of the zts_* C API, with libzt's argument rules."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from libzt._native import ffi, lib

from libzt import Identity, KeyPair, World

VECTORS = Path(__file__).resolve().parent.parent / "vectors"
IDS = json.loads((VECTORS / "identities.json").read_text())
TWO_ROOTS_SPEC = json.loads((VECTORS / "world_two_roots.json").read_text())
ID_BUF = 384


def id_buffer(text: str) -> bytes:
    return text.encode().ljust(ID_BUF, b"\0")


def test_every_cdef_type_has_a_layout() -> None:
    # cffi checks a struct against the compiled header lazily; force every check now.
    typedefs, structs, unions = ffi.list_types()
    names = [*typedefs, *(f"struct {n}" for n in structs), *(f"union {n}" for n in unions)]
    assert "zts_event_msg_t" in names and "ztx_world_t" in names
    opaque = {  # only ever pointers
        "ztx_identity", "struct ztx_identity", "ztx_defrag", "struct ztx_defrag",
        "ztx_config_assembler", "struct ztx_config_assembler",
    }
    for name in names:
        if name not in opaque:
            assert ffi.sizeof(name) > 0, name
    assert ffi.sizeof("struct zts_sockaddr_in6") == 28
    assert ffi.sizeof("struct zts_sockaddr_storage") == 28  # lwIP sizes it for IPv6, as libzt does


def test_zts_id_new_makes_valid_identities() -> None:
    buf = ffi.new("char[]", ID_BUF)
    size = ffi.new("unsigned int *", ID_BUF)
    assert lib.zts_id_new(buf, size) == lib.ZTS_ERR_OK
    text = ffi.string(buf).decode()
    assert size[0] == len(text) == 270
    assert Identity.from_string(text).validate()
    assert lib.zts_id_pair_is_valid(buf, ID_BUF) == 1


def test_zts_id_new_requires_the_384_byte_buffer() -> None:
    buf = ffi.new("char[]", 1024)
    for wrong in (0, 383, 385, 1024):
        size = ffi.new("unsigned int *", wrong)
        assert lib.zts_id_new(buf, size) == lib.ZTS_ERR_ARG
    assert lib.zts_id_new(ffi.NULL, ffi.new("unsigned int *", ID_BUF)) == lib.ZTS_ERR_ARG
    assert lib.zts_id_new(buf, ffi.NULL) == lib.ZTS_ERR_ARG


def test_zts_id_pair_is_valid_on_official_identities() -> None:
    for entry in IDS["identities"]:
        assert lib.zts_id_pair_is_valid(id_buffer(entry["secret"]), ID_BUF) == 1
    for entry in IDS["rejected"]:
        assert lib.zts_id_pair_is_valid(id_buffer(entry["secret"]), ID_BUF) == 0


def test_zts_id_pair_is_valid_rejects_bad_input() -> None:
    good = IDS["identities"][0]["secret"]
    assert lib.zts_id_pair_is_valid(id_buffer(good), len(good)) == 0  # libzt: length must be 384
    assert lib.zts_id_pair_is_valid(ffi.NULL, ID_BUF) == 0
    assert lib.zts_id_pair_is_valid(b"x" * ID_BUF, ID_BUF) == 0  # no terminator inside the buffer
    for bad in ("", "garbage", good[:200], good.replace(":0:", ":1:"), "ff" + good[2:]):
        assert lib.zts_id_pair_is_valid(id_buffer(bad), ID_BUF) == 0


def _sign_root_set(spec: dict, world_id: int, ts: int):
    roots = ffi.new("zts_root_set_t *")
    keep = []
    for i, root in enumerate(spec):
        s = ffi.new("char[]", root["identity"].encode())
        keep.append(s)
        roots.public_id_str[i] = s
        for j, ep in enumerate(root["stable_endpoints"]):
            e = ffi.new("char[]", ep.encode())
            keep.append(e)
            roots.endpoint_ip_str[i][j] = e
    out = ffi.new("char[]", 8480)
    out_len = ffi.new("unsigned int *", 0)
    prev = ffi.new("char[]", 128)
    prev_len = ffi.new("unsigned int *", 0)
    cur = ffi.new("char[]", 128)
    cur_len = ffi.new("unsigned int *", 0)
    rc = lib.zts_util_sign_root_set(out, out_len, prev, prev_len, cur, cur_len, world_id, ts, roots)
    return rc, ffi.buffer(out, out_len[0])[:], ffi.buffer(prev, prev_len[0])[:], ffi.buffer(cur, cur_len[0])[:]


def test_zts_util_sign_root_set_rebuilds_the_official_world(tmp_path: Path, monkeypatch) -> None:
    # libzt signs with ./previous.c25519 and ./current.c25519 when they exist.
    k0 = KeyPair.from_identity(Identity.from_string(IDS["identities"][0]["secret"]))
    k1 = KeyPair.from_identity(Identity.from_string(IDS["identities"][1]["secret"]))
    (tmp_path / "previous.c25519").write_bytes(k0.to_bytes())
    (tmp_path / "current.c25519").write_bytes(k1.to_bytes())
    monkeypatch.chdir(tmp_path)
    spec = TWO_ROOTS_SPEC
    rc, world, prev, cur = _sign_root_set(spec["roots"], spec["id"], spec["timestamp_ms"])
    assert rc == lib.ZTS_ERR_OK
    assert world == (VECTORS / "world_two_roots.bin").read_bytes()
    assert prev == k0.to_bytes() and cur == k1.to_bytes()


def test_zts_util_sign_root_set_without_key_files_makes_a_self_signed_world(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    rc, world, prev, cur = _sign_root_set(TWO_ROOTS_SPEC["roots"], 42, 7)
    assert rc == lib.ZTS_ERR_OK and prev == cur and len(cur) == 128
    parsed = World.from_bytes(world)
    assert parsed.id == 42 and parsed.timestamp == 7 and parsed.verify(cur[:64])
    assert not os.path.exists(tmp_path / "current.c25519")  # libzt does not write key files


def test_zts_util_sign_root_set_rejects_bad_roots(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    bad_identity = [{"identity": "0e28950832:0:zz", "stable_endpoints": []}]
    assert _sign_root_set(bad_identity, 1, 1)[0] == lib.ZTS_ERR_ARG
    bad_endpoint = [{"identity": TWO_ROOTS_SPEC["roots"][0]["identity"], "stable_endpoints": ["1.2.3.4"]}]
    assert _sign_root_set(bad_endpoint, 1, 1)[0] == lib.ZTS_ERR_ARG
    (tmp_path / "previous.c25519").write_bytes(b"short")
    (tmp_path / "current.c25519").write_bytes(b"short")
    assert _sign_root_set(TWO_ROOTS_SPEC["roots"], 1, 1)[0] == lib.ZTS_ERR_ARG
    n = ffi.new("unsigned int *", 0)
    assert lib.zts_util_sign_root_set(ffi.NULL, n, ffi.NULL, n, ffi.NULL, n, 1, 1, ffi.NULL) == lib.ZTS_ERR_ARG


@pytest.mark.parametrize("size", [0, 10, 100])
def test_ztx_error_message_names_the_problem(size: int) -> None:
    out = ffi.new("ztx_identity **")
    assert lib.ztx_identity_from_bytes(b"\0" * size, size, out) == lib.ZTS_ERR_ARG
    assert ffi.string(lib.ztx_error_message()).startswith(b"identity: ")
