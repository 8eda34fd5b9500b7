# SPDX-License-Identifier: Apache-2.0
"""A TCP fallback relay for ZeroTier nodes whose UDP is blocked (``libzt relay --port 443``).

It serves what zerotier-one's ``tcp-proxy`` serves, so our nodes and ZeroTier One's alike can use
it (``zts_init_set_tcp_relay``). The stream looks like TLS 1.2 application data: records of
0x17 0x03 0x03, a 2-byte big-endian length and the body. A client opens with a 4-byte record (its
version); every other record from it is 0x04, an IPv4 address and port (network order), then a
ZeroTier datagram for that address. Each client gets a UDP socket of its own: the relay sends the
client's datagrams from it and returns whatever arrives on it the same way, the body starting with
the sender's address. Like tcp-proxy it sends to no port at or below 1024, forwards only datagrams
of 16 bytes or more (anything shorter is not ZeroTier), and drops clients idle for 5 minutes.
Clients that never send the version record (the oldest ZeroTier clients, which expected a local
node on port 9993) are not served.
"""
from __future__ import annotations

import asyncio
import socket
import struct
import time
from typing import Optional

RECORD_TYPE = 0x17
HEADER = struct.Struct(">BBBH")
MIN_DATAGRAM = 16
MAX_DATAGRAM = 2048  # tcp-proxy forwards shorter UDP datagrams only
IDLE_TIMEOUT = 300.0
MAX_PENDING_WRITE = 256 * 1024  # a client that stops reading loses datagrams, not the relay's memory


def frame(body: bytes) -> bytes:
    return HEADER.pack(RECORD_TYPE, 3, 3, len(body)) + body


class _ClientUdp(asyncio.DatagramProtocol):
    def __init__(self, client: _Client) -> None:
        self.client = client

    def datagram_received(self, data: bytes, addr: tuple) -> None:
        if MIN_DATAGRAM <= len(data) < MAX_DATAGRAM and self.client.addressed:
            self.client.to_tcp(data, addr)


class _Client:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.udp: Optional[asyncio.DatagramTransport] = None
        self.addressed = False  # sent its version record: its records carry addresses
        self.last_activity = time.monotonic()

    def to_tcp(self, data: bytes, addr: tuple) -> None:
        self.last_activity = time.monotonic()
        if self.writer.transport.get_write_buffer_size() > MAX_PENDING_WRITE:
            return
        ip, port = addr[0], addr[1]
        self.writer.write(frame(b"\x04" + socket.inet_aton(ip) + struct.pack(">H", port) + data))

    def from_tcp(self, body: bytes) -> None:
        self.last_activity = time.monotonic()
        if len(body) == 4:
            self.addressed = True
            return
        if not self.addressed or len(body) < 7 or body[0] != 4 or self.udp is None:
            return
        ip = socket.inet_ntoa(body[1:5])
        (port,) = struct.unpack(">H", body[5:7])
        datagram = body[7:]
        # A UDP socket that would block queues in asyncio without limit: drop instead, as tcp-proxy
        # drops a datagram its send refused.
        if port > 1024 and len(datagram) >= MIN_DATAGRAM and self.udp.get_write_buffer_size() <= MAX_PENDING_WRITE:
            self.udp.sendto(datagram, (ip, port))

    async def serve(self) -> None:
        loop = asyncio.get_running_loop()
        self.udp, _ = await loop.create_datagram_endpoint(lambda: _ClientUdp(self), local_addr=("0.0.0.0", 0))
        try:
            while True:
                header = await self.reader.readexactly(HEADER.size)
                kind, _, _, length = HEADER.unpack(header)
                if kind != RECORD_TYPE:
                    return  # not a ZeroTier relay client
                self.from_tcp(await self.reader.readexactly(length))
        except (asyncio.IncompleteReadError, ConnectionError):
            return
        finally:
            self.udp.close()
            self.writer.close()


class Relay:
    """The relay server: ``await Relay(host, port).serve_forever()``, or ``start()`` then ``close()``."""

    def __init__(self, host: str = "0.0.0.0", port: int = 443) -> None:
        self.host, self.port = host, port
        self._server: Optional[asyncio.base_events.Server] = None
        self._clients: set[_Client] = set()

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._accept, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        asyncio.get_running_loop().create_task(self._reap_idle())
        return self.port

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        sock = writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        client = _Client(reader, writer)
        self._clients.add(client)
        try:
            await client.serve()
        finally:
            self._clients.discard(client)

    async def _reap_idle(self) -> None:
        while True:
            await asyncio.sleep(10)
            now = time.monotonic()
            for client in list(self._clients):
                if now - client.last_activity >= IDLE_TIMEOUT:
                    client.writer.close()

    async def serve_forever(self) -> None:
        if self._server is None:
            await self.start()
        assert self._server is not None
        async with self._server:
            await self._server.serve_forever()

    @property
    def client_count(self) -> int:
        return len(self._clients)
