# SPDX-License-Identifier: Apache-2.0
"""What crosses the boundary between the controller and the core, as plain Python data.

:class:`ConfigRequest` mirrors ``ztx_config_request_t`` (a member asking for its network config) and
:class:`NetconfSpec` mirrors ``ztx_netconf_spec_t`` (everything the controller decided; the core adds
the certificate of membership, the certificate of ownership of the static IPs, signs and sends).
:mod:`libzt._bindings.controller` copies them to and from the C structs; nothing here touches cffi.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Optional

# Limits of ztx_netconf_spec_t's arrays (and of a ZeroTier network config).
MAX_STATIC_IPS = 32  # ZT_MAX_ZT_ASSIGNED_ADDRESSES
MAX_ROUTES = 128  # ZT_MAX_NETWORK_ROUTES
MAX_SPECIALISTS = 256  # ZT_MAX_NETWORK_SPECIALISTS
MAX_CAPABILITIES = 128
MAX_TAGS = 128
MAX_DNS_SERVERS = 4

FLAG_ENABLE_BROADCAST = 0x2
FLAG_ENABLE_IPV6_NDP_EMULATION = 0x4
SPECIALIST_ACTIVE_BRIDGE = 0x020000000000


class NetconfError(enum.IntEnum):
    """Refusals, as ``ZTX_NC_ERR_*`` (the core sends them as ZeroTier ERROR codes)."""

    NOT_FOUND = 1  # no such network: the member shows NOT_FOUND
    ACCESS_DENIED = 2  # not authorized, or an identity that collides with a known member's
    UNSUPPORTED = 3


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


@dataclass(frozen=True)
class ManagedIp:
    ip: str
    bits: int


@dataclass(frozen=True)
class ManagedRoute:
    target: str
    bits: int
    via: str = ""  # "" for an on-link route
    flags: int = 0
    metric: int = 0


@dataclass(frozen=True)
class CapabilitySpec:
    id: int
    rules: bytes  # serialized rules


@dataclass(frozen=True)
class TagSpec:
    id: int
    value: int


@dataclass
class NetconfSpec:
    """Everything the controller decides for one member (``ztx_netconf_spec_t``)."""

    network_id: int
    member_id: int
    timestamp: int  # ms
    credential_time_max_delta: int  # ms
    revision: int
    is_private: bool
    name: str
    mtu: int
    multicast_limit: int
    flags: int
    remote_trace_target: int = 0
    remote_trace_level: int = 0
    static_ips: list[ManagedIp] = field(default_factory=list)
    routes: list[ManagedRoute] = field(default_factory=list)
    specialists: list[int] = field(default_factory=list)
    rules: bytes = b""
    capabilities: list[CapabilitySpec] = field(default_factory=list)
    tags: list[TagSpec] = field(default_factory=list)
    dns_domain: str = ""
    dns_servers: list[str] = field(default_factory=list)


# ---- the request's metadata: a ZeroTier Dictionary --------------------------------------------------

_UNESCAPE = {ord("r"): "\r", ord("n"): "\n", ord("0"): "\x00", ord("e"): "="}


def parse_dictionary(data: bytes, limit: Optional[int] = None) -> dict[str, str]:
    """Decode a Dictionary (``key=value`` lines, backslash escapes; the first of duplicate keys wins).

    Values are returned as text decoded byte for byte (latin-1), so binary values survive."""
    out: dict[str, str] = {}
    for line in bytes(data[:limit] if limit else data).replace(b"\r", b"\n").split(b"\n"):
        key, eq, raw = line.partition(b"=")
        if not eq or not key:
            continue
        value, i = [], 0
        while i < len(raw):
            c = raw[i]
            if c == 0x5C and i + 1 < len(raw):  # backslash
                nxt = raw[i + 1]
                value.append(_UNESCAPE.get(nxt, chr(nxt)))
                i += 2
                continue
            if c == 0:
                break
            value.append(chr(c))
            i += 1
        out.setdefault(key.decode("latin-1"), "".join(value))
    return out
