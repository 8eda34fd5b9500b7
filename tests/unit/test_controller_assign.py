# SPDX-License-Identifier: Apache-2.0
"""The decision for one config request: authorization paths, IP assignment, the config's contents.

The captured join (two official libzt 1.8.4 nodes and a zerotier-one 1.14.1 controller) is the
reference: same addresses, same config fields, same member record.
"""
from __future__ import annotations

import copy
import ipaddress
import json
from pathlib import Path
from typing import Any, Optional

import pytest

from libzt.controller import models, rules
from libzt.controller.assign import (
    Grant,
    NetworkSummary,
    Refusal,
    decide,
    rfc4193_address,
    sixplane_address,
)
from libzt.controller.netconf import ConfigRequest, RefusalCode
from libzt.identity import Identity
from libzt.netconf import Dns, NetworkConfig, build_network_config, parse_dictionary

CAPTURE = Path(__file__).resolve().parent.parent / "vectors" / "capture"
NETWORK = json.loads((CAPTURE / "controller" / "network.json").read_text())
MEMBER = json.loads((CAPTURE / "controller" / "member_74355ac5db.json").read_text())
IDENTITIES = json.loads((CAPTURE / "capture.json").read_text())["identities"]
NWID = int(NETWORK["id"], 16)
A, B = 0x74355AC5DB, 0x2C962C9374
NOW = MEMBER["creationTime"]
LIBZT_184 = {"v": "0000000000000007", "revr": "0000000000000001", "majv": "0000000000000001",
             "minv": "0000000000000008", "revv": "0000000000000004", "pv": "000000000000000c"}


def public(identity: str) -> str:
    return ":".join(identity.split(":")[:3])


def request(address: int = A, metadata: Optional[dict[str, str]] = None, identity: Optional[str] = None,
            request_id: int = 77, nwid: int = NWID) -> ConfigRequest:
    ident = identity or (public(IDENTITIES["A"]) if address == A else f"{address:010x}:0:{'cd' * 64}")
    return ConfigRequest(request_id, nwid, address, ident, dict(LIBZT_184 if metadata is None else metadata))


def run(req: ConfigRequest, network: Optional[dict[str, Any]] = None, member: Optional[dict[str, Any]] = None,
        bridges: Optional[list[int]] = None, allocated: Optional[set[str]] = None, now: int = NOW) -> Any:
    summary = NetworkSummary(bridges or [], lambda: set(allocated or ()))
    return decide(req, copy.deepcopy(NETWORK if network is None else network), member, summary, now)


def net(**changes: Any) -> dict[str, Any]:
    return models.update_network(NETWORK, changes)


# ---- the capture --------------------------------------------------------------------------------


def test_capture_addresses_are_reproduced() -> None:
    a, b = run(request(A)), run(request(B))
    assert [(str(i.ip), i.network.prefixlen) for i in a.spec.static_ips] == [("10.147.17.149", 24)]
    assert [(str(i.ip), i.network.prefixlen) for i in b.spec.static_ips] == [("10.147.17.62", 24)]


def test_first_request_makes_the_official_member_record() -> None:
    d = run(request(A))
    assert isinstance(d, Grant)
    assert dict(d.member, revision=1) == MEMBER  # the store's first save makes revision 1


def test_config_matches_what_the_official_controller_sent() -> None:
    conf = dict(parse_dictionary((CAPTURE / "networkconfig_A_0f2e12b3166b6fa3.conf").read_bytes()))
    spec = run(request(A), member=MEMBER).spec

    def hexint(key: str) -> int:
        return int(conf[key], 16)

    assert (spec.network_id, spec.member_id) == (hexint("nwid"), hexint("id"))
    assert spec.credential_time_max_delta == hexint("ctmd") == 1800000
    assert spec.revision == hexint("r")
    assert spec.flags == hexint("f")
    assert spec.multicast_limit == hexint("ml")
    assert spec.private == (hexint("t") == 0)
    assert spec.mtu == hexint("mtu")
    assert spec.name == conf["n"].decode()
    assert (spec.remote_trace_target, spec.remote_trace_level) == (hexint("tt"), hexint("tl"))
    assert spec.rules == conf["R"]
    # I: type 4, 10.147.17.149, port field = 24;  RT: 10.147.17.0/24, no via, flags 0, metric 0
    assert conf["I"] == b"\x04\x0a\x93\x11\x95\x00\x18"
    assert [(str(i.ip), i.network.prefixlen) for i in spec.static_ips] == [("10.147.17.149", 24)]
    assert conf["RT"] == b"\x04\x0a\x93\x11\x00\x00\x18\x00\x00\x00\x00\x00"
    assert [(str(r.target), r.via, r.flags, r.metric) for r in spec.routes] == [("10.147.17.0/24", None, 0, 0)]
    assert spec.specialists == [] and "S" not in conf
    assert spec.capabilities == [] and spec.tags == [] and "CAP" not in conf and "TAG" not in conf
    assert (spec.dns_domain, spec.dns_servers) == ("", [])


