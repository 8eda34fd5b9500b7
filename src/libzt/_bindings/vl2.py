# SPDX-License-Identifier: Apache-2.0
"""VL2: network configs, certificates, credentials, capabilities, rules and config chunks
(``ext/cdef/x_vl2.h``), as bytes, JSON-shaped data and plain fields."""
from __future__ import annotations

from typing import Any, Optional

from libzt._bindings import ffi, lib
from libzt._bindings.calls import JsonValue, as_bytes, bytes_call, check, json_call
from libzt._bindings.identity import IdentityHandle
from libzt._bindings.node import sockaddr_to_tuple
from libzt.errors import ArgumentError

# ---- VL2: network configs, certificates, credentials, rules --------------------------------------

AssemblerHandle = Any  # a cffi ``ztx_config_assembler *`` owning its memory


def _identity_or_null(h: Optional[IdentityHandle]) -> Any:
    return ffi.NULL if h is None else h


def mac_from_address(network_id: int, node_id: int) -> int:
    return int(lib.ztx_mac_from_address(network_id, node_id))


def address_from_mac(network_id: int, mac: int) -> int:
    return int(lib.ztx_address_from_mac(network_id, mac))


def addr_compute(network_id: int, node_id: int, sixplane: bool, err: type[ArgumentError]) -> str:
    ss = ffi.new("struct zts_sockaddr_storage *")
    fn = lib.zts_addr_compute_6plane if sixplane else lib.zts_addr_compute_rfc4193
    check(fn(network_id, node_id, ss), "address computation", err)
    return sockaddr_to_tuple(ss[0])[0]


def net_compute_adhoc_id(start_port: int, end_port: int) -> int:
    return int(lib.zts_net_compute_adhoc_id(start_port, end_port))


def dictionary_parse(data: bytes, err: type[ArgumentError]) -> list[tuple[str, bytes]]:
    raw = as_bytes(data, "dictionary")
    entries = json_call(lambda o, n: lib.ztx_dictionary_parse(raw, len(raw), o, n), "invalid dictionary", err)
    return [(key, bytes.fromhex(value)) for key, value in entries]


def netconf_parse(data: bytes, controller: Optional[IdentityHandle], err: type[ArgumentError]) -> JsonValue:
    raw = as_bytes(data, "network config")
    c = _identity_or_null(controller)
    return json_call(lambda o, n: lib.ztx_netconf_parse(raw, len(raw), c, o, n), "invalid network config", err)


def netconf_reserialize(data: bytes, err: type[ArgumentError]) -> bytes:
    raw = as_bytes(data, "network config")
    return bytes_call(lambda o, n: lib.ztx_netconf_reserialize(raw, len(raw), o, n), "invalid network config", err)


def netconf_adhoc(network_id: int, node_id: int, now: int, err: type[ArgumentError]) -> bytes:
    return bytes_call(lambda o, n: lib.ztx_netconf_adhoc(network_id, node_id, now, o, n), "ad-hoc network", err)


NetconfSpecFields = dict[str, Any]
_SPEC_FIELDS = dict(ffi.typeof("ztx_netconf_spec_t").fields)


def spec_capacity(field: str) -> int:
    """How many elements (or chars) the ztx_netconf_spec_t array ``field`` holds, from the compiled type."""
    return int(_SPEC_FIELDS[field].type.length)


