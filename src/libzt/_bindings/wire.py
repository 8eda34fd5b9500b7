# SPDX-License-Identifier: Apache-2.0
"""The wire inspector: VL1 packet armor, fragments and their description (``ztx_wire_*``,
``ztx_defrag_*`` of ``ext/cdef/x_ext.h``)."""
from __future__ import annotations

from typing import Any

from libzt._bindings import ffi, lib
from libzt._bindings.calls import as_bytes, check
from libzt._bindings.constants import ERR_ARG
from libzt.errors import ArgumentError

# ---- the wire inspector ---------------------------------------------------------------------------

DefragHandle = Any  # a cffi ``ztx_defrag *`` owning its memory (freed by the garbage collector)

_PACKET_BUFFER = "uint8_t[]"


def _key(key: bytes, err: type[ArgumentError]) -> bytes:
    raw = as_bytes(key, "key")
    if len(raw) != lib.ZTX_SYMMETRIC_KEY_LEN:
        raise err(f"key must be {lib.ZTX_SYMMETRIC_KEY_LEN} bytes, got {len(raw)}")
    return raw


def _packet_out() -> tuple[Any, Any]:
    return ffi.new(_PACKET_BUFFER, lib.ZTX_WIRE_MAX_PACKET_LEN), ffi.new("size_t *", lib.ZTX_WIRE_MAX_PACKET_LEN)


def wire_kbkdf(key: bytes, label: str, err: type[ArgumentError]) -> bytes:
    if label not in ("0", "1"):
        raise err("label must be '0' (K0) or '1' (K1)")
    out = ffi.new("uint8_t[]", lib.ZTX_SYMMETRIC_KEY_LEN)
    check(lib.ztx_wire_kbkdf(_key(key, err), label.encode("ascii"), out), "kbkdf", err)
    return bytes(out)


def wire_armor(key: bytes, suite: int, compress: bool, mtu: int, packet: bytes, err: type[ArgumentError]) -> bytes:
    raw = as_bytes(packet, "packet")
    out, size = _packet_out()
    options = lib.ZTX_WIRE_ARMOR_COMPRESS if compress else 0
    check(lib.ztx_wire_armor(_key(key, err), suite, options, mtu, raw, len(raw), out, size), "armor failed", err)
    return bytes(ffi.buffer(out, size[0]))


def wire_dearmor(key: bytes, packet: bytes, err: type[ArgumentError]) -> bytes:
    raw = as_bytes(packet, "packet")
    out, size = _packet_out()
    check(lib.ztx_wire_dearmor(_key(key, err), raw, len(raw), out, size), "dearmor failed", err)
    return bytes(ffi.buffer(out, size[0]))


def wire_fragment(armored: bytes, mtu: int, err: type[ArgumentError]) -> list[bytes]:
    raw = as_bytes(armored, "packet")
    capacity = len(raw) + lib.ZTX_WIRE_MAX_FRAGMENTS * 16
    out = ffi.new(_PACKET_BUFFER, capacity)
    size = ffi.new("size_t *", capacity)
    lens = ffi.new("size_t[]", lib.ZTX_WIRE_MAX_FRAGMENTS)
    count = ffi.new("size_t *")
    check(lib.ztx_wire_fragment(raw, len(raw), mtu, out, size, lens, count), "fragmentation failed", err)
    data = bytes(ffi.buffer(out, size[0]))
    pieces, at = [], 0
    for i in range(count[0]):
        pieces.append(data[at : at + lens[i]])
        at += lens[i]
    return pieces


def wire_classify(datagram: bytes) -> int:
    raw = as_bytes(datagram, "datagram")
    return int(lib.ztx_wire_classify(raw, len(raw)))


def wire_describe(key: bytes | None, datagram: bytes, as_json: bool, err: type[ArgumentError]) -> str:
    raw = as_bytes(datagram, "datagram")
    k = ffi.NULL if key is None else _key(key, err)
    fmt = lib.ZTX_WIRE_FORMAT_JSON if as_json else lib.ZTX_WIRE_FORMAT_TEXT
    capacity = 4096
    while True:
        out = ffi.new("char[]", capacity)
        size = ffi.new("size_t *", capacity)
        code = lib.ztx_wire_describe(k, raw, len(raw), fmt, out, size)
        if code == ERR_ARG and size[0] > capacity:
            capacity = size[0]  # the description needs more room: the call said how much
            continue
        check(code, "describe failed", err)
        return ffi.string(out, size[0]).decode("utf-8", "replace")


def wire_reencode(key: bytes | None, packet: bytes, err: type[ArgumentError]) -> bytes:
    raw = as_bytes(packet, "packet")
    k = ffi.NULL if key is None else _key(key, err)
    out, size = _packet_out()
    check(lib.ztx_wire_reencode(k, raw, len(raw), out, size), "re-encoding failed", err)
    return bytes(ffi.buffer(out, size[0]))


def defrag_new() -> DefragHandle:
    out = ffi.new("ztx_defrag **")
    check(lib.ztx_defrag_new(out), "defragmenter allocation failed")
    return ffi.gc(out[0], lib.ztx_defrag_free)


def defrag_add(h: DefragHandle, datagram: bytes, now: int) -> tuple[bool, bytes | None]:
    """(dropped, the assembled packet or None)."""
    raw = as_bytes(datagram, "datagram")
    out, size = _packet_out()
    result = check(lib.ztx_defrag_add(h, raw, len(raw), now, out, size), "defragmenter")
    packet = bytes(ffi.buffer(out, size[0])) if result == lib.ZTX_DEFRAG_COMPLETE else None
    return result == lib.ZTX_DEFRAG_DROPPED, packet


def defrag_expire(h: DefragHandle, now: int) -> int:
    return check(lib.ztx_defrag_expire(h, now), "defragmenter")


def defrag_in_progress(h: DefragHandle) -> int:
    return check(lib.ztx_defrag_in_progress(h), "defragmenter")