# ---- authorization -----------------------------------------------------------------------------------


def test_unknown_network_is_not_found() -> None:
    d = decide(request(), None, None, NetworkSummary([], set), NOW)
    assert isinstance(d, Refusal) and d.error is RefusalCode.NOT_FOUND and d.member is None


def test_private_network_refuses_and_remembers_an_unknown_member() -> None:
    d = run(request(B), network=net(private=True))
    assert isinstance(d, Refusal) and d.error is RefusalCode.ACCESS_DENIED
    assert d.member is not None and d.member["authorized"] is False
    assert d.member["identity"] == request(B).identity
    assert d.member["ipAssignments"] == [] and d.member["vMajor"] == -1


def test_authorized_member_of_private_network_is_answered() -> None:
    member = models.update_member(models.new_member(NWID, B, 1), {"authorized": True}, now=5)
    d = run(request(B), network=net(private=True), member=member)
    assert isinstance(d, Grant) and d.spec.private
    assert d.member["lastAuthorizedCredentialType"] == "api"  # the API's authorization stays on record


@pytest.mark.parametrize(("expires", "ok"), [(0, True), (NOW + 1000, True), (NOW, False), (NOW - 1, False)])
def test_join_token(expires: int, ok: bool) -> None:
    network = net(private=True, authTokens={"letmein": expires})
    d = run(request(B, metadata={**LIBZT_184, "a": "token:letmein"}), network=network)
    assert isinstance(d, Grant) is ok
    if ok:
        assert (d.member["lastAuthorizedCredentialType"], d.member["lastAuthorizedCredential"]) == ("token", "letmein")


@pytest.mark.parametrize("presented", ["token:wrong", "letmein", "token:", ""])
def test_wrong_join_tokens_are_refused(presented: str) -> None:
    network = net(private=True, authTokens={"letmein": 0})
    d = run(request(B, metadata={**LIBZT_184, "a": presented}), network=network)
    assert isinstance(d, Refusal) and d.error is RefusalCode.ACCESS_DENIED


def test_identity_is_pinned_once_known() -> None:
    impostor = request(A, identity=f"{A:010x}:0:{'00' * 64}")
    d = run(impostor, member=MEMBER)
    assert isinstance(d, Refusal) and d.error is RefusalCode.ACCESS_DENIED
    assert d.member is None  # nothing learned from an impostor is saved
    # The genuine identity, even with its private part and in upper case, is the same identity.
    assert isinstance(run(request(A, identity=IDENTITIES["A"].upper()), member=MEMBER), Grant)


def test_push_does_not_touch_version_fields() -> None:
    member = dict(MEMBER, vMajor=9)
    d = run(request(A, request_id=0, metadata={"revr": "1"}), member=member)
    assert isinstance(d, Grant) and d.member["vMajor"] == 9


# ---- rules, capabilities, tags ------------------------------------------------------------------------


def test_members_without_rules_engine_get_accept_all_and_no_credentials() -> None:
    network = net(rules=[{"type": "ACTION_DROP"}], capabilities=[{"id": 1, "default": True}],
                  tags=[{"id": 3, "default": 1}])
    d = run(request(B, metadata={"v": "7"}), network=network)
    assert d.spec.rules == rules.ACCEPT_ALL
    assert d.spec.capabilities == [] and d.spec.tags == [] and d.member["tags"] == []


