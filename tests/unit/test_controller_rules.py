# SPDX-License-Identifier: Apache-2.0
"""Rule JSON <-> wire bytes, for every rule type, against the layouts of docs/protocol/vl2.md §5.1/5.2."""
from __future__ import annotations

from pathlib import Path

import pytest

from libzt.controller import rules
from libzt.controller._validate import InvalidField
from libzt.netconf import parse_dictionary

VECTORS = Path(__file__).resolve().parent.parent / "vectors" / "capture"

# (JSON as given, canonical JSON as stored, wire bytes in hex)
CASES = [
    ({"type": "ACTION_DROP"}, {"type": "ACTION_DROP"}, "0000"),
    ({"type": "ACTION_ACCEPT", "not": False, "or": False}, {"type": "ACTION_ACCEPT"}, "0100"),
    ({"type": "ACTION_TEE", "address": "89e92ceee5", "flags": 7, "length": 64},
     {"type": "ACTION_TEE", "address": "89e92ceee5", "flags": 7, "length": 64},
     "020e00000089e92ceee5000000070040"),
    ({"type": "ACTION_WATCH", "address": "0000000001"},
     {"type": "ACTION_WATCH", "address": "0000000001", "flags": 0, "length": 0}, "030e0000000000000001000000000000"),
    ({"type": "ACTION_REDIRECT", "address": "1122334455", "flags": 1, "length": 9},
     {"type": "ACTION_REDIRECT", "address": "1122334455", "flags": 1}, "040e00000011223344550000000100" + "00"),
    ({"type": "ACTION_BREAK"}, {"type": "ACTION_BREAK"}, "0500"),
    ({"type": "MATCH_SOURCE_ZEROTIER_ADDRESS", "zt": "89E92CEEE5"},
     {"type": "MATCH_SOURCE_ZEROTIER_ADDRESS", "zt": "89e92ceee5", "not": False, "or": False}, "180589e92ceee5"),
    ({"type": "MATCH_DEST_ZEROTIER_ADDRESS", "zt": "0102030405", "not": True},
     {"type": "MATCH_DEST_ZEROTIER_ADDRESS", "zt": "0102030405", "not": True, "or": False}, "99050102030405"),
    ({"type": "MATCH_VLAN_ID", "vlanId": 4094, "or": True},
     {"type": "MATCH_VLAN_ID", "vlanId": 4094, "not": False, "or": True}, "5a020ffe"),
    ({"type": "MATCH_VLAN_PCP", "vlanPcp": 5}, {"type": "MATCH_VLAN_PCP", "vlanPcp": 5, "not": False, "or": False},
     "1b0105"),
    ({"type": "MATCH_VLAN_DEI", "vlanDei": 1}, {"type": "MATCH_VLAN_DEI", "vlanDei": 1, "not": False, "or": False},
     "1c0101"),
    ({"type": "MATCH_MAC_SOURCE", "mac": "02:89:E9:30:0C:27"},
     {"type": "MATCH_MAC_SOURCE", "mac": "02:89:e9:30:0c:27", "not": False, "or": False}, "1d060289e9300c27"),
    ({"type": "MATCH_MAC_DEST", "mac": "ffffffffffff", "not": True, "or": True},
     {"type": "MATCH_MAC_DEST", "mac": "ff:ff:ff:ff:ff:ff", "not": True, "or": True}, "de06ffffffffffff"),
    ({"type": "MATCH_IPV4_SOURCE", "ip": "10.147.17.0/24"},
     {"type": "MATCH_IPV4_SOURCE", "ip": "10.147.17.0/24", "not": False, "or": False}, "1f050a93110018"),
    ({"type": "MATCH_IPV4_DEST", "ip": "192.168.1.7/32"},
     {"type": "MATCH_IPV4_DEST", "ip": "192.168.1.7/32", "not": False, "or": False}, "2005c0a8010720"),
    ({"type": "MATCH_IPV6_SOURCE", "ip": "fd00:0:0:0:0:0:0:1/64"},
     {"type": "MATCH_IPV6_SOURCE", "ip": "fd00::1/64", "not": False, "or": False},
     "2111fd00000000000000000000000000000140"),
    ({"type": "MATCH_IPV6_DEST", "ip": "::/0"}, {"type": "MATCH_IPV6_DEST", "ip": "::/0", "not": False, "or": False},
     "2211" + "00" * 17),
    ({"type": "MATCH_IP_TOS", "mask": 252, "start": 8, "end": 16},
     {"type": "MATCH_IP_TOS", "mask": 252, "start": 8, "end": 16, "not": False, "or": False}, "2303fc0810"),
    ({"type": "MATCH_IP_PROTOCOL", "ipProtocol": 6},
     {"type": "MATCH_IP_PROTOCOL", "ipProtocol": 6, "not": False, "or": False}, "240106"),
    ({"type": "MATCH_ETHERTYPE", "etherType": 2048, "not": True},
     {"type": "MATCH_ETHERTYPE", "etherType": 2048, "not": True, "or": False}, "a5020800"),
    ({"type": "MATCH_ICMP", "icmpType": 8, "icmpCode": None},
     {"type": "MATCH_ICMP", "icmpType": 8, "icmpCode": None, "not": False, "or": False}, "2603080000"),
    ({"type": "MATCH_ICMP", "icmpType": 3, "icmpCode": 1},
     {"type": "MATCH_ICMP", "icmpType": 3, "icmpCode": 1, "not": False, "or": False}, "2603030101"),
    ({"type": "MATCH_IP_SOURCE_PORT_RANGE", "start": 1024, "end": 65535},
     {"type": "MATCH_IP_SOURCE_PORT_RANGE", "start": 1024, "end": 65535, "not": False, "or": False}, "27040400ffff"),
    ({"type": "MATCH_IP_DEST_PORT_RANGE", "start": 22},
     {"type": "MATCH_IP_DEST_PORT_RANGE", "start": 22, "end": 22, "not": False, "or": False}, "280400160016"),
    ({"type": "MATCH_CHARACTERISTICS", "mask": "8000000000000002"},
     {"type": "MATCH_CHARACTERISTICS", "mask": "8000000000000002", "not": False, "or": False},
     "29088000000000000002"),
    ({"type": "MATCH_CHARACTERISTICS", "mask": 18},
     {"type": "MATCH_CHARACTERISTICS", "mask": "0000000000000012", "not": False, "or": False},
     "29080000000000000012"),
    ({"type": "MATCH_FRAME_SIZE_RANGE", "start": 64, "end": 1500},
     {"type": "MATCH_FRAME_SIZE_RANGE", "start": 64, "end": 1500, "not": False, "or": False}, "2a04004005dc"),
    ({"type": "MATCH_RANDOM", "probability": 2147483648},
     {"type": "MATCH_RANDOM", "probability": 2147483648, "not": False, "or": False}, "2b0480000000"),
    *[({"type": name, "id": 7, "value": 100}, {"type": name, "id": 7, "value": 100, "not": False, "or": False},
       f"{code:02x}08" + "00000007" + "00000064")
      for name, code in (("MATCH_TAGS_DIFFERENCE", 44), ("MATCH_TAGS_BITWISE_AND", 45),
                         ("MATCH_TAGS_BITWISE_OR", 46), ("MATCH_TAGS_BITWISE_XOR", 47), ("MATCH_TAGS_EQUAL", 48),
                         ("MATCH_TAG_SENDER", 49), ("MATCH_TAG_RECEIVER", 50))],
    ({"type": "INTEGER_RANGE", "start": "10", "end": "20", "idx": 14, "bits": 16, "little": True},
     {"type": "INTEGER_RANGE", "start": "0000000000000010", "end": "0000000000000020", "idx": 14, "bits": 16,
      "little": True, "not": False, "or": False},
     "3313" + "0000000000000010" + "0000000000000020" + "000e" + "8f"),
    ({"type": "MATCH_INTEGER_RANGE", "start": 1, "end": 2},
     {"type": "INTEGER_RANGE", "start": "0000000000000001", "end": "0000000000000002", "idx": 0, "bits": 1,
      "little": False, "not": False, "or": False},
     "3313" + "0000000000000001" + "0000000000000002" + "0000" + "00"),
]


