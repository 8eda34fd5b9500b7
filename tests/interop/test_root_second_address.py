# SPDX-License-Identifier: Apache-2.0
"""A root on a host with two addresses on one interface, its planet naming the second one.

ZeroTier nodes accept a root path only from an address the planet names, so the root's
replies must leave from the address the request arrived on. Here the namespace's veth0 holds
10.200.0.1 and 10.200.0.5 (fd00:200::1 and fd00:200::5), the planet names .5 only, and the
official libzt binds its sockets to veth1's address: a reply whose source the kernel picks
comes from another address (10.200.0.2, the local route's), and the official node never gets a
root path nor a network config. Our node and the official libzt 1.8.4 both must get both.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from support.controllers import NETWORK_READY_IP4, ControllerServer, managed_network, member, on
from support.netns import NetNs
from support.worlds import make_planet, start_root_node

pytestmark = [pytest.mark.interop, pytest.mark.netns]

SECOND = {"ipv4": "10.200.0.5", "ipv6": "fd00:200::5"}


@pytest.fixture(scope="module")
def two_address_host(netns: NetNs) -> NetNs:
    netns.run([netns.ip, "addr", "add", f"{SECOND['ipv4']}/{netns.PREFIX4}", "dev", netns.IFACE1])
    netns.run([netns.ip, "-6", "addr", "add", f"{SECOND['ipv6']}/{netns.PREFIX6}", "dev", netns.IFACE1, "nodad"])
    return netns


def root_paths(node, root_id: str) -> list[str]:
    return [node.core_query_path(root_id, i)["path"] for i in range(node.core_query_path_count(root_id))]


@pytest.mark.parametrize("family,port", [("ipv4", 29961), ("ipv6", 29971)])
def test_root_answers_from_the_address_its_planet_names(
    two_address_host: NetNs, official_node, our_node, tmp_path: Path, family: str, port: int
) -> None:
    netns = two_address_host
    planet = make_planet(tmp_path, [f"{SECOND[family]}/{port}"])
    root = start_root_node(our_node, netns, planet, port)
    root_id = root.node_get_id()
    with ControllerServer(tmp_path / "ctl", planet.path, netns.cmd_prefix, port=port + 1) as ctl:
        nwid = managed_network(ctl, private=False)
        official = official_node(prefix=netns.cmd_prefix, name="official")
        official.init_set_roots(planet.bytes)
        official.init_set_port(port + 2)
        official.init_allow_port_mapping(False)
        official.node_start()
        official.wait_online(timeout=30)
        ours, _ = member(our_node, netns, planet, "ours")

        official.net_join(nwid)
        ours.net_join(nwid)
        ours.wait_event(NETWORK_READY_IP4, timeout=30, match=on(nwid))
        official.wait_event(NETWORK_READY_IP4, timeout=60, match=on(nwid))

        # The official node's config request went through the root, so it holds a root path (its
        # zts_core_query_path* are stubs in 1.8.4); ours shows its root paths: only at the named address.
        paths = root_paths(ours, root_id)
        assert paths and all(p.split("/")[0] == SECOND[family] for p in paths), paths
        assert root_paths(root, official.node_get_id()), "the root has no path to the official node"
