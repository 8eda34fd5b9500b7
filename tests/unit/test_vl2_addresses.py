# SPDX-License-Identifier: Apache-2.0
"""Identifiers of virtual networks: MACs, the IPv6 addresses ZeroTier derives (RFC 4193 and 6PLANE),
ad-hoc network IDs and configs, through libzt's own C functions (zts_addr_compute_*,
zts_net_compute_adhoc_id) and the Python layer. Worked examples from the spec (vl2.md 1.2, 7.1)."""
from __future__ import annotations

import ipaddress
import socket

import pytest
from libzt._native import ffi, lib

from libzt import NetconfError
from libzt import netconf as nc

NWID, NODE = 0x8056C2E21C000001, 0x89E92CEEE5  # the spec's example network and node


def test_mac_worked_example() -> None:
    assert nc.mac_address(NWID, NODE) == 0x0289E9300C27  # 02:89:e9:30:0c:27
    assert nc.node_id_from_mac(NWID, 0x0289E9300C27) == NODE


@pytest.mark.parametrize("nwid", [0x8056C2E21C000001, 0x0F2E12B3166B6FA3, 0xFFFFFFFFFFFFFF51, 0x0000000000000050])
def test_mac_first_octet(nwid: int) -> None:
    mac = nc.mac_address(nwid, NODE)
    first = (nwid & 0xFE) | 0x02
    assert mac >> 40 == (0x32 if first == 0x52 else first)  # never KVM's 0x52, never multicast
    assert nc.node_id_from_mac(nwid, mac) == NODE


def test_rfc4193_and_6plane_worked_examples() -> None:
    assert nc.rfc4193_address(NWID, NODE) == ipaddress.IPv6Interface("fd80:56c2:e21c:0000:0199:9389:e92c:eee5/88")
    assert nc.sixplane_address(NWID, NODE) == ipaddress.IPv6Interface("fc9c:56c2:e389:e92c:eee5::1/40")


def compute_str(fn: object, nwid: int, node: int, length: int = lib.ZTS_IP_MAX_STR_LEN) -> tuple[int, str]:
    buf = ffi.new("char[]", 64)
    code = fn(nwid, node, buf, length)  # type: ignore[operator]
    return code, ffi.string(buf).decode()


def test_zts_addr_compute_str() -> None:
    # Upper case, as the official libzt 1.8.4 writes them (lwIP's formatter; checked against its
    # zts_addr_compute_*_str through ctypes).
    assert compute_str(lib.zts_addr_compute_rfc4193_str, NWID, NODE) == (0, "FD80:56C2:E21C:0:199:9389:E92C:EEE5")
    assert compute_str(lib.zts_addr_compute_6plane_str, NWID, NODE) == (0, "FC9C:56C2:E389:E92C:EEE5::1")


def test_zts_addr_compute_str_formats_as_lwip_does() -> None:
    # lwIP compresses the FIRST run of zero groups; glibc would pick the longer one ("fcab:0:0:1234::1").
    code, text = compute_str(lib.zts_addr_compute_6plane_str, 0xAB000000, 0x0012340000)
    assert (code, text) == (0, "FCAB::1234:0:0:0:1")
    assert ipaddress.IPv6Address(text) == ipaddress.IPv6Address("fcab:0:0:1234::1")


@pytest.mark.parametrize("fn", ["zts_addr_compute_rfc4193_str", "zts_addr_compute_6plane_str"])
def test_zts_addr_compute_str_refusals(fn: str) -> None:
    f = getattr(lib, fn)
    assert compute_str(f, 0, NODE)[0] == lib.ZTS_ERR_ARG
    assert compute_str(f, NWID, 0)[0] == lib.ZTS_ERR_ARG
    for wrong in (0, 45, 47, 64):  # libzt insists on exactly ZTS_IP_MAX_STR_LEN
        assert compute_str(f, NWID, NODE, wrong)[0] == lib.ZTS_ERR_ARG
    assert f(NWID, NODE, ffi.NULL, lib.ZTS_IP_MAX_STR_LEN) == lib.ZTS_ERR_ARG