def fill_netconf_spec(f: NetconfSpecFields, keep: list[Any], err: type[ArgumentError]) -> Any:
    """A ztx_netconf_spec_t from plain fields; `keep` holds the buffers its pointers refer to."""
    s = ffi.new("ztx_netconf_spec_t *")
    for name in ("network_id", "member_id", "timestamp", "credential_time_max_delta", "revision", "mtu",
                 "multicast_limit", "flags", "remote_trace_target", "remote_trace_level"):
        setattr(s, name, f[name])
    s.is_private = int(f["private"])

    def text(field: str, value: str, size: int) -> bytes:
        raw = value.encode("utf-8")
        if len(raw) >= size:
            raise err(f"netconf spec: {field} longer than {size - 1} bytes")
        return raw

    s.name = text("name", f["name"], spec_capacity("name"))
    limits = {"static_ips": "static IPs", "routes": "routes", "specialists": "specialists",
              "capabilities": "capabilities", "tags": "tags", "dns_servers": "DNS servers"}
    for key, what in limits.items():
        limit = spec_capacity(key)
        if len(f[key]) > limit:  # (the C struct's arrays are this large)
            raise err(f"netconf spec: more than {limit} {what}")
    s.static_ip_count = len(f["static_ips"])
    for i, (ip, bits) in enumerate(f["static_ips"]):
        s.static_ips[i].ip = text("static IP", ip, lib.ZTX_IP_STRING_LEN)
        s.static_ips[i].bits = bits
    s.route_count = len(f["routes"])
    for i, (target, bits, via, flags, metric) in enumerate(f["routes"]):
        r = s.routes[i]
        r.target = text("route target", target, lib.ZTX_IP_STRING_LEN)
        r.bits = bits
        r.via = text("route via", via or "", lib.ZTX_IP_STRING_LEN)
        r.flags = flags
        r.metric = metric
    s.specialist_count = len(f["specialists"])
    for i, value in enumerate(f["specialists"]):
        s.specialists[i] = value
    rules = ffi.new("uint8_t[]", f["rules"] or b"\0")  # never a NULL pointer: the length says 0
    keep.append(rules)
    s.rules = rules
    s.rules_len = len(f["rules"])
    s.capability_count = len(f["capabilities"])
    for i, (cap_id, cap_rules) in enumerate(f["capabilities"]):
        buf = ffi.new("uint8_t[]", cap_rules or b"\0")
        keep.append(buf)
        s.capabilities[i].id = cap_id
        s.capabilities[i].rules = buf
        s.capabilities[i].rules_len = len(cap_rules)
    s.tag_count = len(f["tags"])
    for i, (tag_id, value) in enumerate(f["tags"]):
        s.tags[i].id = tag_id
        s.tags[i].value = value
    s.dns_domain = text("DNS domain", f["dns_domain"], spec_capacity("dns_domain"))
    s.dns_server_count = len(f["dns_servers"])
    for i, server in enumerate(f["dns_servers"]):
        s.dns_servers[i] = text("DNS server", server, lib.ZTX_IP_STRING_LEN)
    return s


def netconf_build(spec: Any, controller: IdentityHandle, member: IdentityHandle, err: type[ArgumentError]) -> bytes:
    """Sign the config a ``ztx_netconf_spec_t *`` (from :func:`fill_netconf_spec`) describes."""
    return bytes_call(lambda o, n: lib.ztx_netconf_build(spec, controller, member, o, n), "network config", err)


def com_parse(data: bytes, controller: Optional[IdentityHandle], err: type[ArgumentError]) -> JsonValue:
    raw = as_bytes(data, "certificate")
    c = _identity_or_null(controller)
    return json_call(lambda o, n: lib.ztx_com_parse(raw, len(raw), c, o, n), "invalid certificate", err)


def com_verify(data: bytes, controller: IdentityHandle, err: type[ArgumentError]) -> bool:
    raw = as_bytes(data, "certificate")
    return check(lib.ztx_com_verify(raw, len(raw), controller), "invalid certificate", err) == 1


def com_agrees(mine: bytes, theirs: bytes, their_identity: IdentityHandle, err: type[ArgumentError]) -> bool:
    a = as_bytes(mine, "certificate")
    b = as_bytes(theirs, "certificate")
    return check(lib.ztx_com_agrees(a, len(a), b, len(b), their_identity), "invalid certificate", err) == 1


def com_issue(timestamp: int, max_delta: int, network_id: int, member: IdentityHandle, controller: IdentityHandle,
              err: type[ArgumentError]) -> bytes:
    return bytes_call(
        lambda o, n: lib.ztx_com_issue(timestamp, max_delta, network_id, member, controller, o, n), "certificate", err
    )


