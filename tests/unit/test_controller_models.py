# SPDX-License-Identifier: Apache-2.0
"""Network and member records: defaults and updates, against the official controller's own files."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from libzt.controller import models
from libzt.controller._validate import InvalidField

VECTORS = Path(__file__).resolve().parent.parent / "vectors" / "capture" / "controller"
NETWORK = json.loads((VECTORS / "network.json").read_text())
MEMBER = json.loads((VECTORS / "member_74355ac5db.json").read_text())
NWID = int(NETWORK["id"], 16)

# What was POSTed to the official controller to make the captured network (one POST: revision 1).
CAPTURE_POST = {
    "name": "ztref",
    "private": False,
    "ipAssignmentPools": [{"ipRangeStart": "10.147.17.10", "ipRangeEnd": "10.147.17.250"}],
    "routes": [{"target": "10.147.17.0/24", "via": None}],
    "v4AssignMode": {"zt": True},
}


def test_new_network_with_the_capture_post_is_the_official_record_field_for_field() -> None:
    record = models.update_network(models.new_network(NWID, NETWORK["creationTime"]), CAPTURE_POST)
    record["revision"] = 1  # the store's first save
    assert record == NETWORK
    assert list(json.dumps(record, sort_keys=True)) == list(json.dumps(NETWORK, sort_keys=True))


def test_new_member_has_the_official_fields_and_defaults() -> None:
    member = models.new_member(NWID, 0x74355AC5DB, MEMBER["creationTime"])
    learned = {"identity", "authorized", "ipAssignments", "lastAuthorizedTime", "lastAuthorizedCredentialType",
               "vMajor", "vMinor", "vRev", "vProto", "revision"}
    assert set(member) == set(MEMBER) - {"identity"}  # identity is learned from the first request
    for key in set(MEMBER) - learned:
        assert member[key] == MEMBER[key], key
    assert (member["authorized"], member["ipAssignments"], member["vMajor"], member["revision"]) == (False, [], -1, 0)
    assert member["lastAuthorizedCredentialType"] is None


def test_posting_back_what_was_read_changes_nothing() -> None:
    # GET then POST of the same object (as UIs do): read-only fields ignored, odd defaults accepted.
    # Only the default rule changes shape, as in zerotier-one: a posted action is stored without not/or.
    posted = models.update_network(NETWORK, dict(NETWORK))
    assert posted["rules"] == [{"type": "ACTION_ACCEPT"}]
    assert models.same_record(dict(posted, rules=NETWORK["rules"]), NETWORK)
    assert models.update_network(posted, dict(posted)) == posted
    assert models.same_record(models.update_member(MEMBER, dict(MEMBER), now=1), MEMBER)


def test_read_only_and_unknown_fields_are_ignored() -> None:
    updated = models.update_network(NETWORK, {"id": "ffffffffffffffff", "revision": 99, "creationTime": 5,
                                              "objtype": "member", "whatever": [1, 2], "ssoEnabled": True})
    assert updated == NETWORK


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"name": 5}, "name", "expected a string, got integer"),
        ({"name": "x" * 128}, "name", "longer than 127 bytes"),
        ({"private": "false"}, "private", "expected a boolean, got string"),
        ({"enableBroadcast": 1}, "enableBroadcast", "expected a boolean, got integer"),
        ({"multicastLimit": -1}, "multicastLimit", "out of range"),
        ({"multicastLimit": 1.5}, "multicastLimit", "expected an integer, got number"),
        ({"mtu": None}, "mtu", "expected an integer, got null"),
        ({"remoteTraceTarget": "abc"}, "remoteTraceTarget", "expected 10 hex digits"),
        ({"remoteTraceLevel": 256}, "remoteTraceLevel", "out of range"),
        ({"v4AssignMode": {"zt": "yes"}}, "v4AssignMode.zt", "expected a boolean"),
        ({"v4AssignMode": 1}, "v4AssignMode", "expected an object"),
        ({"v6AssignMode": {"6plane": 0}}, "v6AssignMode.6plane", "expected a boolean"),
        ({"routes": {}}, "routes", "expected an array, got object"),
        ({"routes": [{"via": "10.0.0.1"}]}, "routes[0].target", "missing"),
        ({"routes": [{"target": "10.0.0.0"}]}, "routes[0].target", "needs a prefix length"),
        ({"routes": [{"target": "10.0.0.0/24", "via": "fd00::1"}]}, "routes[0].via", "IPv6 gateway"),
        ({"routes": [{"target": "300.0.0.0/24"}]}, "routes[0].target", "not an IP address"),
        ({"routes": [{"target": "10.0.0.0/8"}] * 129}, "routes", "at most 128"),
        ({"ipAssignmentPools": [{"ipRangeStart": "10.0.0.1"}]}, "ipAssignmentPools[0].ipRangeEnd", "missing"),
        ({"ipAssignmentPools": [{"ipRangeStart": "10.0.0.9", "ipRangeEnd": "10.0.0.1"}]}, "ipAssignmentPools[0]",
         "below ipRangeStart"),
        ({"ipAssignmentPools": [{"ipRangeStart": "10.0.0.1", "ipRangeEnd": "fd00::1"}]}, "ipAssignmentPools[0]",
         "same family"),
        ({"rules": [{"type": "NOPE"}]}, "rules[0].type", "unknown rule type"),
        ({"authTokens": {"t": -1}}, "authTokens['t']", "out of range"),
        ({"authTokens": "t"}, "authTokens", "expected an object"),
        ({"capabilities": [{"id": "1"}]}, "capabilities[0].id", "expected an integer"),
        ({"capabilities": [{"id": 1, "rules": [{"type": "ACTION_PRIORITY"}]}]}, "capabilities[0].rules[0].type",
         "not supported"),
        ({"capabilities": [{"id": 1, "rules": [{"type": "ACTION_DROP"}] * 65}]}, "capabilities[0].rules",
         "at most 64"),
        ({"tags": [{"id": 1, "default": "x"}]}, "tags[0].default", "expected an integer"),
        ({"dns": {"servers": ["1.1.1.1"] * 5}}, "dns.servers", "at most 4"),
        ({"dns": {"domain": "lab", "servers": ["dns.example"]}}, "dns.servers[0]", "not an IP address"),
        ({"dns": "lab"}, "dns", "expected an object"),
        ({"certificateTimeoutWindowSize": "1h"}, "certificateTimeoutWindowSize", "expected an integer"),
    ],
)
def test_wrong_network_fields_are_refused_with_a_message(body: dict, field: str, message: str) -> None:
    with pytest.raises(InvalidField) as info:
        models.update_network(NETWORK, body)
    assert info.value.field == field
    assert message in str(info.value)


def test_a_refused_update_leaves_the_record_alone() -> None:
    before = json.dumps(NETWORK, sort_keys=True)
    with pytest.raises(InvalidField):
        models.update_network(NETWORK, {"name": "changed", "mtu": "x"})
    assert json.dumps(NETWORK, sort_keys=True) == before


def test_body_must_be_an_object() -> None:
    with pytest.raises(InvalidField, match="body: expected a JSON object, got array"):
        models.update_network(NETWORK, [])
    assert models.update_network(NETWORK, None) == NETWORK


def test_network_values_are_normalized() -> None:
    n = models.update_network(NETWORK, {
        "mtu": 100000,
        "routes": [{"target": "FD00:0:0:0:0:0:0:0/64", "via": ""}, {"target": "10.9.0.5/16", "via": "10.9.0.1"}],
        "ipAssignmentPools": [{"ipRangeStart": "fd00::0001", "ipRangeEnd": "FD00::FFFF"}],
        "remoteTraceTarget": "89E92CEEE5",
        "authTokens": {"secret-token": 0},
        "tags": [{"id": 5, "default": 1}, {"id": 2}, {"id": 5, "default": 3}],
        "capabilities": [{"id": 9, "rules": [{"type": "ACTION_ACCEPT"}]}, {"id": 1, "default": True}],
        "dns": {"domain": "lab.example", "servers": ["fd00::53", "10.0.0.53"]},
    })
    assert n["mtu"] == 10000
    assert n["routes"] == [{"target": "fd00::/64", "via": None}, {"target": "10.9.0.5/16", "via": "10.9.0.1"}]
    assert n["ipAssignmentPools"] == [{"ipRangeEnd": "fd00::ffff", "ipRangeStart": "fd00::1"}]
    assert n["remoteTraceTarget"] == "89e92ceee5"
    assert n["authTokens"] == {"secret-token": 0}
    assert n["tags"] == [{"default": None, "id": 2}, {"default": 3, "id": 5}]
    assert n["capabilities"] == [{"default": True, "id": 1, "rules": []},
                                 {"default": False, "id": 9, "rules": [{"type": "ACTION_ACCEPT"}]}]
    assert n["dns"] == {"domain": "lab.example", "servers": ["fd00::53", "10.0.0.53"]}
    assert models.update_network(n, {"mtu": 1})["mtu"] == 1280
    assert models.update_network(n, {"authTokens": None})["authTokens"] == [None]
    assert models.update_network(n, {"dns": []})["dns"] == []
    assert models.update_network(n, {"remoteTraceTarget": ""})["remoteTraceTarget"] is None


def test_legacy_assign_modes() -> None:
    assert models.update_network(NETWORK, {"v4AssignMode": "zt"})["v4AssignMode"] == {"zt": True}
    assert models.update_network(NETWORK, {"v4AssignMode": "none"})["v4AssignMode"] == {"zt": False}
    v6 = models.update_network(NETWORK, {"v6AssignMode": "rfc4193, zt,zt"})["v6AssignMode"]
    assert v6 == {"6plane": False, "rfc4193": True, "zt": True}
    # A partial object changes only what it names.
    v6 = models.update_network(dict(NETWORK, v6AssignMode=v6), {"v6AssignMode": {"6plane": True}})["v6AssignMode"]
    assert v6 == {"6plane": True, "rfc4193": True, "zt": True}


def test_authorizing_through_the_api_stamps_time_and_credential_type() -> None:
    m = models.new_member(NWID, 0x1122334455, now=100)
    a = models.update_member(m, {"authorized": True}, now=200)
    assert (a["authorized"], a["lastAuthorizedTime"], a["lastAuthorizedCredentialType"]) == (True, 200, "api")
    assert models.update_member(a, {"authorized": True}, now=300) == a  # no change, no new stamp
    d = models.update_member(a, {"authorized": False}, now=400)
    assert (d["authorized"], d["lastDeauthorizedTime"], d["lastAuthorizedTime"]) == (False, 400, 200)


def test_member_fields_are_checked_and_normalized() -> None:
    m = models.new_member(NWID, 0x1122334455, now=100)
    u = models.update_member(m, {
        "ipAssignments": ["10.0.0.5", "FD00::0005", "10.0.0.5"],
        "tags": [[5, 1], [2, 7], [5, 9]],
        "capabilities": [9, 1, 9],
        "activeBridge": True,
        "noAutoAssignIps": True,
        "name": "laptop",
        "remoteTraceTarget": None,
    }, now=100)
    assert u["ipAssignments"] == ["10.0.0.5", "fd00::5"]
    assert u["tags"] == [[2, 7], [5, 9]]
    assert u["capabilities"] == [1, 9]
    assert (u["activeBridge"], u["noAutoAssignIps"], u["name"]) == (True, True, "laptop")
    for body, message in (({"authorized": "true"}, "authorized: expected a boolean"),
                          ({"ipAssignments": ["10.0.0.300"]}, "ipAssignments[0]: '10.0.0.300' is not an IP"),
                          ({"ipAssignments": "10.0.0.1"}, "ipAssignments: expected an array"),
                          ({"tags": [[1]]}, "tags[0]: expected [id, value]"),
                          ({"tags": [[1, -2]]}, "tags[0][1]: -2 is out of range"),
                          ({"capabilities": [True]}, "capabilities[0]: expected an integer, got boolean"),
                          ({"authenticationExpiryTime": "soon"}, "authenticationExpiryTime: expected an integer")):
        with pytest.raises(InvalidField, match=message.replace("[", r"\[").replace("]", r"\]")):
            models.update_member(m, body, now=1)


def test_revision_is_not_part_of_the_comparison() -> None:
    assert models.same_record(dict(NETWORK, revision=7), NETWORK)
    assert not models.same_record(dict(NETWORK, name="other"), NETWORK)