@pytest.mark.parametrize(("fn", "expected"), [("zts_addr_compute_6plane", nc.sixplane_address(NWID, NODE)),
                                              ("zts_addr_compute_rfc4193", nc.rfc4193_address(NWID, NODE))])
def test_zts_addr_compute_fills_an_lwip_sockaddr(fn: str, expected: ipaddress.IPv6Interface) -> None:
    f = getattr(lib, fn)
    ss = ffi.new("struct zts_sockaddr_storage *")
    in6 = ffi.cast("struct zts_sockaddr_in6 *", ss)
    in6.sin6_port = socket.htons(9993)  # set beforehand: kept, as libzt keeps it
    assert f(NWID, NODE, ss) == lib.ZTS_ERR_OK
    assert (in6.sin6_len, in6.sin6_family) == (ffi.sizeof("struct zts_sockaddr_in6"), lib.ZTS_AF_INET6)
    assert bytes(ffi.buffer(ffi.addressof(in6, "sin6_addr"), 16)) == expected.ip.packed
    assert socket.ntohs(in6.sin6_port) == 9993
    assert f(0, NODE, ss) == f(NWID, 0, ss) == f(NWID, NODE, ffi.NULL) == lib.ZTS_ERR_ARG


def test_zts_net_compute_adhoc_id() -> None:
    assert lib.zts_net_compute_adhoc_id(80, 443) == 0xFF005001BB000000
    assert lib.zts_net_compute_adhoc_id(0, 65535) == 0xFF0000FFFF000000
    assert nc.adhoc_network_id(5000, 5000) == 0xFF13881388000000
    with pytest.raises(NetconfError):
        nc.adhoc_network_id(1, 65536)


def test_adhoc_port_range_config() -> None:
    nwid = nc.adhoc_network_id(0x1F90, 0x1FA0)
    config = nc.NetworkConfig.from_bytes(nc.adhoc_network_config(nwid, NODE, 12345))
    assert (config.network_id, config.issued_to, config.timestamp, config.revision) == (nwid, NODE, 12345, 1)
    assert config.name == "adhoc-1f90-1fa0"
    assert config.type is nc.NetworkType.PUBLIC and config.com is None
    assert config.mtu == 2800 and config.multicast_limit == 0
    assert config.flags == nc.FLAG_NDP_EMULATION
    assert config.credential_time_max_delta == 2 * 3600 * 1000
    assert config.static_ips == (nc.sixplane_address(nwid, NODE),)
    assert config.rules[:2] == ({"type": "MATCH_ETHERTYPE", "etherType": 0x86DD, "not": True, "or": False},
                                {"type": "ACTION_DROP"})
    assert config.rules[6] == {"type": "MATCH_IP_DEST_PORT_RANGE", "start": 0x1F90, "end": 0x1FA0, "not": False,
                               "or": False}


def test_adhoc_ipv4_config() -> None:
    nwid = 0xFF0A_1234567890_01  # IPv4 10/8, hub 1234567890
    config = nc.NetworkConfig.from_bytes(nc.adhoc_network_config(nwid, NODE, 1))
    assert config.name == "adhoc-10.0.0.0"
    assert config.static_ips == (nc.sixplane_address(nwid, NODE), ipaddress.IPv4Interface("10.44.238.229/8"))
    assert config.specialists == (nc.Specialist(0x1234567890, frozenset()),)
    assert config.multicast_limit == 1024 and config.rules == ({"type": "ACTION_ACCEPT"},)
    without_hub = nc.NetworkConfig.from_bytes(nc.adhoc_network_config(0xFF0A00000000_0001, NODE, 1))
    assert without_hub.specialists == ()


@pytest.mark.parametrize("nwid", [0xFF01BB0050000000, 0xFF00000000000002, 0x8056C2E21C000001])
def test_networks_that_are_not_ad_hoc(nwid: int) -> None:
    with pytest.raises(NetconfError, match="ad-hoc"):
        nc.adhoc_network_config(nwid, NODE, 1)  # end port before start; neither form; a controller's network
