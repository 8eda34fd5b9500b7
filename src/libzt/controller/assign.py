# SPDX-License-Identifier: Apache-2.0
"""The controller's answer to one config request: who may join, and with what config.

:func:`decide` is zerotier-one's ``EmbeddedNetworkController::_request`` as a pure function of the
request, the stored network and member, and a summary of the other members: it returns a
:class:`Grant` (the :class:`NetconfSpec` to send and the member record to save) or a
:class:`Refusal`. No I/O happens here, so every rule of the reference can be tested with plain data.

Order of the static IPs a member gets (docs/protocol/vl2.md §7.2): RFC4193, 6PLANE, the member's ``ipAssignments`` that
fall inside a route (with that route's prefix length), then one auto-assigned IPv6 and one IPv4 from
the pools unless the member already has one of that family. IPv4 auto-assignment is deterministic: the
walk through the pool starts at the low 32 bits of the member's address, so a given member always
asks for the same address first.

Not implemented (the C API has no way to send it): SSO / AUTHENTICATION_REQUIRED; ``ssoEnabled`` is not
writable through our API, so networks here never need it.
"""
from __future__ import annotations

import copy
import ipaddress
import secrets
from dataclasses import dataclass
from typing import Any, Callable, Container, Iterable, Optional, Union

from libzt.controller import rules as rules_mod
from libzt.controller._validate import ip_string
from libzt.controller.models import MAX_MTU, MIN_MTU, Record, address_str, new_member, nwid_str
from libzt.controller.netconf import (
    FLAG_ENABLE_BROADCAST,
    FLAG_ENABLE_IPV6_NDP_EMULATION,
    MAX_CAPABILITIES,
    MAX_DNS_SERVERS,
    MAX_ROUTES,
    MAX_SPECIALISTS,
    MAX_STATIC_IPS,
    MAX_TAGS,
    SPECIALIST_ACTIVE_BRIDGE,
    ConfigRequest,
    NetconfSpec,
    RefusalCode,
    Route,
)

CREDENTIAL_WINDOW_DEFAULT = 30 * 60 * 1000  # ms; ZT_NETWORKCONFIG_DEFAULT_CREDENTIAL_TIME_DFL_MAX_DELTA
CREDENTIAL_WINDOW_MIN = 5 * 60 * 1000
CREDENTIAL_WINDOW_MAX = 2 * 60 * 60 * 1000
AUTO_ASSIGN_TRIALS = 1000

IPNetwork = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]
IPAddress = Union[ipaddress.IPv4Address, ipaddress.IPv6Address]


@dataclass
class Grant:
    spec: NetconfSpec
    member: Record  # to save (the store bumps its revision only if it really changed)


@dataclass
class Refusal:
    error: RefusalCode
    member: Optional[Record] = None  # to save, if the request taught us something (new member, identity)


Decision = Union[Grant, Refusal]


@dataclass
class NetworkSummary:
    """What the decision needs to know about the other members of the network."""

    active_bridges: list[int]
    # Every member's ipAssignments (anything supporting ``in``); called only to auto-assign.
    allocated_ips: Callable[[], Container[str]]


# ---- address formulas (docs/protocol/vl2.md §7.1) -------------------------------------------------------------------


def rfc4193_address(nwid: int, address: int) -> ipaddress.IPv6Address:
    raw = b"\xfd" + nwid.to_bytes(8, "big") + b"\x99\x93" + address.to_bytes(5, "big")
    return ipaddress.IPv6Address(raw)


def sixplane_address(nwid: int, address: int) -> ipaddress.IPv6Address:
    folded = (nwid ^ (nwid >> 32)) & 0xFFFFFFFF
    raw = b"\xfc" + folded.to_bytes(4, "big") + address.to_bytes(5, "big") + bytes(5) + b"\x01"
    return ipaddress.IPv6Address(raw)


# ---- small helpers ----------------------------------------------------------------------------------


def public_identity(identity: str) -> str:
    """``address:0:public`` of an identity string (drops a private part, normalises case)."""
    return ":".join(identity.strip().lower().split(":")[:3])


def _route_network(target: IPAddress, bits: int) -> IPNetwork:
    return ipaddress.ip_network(f"{target}/{bits}", strict=False)


@dataclass(frozen=True)
class _Route:
    target: IPAddress  # as written, host bits included
    bits: int
    via: Optional[IPAddress]

    def contains(self, ip: IPAddress) -> bool:
        return ip.version == self.target.version and ip in _route_network(self.target, self.bits)


