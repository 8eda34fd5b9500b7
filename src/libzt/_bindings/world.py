# SPDX-License-Identifier: Apache-2.0
"""Worlds: planets and moons (``ztx_world_*`` of ``ext/cdef/x_ext.h``), as plain fields."""
from __future__ import annotations

from typing import Any

from libzt._bindings import ffi, lib
from libzt._bindings.calls import as_bytes, check
from libzt.errors import ArgumentError

# ---- worlds -------------------------------------------------------------------------------------------

WorldFields = dict[str, Any]


def _world_to_c(fields: WorldFields, err: type[ArgumentError]) -> Any:
    w = ffi.new("ztx_world_t *")
    w.type = fields["type"]
    w.id = fields["id"]
    w.timestamp = fields["timestamp"]
    ffi.memmove(w.update_key, fields["update_key"], lib.ZTX_PUBLIC_KEY_LEN)
    ffi.memmove(w.signature, fields["signature"], lib.ZTX_SIGNATURE_LEN)
    roots = fields["roots"]
    if len(roots) > lib.ZTX_WORLD_MAX_ROOTS:
        raise err(f"world: at most {lib.ZTX_WORLD_MAX_ROOTS} roots, got {len(roots)}")
    w.root_count = len(roots)
    for i, (identity_text, endpoints) in enumerate(roots):
        raw = identity_text.encode("ascii")
        if len(raw) >= lib.ZTX_IDENTITY_STRING_LEN:
            raise err("world: root identity string too long")
        w.roots[i].identity = raw
        if len(endpoints) > lib.ZTX_WORLD_MAX_ENDPOINTS:
            raise err(f"world: at most {lib.ZTX_WORLD_MAX_ENDPOINTS} endpoints per root, got {len(endpoints)}")
        w.roots[i].endpoint_count = len(endpoints)
        for j, ep in enumerate(endpoints):
            raw_ep = ep.encode("ascii")
            if len(raw_ep) >= lib.ZTX_ENDPOINT_STRING_LEN:
                raise err(f"world: endpoint {ep!r} is too long to be IP/PORT")
            w.roots[i].endpoints[j] = raw_ep
    return w


def _world_from_c(w: Any) -> WorldFields:
    roots = []
    for i in range(w.root_count):
        r = w.roots[i]
        endpoints = tuple(ffi.string(r.endpoints[j]).decode("ascii") for j in range(r.endpoint_count))
        roots.append((ffi.string(r.identity).decode("ascii"), endpoints))
    return {
        "type": int(w.type),
        "id": int(w.id),
        "timestamp": int(w.timestamp),
        "update_key": bytes(w.update_key),
        "signature": bytes(w.signature),
        "roots": roots,
    }


def world_parse(data: bytes, err: type[ArgumentError]) -> WorldFields:
    raw = as_bytes(data, "world")
    w = ffi.new("ztx_world_t *")
    check(lib.ztx_world_parse(raw, len(raw), w), "invalid world", err)
    return _world_from_c(w)


def world_serialize(fields: WorldFields, err: type[ArgumentError]) -> bytes:
    w = _world_to_c(fields, err)
    buf = ffi.new("uint8_t[]", lib.ZTX_WORLD_MAX_LEN)
    size = ffi.new("size_t *", lib.ZTX_WORLD_MAX_LEN)
    check(lib.ztx_world_serialize(w, buf, size), "invalid world", err)
    return bytes(ffi.buffer(buf, size[0]))


def world_sign(fields: WorldFields, signer_pair: bytes, err: type[ArgumentError]) -> bytes:
    w = _world_to_c(fields, err)
    check(lib.ztx_world_sign(w, signer_pair), "world signing failed", err)
    return bytes(w.signature)


def world_verify(fields: WorldFields, public_key: bytes, err: type[ArgumentError]) -> bool:
    w = _world_to_c(fields, err)
    return check(lib.ztx_world_verify(w, public_key), "world verify", err) == 1


def world_should_be_replaced_by(current: WorldFields, update: WorldFields, err: type[ArgumentError]) -> bool:
    a = _world_to_c(current, err)
    b = _world_to_c(update, err)
    return check(lib.ztx_world_should_be_replaced_by(a, b), "world compare", err) == 1


def world_default_planet() -> bytes:
    buf = ffi.new("uint8_t[]", lib.ZTX_WORLD_MAX_LEN)
    size = ffi.new("size_t *", lib.ZTX_WORLD_MAX_LEN)
    check(lib.ztx_world_default_planet(buf, size), "default planet")
    return bytes(ffi.buffer(buf, size[0]))
