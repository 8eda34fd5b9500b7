# SPDX-License-Identifier: Apache-2.0
"""``libzt.socket.fileno()`` is an OS descriptor that polls as the socket does: selectors, asyncio's
add_reader/add_writer and trio drive our sockets (against the echo server of the peer node)."""
from __future__ import annotations

import asyncio
import errno
import hashlib
import select
import selectors
import time
from typing import Dict, List

import pytest

from libzt import socket as zsocket
from support.sockets_pair import Pair

ROOT_PORT = 39975
DEADLINE = 60.0


@pytest.fixture(scope="module")
def echo_port(zt_pair: Pair) -> int:
    return zt_pair.peer.call("tcp_echo", version=4)["port"]


def polls(sock: zsocket.socket) -> tuple[bool, bool]:
    """(readable, writable) of the socket's descriptor right now, as select() sees it."""
    r, w, _ = select.select([sock], [sock], [], 0)
    return bool(r), bool(w)


def test_descriptor_is_level_triggered(zt_pair: Pair, echo_port: int) -> None:
    with zsocket.create_connection((zt_pair.address(4), echo_port), timeout=DEADLINE) as sock:
        fd = sock.fileno()
        assert fd >= 0 and sock.fileno() == fd  # made once
        assert polls(sock) == (False, True)  # connected, nothing to read
        sock.sendall(b"x" * 3000)
        r, _, _ = select.select([fd], [], [], DEADLINE)
        assert r == [fd]
        got = sock.recv(1000)  # part of it: still readable while the rest waits
        while len(got) < 3000:
            assert select.select([fd], [], [], DEADLINE)[0] == [fd]
            assert polls(sock)[0]
            got += sock.recv(1000)
        assert got == b"x" * 3000
        assert polls(sock) == (False, True)  # drained
        sock.shutdown(zsocket.SHUT_WR)
        assert select.select([fd], [], [], DEADLINE)[0] == [fd]  # the end of the stream is readable
        assert sock.recv(10) == b""
    assert sock.fileno() == -1


def test_descriptor_wakes_after_blocking_exchanges(zt_pair: Pair, echo_port: int) -> None:
    """Blocking receives do the node's receive work themselves and leave its UDP sockets to the next
    one (net/receive_assist.hpp); a program that then waits only on the descriptor, with no thread
    in libzt, still gets its answer: the node's own thread takes the sockets back."""
    with zsocket.create_connection((zt_pair.address(4), echo_port), timeout=DEADLINE) as sock:
        sock.setsockopt(zsocket.IPPROTO_TCP, zsocket.TCP_NODELAY, 1)
        for i in range(200):  # answers awaited in recv: assisted
            message = b"%05d" % i
            sock.sendall(message)
            got = b""
            while len(got) < len(message):
                got += sock.recv(len(message) - len(got))
            assert got == message
        for i in range(20):  # answers awaited only on the descriptor
            message = b"fd%03d" % i
            sock.sendall(message)
            got = b""
            while len(got) < len(message):
                assert select.select([sock], [], [], DEADLINE)[0] == [sock], f"no answer {i} within {DEADLINE} s"
                got += sock.recv(len(message) - len(got), zsocket.MSG_DONTWAIT)
            assert got == message


def test_connecting_socket_is_not_writable_until_connected(zt_pair: Pair, echo_port: int) -> None:
    sock = zsocket.socket()
    try:
        sock.setblocking(False)
        assert sock.connect_ex((zt_pair.address(4), echo_port)) in (0, errno.EINPROGRESS)
        _, w, _ = select.select([], [sock], [], DEADLINE)
        assert w == [sock]
        assert sock.getsockopt(zsocket.SOL_SOCKET, zsocket.SO_ERROR) == 0
        assert sock.getpeername()[1] == echo_port
    finally:
        sock.close()