def credentials_parse(data: bytes, controller: Optional[IdentityHandle], err: type[ArgumentError]) -> JsonValue:
    raw = as_bytes(data, "credentials")
    c = _identity_or_null(controller)
    return json_call(lambda o, n: lib.ztx_credentials_parse(raw, len(raw), c, o, n), "invalid credentials", err)


def credentials_reserialize(data: bytes, err: type[ArgumentError]) -> bytes:
    raw = as_bytes(data, "credentials")
    return bytes_call(lambda o, n: lib.ztx_credentials_reserialize(raw, len(raw), o, n), "invalid credentials", err)


def capability_verify(cap: bytes, controller: IdentityHandle, holders: list[IdentityHandle],
                      err: type[ArgumentError]) -> bool:
    raw = as_bytes(cap, "capability")
    arr = ffi.new("ztx_identity *[]", holders) if holders else ffi.NULL
    return check(lib.ztx_capability_verify(raw, len(raw), controller, arr, len(holders)), "invalid capability",
                 err) == 1


def capability_transfer(cap: bytes, holder: IdentityHandle, to: int, err: type[ArgumentError]) -> bytes:
    raw = as_bytes(cap, "capability")
    return bytes_call(lambda o, n: lib.ztx_capability_transfer(raw, len(raw), holder, to, o, n), "capability", err)


def rules_parse(data: bytes, err: type[ArgumentError]) -> JsonValue:
    raw = as_bytes(data, "rules")
    return json_call(lambda o, n: lib.ztx_rules_parse(raw, len(raw), o, n), "invalid rules", err)


def rules_reserialize(data: bytes, err: type[ArgumentError]) -> bytes:
    raw = as_bytes(data, "rules")
    return bytes_call(lambda o, n: lib.ztx_rules_reserialize(raw, len(raw), o, n), "invalid rules", err)


MAX_NETWORK_RULES = int(lib.ZTX_MAX_NETWORK_RULES)
MAX_CAPABILITY_RULES = int(lib.ZTX_MAX_CAPABILITY_RULES)


def rules_from_json(text: str, max_rules: int, as_controller: bool, err: type[ArgumentError]) -> bytes:
    """A JSON array of REST API rule objects, serialized by the core (``ztx_rules_from_json``);
    ``as_controller``: read as a controller reads its REST API (absent fields default)."""
    raw = text.encode("utf-8", "surrogatepass")
    flags = lib.ZTX_RULES_JSON_CONTROLLER if as_controller else 0
    return bytes_call(lambda o, n: lib.ztx_rules_from_json(raw, len(raw), max_rules, flags, o, n), "invalid rules",
                      err)


def rule_types() -> JsonValue:
    """The core's rule table: one object a type ("type", "id", "action", "alias", "issued", "fields")."""
    return json_call(lambda o, n: lib.ztx_rule_types(o, n), "rule types", ArgumentError)


FrameFields = dict[str, Any]


def _tag_array(tags: dict[int, int], keep: list[Any]) -> tuple[Any, int]:
    if not tags:
        return ffi.NULL, 0
    arr = ffi.new("ztx_tag_spec_t[]", len(tags))
    for i, (tag_id, value) in enumerate(sorted(tags.items())):
        arr[i].id = tag_id
        arr[i].value = value
    keep.append(arr)
    return arr, len(tags)