@pytest.mark.parametrize(("given", "stored", "wire"), CASES, ids=[c[0]["type"] for c in CASES])
def test_rule_json_to_wire_and_back(given: dict, stored: dict, wire: str) -> None:
    assert rules.normalize_rules([given]) == [stored]
    assert rules.encode_rules([given]).hex() == wire
    assert rules.encode_rules([stored]).hex() == wire  # what is stored encodes to the same bytes
    decoded = rules.decode_rules_json(bytes.fromhex(wire))
    if given["type"] != "ACTION_REDIRECT":  # its length is not kept: REDIRECT always carries 0
        assert decoded == [stored]


def test_every_type_but_priority_is_covered() -> None:
    covered = {rules._ALIASES.get(c[0]["type"], c[0]["type"]) for c in CASES}
    assert covered == set(rules.RULE_TYPES) - {"ACTION_PRIORITY"}


def test_actions_ignore_not_and_or_in_json_but_keep_them_on_the_wire() -> None:
    # zerotier-one renders actions without not/or; the bits it parsed still go out in the type byte.
    assert rules.normalize_rules([{"type": "ACTION_DROP", "not": True}]) == [{"type": "ACTION_DROP"}]
    assert rules.parse_rule({"type": "ACTION_DROP", "not": True}).to_bytes() == b"\x80\x00"