def test_refused_connect_wakes_the_selector(zt_pair: Pair) -> None:
    sock = zsocket.socket()
    try:
        sock.setblocking(False)
        sock.connect_ex((zt_pair.address(4), 1))  # nobody listens there: the peer resets
        r, w, _ = select.select([sock], [sock], [], DEADLINE)
        assert r or w
        assert sock.getsockopt(zsocket.SOL_SOCKET, zsocket.SO_ERROR) == errno.ECONNREFUSED
    finally:
        sock.close()


def test_listener_is_readable_when_a_connection_waits(zt_pair: Pair) -> None:
    with zsocket.create_server((zt_pair.ipv4, 0)) as server:
        assert polls(server) == (False, False)  # a listener is never writable
        port = server.getsockname()[1]
        req = zt_pair.peer.start("tcp_send", host=zt_pair.ipv4, port=port, size=1000)
        assert select.select([server], [], [], DEADLINE)[0] == [server]
        conn, _ = server.accept()
        with conn:
            data = b""
            while len(data) < 1000:
                assert select.select([conn], [], [], DEADLINE)[0] == [conn]
                chunk = conn.recv(65536)
                assert chunk
                data += chunk
        req.result()
        assert polls(server) == (False, False)


def test_udp_socket_is_writable_at_once_and_readable_when_a_datagram_waits(zt_pair: Pair) -> None:
    port = zt_pair.peer.call("udp_echo", version=4)["port"]
    with zsocket.socket(zsocket.AF_INET, zsocket.SOCK_DGRAM) as udp:
        udp.bind(("0.0.0.0", 0))
        assert polls(udp) == (False, True)
        deadline = time.monotonic() + DEADLINE
        while True:  # UDP: resend until the echo comes (the first may beat the peer path)
            udp.sendto(b"ping", (zt_pair.address(4), port))
            if select.select([udp], [], [], 1.0)[0]:
                break
            assert time.monotonic() < deadline, "no echo"
        data, addr = udp.recvfrom(100)
        assert data == b"ping" and addr[1] == port
        while select.select([udp], [], [], 0)[0]:  # echoes of resent pings
            udp.recvfrom(100)
        assert polls(udp) == (False, True)


def _payload(i: int) -> bytes:
    return hashlib.sha256(str(i).encode()).digest() * 1000  # 32 kB, different per connection


def test_default_selector_drives_100_sockets(zt_pair: Pair, echo_port: int) -> None:
    sel = selectors.DefaultSelector()
    socks: List[zsocket.socket] = []
    todo: Dict[zsocket.socket, memoryview] = {}
    got: Dict[zsocket.socket, bytearray] = {}
    expect: Dict[zsocket.socket, bytes] = {}
    started = time.monotonic()
    try:
        for i in range(100):
            s = zsocket.socket()
            socks.append(s)
            s.setblocking(False)
            assert s.connect_ex((zt_pair.address(4), echo_port)) in (0, errno.EINPROGRESS)
            todo[s], got[s], expect[s] = memoryview(_payload(i)), bytearray(), _payload(i)
            sel.register(s, selectors.EVENT_READ | selectors.EVENT_WRITE)
        done = 0
        while done < 100:
            events = sel.select(DEADLINE)
            assert events, "no socket became ready"
            for key, mask in events:
                s = key.fileobj
                if mask & selectors.EVENT_WRITE and todo[s]:
                    try:
                        n = s.send(todo[s])
                    except BlockingIOError:
                        n = 0
                    todo[s] = todo[s][n:]
                    if not todo[s]:
                        s.shutdown(zsocket.SHUT_WR)
                        sel.modify(s, selectors.EVENT_READ)
                if mask & selectors.EVENT_READ:
                    try:
                        chunk = s.recv(65536)
                    except BlockingIOError:
                        continue
                    if chunk:
                        got[s] += chunk
                    else:
                        sel.unregister(s)
                        done += 1
        assert all(got[s] == expect[s] for s in socks)
    finally:
        sel.close()
        for s in socks:
            s.close()
    print(f"\n100 sockets x 32 kB echoed through selectors.DefaultSelector in {time.monotonic() - started:.2f} s")


