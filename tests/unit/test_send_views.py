# SPDX-License-Identifier: Apache-2.0
"""What the send calls take: bytes as they are (cffi passes their own buffer), any other bytes-like
object as a cdata view whose len() is its size in bytes and whose slices do not copy."""
from __future__ import annotations

import array

import pytest

from libzt._bindings import ffi
from libzt._bindings import sockets as ll


def test_bytes_go_as_they_are_unless_a_sliceable_view_is_asked_for() -> None:
    data = bytes(range(10))
    assert ll.view(data) is data
    sliceable = ll.view(data, sliceable=True)
    assert isinstance(sliceable, ffi.CData) and len(sliceable) == 10
    rest = sliceable[4:10]
    assert ffi.buffer(rest)[:] == data[4:]
    assert ffi.cast("char *", rest) == ffi.cast("char *", sliceable) + 4  # the same memory, not a copy


@pytest.mark.parametrize("data", [bytearray(b"abcd"), memoryview(b"xabcdx")[1:5], array.array("i", [1, 2])])
def test_other_buffers_become_views_sized_in_bytes(data: object) -> None:
    view = ll.view(data)
    assert isinstance(view, ffi.CData)
    assert len(view) == memoryview(data).nbytes  # type: ignore[arg-type]
    assert ffi.buffer(view)[:] == memoryview(data).tobytes()  # type: ignore[arg-type]


@pytest.mark.parametrize("data", ["text", 42, None])
def test_what_is_not_bytes_like_is_refused_with_the_stdlib_message(data: object) -> None:
    with pytest.raises(TypeError, match="a bytes-like object is required"):
        ll.view(data)
