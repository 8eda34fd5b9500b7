# SPDX-License-Identifier: Apache-2.0
"""libzt's documented API in this process: the guide's ZeroTierNode methods (C's return codes),
``libzt.socket(ZTS_*...)`` with ZTS numbering for options and flags, the top-level ``zts_*``
functions and ``libzt.errno()``. A root in another process, all on loopback (allowed explicitly)."""
from __future__ import annotations

import socket as stdlib_socket
import subprocess
import sys
import threading
from pathlib import Path
from typing import Iterator

import pytest

import libzt
from libzt import socket
from support.worlds import Planet, RootServer, make_planet

ROOT_PORT = 39961
NETWORK = 0xFF1E000000000001  # ad-hoc: IPv4 30.x.y.z/8, no controller


@pytest.fixture(scope="module")
def loopback_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Planet]:
    planet = make_planet(tmp_path_factory.mktemp("world"), [f"127.0.0.1/{ROOT_PORT}"])
    with RootServer(planet, extra=["--allow-loopback"]):
        yield planet


class Heard:
    """What the guide-style handler received: (event_code, id) pairs, waitable."""

    def __init__(self) -> None:
        self.events: list[tuple[int, int]] = []
        self._cond = threading.Condition()

    def __call__(self, event_code: int, id: int) -> None:  # the guide's signature
        with self._cond:
            self.events.append((event_code, id))
            self._cond.notify_all()

    def forget(self) -> None:
        with self._cond:
            self.events.clear()

    def wait(self, code: int, timeout: float = 30) -> int:
        with self._cond:
            if not self._cond.wait_for(lambda: any(c == code for c, _ in self.events), timeout):
                raise TimeoutError(f"no event {code} within {timeout} s: {self.events}")
            return next(i for c, i in self.events if c == code)


@pytest.fixture
def node(loopback_world: Planet, tmp_path: Path) -> Iterator[tuple[libzt.ZeroTierNode, Heard]]:
    """A node configured and started the guide's way (loopback paths allowed the Pythonic way)."""
    heard = Heard()
    n = libzt.ZeroTierNode(allow_loopback=True)
    assert n.node_stop() == libzt.ZTS_ERR_SERVICE  # not running yet
    assert n.init_from_storage(str(tmp_path / "node")) == libzt.ZTS_ERR_OK
    assert n.init_set_event_handler(heard) == libzt.ZTS_ERR_OK
    planet = loopback_world.bytes
    assert n.init_set_roots(planet, len(planet)) == libzt.ZTS_ERR_OK
    assert n.init_set_port(0) == libzt.ZTS_ERR_OK
    assert n.node_start() == libzt.ZTS_ERR_OK
    try:
        yield n, heard
    finally:
        n.stop()


def test_node_methods_answer_as_the_guide_says(node: tuple[libzt.ZeroTierNode, Heard], tmp_path: Path) -> None:
    n, heard = node
    online_id = heard.wait(libzt.ZTS_EVENT_NODE_ONLINE)
    assert n.node_is_online() == 1 and n.is_online() is True
    assert n.node_id() == n.get_id() == online_id == n.id == libzt.zts_node_get_id()
    assert (tmp_path / "node" / "identity.secret").read_text().startswith(f"{online_id:010x}:0:")
    # Configuration belongs before the start; a second start is refused, as in C.
    assert n.init_set_port(9999) == libzt.ZTS_ERR_SERVICE
    assert n.node_start() == libzt.ZTS_ERR_SERVICE

    assert n.net_transport_is_ready(NETWORK) == 0
    with pytest.raises(libzt.NoResultError, match="no IPv4 address"):
        n.addr_get_ipv4(NETWORK)
    assert n.net_join(NETWORK) == libzt.ZTS_ERR_OK
    assert heard.wait(libzt.ZTS_EVENT_NETWORK_READY_IP4) == NETWORK
    assert n.net_transport_is_ready(NETWORK) == 1
    ipv4 = n.addr_get_ipv4(NETWORK)
    assert ipv4.startswith("30.")
    buf = bytearray(libzt.ZTS_IP_MAX_STR_LEN)  # the same through the C call, with a buffer C fills
    assert libzt.zts_addr_get_str(NETWORK, libzt.ZTS_AF_INET, buf, len(buf)) == libzt.ZTS_ERR_OK
    assert buf.rstrip(b"\0").decode() == ipv4
    assert n.net_leave(NETWORK) == libzt.ZTS_ERR_OK

    assert n.node_stop() == libzt.ZTS_ERR_OK
    assert n.node_stop() == libzt.ZTS_ERR_SERVICE
    assert not n.running
    heard.wait(libzt.ZTS_EVENT_NODE_DOWN)  # delivered after zts_node_stop returns, still to this node



def test_a_node_started_again_reports_its_network_ready_again(node: tuple[libzt.ZeroTierNode, Heard]) -> None:
    # Code in the guide's style waits for NETWORK_READY_IP4; a second run in one process must get it
    # (and the address events) as the first did.
    n, heard = node
    for run in (1, 2):
        heard.wait(libzt.ZTS_EVENT_NODE_ONLINE)
        assert n.net_join(NETWORK) == libzt.ZTS_ERR_OK
        assert heard.wait(libzt.ZTS_EVENT_ADDR_ADDED_IP4) == NETWORK, f"run {run}"
        assert heard.wait(libzt.ZTS_EVENT_NETWORK_READY_IP4) == NETWORK, f"run {run}"
        assert n.node_stop() == libzt.ZTS_ERR_OK
        heard.wait(libzt.ZTS_EVENT_NODE_DOWN)
        heard.forget()
        if run == 1:
            assert n.node_start() == libzt.ZTS_ERR_OK


