# SPDX-License-Identifier: Apache-2.0
"""The network controller's binding to the core (ext/cdef/x_controller.h, x_python.h).

* ``_libzt_controller_handler`` (declared ``extern "Python"`` in ext/cdef/x_python.h) receives each
  ``ztx_config_request_t`` on the core's event thread, copies it into a :class:`ConfigRequest` and hands
  it to the installed controller's ``submit`` (which only queues).
* :class:`NativeCoreLink` answers through ``ztx_controller_respond`` / ``_respond_error`` / ``_push`` /
  ``_revoke``, filling ``ztx_netconf_spec_t`` from a :class:`NetconfSpec`.
"""
from __future__ import annotations

import logging
import threading
from typing import Any, Callable, Optional, Sequence

from libzt._bindings import calls as ll
from libzt._bindings import ffi, lib
from libzt.controller._validate import InvalidField
from libzt.controller.netconf import ConfigRequest, NetconfError, NetconfSpec, parse_dictionary

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
        metadata=parse_dictionary(metadata),
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


def _put_str(dest: Any, value: str, size: int, field: str) -> None:
    raw = value.encode("utf-8")
    if len(raw) >= size:
        raise InvalidField(field, f"longer than {size - 1} bytes")
    ffi.memmove(dest, raw + b"\x00", len(raw) + 1)


def _check_count(items: Sequence[Any], limit: int, field: str) -> None:
    if len(items) > limit:
        raise InvalidField(field, f"at most {limit} entries, got {len(items)}")


def spec_to_c(spec: NetconfSpec) -> tuple[Any, list[Any]]:
    """A ``ztx_netconf_spec_t *`` for ``spec`` and the buffers it points into (keep both alive until
    the call returns)."""
    c = ffi.new("ztx_netconf_spec_t *")
    keep: list[Any] = []
    c.network_id = spec.network_id
    c.member_id = spec.member_id
    c.timestamp = spec.timestamp
    c.credential_time_max_delta = spec.credential_time_max_delta
    c.revision = spec.revision
    c.is_private = int(spec.is_private)
    _put_str(c.name, spec.name, 128, "name")
    c.mtu = spec.mtu
    c.multicast_limit = spec.multicast_limit
    c.flags = spec.flags
    c.remote_trace_target = spec.remote_trace_target
    c.remote_trace_level = spec.remote_trace_level

    _check_count(spec.static_ips, len(c.static_ips), "static_ips")
    c.static_ip_count = len(spec.static_ips)
    for i, ip in enumerate(spec.static_ips):
        _put_str(c.static_ips[i].ip, ip.ip, lib.ZTX_IP_STRING_LEN, "static_ips.ip")
        c.static_ips[i].bits = ip.bits

    _check_count(spec.routes, len(c.routes), "routes")
    c.route_count = len(spec.routes)
    for i, r in enumerate(spec.routes):
        _put_str(c.routes[i].target, r.target, lib.ZTX_IP_STRING_LEN, "routes.target")
        c.routes[i].bits = r.bits
        _put_str(c.routes[i].via, r.via, lib.ZTX_IP_STRING_LEN, "routes.via")
        c.routes[i].flags = r.flags
        c.routes[i].metric = r.metric

    _check_count(spec.specialists, len(c.specialists), "specialists")
    c.specialist_count = len(spec.specialists)
    for i, s in enumerate(spec.specialists):
        c.specialists[i] = s

    rules = ffi.new("uint8_t[]", spec.rules or b"\x00")  # never a NULL pointer; the length says 0
    keep.append(rules)
    c.rules = rules
    c.rules_len = len(spec.rules)

    _check_count(spec.capabilities, len(c.capabilities), "capabilities")
    c.capability_count = len(spec.capabilities)
    for i, cap in enumerate(spec.capabilities):
        buf = ffi.new("uint8_t[]", cap.rules or b"\x00")
        keep.append(buf)
        c.capabilities[i].id = cap.id
        c.capabilities[i].rules = buf
        c.capabilities[i].rules_len = len(cap.rules)

    _check_count(spec.tags, len(c.tags), "tags")
    c.tag_count = len(spec.tags)
    for i, tag in enumerate(spec.tags):
        c.tags[i].id = tag.id
        c.tags[i].value = tag.value

    _put_str(c.dns_domain, spec.dns_domain, 128, "dns_domain")
    _check_count(spec.dns_servers, len(c.dns_servers), "dns_servers")
    c.dns_server_count = len(spec.dns_servers)
    for i, server in enumerate(spec.dns_servers):
        _put_str(c.dns_servers[i], server, lib.ZTX_IP_STRING_LEN, "dns_servers")
    return c, keep


_ERRORS = {
    NetconfError.NOT_FOUND: "ZTX_NC_ERR_NOT_FOUND",
    NetconfError.ACCESS_DENIED: "ZTX_NC_ERR_ACCESS_DENIED",
    NetconfError.UNSUPPORTED: "ZTX_NC_ERR_UNSUPPORTED",
}


def error_to_c(error: NetconfError) -> int:
    return int(getattr(lib, _ERRORS[error]))


class NativeCoreLink:
    """The CoreLink of a controller running inside this process's node."""

    def respond(self, request_id: int, spec: NetconfSpec) -> None:
        c, keep = spec_to_c(spec)
        ll.check(lib.ztx_controller_respond(request_id, c), "ztx_controller_respond")
        del keep

    def respond_error(self, request_id: int, error: NetconfError) -> None:
        ll.check(lib.ztx_controller_respond_error(request_id, error_to_c(error)), "ztx_controller_respond_error")

    def push(self, spec: NetconfSpec) -> None:
        c, keep = spec_to_c(spec)
        ll.check(lib.ztx_controller_push(c), "ztx_controller_push")
        del keep

    def revoke(self, network_id: int, member_id: int, notify: Sequence[int]) -> None:
        ids = ffi.new("uint64_t[]", list(notify) or [0])
        ll.check(lib.ztx_controller_revoke(network_id, member_id, ids, len(notify)), "ztx_controller_revoke")