def test_rules_capabilities_and_tag_defaults() -> None:
    network = net(
        rules=[{"type": "MATCH_ETHERTYPE", "etherType": 2048, "not": True}, {"type": "ACTION_DROP"},
               {"type": "ACTION_ACCEPT"}],
        capabilities=[{"id": 10, "default": True, "rules": [{"type": "ACTION_ACCEPT"}]},
                      {"id": 20, "default": False, "rules": [{"type": "ACTION_DROP"}]}],
        tags=[{"id": 1, "default": 100}, {"id": 2, "default": None}, {"id": 3, "default": 300}],
    )
    d = run(request(B), network=network)
    assert d.spec.rules == bytes.fromhex("a5020800") + b"\x00\x00\x01\x00"
    assert d.spec.capabilities == [(10, b"\x01\x00")]
    assert d.member["capabilities"] == [10]  # a new member gets the default capabilities
    assert d.spec.tags == [(1, 100), (3, 300)]
    assert d.member["tags"] == [[1, 100], [3, 300]]
    # An existing member keeps its own capabilities and tag values; defaults fill only missing tags.
    member = dict(d.member, capabilities=[20], tags=[[1, 5]])
    d2 = run(request(B), network=network, member=member)
    assert d2.spec.capabilities == [(20, b"\x00\x00")]
    assert d2.spec.tags == [(1, 5), (3, 300)]
    assert d2.member["tags"] == [[1, 5], [3, 300]]


# ---- IP assignment ------------------------------------------------------------------------------------


def test_allocated_addresses_are_skipped() -> None:
    d = run(request(A), allocated={"10.147.17.149", "10.147.17.150"})
    assert [str(i.ip) for i in d.spec.static_ips] == ["10.147.17.151"]
    assert d.member["ipAssignments"] == ["10.147.17.151"]


def test_never_x_255_and_never_the_pool_end() -> None:
    network = net(ipAssignmentPools=[{"ipRangeStart": "10.0.0.254", "ipRangeEnd": "10.0.1.0"}],
                  routes=[{"target": "10.0.0.0/16"}])
    # span 2: candidates are start + (counter % 2): .254 or .255; .255 is skipped, the end never chosen.
    seen = {str(run(request(a), network=network).spec.static_ips[0].ip) for a in range(0x1000000001, 0x1000000009)}
    assert seen == {"10.0.0.254"}
    full = run(request(B), network=network, allocated={"10.0.0.254"})
    assert full.spec.static_ips == [] and full.member["ipAssignments"] == []


def test_auto_assignment_needs_a_route_and_the_mode() -> None:
    assert run(request(A), network=net(routes=[])).spec.static_ips == []
    assert run(request(A), network=net(v4AssignMode={"zt": False})).spec.static_ips == []
    assert run(request(A), member=dict(MEMBER, noAutoAssignIps=True, ipAssignments=[])).spec.static_ips == []


def test_manual_addresses_get_the_longest_matching_route() -> None:
    network = net(routes=[{"target": "10.0.0.0/8"}, {"target": "10.147.17.0/24"}, {"target": "10.147.0.0/16"},
                          {"target": "fd00::/64", "via": "fd00::1"}])
    member = dict(MEMBER, ipAssignments=["10.147.17.5", "192.168.0.1", "fd00::9"])
    d = run(request(A), network=network, member=member)
    # 192.168.0.1 lies in no route: kept in the record, not sent. A manual IPv4 stops IPv4 auto-assignment.
    assert [(str(i.ip), i.network.prefixlen) for i in d.spec.static_ips] == [("10.147.17.5", 24), ("fd00::9", 64)]
    assert d.member["ipAssignments"] == ["10.147.17.5", "192.168.0.1", "fd00::9"]


