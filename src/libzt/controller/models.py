# SPDX-License-Identifier: Apache-2.0
"""Network and member records: zerotier-one's JSON objects, their defaults, and POST updates.

Records are plain ``dict``s holding exactly the JSON that zerotier-one's embedded controller stores and
serves (docs/protocol/vl2.md §8.4/§8.5; the captured ``network.json``/``member_*.json`` match field for field,
including oddities such as ``"authTokens": [null]`` and ``"dns": []`` for "none").

Updates follow the reference's ``networkUpdateFromPostData`` and member POST: only known writable
fields are taken, unknown and read-only ones (``id``, ``revision``, ``creationTime``...) are ignored so
that a client may POST back what it got. Unlike the reference, a writable field of the wrong type or
out of range is refused with :class:`InvalidField` instead of being coerced or silently dropped.
Partial ``v6AssignMode`` objects update only the keys they name (the reference drops the others).
"""
from __future__ import annotations

import copy
from typing import Any, Optional

from libzt.controller import rules as rules_mod
from libzt.controller._validate import (
    InvalidField,
    expect_bool,
    expect_hex,
    expect_int,
    expect_list,
    expect_object,
    expect_str,
    ip_string,
    parse_cidr,
    parse_ip,
    type_name,
)
from libzt.netconf import MAX_CAPABILITIES, MAX_DNS_SERVERS, MAX_ROUTES, MAX_TAGS  # what one config can carry

Record = dict[str, Any]

DEFAULT_MTU = 2800  # ZT_DEFAULT_MTU
MIN_MTU = 1280
MAX_MTU = 10000
MAX_POOLS = 1024
MAX_IP_ASSIGNMENTS = 1024
MAX_NAME_BYTES = 127  # the config's name field holds 127 bytes and a NUL
MAX_DOMAIN_BYTES = 127
UINT32 = 2**32 - 1
INT64_MAX = 2**63 - 1

# Fields that depend on the moment or the request, never compared when deciding "did it change?".
_VOLATILE = ("revision",)


def nwid_str(nwid: int) -> str:
    return f"{nwid:016x}"


def address_str(address: int) -> str:
    return f"{address:010x}"


def new_network(nwid: int, now: int) -> Record:
    """A network as ``DB::initNetwork`` makes it (revision 0: the first save makes it 1)."""
    return {
        "authTokens": [None],
        "authorizationEndpoint": "",
        "capabilities": [],
        "clientId": "",
        "creationTime": now,
        "dns": [],
        "enableBroadcast": True,
        "id": nwid_str(nwid),
        "ipAssignmentPools": [],
        "mtu": DEFAULT_MTU,
        "multicastLimit": 32,
        "name": "",
        "nwid": nwid_str(nwid),
        "objtype": "network",
        "private": True,
        "remoteTraceLevel": 0,
        "remoteTraceTarget": None,
        "revision": 0,
        "routes": [],
        "rules": [{"not": False, "or": False, "type": "ACTION_ACCEPT"}],
        "rulesSource": "",
        "ssoEnabled": False,
        "tags": [],
        "v4AssignMode": {"zt": False},
        "v6AssignMode": {"6plane": False, "rfc4193": False, "zt": False},
    }


def new_member(nwid: int, address: int, now: int) -> Record:
    """A member as ``DB::initMember`` makes it, with its id fields set."""
    return {
        "activeBridge": False,
        "address": address_str(address),
        "authenticationExpiryTime": 0,
        "authorized": False,
        "capabilities": [],
        "creationTime": now,
        "id": address_str(address),
        "ipAssignments": [],
        "lastAuthorizedCredential": None,
        "lastAuthorizedCredentialType": None,
        "lastAuthorizedTime": 0,
        "lastDeauthorizedTime": 0,
        "noAutoAssignIps": False,
        "nwid": nwid_str(nwid),
        "objtype": "member",
        "remoteTraceLevel": 0,
        "remoteTraceTarget": None,
        "revision": 0,
        "ssoExempt": False,
        "tags": [],
        "vMajor": -1,
        "vMinor": -1,
        "vProto": -1,
        "vRev": -1,
    }


def same_record(a: Record, b: Record) -> bool:
    """Equal apart from the revision counter (FileDB's ``_compareRecords``)."""
    return {k: v for k, v in a.items() if k not in _VOLATILE} == {k: v for k, v in b.items() if k not in _VOLATILE}


# ---- network fields ---------------------------------------------------------------------------------


def _trace_target(value: Any, field: str) -> Optional[str]:
    if value is None or value == "":
        return None
    return address_str(expect_hex(value, field, 10))


def _v4_assign_mode(value: Any) -> dict[str, bool]:
    if isinstance(value, str):  # legacy: "zt" or anything else
        return {"zt": value == "zt"}
    obj = expect_object(value, "v4AssignMode")
    return {"zt": expect_bool(obj.get("zt", False), "v4AssignMode.zt")}


