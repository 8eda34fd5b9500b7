# SPDX-License-Identifier: Apache-2.0
"""A network's raw Ethernet frames (``ztx_tap_*`` of ``ext/cdef/x_ext.h``), as bytes."""
from __future__ import annotations

from typing import Optional

from libzt._bindings import ffi, lib
from libzt._bindings.calls import check
from libzt.errors import NoResultError


def enable(network_id: int) -> None:
    check(lib.ztx_tap_enable(network_id, 1), "tap")


def disable(network_id: int) -> None:
    lib.ztx_tap_enable(network_id, 0)  # no error to report: a network left meanwhile has no tap either


def read(network_id: int, capacity: int, timeout: Optional[float]) -> Optional[bytes]:
    """The next frame (up to ``capacity`` bytes), or None when ``timeout`` seconds pass without one
    (None: wait forever)."""
    buf = ffi.new("uint8_t[]", capacity)
    size = ffi.new("size_t *", capacity)
    ms = -1 if timeout is None else max(0, int(timeout * 1000))
    rc = lib.ztx_tap_read(network_id, buf, size, ms)
    if rc == lib.ZTS_ERR_NO_RESULT:
        return None
    check(rc, "tap read")
    return bytes(ffi.buffer(buf, size[0]))


def write(network_id: int, frame: bytes) -> None:
    rc = lib.ztx_tap_write(network_id, frame, len(frame))
    if rc == lib.ZTS_ERR_NO_RESULT:
        raise NoResultError(f"not a member of network {network_id:016x}")
    check(rc, "tap write: the network refused the frame (no config yet, rules, or not our MAC)")
