# SPDX-License-Identifier: Apache-2.0
"""A root hands a newer planet to a node in OK(HELLO); the node takes it only if the update key of
the planet it has signed it, then stores it (roots file, STORE_PLANET event)."""
from __future__ import annotations

from pathlib import Path

import libzt
from support.official import OurNode
from support.worlds import Planet, RootServer, free_udp_port, make_planet

STORE_PLANET = 272


def revision(base: Planet, directory: Path, signer: libzt.KeyPair, timestamp: int) -> Planet:
    """The same planet (same root and ID), a later revision signed by `signer`."""
    world = libzt.World.create(
        base.world.roots, signing_key=signer, update_key=signer, id=base.world.id, timestamp=timestamp
    )
    directory.mkdir(parents=True, exist_ok=True)
    world.save(directory / "planet")
    return Planet(world, base.root_dir, base.root_id, signer, directory / "planet")


def node_with(our_node, world: libzt.World, storage: Path) -> OurNode:
    node = our_node(name="node")
    node.init_from_storage(storage)
    node.init_set_roots(world.to_bytes())
    node.init_allow_loopback_paths(True)
    node.node_start()
    return node


def test_signed_update_is_accepted_and_stored(our_node, tmp_path: Path) -> None:
    v1 = make_planet(tmp_path / "v1", [f"127.0.0.1/{free_udp_port()}"])  # self-signed: its update key is v1.key
    v2 = revision(v1, tmp_path / "v2", v1.key, v1.world.timestamp + 1000)
    assert v1.world.should_be_replaced_by(v2.world)
    with RootServer(v2, extra=["--allow-loopback"]):
        node = node_with(our_node, v1.world, tmp_path / "node")
        node.wait_online(timeout=5)
        node.wait_event(STORE_PLANET, timeout=5)
    assert (tmp_path / "node" / "roots").read_bytes() == v2.world.to_bytes()


def test_update_signed_by_another_key_is_refused(our_node, tmp_path: Path) -> None:
    v1 = make_planet(tmp_path / "v1", [f"127.0.0.1/{free_udp_port()}"])
    forged = revision(v1, tmp_path / "forged", libzt.KeyPair.generate(), v1.world.timestamp + 1000)
    assert not v1.world.should_be_replaced_by(forged.world)
    with RootServer(forged, extra=["--allow-loopback"]):
        node = node_with(our_node, v1.world, tmp_path / "node")
        # Online means the root's OK(HELLO), which carried the forged planet, has been processed.
        node.wait_online(timeout=5)
        assert all(e["code"] != STORE_PLANET for e in node.event_history())
    assert (tmp_path / "node" / "roots").read_bytes() == v1.world.to_bytes()