def _v6_assign_mode(value: Any, current: Any) -> dict[str, bool]:
    modes = ("6plane", "rfc4193", "zt")
    if isinstance(value, str):  # legacy: a comma-separated list of the modes that are on
        named = {m.strip() for m in value.split(",") if m.strip()}
        return {m: m in named for m in modes}
    obj = expect_object(value, "v6AssignMode")
    base = current if isinstance(current, dict) else {}
    out = {m: bool(base.get(m, False)) for m in modes}
    for m in modes:
        if m in obj:
            out[m] = expect_bool(obj[m], f"v6AssignMode.{m}")
    return out


def _routes(value: Any) -> list[Record]:
    out = []
    for i, route in enumerate(expect_list(value, "routes", MAX_ROUTES)):
        field = f"routes[{i}]"
        route = expect_object(route, field)
        if "target" not in route:
            raise InvalidField(f"{field}.target", "missing (a CIDR such as 10.147.17.0/24)")
        target, bits = parse_cidr(route["target"], f"{field}.target")
        via = route.get("via")
        via_text = None
        if via is not None and via != "":
            via_ip = parse_ip(via, f"{field}.via")
            if via_ip.version != target.version:
                raise InvalidField(f"{field}.via", f"IPv{via_ip.version} gateway for an IPv{target.version} target")
            via_text = ip_string(via_ip)
        out.append({"target": f"{ip_string(target)}/{bits}", "via": via_text})
    return out


def _pools(value: Any) -> list[Record]:
    out = []
    for i, pool in enumerate(expect_list(value, "ipAssignmentPools", MAX_POOLS)):
        field = f"ipAssignmentPools[{i}]"
        pool = expect_object(pool, field)
        for key in ("ipRangeStart", "ipRangeEnd"):
            if key not in pool:
                raise InvalidField(f"{field}.{key}", "missing")
        start = parse_ip(pool["ipRangeStart"], f"{field}.ipRangeStart")
        end = parse_ip(pool["ipRangeEnd"], f"{field}.ipRangeEnd")
        if start.version != end.version:
            raise InvalidField(field, "ipRangeStart and ipRangeEnd must be of the same family")
        if int(end) < int(start):
            raise InvalidField(field, f"ipRangeEnd {end} is below ipRangeStart {start}")
        out.append({"ipRangeEnd": ip_string(end), "ipRangeStart": ip_string(start)})
    return out


def _auth_tokens(value: Any) -> Any:
    # The reference's "no tokens" is the odd value [null]; a client that POSTs back what it read sends
    # that, so null, [] and [null] all mean "none".
    if value is None or (isinstance(value, list) and all(v is None for v in value)):
        return [None]
    obj = expect_object(value, "authTokens")
    tokens = {}
    for token, expires in obj.items():
        expect_str(token, "authTokens key", 255)
        if not token:
            raise InvalidField("authTokens", "empty token")
        tokens[token] = expect_int(expires, f"authTokens[{token!r}]", 0, INT64_MAX)
    return tokens if tokens else [None]


def _capabilities(value: Any) -> list[Record]:
    by_id: dict[int, Record] = {}
    for i, cap in enumerate(expect_list(value, "capabilities", MAX_CAPABILITIES)):
        field = f"capabilities[{i}]"
        cap = expect_object(cap, field)
        cap_id = expect_int(cap.get("id", 0), f"{field}.id", 0, UINT32)
        default = expect_bool(cap.get("default", False), f"{field}.default")
        cap_rules = rules_mod.normalize_rules(cap.get("rules", []), f"{field}.rules", rules_mod.MAX_CAPABILITY_RULES)
        by_id[cap_id] = {"default": default, "id": cap_id, "rules": cap_rules}
    return [by_id[k] for k in sorted(by_id)]


def _network_tags(value: Any) -> list[Record]:
    by_id: dict[int, Record] = {}
    for i, tag in enumerate(expect_list(value, "tags", MAX_TAGS)):
        field = f"tags[{i}]"
        tag = expect_object(tag, field)
        tag_id = expect_int(tag.get("id", 0), f"{field}.id", 0, UINT32)
        default = tag.get("default")
        if default is not None:
            default = expect_int(default, f"{field}.default", 0, UINT32)
        by_id[tag_id] = {"default": default, "id": tag_id}
    return [by_id[k] for k in sorted(by_id)]


def _dns(value: Any) -> Any:
    if value is None or value == []:
        return []  # the reference's "no DNS"
    obj = expect_object(value, "dns")
    domain = expect_str(obj.get("domain", ""), "dns.domain", MAX_DOMAIN_BYTES)
    servers = [ip_string(parse_ip(s, f"dns.servers[{i}]"))
               for i, s in enumerate(expect_list(obj.get("servers", []), "dns.servers", MAX_DNS_SERVERS))]
    return {"domain": domain, "servers": servers}


def _mtu(value: Any) -> int:
    # Clamped, not refused: the reference clamps, and "as large as allowed" is a common wish.
    return max(MIN_MTU, min(MAX_MTU, expect_int(value, "mtu", 0, UINT32)))


