# SPDX-License-Identifier: Apache-2.0
"""libzt.aio between two of our nodes: asyncio streams, servers and datagram endpoints, the peer
serving with libzt.aio.start_server (socket_peer.py)."""
from __future__ import annotations

import asyncio
import errno
import random
import time
from typing import Any, Coroutine, TypeVar

import pytest

from libzt import _poller, aio
from libzt import socket as zsocket
from support.sockets_pair import Pair

T = TypeVar("T")


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(asyncio.wait_for(coro, 60))


def interests() -> int:
    poller = _poller.current()
    return 0 if poller is None else poller.interest_count()


@pytest.fixture(scope="module")
def aio_echo(zt_pair: Pair) -> dict[int, int]:
    return {v: zt_pair.peer.call("aio_echo", version=v)["port"] for v in (4, 6)}


def test_echo_with_100_concurrent_streams(zt_pair: Pair, aio_echo: dict[int, int]) -> None:
    async def one(i: int) -> bool:
        version = 6 if i % 2 else 4
        reader, writer = await aio.open_connection(zt_pair.address(version), aio_echo[version])
        assert isinstance(reader, asyncio.StreamReader) and isinstance(writer, asyncio.StreamWriter)
        data = random.Random(i).randbytes(100_000)
        for at in range(0, len(data), 10_000):
            writer.write(data[at : at + 10_000])
            await writer.drain()
        writer.write_eof()
        echoed = await reader.read()  # until EOF
        writer.close()
        await writer.wait_closed()
        return echoed == data

    async def main() -> list[bool]:
        return await asyncio.gather(*(one(i) for i in range(100)))

    started = time.monotonic()
    assert all(run(main()))
    print(f"\n100 concurrent asyncio streams x 100 kB echoed in {time.monotonic() - started:.2f} s")
    assert interests() == 0


def test_cancelling_a_pending_read_cleans_up(zt_pair: Pair, aio_echo: dict[int, int]) -> None:
    async def main() -> None:
        reader, writer = await aio.open_connection(zt_pair.peer.ipv4, aio_echo[4])
        pending = asyncio.ensure_future(reader.read(100))
        await asyncio.sleep(0)  # the read is waiting for data
        assert not pending.done()
        pending.cancel()
        with pytest.raises(asyncio.CancelledError):
            await pending
        assert interests() == 1  # the transport keeps reading for the stream: one interest, no more
        # The stream is intact: the next read gets what comes next.
        writer.write(b"after the cancel")
        assert await asyncio.wait_for(reader.readexactly(16), 10) == b"after the cancel"
        # A read cancelled by a timeout, then the connection closed: nothing stays registered.
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(reader.read(100), 0.1)
        writer.close()
        await writer.wait_closed()
        assert interests() == 0

    run(main())


def test_cancelling_a_pending_connect_cleans_up(zt_pair: Pair) -> None:
    async def main() -> None:
        started = time.monotonic()
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(aio.open_connection("44.0.0.1", 80), 0.3)  # nobody holds that address
        assert time.monotonic() - started < 2
        assert interests() == 0

    run(main())


def test_errors_are_the_stdlibs(zt_pair: Pair) -> None:
    async def main() -> None:
        with pytest.raises(ConnectionRefusedError) as info:
            await aio.open_connection(zt_pair.peer.ipv4, 9)
        assert info.value.errno == errno.ECONNREFUSED
        with pytest.raises(zsocket.gaierror):
            await aio.open_connection("example.com", 80)
        assert interests() == 0

    run(main())


def test_server_and_client_in_this_process(zt_pair: Pair) -> None:
    """start_server and open_connection on the stack's loopback interface: both ends here."""

    async def main() -> None:
        got: list[bytes] = []

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            line = await reader.readline()
            got.append(line)
            writer.write(line.upper())
            await writer.drain()
            writer.close()

        async with await aio.start_server(handle, "0.0.0.0", 0) as server:
            port = server.sockets[0].getsockname()[1]
            assert server.is_serving()
            reader, writer = await aio.open_connection("127.0.0.1", port)
            writer.write(b"hello server\n")
            assert await reader.read() == b"HELLO SERVER\n"
            writer.close()
            await writer.wait_closed()
        assert got == [b"hello server\n"]
        assert interests() == 0

    run(main())


@pytest.mark.parametrize("version", [4, 6])
def test_datagram_endpoint(zt_pair: Pair, version: int) -> None:
    port = zt_pair.peer.call("udp_echo", version=version)["port"]
    target = (zt_pair.address(version), port)

    class Collect(asyncio.DatagramProtocol):
        def __init__(self) -> None:
            self.received: asyncio.Queue[tuple[bytes, Any]] = asyncio.Queue()

        def datagram_received(self, data: bytes, addr: Any) -> None:
            self.received.put_nowait((data, addr))

    async def main() -> None:
        # Connected: sendto() without an address.
        transport, protocol = await aio.create_datagram_endpoint(Collect, remote_addr=target)
        for i in range(50):
            transport.sendto(b"datagram %d" % i)
        seen = set()
        for _ in range(50):
            data, addr = await asyncio.wait_for(protocol.received.get(), 5)
            assert addr[:2] == target
            seen.add(data)
        assert seen == {b"datagram %d" % i for i in range(50)}
        transport.close()
        # Unconnected, bound: an address per datagram.
        any_addr = "::" if version == 6 else "0.0.0.0"
        transport, protocol = await aio.create_datagram_endpoint(Collect, local_addr=(any_addr, 0))
        transport.sendto(b"x" * 8000, target)
        data, _ = await asyncio.wait_for(protocol.received.get(), 5)
        assert data == b"x" * 8000
        transport.close()
        await asyncio.sleep(0)  # connection_lost runs
        assert interests() == 0

    run(main())
