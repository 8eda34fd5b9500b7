# SPDX-License-Identifier: Apache-2.0
"""How the binding modules call C: return codes to exceptions (with the core's reason), bytes-like
arguments, and output buffers that grow when the call says it needs more."""
from __future__ import annotations

import json
from typing import Any, Callable

from libzt._bindings import ffi, lib
from libzt._bindings.constants import ERR_ARG
from libzt.errors import ArgumentError, raise_for

JsonValue = Any


def error_message(default: str) -> str:
    """The core's reason for this thread's last failure (``default`` when it gave none)."""
    text = ffi.string(lib.ztx_error_message()).decode("utf-8", "replace")
    return text or default


def check(code: int, what: str, arg_error: type[ArgumentError] = ArgumentError) -> int:
    """Return ``code`` if it is not an error, else raise with the native reason."""
    if code < 0:
        message = error_message(what) if code == ERR_ARG else what
        raise_for(code, message, arg_error)
    return code


def as_bytes(data: bytes | bytearray | memoryview, name: str) -> bytes:
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data)
    raise TypeError(f"{name} must be bytes-like, not {type(data).__name__}")


def _sized_call(call: Callable[[Any, Any], int], what: str, err: type[ArgumentError], ctype: str,
                capacity: int) -> bytes:
    """Runs a ztx_ function that writes into a (buffer, size) pair, growing the buffer when the call
    says it needs more."""
    while True:
        out = ffi.new(ctype, capacity)
        size = ffi.new("size_t *", capacity)
        code = call(out, size)
        if code == ERR_ARG and size[0] > capacity:
            capacity = size[0]
            continue
        check(code, what, err)
        return bytes(ffi.buffer(out, size[0]))


def text_call(call: Callable[[Any, Any], int], what: str, err: type[ArgumentError]) -> str:
    """Runs a ztx_ function that writes text."""
    return _sized_call(call, what, err, "char[]", 16384).decode("utf-8", "surrogateescape")


def json_call(call: Callable[[Any, Any], int], what: str, err: type[ArgumentError]) -> JsonValue:
    return json.loads(text_call(call, what, err))


def bytes_call(call: Callable[[Any, Any], int], what: str, err: type[ArgumentError], capacity: int = 65536) -> bytes:
    """Runs a ztx_ function that writes bytes."""
    return _sized_call(call, what, err, "uint8_t[]", capacity)
