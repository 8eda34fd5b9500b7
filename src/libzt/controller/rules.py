# SPDX-License-Identifier: Apache-2.0
"""Flow rules: the JSON objects of the controller API and the binary form members receive.

A rule is one byte of type (bit 7 NOT, bit 6 OR, bits 0-5 the type; types 0-15 are actions, 16-63
matches), one byte of value length, and the value (big-endian fields). The JSON form is zerotier-one's
(``{"type": "MATCH_ETHERTYPE", "not": false, "or": false, "etherType": 2048}``): what we store is the
rule re-rendered from its parsed value, exactly as the reference controller stores it, so a rule
always reads back in one canonical shape.

Where the reference controller silently masks or drops bad input, this module refuses it with a
message naming the field: a value out of range, a malformed address, an unknown type.

Two deliberate differences from zerotier-one 1.14.1, both bug fixes:
  * ``INTEGER_RANGE`` rules are kept (the reference's parser forgets to set the type and drops them);
  * ``ACTION_PRIORITY`` is refused rather than dropped: its QoS bucket has no wire encoding.
"""
from __future__ import annotations

import functools
import ipaddress
import json
import struct
from dataclasses import dataclass
from typing import Any, Callable

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
)

NOT = 0x80
OR = 0x40
TYPE_MASK = 0x3F

MAX_NETWORK_RULES = 1024  # ZT_MAX_NETWORK_RULES
MAX_CAPABILITY_RULES = 64  # ZT_MAX_CAPABILITY_RULES

RULE_TYPES: dict[str, int] = {
    "ACTION_DROP": 0,
    "ACTION_ACCEPT": 1,
    "ACTION_TEE": 2,
    "ACTION_WATCH": 3,
    "ACTION_REDIRECT": 4,
    "ACTION_BREAK": 5,
    "ACTION_PRIORITY": 6,
    "MATCH_SOURCE_ZEROTIER_ADDRESS": 24,
    "MATCH_DEST_ZEROTIER_ADDRESS": 25,
    "MATCH_VLAN_ID": 26,
    "MATCH_VLAN_PCP": 27,
    "MATCH_VLAN_DEI": 28,
    "MATCH_MAC_SOURCE": 29,
    "MATCH_MAC_DEST": 30,
    "MATCH_IPV4_SOURCE": 31,
    "MATCH_IPV4_DEST": 32,
    "MATCH_IPV6_SOURCE": 33,
    "MATCH_IPV6_DEST": 34,
    "MATCH_IP_TOS": 35,
    "MATCH_IP_PROTOCOL": 36,
    "MATCH_ETHERTYPE": 37,
    "MATCH_ICMP": 38,
    "MATCH_IP_SOURCE_PORT_RANGE": 39,
    "MATCH_IP_DEST_PORT_RANGE": 40,
    "MATCH_CHARACTERISTICS": 41,
    "MATCH_FRAME_SIZE_RANGE": 42,
    "MATCH_RANDOM": 43,
    "MATCH_TAGS_DIFFERENCE": 44,
    "MATCH_TAGS_BITWISE_AND": 45,
    "MATCH_TAGS_BITWISE_OR": 46,
    "MATCH_TAGS_BITWISE_XOR": 47,
    "MATCH_TAGS_EQUAL": 48,
    "MATCH_TAG_SENDER": 49,
    "MATCH_TAG_RECEIVER": 50,
    "INTEGER_RANGE": 51,  # zerotier-one's JSON name for MATCH_INTEGER_RANGE
}
RULE_NAMES: dict[int, str] = {v: k for k, v in RULE_TYPES.items()}
_ALIASES = {"MATCH_INTEGER_RANGE": "INTEGER_RANGE"}


@dataclass(frozen=True)
class Rule:
    """One rule as it goes on the wire: the type byte (with NOT/OR bits) and the value bytes."""

    t: int
    value: bytes = b""

    @property
    def type_id(self) -> int:
        return self.t & TYPE_MASK

    @property
    def is_action(self) -> bool:
        return self.type_id < 16

    def to_bytes(self) -> bytes:
        return bytes((self.t, len(self.value))) + self.value


# ---- value codecs, one per kind of rule -----------------------------------------------------------
# parse(obj, field) -> value bytes; render(value bytes) -> JSON fields (besides type/not/or).

Parse = Callable[[dict[str, Any], str], bytes]
Render = Callable[[bytes], dict[str, Any]]


def _get(obj: dict[str, Any], key: str, default: Any) -> Any:
    # An absent field means the reference's default (0 in nearly every case), as in zerotier-one.
    value = obj.get(key, default)
    return default if value is None and default is not None else value