def _parse_routes(network: Record) -> list[_Route]:
    out = []
    for r in network.get("routes") or []:
        try:
            text, _, bits = str(r["target"]).partition("/")
            target = ipaddress.ip_address(text)
            via_text = r.get("via")
            via = ipaddress.ip_address(via_text) if via_text else None
            out.append(_Route(target, int(bits or 0), via if via is None or via.version == target.version else None))
        except (KeyError, TypeError, ValueError):
            continue  # stored by an older version or by hand: skip it as the reference would
        if len(out) >= MAX_ROUTES:
            break
    return out


def _pools(network: Record, version: int) -> Iterable[tuple[int, int]]:
    for p in network.get("ipAssignmentPools") or []:
        try:
            start = ipaddress.ip_address(p["ipRangeStart"])
            end = ipaddress.ip_address(p["ipRangeEnd"])
        except (KeyError, TypeError, ValueError):
            continue
        if start.version == version and end.version == version:
            yield int(start), int(end)


def _clamp(value: int, lo: int, hi: int) -> int:
    return max(lo, min(hi, value))


def _as_int(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


# ---- the decision -----------------------------------------------------------------------------------


def decide(
    request: ConfigRequest,
    network: Optional[Record],
    member: Optional[Record],
    summary: NetworkSummary,
    now: int,
) -> Decision:
    nwid, address = request.network_id, request.member_id
    if network is None:
        return Refusal(RefusalCode.NOT_FOUND)

    is_new = member is None
    member = new_member(nwid, address, now) if member is None else copy.deepcopy(member)

    # Identity pinning: once a member's identity is known, an address collision cannot take its place.
    presented = public_identity(request.identity)
    known = member.get("identity")
    if known:
        if public_identity(str(known)) != presented:
            return Refusal(RefusalCode.ACCESS_DENIED)
    else:
        member["identity"] = presented
    member["id"] = member["address"] = address_str(address)
    member["nwid"] = nwid_str(nwid)

    if not _authorize(request, network, member, now):
        return Refusal(RefusalCode.ACCESS_DENIED, member)

    if request.request_id:  # a genuine request (not a push): remember the member's software version
        member["vMajor"] = request.meta_int("majv")
        member["vMinor"] = request.meta_int("minv")
        member["vRev"] = request.meta_int("revv")
        member["vProto"] = request.meta_int("pv")

    spec = _base_spec(request, network, member, summary, now)
    if request.meta_int("revr") <= 0:
        # No rules engine on the member: allow everything (members with one still filter inbound).
        spec.rules = rules_mod.ACCEPT_ALL
    else:
        spec.rules = rules_mod.encode_rules((network.get("rules") or [])[: rules_mod.MAX_NETWORK_RULES])
        spec.capabilities = _capabilities(network, member, is_new)
        spec.tags = _tags(network, member)

    routes = _parse_routes(network)
    # Targets travel as written, host bits included (an interface, not a network), as the reference sends them.
    spec.routes = [Route(ipaddress.ip_interface((r.target, r.bits)), r.via) for r in routes]
    _assign_ips(spec, network, member, routes, summary)
    _dns(spec, network)
    return Grant(spec, member)


def _authorize(request: ConfigRequest, network: Record, member: Record, now: int) -> bool:
    if member.get("authorized") is True:
        return True
    credential_type, credential = None, None
    if network.get("private", True) is False:
        credential_type = "public"
    else:
        presented = request.metadata.get("a", "")
        if presented.startswith("token:") and len(presented) > 6:
            token = presented[6:]
            tokens = network.get("authTokens")
            expires = tokens.get(token) if isinstance(tokens, dict) else None
            if _as_int(expires, -1) == 0 or _as_int(expires, -1) > now:
                credential_type, credential = "token", token
    if credential_type is None:
        return False
    member["authorized"] = True
    member["lastAuthorizedTime"] = now
    member["lastAuthorizedCredentialType"] = credential_type
    member["lastAuthorizedCredential"] = credential
    return True


def _base_spec(request: ConfigRequest, network: Record, member: Record, summary: NetworkSummary,
               now: int) -> NetconfSpec:
    window = _as_int(network.get("certificateTimeoutWindowSize"), CREDENTIAL_WINDOW_DEFAULT)
    flags = FLAG_ENABLE_BROADCAST if network.get("enableBroadcast", True) is not False else 0
    spec = NetconfSpec(
        network_id=request.network_id,
        member_id=request.member_id,
        timestamp=now,
        credential_time_max_delta=_clamp(window, CREDENTIAL_WINDOW_MIN, CREDENTIAL_WINDOW_MAX),
        revision=_as_int(network.get("revision"), 0),
        private=network.get("private", True) is not False,
        name=str(network.get("name") or "")[:127],
        mtu=_clamp(_as_int(network.get("mtu"), 2800), MIN_MTU, MAX_MTU),
        multicast_limit=_clamp(_as_int(network.get("multicastLimit"), 32), 0, 2**32 - 1),
        flags=flags,
    )
    # A member's own trace target wins over the network's.
    source = member if _trace_target(member) is not None else network
    spec.remote_trace_target = _trace_target(source) or 0
    spec.remote_trace_level = _clamp(_as_int(source.get("remoteTraceLevel"), 0), 0, 255)
    spec.specialists = [a | SPECIALIST_ACTIVE_BRIDGE for a in sorted(summary.active_bridges)][:MAX_SPECIALISTS]
    return spec


def _trace_target(record: Record) -> Optional[int]:
    value = record.get("remoteTraceTarget")
    if isinstance(value, str) and len(value) == 10:
        try:
            return int(value, 16)
        except ValueError:
            return None
    return None


def _capabilities(network: Record, member: Record, is_new: bool) -> list[tuple[int, bytes]]:
    caps_by_id: dict[int, Record] = {}
    member_caps = member.get("capabilities")
    if not isinstance(member_caps, list):
        member_caps = member["capabilities"] = []
    for cap in network.get("capabilities") or []:
        if not isinstance(cap, dict):
            continue
        cap_id = _as_int(cap.get("id"), 0) & 0xFFFFFFFF
        caps_by_id[cap_id] = cap
        # A new member gets every capability marked default (and keeps it in its record).
        if is_new and cap.get("default") is True and cap_id not in member_caps:
            member_caps.append(cap_id)
    out = []
    for cap_id in member_caps:
        cap = caps_by_id.get(_as_int(cap_id, -1))
        if cap is None:
            continue
        cap_rules = (cap.get("rules") or [])[: rules_mod.MAX_CAPABILITY_RULES]
        out.append((cap_id, rules_mod.encode_rules(cap_rules)))
        if len(out) >= MAX_CAPABILITIES:
            break
    return out


def _tags(network: Record, member: Record) -> list[tuple[int, int]]:
    member_tags = member.get("tags")
    if not isinstance(member_tags, list):
        member_tags = member["tags"] = []
    values: dict[int, int] = {}
    for pair in member_tags:
        if isinstance(pair, list) and len(pair) == 2:
            values[_as_int(pair[0], 0) & 0xFFFFFFFF] = _as_int(pair[1], 0) & 0xFFFFFFFF
    for tag in network.get("tags") or []:
        if not isinstance(tag, dict):
            continue
        tag_id = _as_int(tag.get("id"), 0) & 0xFFFFFFFF
        default = tag.get("default")
        # A network default fills in a tag the member lacks, and is remembered in the member record.
        if isinstance(default, int) and not isinstance(default, bool) and tag_id not in values:
            values[tag_id] = default & 0xFFFFFFFF
            member_tags.append([tag_id, default])
    return [(k, values[k]) for k in sorted(values)][:MAX_TAGS]


def _assign_ips(spec: NetconfSpec, network: Record, member: Record, routes: list[_Route],
                summary: NetworkSummary) -> None:
    nwid, address = spec.network_id, spec.member_id
    no_auto = member.get("noAutoAssignIps") is True
    v6_mode = network.get("v6AssignMode") if isinstance(network.get("v6AssignMode"), dict) else {}
    v4_mode = network.get("v4AssignMode") if isinstance(network.get("v4AssignMode"), dict) else {}

    def add(ip: IPAddress, bits: int) -> None:
        if len(spec.static_ips) < MAX_STATIC_IPS:
            spec.static_ips.append(ipaddress.ip_interface((ip, bits)))

    if not no_auto:
        if v6_mode.get("rfc4193") is True:
            add(rfc4193_address(nwid, address), 88)
            spec.flags |= FLAG_ENABLE_IPV6_NDP_EMULATION
        if v6_mode.get("6plane") is True:
            add(sixplane_address(nwid, address), 40)
            spec.flags |= FLAG_ENABLE_IPV6_NDP_EMULATION

    have_v4 = have_v6 = False
    assignments = member.get("ipAssignments")
    if not isinstance(assignments, list):
        assignments = member["ipAssignments"] = []
    for text in assignments:
        try:
            ip = ipaddress.ip_address(text)
        except (TypeError, ValueError):
            continue
        bits = max((r.bits for r in routes if r.contains(ip)), default=-1)  # the most specific route
        if bits >= 0:  # addresses outside every route stay in the record but are not sent
            add(ip, bits)
            have_v4 |= ip.version == 4
            have_v6 |= ip.version == 6

    pools_v6 = list(_pools(network, 6))
    pools_v4 = list(_pools(network, 4))
    allocated: Optional[Container[str]] = None

    def taken(ip: IPAddress) -> bool:
        nonlocal allocated
        if allocated is None:
            allocated = summary.allocated_ips()
        return ip_string(ip) in allocated or ip_string(ip) in assignments

    if v6_mode.get("zt") is True and not have_v6 and not no_auto:
        for start, end in pools_v6:
            found = _auto_v6(start, end, address, routes, taken)
            if found is not None:
                ip, bits = found
                assignments.append(ip_string(ip))
                add(ip, bits)
                break

    if v4_mode.get("zt") is True and not have_v4 and not no_auto:
        for start, end in pools_v4:
            found = _auto_v4(start, end, address, routes, taken)
            if found is not None:
                ip, bits = found
                assignments.append(ip_string(ip))
                add(ip, bits)
                break


def _auto_v6(start: int, end: int, address: int, routes: list[_Route],
             taken: Callable[[IPAddress], bool]) -> Optional[tuple[IPAddress, int]]:
    s_hi, s_lo = start >> 64, start & (2**64 - 1)
    e_hi, e_lo = end >> 64, end & (2**64 - 1)
    for trial in range(AUTO_ASSIGN_TRIALS):
        if trial == 0 and e_lo > s_lo and e_lo - s_lo >= 0xFFFFFFFFFF:
            # A pool with room for every address: the member's address in the low bits, like 6PLANE.
            hi, lo = s_hi, (s_lo + address) & (2**64 - 1)
        else:
            r = secrets.randbits(128)
            hi = s_hi + ((r >> 64) % (e_hi - s_hi) if e_hi > s_hi else 0)
            lo = s_lo + ((r & (2**64 - 1)) % (e_lo - s_lo) if e_lo > s_lo else 0)
            hi, lo = hi & (2**64 - 1), lo & (2**64 - 1)
        ip = ipaddress.IPv6Address((hi << 64) | lo)
        bits = 0
        for r6 in routes:  # the last on-link IPv6 route that contains it, as the reference picks
            if r6.via is None and r6.contains(ip):
                bits = r6.bits
        if bits > 0 and not taken(ip):
            return ip, bits
    return None


def _auto_v4(start: int, end: int, address: int, routes: list[_Route],
             taken: Callable[[IPAddress], bool]) -> Optional[tuple[IPAddress, int]]:
    if start == 0 or end < start:
        return None
    span = end - start  # the end address itself is never picked when span > 0 (counter % span)
    counter = address & 0xFFFFFFFF
    trials = min(AUTO_ASSIGN_TRIALS, span + 1)
    for _ in range(trials):
        ip_int = start + (counter % span) if span > 0 else start
        counter = (counter + 1) & 0xFFFFFFFF
        if ip_int & 0xFF == 0xFF:
            continue  # never x.x.x.255
        bits = -1
        for r4 in routes:  # the first IPv4 route whose (unmasked) target matches, gateway or not
            if r4.target.version == 4 and 0 < r4.bits <= 32:
                mask = (0xFFFFFFFF << (32 - r4.bits)) & 0xFFFFFFFF
                if ip_int & mask == int(r4.target):
                    bits = r4.bits
                    break
        ip = ipaddress.IPv4Address(ip_int)
        if bits > 0 and not taken(ip):
            return ip, bits
    return None


def _dns(spec: NetconfSpec, network: Record) -> None:
    dns = network.get("dns")
    if not isinstance(dns, dict):
        return
    spec.dns_domain = str(dns.get("domain") or "")[:127]
    servers = dns.get("servers")
    if isinstance(servers, list):
        for s in servers[:MAX_DNS_SERVERS]:
            try:
                spec.dns_servers.append(ip_string(ipaddress.ip_address(s)))
            except (TypeError, ValueError):
                continue