def test_asyncio_add_reader_add_writer_drive_100_sockets(zt_pair: Pair, echo_port: int) -> None:
    async def one(i: int) -> bool:
        loop = asyncio.get_running_loop()
        s = zsocket.socket()
        s.setblocking(False)
        try:
            s.connect_ex((zt_pair.address(4), echo_port))
            await _ready(loop, s, write=True)
            assert s.getsockopt(zsocket.SOL_SOCKET, zsocket.SO_ERROR) == 0
            data = memoryview(_payload(i))
            while data:
                await _ready(loop, s, write=True)
                try:
                    data = data[s.send(data):]
                except BlockingIOError:
                    pass
            s.shutdown(zsocket.SHUT_WR)
            echoed = bytearray()
            while True:
                await _ready(loop, s, write=False)
                try:
                    chunk = s.recv(65536)
                except BlockingIOError:
                    continue
                if not chunk:
                    return bytes(echoed) == _payload(i)
                echoed += chunk
        finally:
            s.close()

    async def main() -> List[bool]:
        return await asyncio.gather(*(one(i) for i in range(100)))

    started = time.monotonic()
    assert all(asyncio.run(asyncio.wait_for(main(), DEADLINE)))
    print(f"\n100 sockets x 32 kB echoed through asyncio add_reader/add_writer in {time.monotonic() - started:.2f} s")


async def _ready(loop: asyncio.AbstractEventLoop, s: zsocket.socket, write: bool) -> None:
    fut = loop.create_future()
    fd = s.fileno()
    (loop.add_writer if write else loop.add_reader)(fd, lambda: fut.done() or fut.set_result(None))
    try:
        await fut
    finally:
        (loop.remove_writer if write else loop.remove_reader)(fd)


def test_asyncio_sock_methods_take_our_socket(zt_pair: Pair, echo_port: int) -> None:
    """The loop's own sock_connect/sock_sendall/sock_recv, which wait on fileno()."""
    async def main() -> bytes:
        loop = asyncio.get_running_loop()
        with zsocket.socket() as s:
            s.setblocking(False)
            await loop.sock_connect(s, (zt_pair.address(4), echo_port))
            await loop.sock_sendall(s, b"hello" * 20000)
            s.shutdown(zsocket.SHUT_WR)
            out = b""
            while chunk := await loop.sock_recv(s, 65536):
                out += chunk
            return out

    assert asyncio.run(asyncio.wait_for(main(), DEADLINE)) == b"hello" * 20000


def test_trio_echo(zt_pair: Pair, echo_port: int) -> None:
    trio = pytest.importorskip("trio")  # an optional dependency (scripts/bootstrap installs it)

    async def one(i: int, results: List[bool]) -> None:
        s = zsocket.socket()
        s.setblocking(False)
        try:
            s.connect_ex((zt_pair.address(4), echo_port))
            await trio.lowlevel.wait_writable(s)
            assert s.getsockopt(zsocket.SOL_SOCKET, zsocket.SO_ERROR) == 0
            data = memoryview(_payload(i))
            while data:
                await trio.lowlevel.wait_writable(s)
                try:
                    data = data[s.send(data):]
                except BlockingIOError:
                    pass
            s.shutdown(zsocket.SHUT_WR)
            echoed = bytearray()
            while True:
                await trio.lowlevel.wait_readable(s)
                try:
                    chunk = s.recv(65536)
                except BlockingIOError:
                    continue
                if not chunk:
                    break
                echoed += chunk
            results.append(bytes(echoed) == _payload(i))
        finally:
            s.close()

    async def main() -> List[bool]:
        results: List[bool] = []
        with trio.fail_after(DEADLINE):
            async with trio.open_nursery() as nursery:
                for i in range(20):
                    nursery.start_soon(one, i, results)
        return results

    results = trio.run(main)
    assert len(results) == 20 and all(results)
