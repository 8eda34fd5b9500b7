# SPDX-License-Identifier: Apache-2.0
"""What crosses the boundary between the controller and the core, as plain Python data.

:class:`ConfigRequest` mirrors ``ztx_config_request_t`` (a member asking for its network config);
what the controller decides is a :class:`libzt.netconf.NetconfSpec`, the same class the node side uses
(re-exported here), and a refusal is a :class:`RefusalCode`. :mod:`libzt._bindings.controller` copies
them to and from the C structs; nothing here touches cffi.
"""
from __future__ import annotations

import enum
import ipaddress
import logging
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from libzt.errors import NetconfError as _NetconfException
from libzt.netconf import (
    FLAG_ENABLE_BROADCAST,
    FLAG_NDP_EMULATION,
    MAX_CAPABILITIES,
    MAX_DNS_SERVERS,
    MAX_ROUTES,
    MAX_SPECIALISTS,
    MAX_STATIC_IPS,
    MAX_TAGS,
    NetconfSpec,
    Route,
    parse_dictionary,
)

__all__ = [
    "FLAG_ENABLE_BROADCAST",
    "FLAG_ENABLE_IPV6_NDP_EMULATION",
    "MAX_CAPABILITIES",
    "MAX_DNS_SERVERS",
    "MAX_ROUTES",
    "MAX_SPECIALISTS",
    "MAX_STATIC_IPS",
    "MAX_TAGS",
    "SPECIALIST_ACTIVE_BRIDGE",
    "ConfigRequest",
    "NetconfSpec",
    "RefusalCode",
    "Route",
    "parse_dictionary",
    "request_metadata",
]

log = logging.getLogger("libzt.controller")

FLAG_ENABLE_IPV6_NDP_EMULATION = FLAG_NDP_EMULATION  # the name ZeroTier One's controller uses
SPECIALIST_ACTIVE_BRIDGE = 0x020000000000


class RefusalCode(enum.IntEnum):
    """Refusals, as ``ZTX_NC_ERR_*`` (the core sends them as ZeroTier ERROR codes)."""

    NOT_FOUND = 1  # no such network: the member shows NOT_FOUND
    ACCESS_DENIED = 2  # not authorized, or an identity that collides with a known member's
    UNSUPPORTED = 3


def request_metadata(data: bytes) -> dict[str, str]:
    """A config request's metadata Dictionary as text (each byte one character, so binary values
    survive; the first of equal keys wins, as ZeroTier reads it). A malformed one counts as empty:
    the member then gets what a member that says nothing gets."""
    try:
        entries = parse_dictionary(data)
    except _NetconfException as exc:
        log.debug("controller: unreadable request metadata (%s)", exc)
        return {}
    out: dict[str, str] = {}
    for key, value in entries:
        out.setdefault(key, value.decode("latin-1"))
    return out


@dataclass(frozen=True)
class ConfigRequest:
    """A NETWORK_CONFIG_REQUEST handed over by the core (``request_id`` 0: an internal re-run to push
    a changed config to an online member)."""

    request_id: int
    network_id: int
    member_id: int
    identity: str  # the requester's public identity, address:0:public-key-hex
    metadata: dict[str, str] = field(default_factory=dict)
    from_address: str = ""  # "ip/port", "" when relayed
    have_revision: int = 0
    have_timestamp: int = 0

    def meta_int(self, key: str, default: int = 0) -> int:
        """A metadata integer (the Dictionary writes them in hex)."""
        value = self.metadata.get(key)
        if not value:
            return default
        try:
            return int(value, 16)
        except ValueError:
            return default


# ---- names of earlier versions ------------------------------------------------------------------------
# The controller once had its own spec records; the one NetconfSpec takes these shapes instead.


def _managed_ip(ip: str, bits: int) -> Any:
    return ipaddress.ip_interface(f"{ip}/{bits}")


def _managed_route(target: str, bits: int, via: str = "", flags: int = 0, metric: int = 0) -> Route:
    return Route(ipaddress.ip_interface(f"{target}/{bits}"), ipaddress.ip_address(via) if via else None, flags, metric)


def _pair(first: int, second: Any) -> tuple[int, Any]:
    return (first, second)


_DEPRECATED: dict[str, tuple[Any, str]] = {
    "NetconfError": (RefusalCode, "RefusalCode (libzt.NetconfError is the exception)"),
    "ManagedIp": (_managed_ip, "an ipaddress interface in NetconfSpec.static_ips"),
    "ManagedRoute": (_managed_route, "libzt.netconf.Route"),
    "CapabilitySpec": (_pair, "a (capability ID, rules) pair"),
    "TagSpec": (_pair, "a (tag ID, value) pair"),
}


def __getattr__(name: str) -> Any:
    if name in _DEPRECATED:
        value, instead = _DEPRECATED[name]
        warnings.warn(f"libzt.controller.netconf.{name} is deprecated: use {instead}", DeprecationWarning,
                      stacklevel=2)
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> Iterable[str]:
    return sorted([*globals(), *_DEPRECATED])
