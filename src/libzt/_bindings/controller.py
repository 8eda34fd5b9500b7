# SPDX-License-Identifier: Apache-2.0
"""The network controller's binding to the core (ext/cdef/x_controller.h, x_python.h).

* ``_libzt_controller_handler`` (declared ``extern "Python"`` in ext/cdef/x_python.h) receives each
  ``ztx_config_request_t`` on the core's event thread, copies it into a :class:`ConfigRequest` and hands
  it to the installed controller's ``submit`` (which only queues).
* :class:`NativeCoreLink` answers through ``ztx_controller_respond`` / ``_respond_error`` / ``_push`` /
  ``_revoke``, with the ``ztx_netconf_spec_t`` of a :class:`~libzt.netconf.NetconfSpec` (its ``to_c``).
"""
from __future__ import annotations

import logging
import threading
from typing import Any, Callable, Optional, Sequence

from libzt._bindings import calls as ll
from libzt._bindings import ffi, lib
from libzt.controller.netconf import ConfigRequest, NetconfSpec, RefusalCode, request_metadata

log = logging.getLogger("libzt.controller")

Submit = Callable[[ConfigRequest], Any]

_submit_lock = threading.Lock()
_submit: Optional[Submit] = None


def request_from_c(req: Any) -> ConfigRequest:
    """Copy a ``ztx_config_request_t`` (valid only during the callback) into Python data."""
    metadata = bytes(ffi.buffer(req.metadata, req.metadata_len)) if req.metadata != ffi.NULL else b""
    return ConfigRequest(
        request_id=int(req.request_id),
        network_id=int(req.network_id),
        member_id=int(req.member_id),
        identity=ffi.string(req.identity).decode("ascii", "replace"),
        metadata=request_metadata(metadata),
        from_address=ffi.string(getattr(req, "from")).decode("ascii", "replace"),
        have_revision=int(req.have_revision),
        have_timestamp=int(req.have_timestamp),
    )


@ffi.def_extern()
def _libzt_controller_handler(req: Any) -> None:
    # On the core's event thread: copy, queue, return. Nothing may escape into C.
    try:
        with _submit_lock:
            submit = _submit
        if submit is not None:
            submit(request_from_c(req))
    except Exception:  # pragma: no cover - defensive
        log.exception("controller: failed to take a config request")


def install(submit: Optional[Submit]) -> None:
    """Route the core's config requests to ``submit`` (None: stop controlling)."""
    global _submit
    with _submit_lock:
        _submit = submit
    handler = lib._libzt_controller_handler if submit is not None else ffi.NULL
    ll.check(lib.ztx_controller_set_handler(handler), "ztx_controller_set_handler")


_ERRORS = {
    RefusalCode.NOT_FOUND: "ZTX_NC_ERR_NOT_FOUND",
    RefusalCode.ACCESS_DENIED: "ZTX_NC_ERR_ACCESS_DENIED",
    RefusalCode.UNSUPPORTED: "ZTX_NC_ERR_UNSUPPORTED",
}


def error_to_c(error: RefusalCode) -> int:
    return int(getattr(lib, _ERRORS[error]))


class NativeCoreLink:
    """The CoreLink of a controller running inside this process's node."""

    def respond(self, request_id: int, spec: NetconfSpec) -> None:
        c, keep = spec.to_c()
        ll.check(lib.ztx_controller_respond(request_id, c), "ztx_controller_respond")
        del keep

    def respond_error(self, request_id: int, error: RefusalCode) -> None:
        ll.check(lib.ztx_controller_respond_error(request_id, error_to_c(error)), "ztx_controller_respond_error")

    def push(self, spec: NetconfSpec) -> None:
        c, keep = spec.to_c()
        ll.check(lib.ztx_controller_push(c), "ztx_controller_push")
        del keep

    def revoke(self, network_id: int, member_id: int, notify: Sequence[int]) -> None:
        ids = ffi.new("uint64_t[]", list(notify) or [0])
        ll.check(lib.ztx_controller_revoke(network_id, member_id, ids, len(notify)), "ztx_controller_revoke")