_NETWORK_FIELDS = {
    "name": lambda v, cur: expect_str(v, "name", MAX_NAME_BYTES),
    "private": lambda v, cur: expect_bool(v, "private"),
    "enableBroadcast": lambda v, cur: expect_bool(v, "enableBroadcast"),
    "multicastLimit": lambda v, cur: expect_int(v, "multicastLimit", 0, UINT32),
    "mtu": lambda v, cur: _mtu(v),
    "remoteTraceTarget": lambda v, cur: _trace_target(v, "remoteTraceTarget"),
    "remoteTraceLevel": lambda v, cur: expect_int(v, "remoteTraceLevel", 0, 255),
    "v4AssignMode": lambda v, cur: _v4_assign_mode(v),
    "v6AssignMode": _v6_assign_mode,
    "routes": lambda v, cur: _routes(v),
    "ipAssignmentPools": lambda v, cur: _pools(v),
    "rules": lambda v, cur: rules_mod.normalize_rules(v),
    "rulesSource": lambda v, cur: expect_str(v, "rulesSource", 1 << 20),
    "authTokens": lambda v, cur: _auth_tokens(v),
    "capabilities": lambda v, cur: _capabilities(v),
    "tags": lambda v, cur: _network_tags(v),
    "dns": lambda v, cur: _dns(v),
    # Not writable in the reference's POST (only its PostgreSQL backend sets it), read by the request
    # path: accepted here so a self-hosted network can widen its credential window.
    "certificateTimeoutWindowSize": lambda v, cur: expect_int(v, "certificateTimeoutWindowSize", 0, INT64_MAX),
}
NETWORK_WRITABLE = tuple(sorted(_NETWORK_FIELDS))


def update_network(record: Record, body: Any) -> Record:
    """The network after applying a POST body; ``record`` itself is left alone."""
    body = _body_object(body)
    out = copy.deepcopy(record)
    for key, parse in _NETWORK_FIELDS.items():
        if key in body:
            out[key] = parse(body[key], out.get(key))
    return out


# ---- member fields ----------------------------------------------------------------------------------


def _ip_assignments(value: Any) -> list[str]:
    out: list[str] = []
    for i, ip in enumerate(expect_list(value, "ipAssignments", MAX_IP_ASSIGNMENTS)):
        text = ip_string(parse_ip(ip, f"ipAssignments[{i}]"))
        if text not in out:
            out.append(text)
    return out


def _member_tags(value: Any) -> list[list[int]]:
    by_id: dict[int, int] = {}
    for i, pair in enumerate(expect_list(value, "tags", MAX_TAGS)):
        field = f"tags[{i}]"
        if not isinstance(pair, list) or len(pair) != 2:
            raise InvalidField(field, f"expected [id, value], got {type_name(pair)}")
        by_id[expect_int(pair[0], f"{field}[0]", 0, UINT32)] = expect_int(pair[1], f"{field}[1]", 0, UINT32)
    return [[k, by_id[k]] for k in sorted(by_id)]


def _member_capabilities(value: Any) -> list[int]:
    ids = {expect_int(c, f"capabilities[{i}]", 0, UINT32)
           for i, c in enumerate(expect_list(value, "capabilities", MAX_CAPABILITIES))}
    return sorted(ids)


_MEMBER_FIELDS = {
    "activeBridge": lambda v: expect_bool(v, "activeBridge"),
    "noAutoAssignIps": lambda v: expect_bool(v, "noAutoAssignIps"),
    "authenticationExpiryTime": lambda v: expect_int(v, "authenticationExpiryTime", 0, INT64_MAX),
    "name": lambda v: expect_str(v, "name", 1024),
    "remoteTraceTarget": lambda v: _trace_target(v, "remoteTraceTarget"),
    "remoteTraceLevel": lambda v: expect_int(v, "remoteTraceLevel", 0, 255),
    "ipAssignments": _ip_assignments,
    "tags": _member_tags,
    "capabilities": _member_capabilities,
}
MEMBER_WRITABLE = tuple(sorted([*_MEMBER_FIELDS, "authorized"]))


def update_member(record: Record, body: Any, now: int) -> Record:
    """The member after applying a POST body. A change of ``authorized`` stamps the time and, when
    granted, records the credential type "api" (as the reference does)."""
    body = _body_object(body)
    parsed = {key: parse(body[key]) for key, parse in _MEMBER_FIELDS.items() if key in body}
    authorized = expect_bool(body["authorized"], "authorized") if "authorized" in body else None
    out = copy.deepcopy(record)
    out.update(parsed)
    if authorized is not None and authorized != bool(out.get("authorized", False)):
        out["authorized"] = authorized
        if authorized:
            out["lastAuthorizedTime"] = now
            out["lastAuthorizedCredentialType"] = "api"
            out["lastAuthorizedCredential"] = None
        else:
            out["lastDeauthorizedTime"] = now
    return out


def _body_object(body: Any) -> dict[str, Any]:
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise InvalidField("body", f"expected a JSON object, got {type_name(body)}")
    return body
