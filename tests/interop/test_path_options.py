# SPDX-License-Identifier: Apache-2.0
"""zts_init_allow_secondary_port and zts_init_blacklist_if on our node.

The secondary port: a second random port, bound by default as in libzt; the node speaks from it
too (ZeroTier One sends from every bound port when no particular socket is named), so the root
hears the node on both ports. The blacklist: datagrams arriving on an interface whose name
starts with a blacklisted prefix are ignored, so no path is learned through it.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from libzt._native import ffi, lib

from support.netns import NetNs
from support.official import wait_until
from support.worlds import make_planet, start_node, start_root_node

pytestmark = [pytest.mark.interop, pytest.mark.netns]


def ports_heard(node, peer_id: str) -> set[int]:
    """Every port the node's peer events ever listed for the peer."""
    return {
        path["port"]
        for ev in node.event_history()
        if (ev.get("peer") or {}).get("peer_id") == peer_id
        for path in ev["peer"].get("paths", [])
    }


def test_arguments_are_checked() -> None:
    assert lib.zts_init_blacklist_if(ffi.NULL, 3) == lib.ZTS_ERR_ARG
    assert lib.zts_init_blacklist_if(b"eth", 0) == lib.ZTS_ERR_ARG
    assert lib.zts_init_blacklist_if(b"x" * 16, 16) == lib.ZTS_ERR_ARG  # longer than any interface name
    assert lib.ztx_init_set_secondary_port_rebind_after(0) == lib.ZTS_ERR_ARG


def test_secondary_port_is_bound_and_used(netns: NetNs, our_node, tmp_path: Path) -> None:
    planet = make_planet(tmp_path, [f"{netns.ADDR1}/29941"])
    root = start_root_node(our_node, netns, planet, 29941)
    both = start_node(our_node, netns, planet, "both", allow_port_mapping=0)
    single = start_node(our_node, netns, planet, "single", allow_port_mapping=0, allow_secondary_port=0)
    both.wait_online(timeout=10)
    single.wait_online(timeout=10)
    ports = both.node_get_ports()
    assert ports["secondary"] not in (0, ports["primary"]) and ports["mapping"] == 0
    assert single.node_get_ports() == {"primary": single.node_get_ports()["primary"], "secondary": 0, "mapping": 0}
    both_id = both.node_get_id()
    wait_until(lambda: {ports["primary"], ports["secondary"]} <= ports_heard(root, both_id), 20,
               what="the root hearing both ports")
    assert both.init_allow_secondary_port(True, check=False) == lib.ZTS_ERR_SERVICE  # only while stopped


def test_secondary_port_is_replaced_while_offline(netns: NetNs, our_node, tmp_path: Path) -> None:
    """Nobody answers at the planet's address, so the node stays offline: each time the rebind delay
    passes, the secondary port is swapped for a fresh one, which receives, and the old one is let go."""
    planet = make_planet(tmp_path, [f"{netns.ADDR1}/29942"])  # no root runs there
    node = start_node(our_node, netns, planet, "offline", allow_port_mapping=0, set_secondary_port_rebind_after=1500)
    first = node.node_get_ports()
    seen = [first["secondary"]]
    wait_until(lambda: seen.append(node.node_get_ports()["secondary"]) or len(set(seen)) >= 3, 60,
               what="two fresh secondary ports")
    now = node.node_get_ports()
    assert now["primary"] == first["primary"] and now["secondary"] not in (0, first["primary"])
    # The old port is free again (a knocker in the namespace binds it); the current one is the node's: a
    # datagram there counts as junk (sent to the veth address: a node ignores 127.0.0.1). One knocker
    # process for every knock, so that no process start falls between reading the port and knocking.
    knocker = (
        "import socket, sys\n"
        "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
        "s.bind(('0.0.0.0', int(sys.argv[1])))\n"
        "print('bound', flush=True)\n"
        "while line := sys.stdin.readline():\n"
        "    s.sendto(b'knock', (sys.argv[2], int(line)))\n"
    )
    proc = netns.popen([sys.executable, "-u", "-c", knocker, str(first["secondary"]), netns.ADDR2],
                       stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdin is not None
        assert proc.stdout.readline() == "bound\n", "the old secondary port is still held"
        junk = node.node_get_stats()["junk"]
        deadline = time.monotonic() + 60
        while True:  # the port changes every 1.5 s here: knock on the current one until a knock lands
            proc.stdin.write(f"{node.node_get_ports()['secondary']}\n")
            proc.stdin.flush()
            try:
                wait_until(lambda: node.node_get_stats()["junk"] > junk, 2, what="the knock")
                break
            except TimeoutError:
                assert time.monotonic() < deadline, "no knock on the secondary port ever arrived"
    finally:
        proc.kill()
        proc.wait(10)


def test_blacklisted_interface_is_never_used(netns: NetNs, our_node, tmp_path: Path) -> None:
    # The namespace's addresses are all on veth0 and veth1 (traffic between them is reported as
    # arriving on the interface holding the destination address): blacklisting the prefix "veth"
    # leaves the node without a usable interface, while its twin without the blacklist comes online.
    planet = make_planet(tmp_path, [f"{netns.ADDR1}/29942"])
    start_root_node(our_node, netns, planet, 29942)
    blind = our_node(prefix=netns.cmd_prefix, name="blind")
    blind.init_set_roots(planet.bytes)
    blind.init_allow_port_mapping(False)
    assert blind.init_blacklist_if("veth") == 0
    blind.node_start()
    twin = start_node(our_node, netns, planet, "twin", allow_port_mapping=0)
    twin.wait_online(timeout=10)
    # The root answers every HELLO at once (the twin is online through it); once the blind node
    # has sent several more rounds, the answers to the earlier ones had all the time they need.
    sent = blind.node_get_stats()["tx_datagrams"]
    wait_until(lambda: blind.node_get_stats()["tx_datagrams"] >= sent + 6, 60, what="more HELLO rounds")
    assert blind.node_is_online() == 0
    assert blind.node_get_stats()["rx_datagrams"] == 0
    assert twin.node_is_online() == 1