def _u(obj: dict[str, Any], key: str, field: str, bits: int, default: int = 0) -> int:
    return expect_int(_get(obj, key, default), f"{field}.{key}", 0, 2**bits - 1)


def _parse_fwd(with_length: bool) -> Parse:
    def parse(obj: dict[str, Any], field: str) -> bytes:
        address = expect_hex(_get(obj, "address", "0000000000"), f"{field}.address", 10)
        flags = _u(obj, "flags", field, 32)
        length = _u(obj, "length", field, 16) if with_length else 0
        return struct.pack(">QIH", address, flags, length)

    return parse


def _render_fwd(with_length: bool) -> Render:
    def render(v: bytes) -> dict[str, Any]:
        address, flags, length = struct.unpack(">QIH", v)
        out: dict[str, Any] = {"address": f"{address & 0xFFFFFFFFFF:010x}", "flags": flags}
        if with_length:
            out["length"] = length
        return out

    return render


def _parse_zt(obj: dict[str, Any], field: str) -> bytes:
    return expect_hex(_get(obj, "zt", "0000000000"), f"{field}.zt", 10).to_bytes(5, "big")


def _render_zt(v: bytes) -> dict[str, Any]:
    return {"zt": v.hex()}


def _parse_uint(key: str, bits: int) -> Parse:
    def parse(obj: dict[str, Any], field: str) -> bytes:
        return _u(obj, key, field, bits).to_bytes(bits // 8, "big")

    return parse


def _render_uint(key: str) -> Render:
    def render(v: bytes) -> dict[str, Any]:
        return {key: int.from_bytes(v, "big")}

    return render


def _parse_mac(obj: dict[str, Any], field: str) -> bytes:
    text = expect_str(_get(obj, "mac", "00:00:00:00:00:00"), f"{field}.mac", 64)
    digits = "".join(c for c in text if c not in ":-. ")
    try:
        raw = bytes.fromhex(digits)
    except ValueError:
        raw = b""
    if len(raw) != 6:
        raise InvalidField(f"{field}.mac", f"{text!r} is not a MAC address (xx:xx:xx:xx:xx:xx)")
    return raw


def _render_mac(v: bytes) -> dict[str, Any]:
    return {"mac": ":".join(f"{b:02x}" for b in v)}


def _parse_ip(version: int) -> Parse:
    def parse(obj: dict[str, Any], field: str) -> bytes:
        ip, bits = parse_cidr(_get(obj, "ip", "0.0.0.0/0" if version == 4 else "::/0"), f"{field}.ip")
        if ip.version != version:
            raise InvalidField(f"{field}.ip", f"expected an IPv{version} address, got {ip}")
        return ip.packed + bytes((bits,))

    return parse


def _render_ip(v: bytes) -> dict[str, Any]:
    return {"ip": f"{ip_string(ipaddress.ip_address(v[:-1]))}/{v[-1]}"}


def _parse_tos(obj: dict[str, Any], field: str) -> bytes:
    return bytes((_u(obj, "mask", field, 8), _u(obj, "start", field, 8), _u(obj, "end", field, 8)))


def _render_tos(v: bytes) -> dict[str, Any]:
    return {"mask": v[0], "start": v[1], "end": v[2]}


def _parse_icmp(obj: dict[str, Any], field: str) -> bytes:
    icmp_type = _u(obj, "icmpType", field, 8)
    code = obj.get("icmpCode")
    if code is None:
        return bytes((icmp_type, 0, 0x00))
    return bytes((icmp_type, expect_int(code, f"{field}.icmpCode", 0, 255), 0x01))


def _render_icmp(v: bytes) -> dict[str, Any]:
    return {"icmpType": v[0], "icmpCode": v[1] if v[2] & 0x01 else None}


def _parse_range16(obj: dict[str, Any], field: str) -> bytes:
    start = _u(obj, "start", field, 16)
    end = _u(obj, "end", field, 16, default=start)  # a missing end means a one-value range
    if end < start:
        raise InvalidField(f"{field}.end", f"{end} is below start {start}")
    return struct.pack(">HH", start, end)


def _render_range16(v: bytes) -> dict[str, Any]:
    start, end = struct.unpack(">HH", v)
    return {"start": start, "end": end}


def _hex_or_int(value: Any, field: str) -> int:
    # zerotier-one writes 64-bit values as 16 hex digits and reads either form.
    if isinstance(value, str):
        text = value[2:] if value[:2].lower() == "0x" else value
        if not 1 <= len(text) <= 16 or any(c not in "0123456789abcdefABCDEF" for c in text):
            raise InvalidField(field, f"expected up to 16 hex digits, got {value!r}")
        return int(text, 16)
    return expect_int(value, field)


def _parse_characteristics(obj: dict[str, Any], field: str) -> bytes:
    return _hex_or_int(_get(obj, "mask", 0), f"{field}.mask").to_bytes(8, "big")


def _render_characteristics(v: bytes) -> dict[str, Any]:
    return {"mask": v.hex()}


def _parse_tag(obj: dict[str, Any], field: str) -> bytes:
    return struct.pack(">II", _u(obj, "id", field, 32), _u(obj, "value", field, 32))


def _render_tag(v: bytes) -> dict[str, Any]:
    tag_id, value = struct.unpack(">II", v)
    return {"id": tag_id, "value": value}


def _parse_int_range(obj: dict[str, Any], field: str) -> bytes:
    start = _hex_or_int(_get(obj, "start", 0), f"{field}.start")
    end = _hex_or_int(_get(obj, "end", start), f"{field}.end")
    if end < start:
        raise InvalidField(f"{field}.end", f"{end:#x} is below start {start:#x}")
    if end - start > 0xFFFFFFFF:
        # Members keep the end as a 32-bit offset from start.
        raise InvalidField(f"{field}.end", "the range may span at most 2**32 - 1 values")
    idx = _u(obj, "idx", field, 16)
    bits = expect_int(_get(obj, "bits", 1), f"{field}.bits", 1, 64)
    little = expect_bool(_get(obj, "little", False), f"{field}.little")
    fmt = (0x80 if little else 0) | (bits - 1)
    return struct.pack(">QQHB", start, end, idx, fmt)


def _render_int_range(v: bytes) -> dict[str, Any]:
    start, end, idx, fmt = struct.unpack(">QQHB", v)
    return {"start": f"{start:016x}", "end": f"{end:016x}", "idx": idx, "little": bool(fmt & 0x80),
            "bits": (fmt & 63) + 1}


def _no_value(obj: dict[str, Any], field: str) -> bytes:
    return b""


def _render_nothing(v: bytes) -> dict[str, Any]:
    return {}


_TAG_TYPES = ("MATCH_TAGS_DIFFERENCE", "MATCH_TAGS_BITWISE_AND", "MATCH_TAGS_BITWISE_OR",
              "MATCH_TAGS_BITWISE_XOR", "MATCH_TAGS_EQUAL", "MATCH_TAG_SENDER", "MATCH_TAG_RECEIVER")

# name -> (value length on the wire, parse, render)
_CODECS: dict[str, tuple[int, Parse, Render]] = {
    "ACTION_DROP": (0, _no_value, _render_nothing),
    "ACTION_ACCEPT": (0, _no_value, _render_nothing),
    "ACTION_BREAK": (0, _no_value, _render_nothing),
    "ACTION_PRIORITY": (0, _no_value, _render_nothing),  # decode only: see the module docstring
    "ACTION_TEE": (14, _parse_fwd(True), _render_fwd(True)),
    "ACTION_WATCH": (14, _parse_fwd(True), _render_fwd(True)),
    "ACTION_REDIRECT": (14, _parse_fwd(False), _render_fwd(False)),
    "MATCH_SOURCE_ZEROTIER_ADDRESS": (5, _parse_zt, _render_zt),
    "MATCH_DEST_ZEROTIER_ADDRESS": (5, _parse_zt, _render_zt),
    "MATCH_VLAN_ID": (2, _parse_uint("vlanId", 16), _render_uint("vlanId")),
    "MATCH_VLAN_PCP": (1, _parse_uint("vlanPcp", 8), _render_uint("vlanPcp")),
    "MATCH_VLAN_DEI": (1, _parse_uint("vlanDei", 8), _render_uint("vlanDei")),
    "MATCH_MAC_SOURCE": (6, _parse_mac, _render_mac),
    "MATCH_MAC_DEST": (6, _parse_mac, _render_mac),
    "MATCH_IPV4_SOURCE": (5, _parse_ip(4), _render_ip),
    "MATCH_IPV4_DEST": (5, _parse_ip(4), _render_ip),
    "MATCH_IPV6_SOURCE": (17, _parse_ip(6), _render_ip),
    "MATCH_IPV6_DEST": (17, _parse_ip(6), _render_ip),
    "MATCH_IP_TOS": (3, _parse_tos, _render_tos),
    "MATCH_IP_PROTOCOL": (1, _parse_uint("ipProtocol", 8), _render_uint("ipProtocol")),
    "MATCH_ETHERTYPE": (2, _parse_uint("etherType", 16), _render_uint("etherType")),
    "MATCH_ICMP": (3, _parse_icmp, _render_icmp),
    "MATCH_IP_SOURCE_PORT_RANGE": (4, _parse_range16, _render_range16),
    "MATCH_IP_DEST_PORT_RANGE": (4, _parse_range16, _render_range16),
    "MATCH_CHARACTERISTICS": (8, _parse_characteristics, _render_characteristics),
    "MATCH_FRAME_SIZE_RANGE": (4, _parse_range16, _render_range16),
    "MATCH_RANDOM": (4, _parse_uint("probability", 32), _render_uint("probability")),
    **{name: (8, _parse_tag, _render_tag) for name in _TAG_TYPES},
    "INTEGER_RANGE": (19, _parse_int_range, _render_int_range),
}
assert set(_CODECS) == set(RULE_TYPES)


# ---- JSON <-> Rule ----------------------------------------------------------------------------------


def parse_rule(obj: Any, field: str = "rule") -> Rule:
    """A rule JSON object to its wire form; :class:`InvalidField` if anything is wrong with it."""
    obj = expect_object(obj, field)
    if "type" not in obj:
        raise InvalidField(f"{field}.type", "missing (e.g. \"ACTION_ACCEPT\" or \"MATCH_ETHERTYPE\")")
    name = expect_str(obj["type"], f"{field}.type", 64)
    name = _ALIASES.get(name, name)
    if name not in RULE_TYPES:
        raise InvalidField(f"{field}.type", f"unknown rule type {name!r}")
    if name == "ACTION_PRIORITY":
        raise InvalidField(f"{field}.type", "ACTION_PRIORITY is not supported: its QoS bucket cannot be sent")
    t = RULE_TYPES[name]
    if expect_bool(obj.get("not", False), f"{field}.not"):
        t |= NOT
    if expect_bool(obj.get("or", False), f"{field}.or"):
        t |= OR
    _, parse, _ = _CODECS[name]
    return Rule(t, parse(obj, field))


def render_rule(rule: Rule) -> dict[str, Any]:
    """The canonical JSON of a rule, as zerotier-one renders it (actions carry no not/or)."""
    name = RULE_NAMES.get(rule.type_id)
    if name is None:
        raise InvalidField("rule", f"unknown rule type {rule.type_id}")
    size, _, render = _CODECS[name]
    if len(rule.value) != size:
        raise InvalidField("rule", f"{name} needs a {size}-byte value, got {len(rule.value)}")
    out: dict[str, Any] = {"type": name, **render(rule.value)}
    if not rule.is_action:
        out["not"] = bool(rule.t & NOT)
        out["or"] = bool(rule.t & OR)
    return out


def normalize_rules(value: Any, field: str = "rules", max_rules: int = MAX_NETWORK_RULES) -> list[dict[str, Any]]:
    """Validate a JSON rule list and return what to store: each rule in its canonical form."""
    items = expect_list(value, field, max_rules)
    return [render_rule(parse_rule(r, f"{field}[{i}]")) for i, r in enumerate(items)]


# ---- binary -----------------------------------------------------------------------------------------


def encode_rules(rules: list[dict[str, Any]]) -> bytes:
    """Serialize JSON rules (as stored) the way members receive them."""
    # Every config of a network carries the same rules: their JSON text keys a cache, which costs a
    # fraction of parsing them again for each member.
    return _encode_text(json.dumps(rules, separators=(",", ":")))


@functools.lru_cache(maxsize=256)
def _encode_text(text: str) -> bytes:
    rules = json.loads(text)
    return b"".join(parse_rule(r, f"rules[{i}]").to_bytes() for i, r in enumerate(rules))


def decode_rules(data: bytes) -> list[Rule]:
    """Split serialized rules; a value's length comes from its length byte, as members read them."""
    rules, at = [], 0
    while at < len(data):
        if at + 2 > len(data):
            raise InvalidField("rules", f"truncated rule header at byte {at}")
        t, size = data[at], data[at + 1]
        if at + 2 + size > len(data):
            raise InvalidField("rules", f"rule at byte {at} claims {size} value bytes, only {len(data) - at - 2} left")
        rules.append(Rule(t, bytes(data[at + 2 : at + 2 + size])))
        at += 2 + size
    return rules


def decode_rules_json(data: bytes) -> list[dict[str, Any]]:
    """Serialized rules back to JSON; rules of types we do not know are skipped, as members do."""
    return [render_rule(r) for r in decode_rules(data) if r.type_id in RULE_NAMES]


ACCEPT_ALL = Rule(RULE_TYPES["ACTION_ACCEPT"]).to_bytes()  # b"\x01\x00": for members without a rules engine
