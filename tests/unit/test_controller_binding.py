# SPDX-License-Identifier: Apache-2.0
"""The controller's seams: the request metadata Dictionary, the cffi binding to ztx_controller_*
(structs filled and read back; the core's side is the lead's), and the stored OpenAPI description."""
from __future__ import annotations

import ipaddress
import json

import pytest
from libzt._native import ffi, lib

from libzt._bindings import controller as _corelink
from libzt.controller import openapi
from libzt.controller.netconf import ConfigRequest, NetconfSpec, RefusalCode, Route, request_metadata
from libzt.errors import NetconfError


def test_dictionary_escapes_and_first_key_wins() -> None:
    raw = b"v=0000000000000007\na=token:x\\ey\\\\z\nrevr=1\nv=8\nbin=\\0\\r\\n\\q\rlast=1"
    d = request_metadata(raw)
    assert d == {"v": "0000000000000007", "a": "token:x=y\\z", "revr": "1", "bin": "\x00\r\nq", "last": "1"}
    req = ConfigRequest(1, 2, 3, "", d)
    assert (req.meta_int("v"), req.meta_int("revr"), req.meta_int("missing", 5), req.meta_int("a", -1)) == (7, 1, 5, -1)


def _spec() -> NetconfSpec:
    return NetconfSpec(
        network_id=0x0F2E12B3166B6FA3, member_id=0x74355AC5DB, timestamp=1795710624996,
        credential_time_max_delta=1800000, revision=3, private=True, name="ztref", mtu=2800,
        multicast_limit=32, flags=0x6, remote_trace_target=0x1122334455, remote_trace_level=1,
        static_ips=[ipaddress.ip_interface("10.147.17.149/24"), "fd00::1/88"],
        routes=[Route(ipaddress.ip_network("10.147.17.0/24")),
                Route(ipaddress.ip_network("0.0.0.0/0"), ipaddress.ip_address("10.147.17.1"), 0, 5)],
        specialists=[0x021111111111], rules=b"\x01\x00",
        capabilities=[(7, b"\x00\x00"), (8, b"")], tags=[(1, 100)],
        dns_domain="lab.example", dns_servers=["10.147.17.1"],
    )


def test_spec_fills_the_c_struct() -> None:
    c, keep = _spec().to_c()
    assert (c.network_id, c.member_id, c.timestamp, c.credential_time_max_delta, c.revision) == (
        0x0F2E12B3166B6FA3, 0x74355AC5DB, 1795710624996, 1800000, 3)
    assert (c.is_private, ffi.string(c.name), c.mtu, c.multicast_limit, c.flags) == (1, b"ztref", 2800, 32, 6)
    assert (c.remote_trace_target, c.remote_trace_level) == (0x1122334455, 1)
    assert c.static_ip_count == 2
    assert [(ffi.string(c.static_ips[i].ip), c.static_ips[i].bits) for i in range(2)] == [
        (b"10.147.17.149", 24), (b"fd00::1", 88)]
    assert c.route_count == 2
    r = c.routes[1]
    assert (ffi.string(r.target), r.bits, ffi.string(r.via), r.flags, r.metric) == (b"0.0.0.0", 0, b"10.147.17.1", 0, 5)
    assert ffi.string(c.routes[0].via) == b""
    assert (c.specialist_count, c.specialists[0]) == (1, 0x021111111111)
    assert bytes(ffi.buffer(c.rules, c.rules_len)) == b"\x01\x00"
    assert c.capability_count == 2
    assert (c.capabilities[0].id, bytes(ffi.buffer(c.capabilities[0].rules, c.capabilities[0].rules_len))) == (
        7, b"\x00\x00")
    assert (c.capabilities[1].rules_len, c.capabilities[1].rules != ffi.NULL) == (0, True)
    assert (c.tag_count, c.tags[0].id, c.tags[0].value) == (1, 1, 100)
    assert (ffi.string(c.dns_domain), c.dns_server_count, ffi.string(c.dns_servers[0])) == (
        b"lab.example", 1, b"10.147.17.1")
    assert len(keep) == 3  # the rules buffers the struct points into


def test_spec_that_does_not_fit_is_refused() -> None:
    spec = _spec()
    spec.static_ips = ["10.0.0.1/32"] * 33
    with pytest.raises(NetconfError, match="more than 32 static IPs"):
        spec.to_c()
    spec = _spec()
    spec.name = "x" * 128
    with pytest.raises(NetconfError, match="name longer than 127"):
        spec.to_c()


def test_a_route_target_with_host_bits_travels_as_written() -> None:
    spec = _spec()
    spec.routes = [Route(ipaddress.ip_interface("10.147.17.5/24"))]
    c, _keep = spec.to_c()
    assert (ffi.string(c.routes[0].target), c.routes[0].bits) == (b"10.147.17.5", 24)


def test_former_names_still_import_with_a_warning() -> None:
    from libzt.controller import netconf as controller_netconf

    with pytest.warns(DeprecationWarning, match="RefusalCode"):
        assert controller_netconf.NetconfError is RefusalCode
    with pytest.warns(DeprecationWarning):
        from libzt.controller import NetconfError as former
    assert former is RefusalCode
    with pytest.warns(DeprecationWarning):
        route = controller_netconf.ManagedRoute("10.0.0.0", 8, "10.0.0.1")
    assert route == Route(ipaddress.ip_interface("10.0.0.0/8"), ipaddress.ip_address("10.0.0.1"))


def test_error_codes_match_the_header() -> None:
    assert _corelink.error_to_c(RefusalCode.NOT_FOUND) == lib.ZTX_NC_ERR_NOT_FOUND == 1
    assert _corelink.error_to_c(RefusalCode.ACCESS_DENIED) == lib.ZTX_NC_ERR_ACCESS_DENIED == 2
    assert _corelink.error_to_c(RefusalCode.UNSUPPORTED) == lib.ZTX_NC_ERR_UNSUPPORTED == 3


def test_the_c_handler_copies_the_request_and_hands_it_over(monkeypatch: pytest.MonkeyPatch) -> None:
    got: list[ConfigRequest] = []
    monkeypatch.setattr(_corelink, "_submit", got.append)
    metadata = b"v=0000000000000007\nrevr=0000000000000001\na=token:abc"
    meta_buf = ffi.new("uint8_t[]", metadata)
    req = ffi.new("ztx_config_request_t *")
    req.request_id, req.network_id, req.member_id = 99, 0x0F2E12B3166B6FA3, 0x74355AC5DB
    req.identity = b"74355ac5db:0:" + b"ab" * 64
    setattr(req, "from", b"10.200.0.1/29994")
    req.metadata, req.metadata_len = meta_buf, len(metadata)
    req.have_revision, req.have_timestamp = 4, 5
    lib._libzt_controller_handler(req)  # through C, as the core calls it
    assert got == [ConfigRequest(99, 0x0F2E12B3166B6FA3, 0x74355AC5DB, "74355ac5db:0:" + "ab" * 64,
                                 {"v": "0000000000000007", "revr": "0000000000000001", "a": "token:abc"},
                                 "10.200.0.1/29994", 4, 5)]


def test_stored_openapi_description_is_current() -> None:
    """Regenerate with: python -c 'import libzt.controller.openapi as o; o.STORED.write_text(o.render())'"""
    assert openapi.STORED.read_text() == openapi.render()
    spec = json.loads(openapi.STORED.read_text())
    assert spec["openapi"].startswith("3.")