def test_rfc4193_and_6plane_addresses_and_ndp_emulation() -> None:
    assert str(rfc4193_address(0x8056C2E21C000001, 0x89E92CEEE5)) == "fd80:56c2:e21c:0:199:9389:e92c:eee5"
    assert str(sixplane_address(0x8056C2E21C000001, 0x89E92CEEE5)) == "fc9c:56c2:e389:e92c:eee5::1"
    d = run(request(A), network=net(v6AssignMode={"rfc4193": True, "6plane": True}))
    ips = [(str(i.ip), i.network.prefixlen) for i in d.spec.static_ips]
    assert ips[0] == (str(rfc4193_address(NWID, A)), 88)
    assert ips[1] == (str(sixplane_address(NWID, A)), 40)
    assert ips[2] == ("10.147.17.149", 24)
    assert d.spec.flags == 0x2 | 0x4
    no_auto = run(request(A), network=net(v6AssignMode={"rfc4193": True}),
                  member=dict(MEMBER, noAutoAssignIps=True))
    assert [str(i.ip) for i in no_auto.spec.static_ips] == ["10.147.17.149"] and no_auto.spec.flags == 0x2


def test_ipv6_auto_assignment_puts_the_address_in_a_large_pool() -> None:
    network = net(v6AssignMode={"zt": True}, v4AssignMode={"zt": False},
                  ipAssignmentPools=[{"ipRangeStart": "fd00::", "ipRangeEnd": "fd00::ffff:ffff:ffff:ffff"}],
                  routes=[{"target": "fd00::/64"}])
    d = run(request(A), network=network)
    assert [(str(i.ip), i.network.prefixlen) for i in d.spec.static_ips] == [("fd00::74:355a:c5db", 64)]
    # Small pool: random addresses inside it, never one that is taken.
    small = net(v6AssignMode={"zt": True}, v4AssignMode={"zt": False},
                ipAssignmentPools=[{"ipRangeStart": "fd00::10", "ipRangeEnd": "fd00::20"}],
                routes=[{"target": "fd00::/64"}])
    taken = {f"fd00::{i:x}" for i in range(0x10, 0x1F)}  # all but fd00::1f (the end is never picked)
    got = run(request(A), network=small, allocated=taken).spec.static_ips
    assert [(str(i.ip), i.network.prefixlen) for i in got] == [("fd00::1f", 64)]


# ---- the rest of the config ----------------------------------------------------------------------------


def test_active_bridges_are_specialists() -> None:
    d = run(request(A), bridges=[0x2222222222, 0x1111111111])
    assert d.spec.specialists == [0x021111111111, 0x022222222222]


def test_network_settings_are_clamped_into_the_config() -> None:
    network = dict(net(enableBroadcast=False, multicastLimit=0, name="n" * 127), mtu=99999,
                   certificateTimeoutWindowSize=1)
    spec = run(request(A), network=network).spec
    assert (spec.flags, spec.multicast_limit, spec.mtu, spec.credential_time_max_delta) == (0, 0, 10000, 300000)
    assert run(request(A), network=dict(network, certificateTimeoutWindowSize=10**12)).spec.credential_time_max_delta \
        == 7200000


def test_trace_target_member_overrides_network() -> None:
    network = net(remoteTraceTarget="1111111111", remoteTraceLevel=1)
    assert (run(request(A), network=network).spec.remote_trace_target, 1) == (0x1111111111, 1)
    member = dict(MEMBER, remoteTraceTarget="2222222222", remoteTraceLevel=2)
    spec = run(request(A), network=network, member=member).spec
    assert (spec.remote_trace_target, spec.remote_trace_level) == (0x2222222222, 2)


def test_dns() -> None:
    spec = run(request(A), network=net(dns={"domain": "lab.example", "servers": ["10.147.17.1", "fd00::53"]})).spec
    assert (spec.dns_domain, spec.dns_servers) == ("lab.example", ["10.147.17.1", "fd00::53"])
    # What the member receives: the core's config carries them in ZeroTier's DNS entry.
    controller, member = Identity.from_string(IDENTITIES["root_controller"]), Identity.from_string(IDENTITIES["A"])
    config = NetworkConfig.from_bytes(build_network_config(spec, controller, member), controller)
    assert config.dns == Dns("lab.example", (ipaddress.ip_address("10.147.17.1"), ipaddress.ip_address("fd00::53")))
    assert run(request(A), network=net(dns=[])).spec.dns_servers == []  # zerotier-one's "no DNS"
