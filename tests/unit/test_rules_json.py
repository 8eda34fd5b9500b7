# SPDX-License-Identifier: Apache-2.0
"""Rules as JSON through the core's one rule table (``ztx_rules_from_json``, ``ztx_rules_parse``,
``ztx_rule_types``): every type to its wire bytes and back, the captured rule set, and bad input
refused with a message naming the rule and the field, from Python and at the C API."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from libzt._native import ffi, lib

from libzt import NetconfError
from libzt import netconf as nc
from libzt._bindings import vl2 as ll
from libzt.controller import rules as controller_rules
from libzt.controller._validate import InvalidField

CAPTURE = Path(__file__).resolve().parent.parent / "vectors" / "capture"

# ZeroTier One's rule types (ZT_NETWORK_RULE_*) with the fields its controller's JSON gives them.
ZEROTIER_TYPES: dict[str, tuple[int, tuple[str, ...]]] = {
    "ACTION_DROP": (0, ()), "ACTION_ACCEPT": (1, ()), "ACTION_TEE": (2, ("address", "flags", "length")),
    "ACTION_WATCH": (3, ("address", "flags", "length")), "ACTION_REDIRECT": (4, ("address", "flags")),
    "ACTION_BREAK": (5, ()), "ACTION_PRIORITY": (6, ()),
    "MATCH_SOURCE_ZEROTIER_ADDRESS": (24, ("zt",)), "MATCH_DEST_ZEROTIER_ADDRESS": (25, ("zt",)),
    "MATCH_VLAN_ID": (26, ("vlanId",)), "MATCH_VLAN_PCP": (27, ("vlanPcp",)), "MATCH_VLAN_DEI": (28, ("vlanDei",)),
    "MATCH_MAC_SOURCE": (29, ("mac",)), "MATCH_MAC_DEST": (30, ("mac",)), "MATCH_IPV4_SOURCE": (31, ("ip",)),
    "MATCH_IPV4_DEST": (32, ("ip",)), "MATCH_IPV6_SOURCE": (33, ("ip",)), "MATCH_IPV6_DEST": (34, ("ip",)),
    "MATCH_IP_TOS": (35, ("mask", "start", "end")), "MATCH_IP_PROTOCOL": (36, ("ipProtocol",)),
    "MATCH_ETHERTYPE": (37, ("etherType",)), "MATCH_ICMP": (38, ("icmpType", "icmpCode")),
    "MATCH_IP_SOURCE_PORT_RANGE": (39, ("start", "end")), "MATCH_IP_DEST_PORT_RANGE": (40, ("start", "end")),
    "MATCH_CHARACTERISTICS": (41, ("mask",)), "MATCH_FRAME_SIZE_RANGE": (42, ("start", "end")),
    "MATCH_RANDOM": (43, ("probability",)),
    **{name: (44 + i, ("id", "value")) for i, name in enumerate(
        ("MATCH_TAGS_DIFFERENCE", "MATCH_TAGS_BITWISE_AND", "MATCH_TAGS_BITWISE_OR", "MATCH_TAGS_BITWISE_XOR",
         "MATCH_TAGS_EQUAL", "MATCH_TAG_SENDER", "MATCH_TAG_RECEIVER"))},
    "INTEGER_RANGE": (51, ("start", "end", "idx", "little", "bits")),
}  # fmt: skip


def match(kind: str, negate: bool = False, either: bool = False, **fields: Any) -> dict[str, Any]:
    return {"type": kind, **fields, "not": negate, "or": either}


def tag_vectors() -> list[tuple[dict[str, Any], str]]:
    names = [n for n, (code, _) in ZEROTIER_TYPES.items() if 44 <= code <= 50]
    return [(match(n, id=0x1234, value=0xFFFFFFFF), f"{ZEROTIER_TYPES[n][0]:02x}08" + "00001234" + "ffffffff")
            for n in names]


# (a rule in its complete JSON form, as ztx_rules_parse writes it; its bytes as ZeroTier serializes it)
VECTORS: list[tuple[dict[str, Any], str]] = [
    ({"type": "ACTION_DROP"}, "0000"),
    ({"type": "ACTION_ACCEPT"}, "0100"),
    ({"type": "ACTION_TEE", "address": "fedcba9876", "flags": 0x10002, "length": 1500},
     "020e" + "000000fedcba9876" + "00010002" + "05dc"),
    ({"type": "ACTION_WATCH", "address": "0000000abc", "flags": 0, "length": 0},
     "030e" + "0000000000000abc" + "0" * 12),
    ({"type": "ACTION_REDIRECT", "address": "aaaaaaaaaa", "flags": 3},
     "040e" + "000000aaaaaaaaaa" + "00000003" + "0000"),
    ({"type": "ACTION_BREAK"}, "0500"),
    ({"type": "ACTION_PRIORITY"}, "0600"),  # its bucket is not on the wire
    (match("MATCH_SOURCE_ZEROTIER_ADDRESS", zt="deadbeef01", negate=True), "9805deadbeef01"),
    (match("MATCH_DEST_ZEROTIER_ADDRESS", zt="0000000002", either=True), "59050000000002"),
    (match("MATCH_VLAN_ID", vlanId=1), "1a020001"),
    (match("MATCH_VLAN_PCP", vlanPcp=255), "1b01ff"),
    (match("MATCH_VLAN_DEI", vlanDei=0), "1c0100"),
    (match("MATCH_MAC_SOURCE", mac="aa:00:11:22:33:44"), "1d06aa0011223344"),
    (match("MATCH_MAC_DEST", mac="01:00:5e:00:00:fb", negate=True, either=True), "de0601005e0000fb"),
    (match("MATCH_IPV4_SOURCE", ip="172.16.0.0/12"), "1f05ac1000000c"),
    (match("MATCH_IPV4_DEST", ip="0.0.0.0/0"), "20050000000000"),
    (match("MATCH_IPV6_SOURCE", ip="2001:db8::ff/127"), "2111" + "20010db80000000000000000000000ff" + "7f"),
    (match("MATCH_IPV6_DEST", ip="fe80::/10", negate=True), "a211" + "fe80" + "00" * 14 + "0a"),
    (match("MATCH_IP_TOS", mask=0xE0, start=0x20, end=0xA0), "2303e020a0"),
    (match("MATCH_IP_PROTOCOL", ipProtocol=132), "240184"),
    (match("MATCH_ETHERTYPE", etherType=0x86DD), "250286dd"),
    (match("MATCH_ICMP", icmpType=135, icmpCode=None), "2603870000"),
    (match("MATCH_ICMP", icmpType=0, icmpCode=0), "2603000001"),
    (match("MATCH_IP_SOURCE_PORT_RANGE", start=0, end=1023), "2704000003ff"),
    (match("MATCH_IP_DEST_PORT_RANGE", start=443, end=443, either=True), "680401bb01bb"),
    (match("MATCH_CHARACTERISTICS", mask="0000000000000fff"), "29080000000000000fff"),
    (match("MATCH_FRAME_SIZE_RANGE", start=1501, end=65535), "2a0405ddffff"),
    (match("MATCH_RANDOM", probability=0xFFFFFFFF), "2b04ffffffff"),
    *tag_vectors(),
    (match("INTEGER_RANGE", start="00000000000000ff", end="00000001000000fe", idx=65535, little=False, bits=64),
     "3313" + "00000000000000ff" + "00000001000000fe" + "ffff" + "3f"),
    # Types the engine does not know keep their number and value.
    ({"type": "UNKNOWN", "typeId": 63, "value": "00" * 32, "not": False, "or": True}, "7f20" + "00" * 32),
    ({"type": "UNKNOWN", "typeId": 15, "value": ""}, "0f00"),
]


def test_the_core_table_is_zerotier_ones() -> None:
    table = ll.rule_types()
    assert {t["type"]: (t["id"], tuple(t["fields"])) for t in table} == ZEROTIER_TYPES
    assert [t["id"] for t in table] == sorted(t["id"] for t in table)
    assert all(t["action"] == (t["id"] < 16) for t in table)
    assert [t["type"] for t in table if not t["issued"]] == ["ACTION_PRIORITY"]
    assert {t["alias"]: t["type"] for t in table if t["alias"]} == {"MATCH_INTEGER_RANGE": "INTEGER_RANGE"}
    # The controller has no table of its own: it shows the core's.
    assert controller_rules.RULE_TYPES == {name: code for name, (code, _) in ZEROTIER_TYPES.items()}


@pytest.mark.parametrize(("rule", "wire"), VECTORS, ids=[f"{i}-{v[0]['type']}" for i, v in enumerate(VECTORS)])
def test_every_type_to_its_bytes_and_back(rule: dict[str, Any], wire: str) -> None:
    assert nc.rules_to_bytes([rule]).hex() == wire
    assert nc.parse_rules(bytes.fromhex(wire)) == [rule]


def test_the_vectors_cover_every_type() -> None:
    assert {rule["type"] for rule, _ in VECTORS} == {*ZEROTIER_TYPES, "UNKNOWN"}


def test_a_whole_table_round_trips_in_one_call() -> None:
    rules = [rule for rule, _ in VECTORS]
    wire = bytes.fromhex("".join(w for _, w in VECTORS))
    assert nc.rules_to_bytes(rules) == wire
    assert nc.parse_rules(wire) == rules
    assert nc.rules_to_bytes(tuple(nc.parse_rules(wire))) == wire  # (any iterable of mappings)


def test_the_captured_rule_set() -> None:
    """The official controller's config for node A carries the default rule set, R=01 00; the node's
    JSON of it serializes back to those bytes, as does the controller record it came from."""
    conf = (CAPTURE / "networkconfig_A_0f2e12b3166b6fa3.conf").read_bytes()
    wire = dict(nc.parse_dictionary(conf))["R"]
    config = nc.NetworkConfig.from_bytes(conf)
    assert config.rules == ({"type": "ACTION_ACCEPT"},)
    assert nc.rules_to_bytes(config.rules) == wire == b"\x01\x00"
    record = json.loads((CAPTURE / "controller" / "network.json").read_text())["rules"]
    assert record == [{"not": False, "or": False, "type": "ACTION_ACCEPT"}]
    assert nc.rules_to_bytes(record) == controller_rules.encode_rules(record) == wire


def test_the_two_readings_differ_only_where_a_controller_must_refuse() -> None:
    # A complete rule may say what the wire can carry but a controller would not issue.
    backwards = match("MATCH_IP_DEST_PORT_RANGE", start=80, end=79)
    assert nc.rules_to_bytes([backwards]).hex() == "28040050004f"
    with pytest.raises(InvalidField, match=r"rules\[0\]\.end: 79 is below start 80"):
        controller_rules.normalize_rules([backwards])
    # A controller fills in what is left out, as zerotier-one does; a complete rule must say it.
    short = {"type": "MATCH_IP_DEST_PORT_RANGE", "start": 22}
    assert controller_rules.encode_rules([short]).hex() == "280400160016"
    assert nc.rules_to_bytes([{**short, "end": 22}]).hex() == "280400160016"  # end may be left out...
    with pytest.raises(NetconfError, match=r"rules\[0\]\.start: missing"):
        nc.rules_to_bytes([{"type": "MATCH_IP_DEST_PORT_RANGE", "end": 22}])  # ...start may not


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ([{"type": "MATCH_NOPE"}], r"^rules\[0\]\.type: unknown rule type 'MATCH_NOPE'$"),
        ([{"not": True}], r"^rules\[0\]\.type: missing"),
        ([{"type": None}], r"^rules\[0\]\.type: expected a string, got null$"),
        ([{"type": "ACTION_ACCEPT"}, {"type": "MATCH_ETHERTYPE"}], r"^rules\[1\]\.etherType: missing$"),
        ([{"type": "MATCH_ETHERTYPE", "etherType": None}], r"^rules\[0\]\.etherType: missing$"),
        ([match("MATCH_VLAN_ID", vlanId=65536)], r"^rules\[0\]\.vlanId: 65536 is out of range \[0, 65535\]$"),
        ([match("MATCH_TAG_SENDER", id=2**32, value=0)], r"^rules\[0\]\.id: 4294967296 is out of range \[0, 42"),
        ([match("MATCH_RANDOM", probability=-1)], r"^rules\[0\]\.probability: -1 is out of range"),
        ([match("MATCH_IP_PROTOCOL", ipProtocol=2**64)], r"18446744073709551616 is out of range \[0, 255\]"),
        ([match("MATCH_IP_PROTOCOL", ipProtocol=6.5)], r"ipProtocol: expected an integer, got number"),
        ([match("MATCH_IP_PROTOCOL", ipProtocol="6")], r"ipProtocol: expected an integer, got string"),
        ([match("MATCH_IP_PROTOCOL", ipProtocol=True)], r"ipProtocol: expected an integer, got boolean"),
        ([match("MATCH_ETHERTYPE", etherType=2048, negate=1)], r"^rules\[0\]\.not: expected a boolean, got integer$"),
        ([match("INTEGER_RANGE", start="0", end="1", bits=0)], r"^rules\[0\]\.bits: 0 is out of range \[1, 64\]$"),
        ([match("INTEGER_RANGE", start="0", end="1", little="yes")], r"little: expected a boolean, got string"),
        ([match("INTEGER_RANGE", start="1" * 17, end="1")], r"start: expected up to 16 hex digits"),
        ([match("MATCH_CHARACTERISTICS", mask="0x")], r"mask: expected up to 16 hex digits, got '0x'"),
        ([match("MATCH_ICMP", icmpType=8, icmpCode=-3)], r"icmpCode: -3 is out of range \[0, 255\]"),
        ([{"type": "ACTION_TEE", "address": "0123456789", "length": 70000}], r"length: 70000 is out of range"),
        ([{"type": "ACTION_TEE", "address": "012345678"}], r"address: expected 10 hex digits, got '012345678'"),
        ([match("MATCH_MAC_DEST", mac="ff:ff:ff:ff:ff")], r"mac: 'ff:ff:ff:ff:ff' is not a MAC address"),
        ([match("MATCH_IPV6_SOURCE", ip="fd00::1/129")], r"ip: prefix length 129 is too long for IPv6"),
        ([match("MATCH_IPV4_SOURCE", ip="10.0.0.1")], r"ip: '10.0.0.1' needs a prefix length"),
        ([match("MATCH_IPV4_SOURCE", ip="10.0.0.1/x")], r"ip: prefix length in '10.0.0.1/x' is not a number"),
        ([match("MATCH_IPV4_DEST", ip="::1/128")], r"ip: expected an IPv4 address, got ::1"),
        ([match("MATCH_IPV6_DEST", ip="10.0.0.256/8")], r"ip: '10.0.0.256' is not an IP address"),
        ([{"type": "MATCH_VLAN_PC\u00d0"}], r"unknown rule type 'MATCH_VLAN_PC\u00d0'"),  # (\u escapes in, UTF-8 out)
        ([{"type": "UNKNOWN", "typeId": 37, "value": "0800"}], r"typeId: 37 is MATCH_ETHERTYPE: give it by name"),
        ([{"type": "UNKNOWN", "typeId": 64}], r"typeId: 64 is out of range \[0, 63\]"),
        ([{"type": "UNKNOWN", "value": ""}], r"^rules\[0\]\.typeId: missing$"),
        ([{"type": "UNKNOWN", "typeId": 60, "value": "abc"}], r"value: expected up to 32 bytes in hex"),
        ([{"type": "UNKNOWN", "typeId": 60, "value": "00" * 33}], r"value: expected up to 32 bytes in hex"),
        (["ACTION_ACCEPT"], r"^rules\[0\]: expected an object, got string$"),
        ([{"type": "ACTION_ACCEPT"}] * 1025, r"^rules: at most 1024 entries, got 1025$"),
        ([{"type": "ACTION_ACCEPT", "comment": b"bytes"}], r"^rules: not JSON"),
    ],
)
def test_bad_rules_are_refused_naming_the_rule_and_field(rules: list[Any], message: str) -> None:
    with pytest.raises(NetconfError, match=message):
        nc.rules_to_bytes(rules)


def test_the_controller_names_fields_by_its_own_path() -> None:
    with pytest.raises(InvalidField) as info:
        controller_rules.normalize_rules([{"type": "ACTION_ACCEPT"}, match("MATCH_VLAN_DEI", vlanDei=256)],
                                         "capabilities[3].rules", controller_rules.MAX_CAPABILITY_RULES)
    assert (info.value.field, info.value.problem) == ("capabilities[3].rules[1].vlanDei",
                                                      "256 is out of range [0, 255]")
    with pytest.raises(InvalidField) as info:
        controller_rules.parse_rule({"type": "UNKNOWN", "typeId": 60}, "body.rule")
    assert (info.value.field, info.value.problem) == ("body.rule.type", "unknown rule type 'UNKNOWN'")
    with pytest.raises(InvalidField) as info:
        controller_rules.normalize_rules([{"type": "ACTION_DROP"}] * 65, "capabilities[0].rules", 64)
    assert (info.value.field, info.value.problem) == ("capabilities[0].rules", "at most 64 entries, got 65")


# ---- the C API -------------------------------------------------------------------------------------


def from_json(text: bytes, flags: int = 0, max_rules: int = 1024, capacity: int = 4096) -> tuple[int, bytes, str]:
    out = ffi.new("uint8_t[]", capacity)
    size = ffi.new("size_t *", capacity)
    code = lib.ztx_rules_from_json(text, len(text), max_rules, flags, out, size)
    message = ffi.string(lib.ztx_error_message()).decode("utf-8", "replace") if code < 0 else ""
    return code, bytes(ffi.buffer(out, size[0])) if code == lib.ZTS_ERR_OK else b"", message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (b"", "rules: not JSON (at byte 0: not a JSON value)"),
        (b"[", "rules: not JSON (at byte 1: not a JSON value)"),
        (b'[{"type": "ACTION_DROP"},]', "rules: not JSON (at byte 25: not a JSON value)"),
        (b'[{"type": "ACTION_DROP"}] []', "rules: not JSON (at byte 26: text after the value)"),
        (b'[{"type": "ACTION_DROP}]', "rules: not JSON (at byte 24: unterminated string)"),
        (b'[{"type": "ACTION_\x01DROP"}]', "rules: not JSON (at byte 19: control character in a string)"),
        (b'[{"type": "\\x"}]', "rules: not JSON (at byte 13: bad escape)"),
        (b'[{"type" "ACTION_DROP"}]', "rules: not JSON (at byte 9: expected ':')"),
        (b'[{"etherType": 01}]', "rules: not JSON (at byte 16: expected ',' or '}')"),
        (b'[{"etherType": 1.}]', "rules: not JSON (at byte 17: bad number)"),
        (b"[" * 40 + b"]" * 40, "rules: not JSON (at byte 33: nested too deeply)"),
        (b'{"type": "ACTION_DROP"}', "rules: expected an array, got object"),
        (b'[{"type": "ACTION_\\u0000"}]', "rules[0].type: contains a NUL character"),
        (b'[{"type": "' + b"A" * 65 + b'"}]', "rules[0].type: longer than 64 bytes"),
        (b'[{"type": "MATCH_RANDOM", "probability": 1e10}]', "rules[0].probability: 10000000000 is out of range"),
    ],
)
def test_the_c_api_refuses_malformed_text_with_a_reason(text: bytes, message: str) -> None:
    code, _, why = from_json(text)
    assert code == lib.ZTS_ERR_ARG
    assert why.startswith(message)


def test_the_c_api_reads_json_as_json() -> None:
    # Escapes, white space, exponents and duplicate keys (the last one counts) read as JSON says.
    text = b'\t[ {"type":"\\u0041CTION_DROP"} ,{"type":"MATCH_ETHERTYPE","etherType":1,"etherType":2.048e3}]\n'
    assert from_json(text) == (lib.ZTS_ERR_OK, bytes.fromhex("0000" + "25020800"), "")
    assert from_json(b"[]") == (lib.ZTS_ERR_OK, b"", "")


def test_the_c_api_checks_its_arguments() -> None:
    accept = b'[{"type": "ACTION_ACCEPT"}]'
    assert from_json(accept, flags=lib.ZTX_RULES_JSON_CONTROLLER)[:2] == (lib.ZTS_ERR_OK, b"\x01\x00")
    assert from_json(accept, flags=2)[0::2] == (lib.ZTS_ERR_ARG, "unknown flags")
    assert from_json(accept, max_rules=0)[0::2] == (lib.ZTS_ERR_ARG, "rules: at most 0 entries, got 1")
    size = ffi.new("size_t *", 1)
    out = ffi.new("uint8_t[]", 1)
    assert lib.ztx_rules_from_json(accept, len(accept), 1, 0, out, size) == lib.ZTS_ERR_ARG
    assert size[0] == 2  # too small a buffer learns the size it needs
    assert lib.ztx_rules_from_json(ffi.NULL, 1, 1, 0, out, size) == lib.ZTS_ERR_ARG
    assert lib.ztx_rules_from_json(accept, len(accept), 1, 0, out, ffi.NULL) == lib.ZTS_ERR_ARG
    assert lib.ztx_rule_types(ffi.NULL, ffi.NULL) == lib.ZTS_ERR_ARG
