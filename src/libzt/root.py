# SPDX-License-Identifier: Apache-2.0
"""``libzt root``: run a root server for a world of your own.

A root is an ordinary node whose identity is listed in the planet: it answers HELLO and WHOIS from
every node, relays packets between nodes that have no direct path yet, and introduces them to each
other (RENDEZVOUS) so they can talk directly. Make the planet first::

    libzt identity new --dir root-id
    libzt world new --root root-id/identity.public@10.0.0.1/9993 -o planet
    libzt root --world planet --identity root-id --port 9993

A moon's root is the same, for a world made with ``libzt world new --moon``: the root's node belongs
to a planet (``--planet``, default ZeroTier's) and serves the moon to the nodes that orbit it
(``zts_moon_orbit``). The moon is kept in the identity directory as ``moons.d/<ID>.moon``, where
zerotier-one keeps the moons it serves or orbits::

    libzt root --world moon --planet planet --identity moon-root-id
"""
from __future__ import annotations

import sys
from contextlib import nullcontext
from pathlib import Path
from typing import Optional

from libzt._console import say
from libzt._stop import StopRequest
from libzt.errors import ArgumentError
from libzt.events import EventCode
from libzt.identity import Identity
from libzt.node import ZeroTierNode
from libzt.world import World, WorldType


def run_root(
    world_path: str,
    identity_dir: str,
    port: int,
    allow_loopback: bool = False,
    peer_timeout: Optional[float] = None,
    max_peers: Optional[int] = None,
    stop: Optional[StopRequest] = None,
    ready_file: Optional[str] = None,
    planet_path: Optional[str] = None,
) -> int:
    world = World.load(world_path)
    secret = Path(identity_dir) / "identity.secret"
    if not secret.is_file():
        raise ArgumentError(f"{secret} not found: create it with `libzt identity new --dir {identity_dir}`")
    identity = Identity.load(secret)
    mine = [r for r in world.roots if r.identity.node_id == identity.node_id]
    if not mine:
        raise ArgumentError(f"identity {identity.address} is not one of the roots of {world_path}")
    if port == 0 and mine[0].endpoints:
        port = int(mine[0].endpoints[0].rsplit("/", 1)[1])

    # Made before anything starts: a SIGTERM while starting (a supervisor that stops us at once)
    # then means a clean stop, not death.
    with nullcontext(stop) if stop else StopRequest().set_on_signals() as stop:
        if world.type == WorldType.MOON:
            moons = Path(identity_dir) / "moons.d"
            moons.mkdir(exist_ok=True)
            world.save(moons / f"{world.id:016x}.moon")  # the node loads it at start: we are its root
            planet = World.load(planet_path) if planet_path else None
        elif planet_path:
            raise ArgumentError("--planet is for the root of a moon; this world is a planet")
        else:
            planet = world
        node = ZeroTierNode(storage=identity_dir, roots=planet, port=port, allow_loopback=allow_loopback,
                            peer_timeout=peer_timeout, max_peers=max_peers)
        # A server on the port its planet names: no random secondary port (its peers would keep paths to
        # a port that changes at every restart) and no port mapping (a root needs a public address).
        node.init_allow_secondary_port(0)
        node.init_allow_port_mapping(0)
        node.add_event_callback(lambda ev: say(f"root: {ev!r}")
                                if ev.code not in (EventCode.USER_MESSAGE, EventCode.ECHO_REPLY) else None)
        with node:
            say(f"root {node.address} serving world {world.id} on UDP port {node.port}")
            if ready_file:
                Path(ready_file).write_text(f"{node.address} {node.port}\n")
            while not stop.wait(10.0):
                s = node.stats()
                say(f"root: {s['peers']} peers (~{s['peer_bytes']} bytes each), {s['rx_packets']} packets in, "
                    f"{s['relayed']} relayed, {sum(v for k, v in s.items() if k.startswith('drop_'))} dropped")
    say("root: stopped")
    return 0


def main(argv: Optional[list[str]] = None) -> int:
    from libzt.cli import main as cli_main

    return cli_main(["root", *(argv if argv is not None else sys.argv[1:])])


__all__ = ["main", "run_root"]