def rules_evaluate(rules: bytes, capabilities: Optional[list[tuple[int, bytes]]], frame: FrameFields,
                   err: type[ArgumentError]) -> dict[str, int]:
    """One table (capabilities None) or the whole decision; returns the ztx_filter_result_t fields."""
    keep: list[Any] = []
    raw = as_bytes(rules, "rules")
    f = ffi.new("ztx_frame_t *")
    for name in ("zt_source", "zt_dest", "mac_source", "mac_dest", "ethertype", "vlan_id", "netconf_flags"):
        setattr(f, name, frame[name])
    f.inbound = int(frame["inbound"])
    payload = as_bytes(frame["payload"], "payload")
    payload_buf = ffi.new("uint8_t[]", payload) if payload else ffi.NULL
    keep.append(payload_buf)
    f.payload = payload_buf
    f.payload_len = len(payload)
    f.sender_tags, f.sender_tag_count = _tag_array(frame["sender_tags"], keep)
    f.receiver_tags, f.receiver_tag_count = _tag_array(frame["receiver_tags"], keep)
    owns = frame["sender_owns"]
    if owns:
        things = ffi.new("ztx_owned_thing_t[]", len(owns))
        for i, (kind, value) in enumerate(owns):
            things[i].type = kind
            ffi.memmove(things[i].value, value, len(value))
        keep.append(things)
        f.sender_owns, f.sender_owns_count = things, len(owns)
    config = frame["config"]
    if config:
        config_buf = ffi.new("uint8_t[]", config)
        keep.append(config_buf)
        f.config, f.config_len = config_buf, len(config)
    out = ffi.new("ztx_filter_result_t *")
    if capabilities is None:
        check(lib.ztx_rules_evaluate(raw, len(raw), f, out), "rule evaluation", err)
    else:
        caps = ffi.new("ztx_capability_spec_t[]", max(len(capabilities), 1))
        for i, (cap_id, cap_rules) in enumerate(capabilities):
            buf = ffi.new("uint8_t[]", cap_rules or b"\0")
            keep.append(buf)
            caps[i].id = cap_id
            caps[i].rules = buf
            caps[i].rules_len = len(cap_rules)
        check(lib.ztx_rules_filter(raw, len(raw), caps, len(capabilities), f, out), "rule evaluation", err)
    return {name: int(getattr(out, name)) for name, _ in ffi.typeof("ztx_filter_result_t").fields}


def config_chunks(controller: IdentityHandle, network_id: int, update_id: int, dictionary: bytes,
                  err: type[ArgumentError]) -> list[bytes]:
    raw = as_bytes(dictionary, "dictionary")
    count = len(raw) // lib.ZTX_CONFIG_CHUNK_MAX_DATA + 1
    capacity = count * lib.ZTX_CONFIG_CHUNK_MAX_LEN
    out = ffi.new("uint8_t[]", capacity)
    size = ffi.new("size_t *", capacity)
    lens = ffi.new("size_t[]", count)
    n = ffi.new("size_t *", count)
    check(lib.ztx_config_chunks(controller, network_id, update_id, raw, len(raw), out, size, lens, n),
          "config chunks", err)
    data = bytes(ffi.buffer(out, size[0]))
    chunks, at = [], 0
    for i in range(n[0]):
        chunks.append(data[at : at + lens[i]])
        at += lens[i]
    return chunks


def config_assembler_new() -> AssemblerHandle:
    out = ffi.new("ztx_config_assembler **")
    check(lib.ztx_config_assembler_new(out), "config assembler allocation failed")
    return ffi.gc(out[0], lib.ztx_config_assembler_free)


def config_assembler_add(h: AssemblerHandle, controller: IdentityHandle, from_controller: bool, packet_id: int,
                         chunk: bytes, err: type[ArgumentError]) -> Optional[tuple[int, bytes]]:
    """(update ID, dictionary) once a config is complete, else None."""
    raw = as_bytes(chunk, "chunk")
    out = ffi.new("uint8_t[]", lib.ZTX_NETCONF_MAX_LEN)
    size = ffi.new("size_t *", lib.ZTX_NETCONF_MAX_LEN)
    update_id = ffi.new("uint64_t *")
    code = check(lib.ztx_config_assembler_add(h, controller, int(from_controller), packet_id, raw, len(raw), out,
                                              size, update_id), "config chunk rejected", err)
    if code != lib.ZTX_CONFIG_COMPLETE:
        return None
    return int(update_id[0]), bytes(ffi.buffer(out, size[0]))