def test_decoder_skips_unknown_types_by_their_length_and_reads_priority() -> None:
    data = bytes.fromhex("1403aabbcc") + bytes.fromhex("0600") + bytes.fromhex("0100")
    assert rules.decode_rules_json(data) == [{"type": "ACTION_PRIORITY"}, {"type": "ACTION_ACCEPT"}]


@pytest.mark.parametrize("data", ["01", "0105aa", "2404"])
def test_decoder_refuses_truncated_rules(data: str) -> None:
    with pytest.raises(InvalidField, match="rules"):
        rules.decode_rules(bytes.fromhex(data))


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("ACCEPT", "expected an object"),
        ({}, "type: missing"),
        ({"type": 1}, "expected a string"),
        ({"type": "MATCH_FOO"}, "unknown rule type 'MATCH_FOO'"),
        ({"type": "ACTION_PRIORITY"}, "not supported"),
        ({"type": "MATCH_ETHERTYPE", "etherType": 65536}, r"etherType: 65536 is out of range \[0, 65535\]"),
        ({"type": "MATCH_ETHERTYPE", "etherType": "2048"}, "etherType: expected an integer, got string"),
        ({"type": "MATCH_ETHERTYPE", "not": "yes"}, "not: expected a boolean"),
        ({"type": "MATCH_ETHERTYPE", "or": None}, "or: expected a boolean, got null"),
        ({"type": "MATCH_VLAN_PCP", "vlanPcp": -1}, "out of range"),
        ({"type": "MATCH_MAC_SOURCE", "mac": "02:89:e9:30:0c"}, "not a MAC address"),
        ({"type": "MATCH_MAC_SOURCE", "mac": "zz:89:e9:30:0c:27"}, "not a MAC address"),
        ({"type": "MATCH_IPV4_SOURCE", "ip": "10.0.0.1"}, "needs a prefix length"),
        ({"type": "MATCH_IPV4_SOURCE", "ip": "10.0.0.1/33"}, "too long for IPv4"),
        ({"type": "MATCH_IPV4_DEST", "ip": "fd00::1/64"}, "expected an IPv4 address"),
        ({"type": "MATCH_IPV6_DEST", "ip": "10.0.0.0/8"}, "expected an IPv6 address"),
        ({"type": "MATCH_IPV6_DEST", "ip": "nonsense/8"}, "not an IP address"),
        ({"type": "MATCH_SOURCE_ZEROTIER_ADDRESS", "zt": "12345"}, "expected 10 hex digits"),
        ({"type": "ACTION_TEE", "address": "xyz"}, "expected 10 hex digits"),
        ({"type": "MATCH_IP_DEST_PORT_RANGE", "start": 80, "end": 79}, "below start"),
        ({"type": "MATCH_ICMP", "icmpType": 8, "icmpCode": 256}, "icmpCode: 256 is out of range"),
        ({"type": "MATCH_RANDOM", "probability": 1.5}, "expected an integer, got number"),
        ({"type": "MATCH_CHARACTERISTICS", "mask": "nothex"}, "expected up to 16 hex digits"),
        ({"type": "INTEGER_RANGE", "start": 0, "end": 2**33}, "at most 2\\*\\*32 - 1"),
        ({"type": "INTEGER_RANGE", "bits": 65}, "bits: 65 is out of range"),
    ],
)
def test_invalid_rules_are_refused_with_the_field_named(rule: object, message: str) -> None:
    with pytest.raises(InvalidField, match=message) as info:
        rules.normalize_rules([rule])
    assert str(info.value).startswith("rules[0]")


def test_rule_lists_are_bounded() -> None:
    with pytest.raises(InvalidField, match="at most 1024 entries"):
        rules.normalize_rules([{"type": "ACTION_ACCEPT"}] * 1025)
    with pytest.raises(InvalidField, match="expected an array"):
        rules.normalize_rules({"type": "ACTION_ACCEPT"})


def test_the_captured_config_carries_the_default_rule_set() -> None:
    """The official controller sent node A the network's one ACCEPT rule as R=01 00."""
    conf = dict(parse_dictionary((VECTORS / "networkconfig_A_0f2e12b3166b6fa3.conf").read_bytes()))
    wire = conf["R"]
    assert wire == rules.ACCEPT_ALL == b"\x01\x00"
    network = __import__("json").loads((VECTORS / "controller" / "network.json").read_text())
    assert rules.encode_rules(network["rules"]) == wire
    assert rules.decode_rules_json(wire) == [{"type": "ACTION_ACCEPT"}]