def test_guide_socket_takes_zts_numbers(node: tuple[libzt.ZeroTierNode, Heard]) -> None:
    _, heard = node
    heard.wait(libzt.ZTS_EVENT_NODE_ONLINE)
    serv = libzt.socket(libzt.ZTS_AF_INET, libzt.ZTS_SOCK_STREAM, 0)
    with serv:
        assert isinstance(serv, socket.socket) and serv.family == stdlib_socket.AF_INET
        # Socket level: ZTS numbering (lwIP's SOL_SOCKET is 0xfff), and the OS's level works too.
        assert libzt.ZTS_SOL_SOCKET != stdlib_socket.SOL_SOCKET
        assert serv.setsockopt(libzt.ZTS_SOL_SOCKET, libzt.ZTS_SO_REUSEADDR, 1) == libzt.ZTS_ERR_OK
        assert serv.getsockopt(libzt.ZTS_SOL_SOCKET, libzt.ZTS_SO_REUSEADDR) != 0
        assert serv.getsockopt(stdlib_socket.SOL_SOCKET, stdlib_socket.SO_REUSEADDR) != 0
        # TCP level: the same level number in both, different option numbers: ZTS ones here.
        assert libzt.ZTS_TCP_KEEPIDLE != stdlib_socket.TCP_KEEPIDLE
        serv.setsockopt(libzt.ZTS_IPPROTO_TCP, libzt.ZTS_TCP_KEEPIDLE, 37)
        assert serv.getsockopt(libzt.ZTS_IPPROTO_TCP, libzt.ZTS_TCP_KEEPIDLE) == 37
        serv.bind(("127.0.0.1", 0))
        serv.listen(1)
        port = serv.getsockname()[1]

        client = libzt.socket(libzt.ZTS_AF_INET, libzt.ZTS_SOCK_STREAM, 0)
        with client:
            client.connect(("127.0.0.1", port))
            conn, addr = serv.accept()
            with conn:
                assert isinstance(conn, type(serv)) and addr == client.getsockname()
                assert client.send(b"Hello, network!") == 15
                # ZTS_MSG_PEEK is 1, which is the OS's MSG_OOB: taken as ZTS here.
                assert libzt.ZTS_MSG_PEEK != stdlib_socket.MSG_PEEK
                assert conn.recv(128, libzt.ZTS_MSG_PEEK) == b"Hello, network!"
                peeked = bytearray(5)
                assert conn.recvmsg_into([peeked], 0, libzt.ZTS_MSG_PEEK)[0] == 5 and peeked == b"Hello"
                assert conn.recv(128, libzt.ZTS_MSG_WAITALL | libzt.ZTS_MSG_DONTWAIT) == b"Hello, network!"
                client.shutdown(libzt.ZTS_SHUT_WR)
                assert conn.recv(128) == b""

    # The stdlib-shaped socket keeps the OS's numbering, and takes the unambiguous ZTS level.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as plain:
        plain.setsockopt(libzt.ZTS_SOL_SOCKET, libzt.ZTS_SO_KEEPALIVE, 1)
        assert plain.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE) != 0


def test_errno_and_top_level_c_calls(node: tuple[libzt.ZeroTierNode, Heard]) -> None:
    _, heard = node
    heard.wait(libzt.ZTS_EVENT_NODE_ONLINE)
    with libzt.socket(libzt.ZTS_AF_INET, libzt.ZTS_SOCK_STREAM, 0) as s:
        with pytest.raises(ConnectionRefusedError):
            s.connect(("127.0.0.1", 9))
        assert libzt.errno() == socket.errno() == libzt.ZTS_ECONNREFUSED  # socket.errno(): the guide's spelling
    fd = libzt.zts_bsd_socket(libzt.ZTS_AF_INET, libzt.ZTS_SOCK_DGRAM, 0)
    assert fd >= 0
    assert libzt.zts_bind(fd, "127.0.0.1", 0) == libzt.ZTS_ERR_OK  # str for const char *
    assert libzt.zts_bsd_close(fd) == libzt.ZTS_ERR_OK
    assert libzt.zts_bsd_close(fd) == libzt.ZTS_ERR_SOCKET
    assert libzt.errno() == libzt.ZTS_EBADF
    with pytest.raises(TypeError, match="zts_bind"):
        libzt.zts_bind(fd, 127, 0)


FREE_SCRIPT = """
import sys, threading
import libzt

online = threading.Event()
node = libzt.ZeroTierNode(allow_loopback=True)
node.init_set_event_handler(lambda code, id: code == libzt.ZTS_EVENT_NODE_ONLINE and online.set())
planet = open(sys.argv[1], "rb").read()
node.init_set_roots(planet, len(planet))
print("start", node.node_start(), flush=True)
print("online", online.wait(60), flush=True)
print("free", node.node_free(), node.running, flush=True)
print("start again", node.node_start(), flush=True)
print("other node", libzt.ZeroTierNode().node_start(), flush=True)
"""


def test_node_free_shuts_the_stack_down_for_good(loopback_world: Planet) -> None:
    """``node_free()`` on a running node: stopped, and no node starts in this process again (its own
    process: the freed stack stays freed)."""
    run = subprocess.run([sys.executable, "-c", FREE_SCRIPT, str(loopback_world.path)], capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.splitlines() == [
        "start 0", "online True", "free 0 False",
        f"start again {libzt.ZTS_ERR_SERVICE}", f"other node {libzt.ZTS_ERR_SERVICE}",
    ]
