# SPDX-License-Identifier: Apache-2.0
"""Moons: a node orbits a moon served by our root (`libzt root --world MOON --planet PLANET`) with
zts_moon_orbit, fetches it from the moon's root in OK(HELLO), keeps it in storage (moons.d/), and
then reaches through the moon's root alone a peer it never met, after the planet's only root is
gone."""
from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

import pytest

import libzt
from support.netns import NetNs
from support.official import OurNode
from support.worlds import Planet, RootServer, make_planet, start_root_node

pytestmark = pytest.mark.netns

PLANET_PORT = 30011
MOON_PORT = 30012


def make_moon(directory: Path, endpoint: str) -> Planet:
    """A moon with one root (identity in `directory/root`, the moon in `directory/moon`); its ID is
    the root's address, as `zerotier-idtool initmoon` makes it."""
    root_dir = directory / "root"
    ident = libzt.Identity.generate()
    ident.save(root_dir)
    key = libzt.KeyPair.generate()
    moon = libzt.World.create([libzt.Root(ident.public_identity(), (endpoint,))], signing_key=key, id=ident.node_id,
                              type=libzt.WorldType.MOON)
    moon.save(directory / "moon")
    return Planet(moon, root_dir, ident, key, directory / "moon")


def moon_file(storage: Path, world_id: int) -> Path:
    path = storage / "moons.d" / f"{world_id:016x}.moon"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def node_from_storage(our_node: Callable[..., OurNode], netns: NetNs, planet: Planet, storage: Path, port: int,
                      name: str) -> OurNode:
    """A node that keeps its port across restarts, as a deployed node does (the moon's root would
    otherwise still prefer the old, dead port for a while)."""
    node = our_node(prefix=netns.cmd_prefix, name=name)
    node.init_from_storage(storage)
    node.init_set_roots(planet.bytes)
    node.init_set_port(port)
    node.node_start()
    return node


def test_orbit_fetches_the_moon_and_its_root_serves_when_the_planet_root_is_gone(
        netns: NetNs, our_node, tmp_path: Path) -> None:
    planet = make_planet(tmp_path / "planet", [f"{netns.ADDR1}/{PLANET_PORT}"])
    planet_root = start_root_node(our_node, netns, planet, PLANET_PORT)
    lunar = make_moon(tmp_path / "moon", f"{netns.ADDR2}/{MOON_PORT}")
    moon, moon_ident = lunar.world, lunar.root_id
    # The moon's root: a node of the planet that holds the moon (its moons.d/) and is its root.
    moon_root = RootServer(lunar, prefix=netns.cmd_prefix, extra=["--planet", str(planet.path)])
    try:
        moon_root.wait_ready()
        run_orbit(our_node, netns, tmp_path, planet, planet_root, moon, moon_ident)
    finally:
        moon_root.stop()
    assert f"root {moon_ident.address} serving world {moon.id}" in moon_root.log()
    assert moon_file(lunar.root_dir, moon.id).read_bytes() == moon.to_bytes()


def run_orbit(our_node: Callable[..., OurNode], netns: NetNs, tmp_path: Path, planet: Planet, planet_root: OurNode,
              moon: libzt.World, moon_ident: libzt.Identity) -> None:
    # Orbit over the network: WHOIS of the seed through the planet's root, HELLO naming the moon as
    # wanted, the moon in the seed's OK(HELLO), checked and stored.
    storages = {name: tmp_path / name for name in ("a", "b")}
    ports = {"a": MOON_PORT + 1, "b": MOON_PORT + 2}
    nodes = {name: node_from_storage(our_node, netns, planet, path, ports[name], name)
             for name, path in storages.items()}
    for node in nodes.values():
        node.wait_online(timeout=10)
        assert node.moon_orbit(moon.id, moon_ident.address) == 0
    for name, path in storages.items():
        stored = moon_file(path, moon.id)
        wait_until(stored.exists, 30, f"{name} to store the moon")
        assert libzt.World.load(stored) == moon
    ids = {name: node.node_get_id() for name, node in nodes.items()}
    for node in nodes.values():
        node.close()
    planet_root.close()  # from now on the planet names nobody who answers

    # Restarted from storage, the nodes load the moon; its root is now all they have: they come
    # online through it, and A reaches B, whom it never met (WHOIS answered and packets relayed
    # by the moon's root).
    nodes = {name: node_from_storage(our_node, netns, planet, path, ports[name], f"{name}2")
             for name, path in storages.items()}
    for node in nodes.values():
        node.wait_online(timeout=15)
    a = nodes["a"]
    reply = a.ping_until_answered(ids["b"], b"over the moon")
    assert bytes.fromhex(reply["echo"]["data"]) == b"over the moon"

    # Deorbit forgets the moon, file included.
    assert a.moon_deorbit(moon.id) == 0
    wait_until(lambda: not moon_file(storages["a"], moon.id).exists(), 10, "the moon file to go")


def test_orbit_refuses_bad_arguments_and_needs_a_node(our_node) -> None:
    node = our_node(name="lonely")
    assert node.moon_orbit(0x1234567890, 0x1234567890, check=False) == -2  # ZTS_ERR_SERVICE before start
    assert node.moon_deorbit(0x1234567890, check=False) == -2
