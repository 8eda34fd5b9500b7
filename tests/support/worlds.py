# SPDX-License-Identifier: Apache-2.0
"""Self-hosted worlds for tests: a root identity, a planet naming it, and the root running.

``RootServer`` runs our ``libzt root`` command (the real CLI) in a namespace and waits until it
serves; ``make_planet`` writes the identity and planet files a root and its nodes need.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional, Sequence, Union

import libzt
from support.netns import NetNs
from support.official import OurNode

# Never ZeroTier's own planet ID: nodes prefer Earth when they know both.
TEST_WORLD_ID = 0x7E57_0000_0001


@dataclass
class Planet:
    world: libzt.World
    root_dir: Path  # holds the root's identity.secret
    root_id: libzt.Identity
    key: libzt.KeyPair
    path: Path  # the planet file

    @property
    def bytes(self) -> bytes:
        return self.world.to_bytes()


def make_planet(directory: Path, endpoints: Sequence[str], world_id: int = TEST_WORLD_ID) -> Planet:
    """A root identity in ``directory/root`` and a planet naming it at ``endpoints`` ("ip/port")."""
    root_dir = directory / "root"
    ident = libzt.Identity.generate()
    ident.save(root_dir)
    key = libzt.KeyPair.generate()
    world = libzt.World.create([libzt.Root(ident.public_identity(), tuple(endpoints))], signing_key=key, id=world_id)
    world.save(directory / "planet")
    return Planet(world, root_dir, ident, key, directory / "planet")


def free_udp_port() -> int:
    """A UDP port free on every IPv4 and IPv6 address of this machine now, for a root outside a namespace.

    Fixed ports collide when two test runs share the machine (another checkout, CI beside a
    developer); the kernel's choice does not. A root binds both families, so both are checked.
    """
    for _ in range(100):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as v4:
            v4.bind(("0.0.0.0", 0))
            port = v4.getsockname()[1]
            try:
                v6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
            except OSError:
                return port  # no IPv6 here: the root will not bind it either
            with v6:
                v6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
                try:
                    v6.bind(("::", port))
                except OSError:
                    continue
            return port
    raise RuntimeError("no UDP port free on both IPv4 and IPv6")


class RootServer:
    """``libzt root`` in its own process (inside a namespace when a prefix is given). Its output is
    read on a thread that signals when the root reports it is serving, and kept for diagnostics."""

    def __init__(self, planet: Planet, prefix: Sequence[str] = (), port: int = 0, extra: Sequence[str] = ()) -> None:
        self.planet = planet
        argv = [*prefix, sys.executable, "-m", "libzt", "root", "--world", str(planet.path),
                "--identity", str(planet.root_dir), *extra]
        if port:
            argv += ["--port", str(port)]
        self._lines: list[str] = []
        self._serving = threading.Event()
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                     start_new_session=True)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._lines.append(line)
            if " serving world " in line:
                self._serving.set()
        self._serving.set()  # exited: wake any waiter, who then sees the exit

    def wait_ready(self, timeout: float = 15.0) -> None:
        if not self._serving.wait(timeout):
            raise TimeoutError(f"libzt root not serving after {timeout} s:\n{self.log()}")
        if self.proc.poll() is not None and not any(" serving world " in ln for ln in self._lines):
            raise RuntimeError(f"libzt root exited with {self.proc.returncode}:\n{self.log()}")

    def log(self) -> str:
        return "".join(self._lines)

    def stop(self, timeout: float = 10.0) -> Optional[int]:
        return stop_process(self.proc, self._reader, timeout)

    def __enter__(self) -> RootServer:
        self.wait_ready()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def stop_process(proc: subprocess.Popen[str], reader: threading.Thread, timeout: float, kill: bool = False) -> int:
    """Ends a server process started in a session of its own (SIGTERM, or SIGKILL to its whole group
    with ``kill`` or when it does not exit in time) and joins the thread reading its output."""
    if proc.poll() is None:
        if kill:
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout)
    reader.join(5)
    return proc.returncode


def start_root_node(our_node: Callable[..., OurNode], where: Union[NetNs, Sequence[str]], planet: Planet,
                    port: int) -> OurNode:
    """The root as a worker (same code as `libzt root`), so tests can read its counters; ``where`` is a
    namespace, or the command prefix that enters one (e.g. a NAT lab's)."""
    root = our_node(prefix=where.cmd_prefix if isinstance(where, NetNs) else list(where), name="root")
    root.init_from_storage(planet.root_dir)
    root.init_set_roots(planet.bytes)
    root.init_set_port(port)
    root.node_start()
    root.wait_online(timeout=5)
    return root


def start_node(our_node: Callable[..., OurNode], netns: NetNs, planet: Planet, name: str, **init: int) -> OurNode:
    node = our_node(prefix=netns.cmd_prefix, name=name)
    node.init_set_roots(planet.bytes)
    for call, value in init.items():
        getattr(node, f"init_{call}")(value)
    node.node_start()
    return node


def start_node_behind_a_root(our_node: Callable[..., OurNode], netns: NetNs, tmp_path: Path, port: int,
                             timeout: float) -> OurNode:
    """A root at netns.ADDR1:port (a planet of its own, under tmp_path) and one of our nodes online
    through it: what a raw peer (support.rawpeer) talks to."""
    planet = make_planet(tmp_path, [f"{netns.ADDR1}/{port}"])
    start_root_node(our_node, netns, planet, port)
    node = start_node(our_node, netns, planet, "node")
    node.wait_online(timeout=timeout)
    return node
