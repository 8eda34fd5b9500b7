# SPDX-License-Identifier: Apache-2.0
"""Identities and key pairs (``ztx_identity_*``, ``ztx_keypair_*`` of ``ext/cdef/x_ext.h``)."""
from __future__ import annotations

from typing import Any

from libzt._bindings import ffi, lib
from libzt._bindings.calls import as_bytes, check
from libzt.errors import ArgumentError

IdentityHandle = Any  # a cffi ``ztx_identity *`` owning its memory (freed by the garbage collector)


# ---- identities -------------------------------------------------------------------------------------


def _own(out: Any) -> IdentityHandle:
    return ffi.gc(out[0], lib.ztx_identity_free)


def identity_generate(threads: int, err: type[ArgumentError]) -> IdentityHandle:
    out = ffi.new("ztx_identity **")
    check(lib.ztx_identity_generate(threads, out), "identity generation failed", err)
    return _own(out)


def identity_from_string(text: str, err: type[ArgumentError]) -> IdentityHandle:
    if not isinstance(text, str):
        raise TypeError(f"identity must be a str, not {type(text).__name__}")
    try:
        raw = text.strip().encode("ascii")
    except UnicodeEncodeError:
        raise err("identity: must be ASCII (address:0:public[:private] in hex)") from None
    out = ffi.new("ztx_identity **")
    check(lib.ztx_identity_from_string(raw, len(raw), out), "invalid identity", err)
    return _own(out)


def identity_from_bytes(data: bytes, err: type[ArgumentError]) -> IdentityHandle:
    raw = as_bytes(data, "identity")
    out = ffi.new("ztx_identity **")
    check(lib.ztx_identity_from_bytes(raw, len(raw), out), "invalid identity", err)
    return _own(out)


def identity_address(h: IdentityHandle) -> int:
    return int(lib.ztx_identity_address(h))


def identity_has_private(h: IdentityHandle) -> bool:
    return bool(lib.ztx_identity_has_private(h))


def identity_to_string(h: IdentityHandle, include_private: bool) -> str:
    buf = ffi.new("char[]", lib.ZTX_IDENTITY_STRING_LEN)
    size = ffi.new("size_t *", lib.ZTX_IDENTITY_STRING_LEN)
    check(lib.ztx_identity_to_string(h, int(include_private), buf, size), "identity to string failed")
    return ffi.string(buf, size[0]).decode("ascii")


def identity_to_bytes(h: IdentityHandle, include_private: bool) -> bytes:
    buf = ffi.new("uint8_t[]", lib.ZTX_IDENTITY_BINARY_MAX_LEN)
    size = ffi.new("size_t *", lib.ZTX_IDENTITY_BINARY_MAX_LEN)
    check(lib.ztx_identity_to_bytes(h, int(include_private), buf, size), "identity to bytes failed")
    return bytes(ffi.buffer(buf, size[0]))


def identity_public_key(h: IdentityHandle) -> bytes:
    out = ffi.new("uint8_t[]", lib.ZTX_PUBLIC_KEY_LEN)
    check(lib.ztx_identity_public_key(h, out), "public key")
    return bytes(out)


def identity_validate(h: IdentityHandle) -> bool:
    return check(lib.ztx_identity_validate(h), "validate") == 1


def identity_sign(h: IdentityHandle, message: bytes, err: type[ArgumentError]) -> bytes:
    msg = as_bytes(message, "message")
    sig = ffi.new("uint8_t[]", lib.ZTX_SIGNATURE_LEN)
    check(lib.ztx_identity_sign(h, msg, len(msg), sig), "signing failed", err)
    return bytes(sig)


def identity_verify(h: IdentityHandle, message: bytes, signature: bytes) -> bool:
    msg = as_bytes(message, "message")
    sig = as_bytes(signature, "signature")
    return check(lib.ztx_identity_verify(h, msg, len(msg), sig, len(sig)), "verify") == 1


def identity_agree(h: IdentityHandle, peer: IdentityHandle, err: type[ArgumentError]) -> bytes:
    key = ffi.new("uint8_t[]", lib.ZTX_SYMMETRIC_KEY_LEN)
    check(lib.ztx_identity_agree(h, peer, key), "key agreement failed", err)
    return bytes(key)


# ---- key pairs ----------------------------------------------------------------------------------------


def keypair_generate() -> bytes:
    pair = ffi.new("uint8_t[]", lib.ZTX_KEY_PAIR_LEN)
    check(lib.ztx_keypair_generate(pair), "key pair generation failed")
    return bytes(pair)


def keypair_check(pair: bytes, err: type[ArgumentError]) -> None:
    check(lib.ztx_keypair_check(pair), "key pair", err)


def keypair_sign(pair: bytes, message: bytes) -> bytes:
    msg = as_bytes(message, "message")
    sig = ffi.new("uint8_t[]", lib.ZTX_SIGNATURE_LEN)
    check(lib.ztx_keypair_sign(pair, msg, len(msg), sig), "signing failed")
    return bytes(sig)


def signature_verify(public_key: bytes, message: bytes, signature: bytes) -> bool:
    msg = as_bytes(message, "message")
    sig = as_bytes(signature, "signature")
    return check(lib.ztx_signature_verify(public_key, msg, len(msg), sig, len(sig)), "verify") == 1
