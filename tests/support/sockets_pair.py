# SPDX-License-Identifier: Apache-2.0
"""Two of our nodes on one ad-hoc network, for the socket tests: one in the pytest process (the
``libzt.socket`` / ``libzt.aio`` under test), the other in a peer process (``socket_peer.py``) that
serves what a test asks for. A root on 127.0.0.1 introduces them; loopback paths are allowed.

``zt_pair`` (module scope: one node per process, and the node test modules start their own) gives a
:class:`Pair` with the local node and network, the peer, and both members' addresses.
"""
from __future__ import annotations

import hashlib
import itertools
import json
import subprocess
import sys
import threading
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterator, Optional, Sequence

import pytest

import libzt
from support.worlds import Planet, RootServer, free_udp_port, make_planet

PEER_SCRIPT = Path(__file__).resolve().parents[1] / "integration" / "socket_peer.py"
ADHOC_IPV4 = (0xFF << 56) | (44 << 48) | 0x01  # everything allowed; IPv4 44.x.y.z/8 and 6PLANE IPv6


class PeerError(RuntimeError):
    pass


class Request:
    """A request in flight: ``early()`` is what the peer says before it blocks (e.g. its port)."""

    def __init__(self, cmd: str) -> None:
        self.cmd = cmd
        self._early: Future[Dict[str, Any]] = Future()
        self._result: Future[Any] = Future()

    def early(self, timeout: float = 30) -> Dict[str, Any]:
        return self._early.result(timeout)

    def result(self, timeout: float = 60) -> Any:
        return self._result.result(timeout)


class SocketPeer:
    """The peer process; killed by ``close()`` whatever state it is in."""

    def __init__(self, planet: Optional[Planet], network_id: int = 0, start_timeout: float = 60,
                 prefix: Sequence[str] = (), stderr: Any = None) -> None:
        """``planet=None``: the peer uses the OS's sockets and runs no node (``--kernel``)."""
        args = ["--kernel"] if planet is None else ["--world", str(planet.path), "--network", f"{network_id:016x}"]
        self.proc = subprocess.Popen(
            [*prefix, sys.executable, str(PEER_SCRIPT), *args],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr, text=True, start_new_session=True,
        )
        self._ids = itertools.count(1)
        self._pending: Dict[int, Request] = {}
        self._lock = threading.Lock()
        self._ready: Future[Dict[str, Any]] = Future()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        try:
            info = self._ready.result(start_timeout)
        except BaseException:
            self.close()
            raise
        self.id: Optional[str] = info["id"]
        self.ipv4: Optional[str] = info["ipv4"]
        self.ipv6: Optional[str] = info["ipv6"]

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            msg = json.loads(line)
            if "ready" in msg:
                self._ready.set_result(msg["ready"])
                continue
            with self._lock:
                req = self._pending.get(msg["id"])
            if req is None:
                continue
            if "early" in msg:
                req._early.set_result(msg["early"])
            elif "error" in msg:
                err = PeerError(f"peer: {req.cmd}: {msg['error']}\n{msg.get('trace', '')}")
                for fut in (req._early, req._result):
                    if not fut.done():
                        fut.set_exception(err)
            else:
                if not req._early.done():
                    req._early.set_result({})
                req._result.set_result(msg["result"])
        died = PeerError(f"peer exited with {self.proc.wait()}")
        for fut in [self._ready, *(f for r in self._pending.values() for f in (r._early, r._result))]:
            if not fut.done():
                fut.set_exception(died)

    def start(self, cmd: str, **args: Any) -> Request:
        rid = next(self._ids)
        req = Request(cmd)
        with self._lock:
            self._pending[rid] = req
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps({"id": rid, "cmd": cmd, "args": args}) + "\n")
        self.proc.stdin.flush()
        return req

    def call(self, cmd: str, timeout: float = 60, **args: Any) -> Any:
        return self.start(cmd, **args).result(timeout)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(10)
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                stream.close()


@dataclass
class Pair:
    node: libzt.ZeroTierNode
    network: libzt.Network
    peer: SocketPeer
    ipv4: str  # ours
    ipv6: str
    planet: Optional[Planet] = None  # the roots, for more nodes of the test's own (CLI processes)
    network_id: int = ADHOC_IPV4

    def address(self, version: int) -> str:
        """The peer's address of that IP version."""
        address = self.peer.ipv6 if version == 6 else self.peer.ipv4
        assert address is not None
        return address


def exchange(sock: libzt.socket.socket, payload: bytes) -> tuple[int, str]:
    """Send ``payload`` (then half-close) while receiving until EOF, both at once, on a connection
    to the peer's tcp_exchange: (bytes received, their SHA-256). A send error is raised."""
    errors: list[BaseException] = []

    def send() -> None:
        try:
            sock.sendall(payload)
            sock.shutdown(libzt.socket.SHUT_WR)
        except BaseException as exc:  # raised below, in the test's thread
            errors.append(exc)

    sender = threading.Thread(target=send)
    sender.start()
    digest, received, buf = hashlib.sha256(), 0, bytearray(256 * 1024)
    while n := sock.recv_into(buf):
        digest.update(memoryview(buf)[:n])
        received += n
    sender.join()
    if errors:
        raise errors[0]
    return received, digest.hexdigest()


def start_pair(tmp: Path, root_port: int) -> Iterator[Pair]:
    planet = make_planet(tmp, [f"127.0.0.1/{root_port}"])
    with RootServer(planet, extra=["--allow-loopback"], port=root_port):
        node = libzt.ZeroTierNode(roots=planet.world, allow_loopback=True)
        node.start()
        peer: Optional[SocketPeer] = None
        try:
            node.wait_online(timeout=10)
            network = node.join(ADHOC_IPV4)
            peer = SocketPeer(planet, ADHOC_IPV4)
            network.wait_ready(timeout=30)
            ours = {a.version: str(a.ip) for a in network.addresses}
            yield Pair(node, network, peer, ours[4], ours[6], planet)
        finally:
            if peer is not None:
                peer.close()
            node.stop()


@pytest.fixture(scope="module")
def zt_pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    yield from start_pair(tmp_path_factory.mktemp("pair"), free_udp_port())
