# SPDX-License-Identifier: Apache-2.0
"""A local SOCKS5 and HTTP proxy into the node's ZeroTier networks, for programs that cannot be
changed: curl, browsers, anything that speaks SOCKS5 or HTTP CONNECT.

The proxy listens on the machine's own sockets (loopback by default: whoever reaches it uses the
node) and connects through the node's libzt sockets:

* SOCKS5 (RFC 1928, no authentication): CONNECT, and UDP ASSOCIATE (datagrams relayed between a
  local UDP port and the network). Names in requests (``curl --socks5-hostname``) resolve through
  ``hosts``; there is no DNS on a ZeroTier network, so other names are refused (reply 4,
  host unreachable) and numeric addresses pass as they are.
* HTTP: ``CONNECT host:port`` tunnels (``curl -x``, HTTPS through a proxy), and plain requests in
  absolute form (``GET http://10.147.17.5/``), forwarded one per connection.

Usage::

    proxy = libzt.proxy.Proxy(hosts={"files.zt": "10.147.17.5"})
    socks = await proxy.serve_socks5("127.0.0.1", 1080)
    http = await proxy.serve_http("127.0.0.1", 8080)

or ``libzt proxy --socks5 127.0.0.1:1080 --http 127.0.0.1:8080 --network NWID`` (``libzt proxy -h``).
"""
from __future__ import annotations

import asyncio
import errno
import ipaddress
import socket as _stdlib
import struct
import urllib.parse
from typing import Any, Dict, Mapping, Optional, Set, Tuple

from libzt import aio
from libzt._relay import Counters, splice
from libzt.errors import ZeroTierError

__all__ = ["Proxy"]

_SOCKS_VERSION = 5
_NO_AUTH, _NO_ACCEPTABLE = 0x00, 0xFF
_CONNECT, _UDP_ASSOCIATE = 0x01, 0x03
_IPV4, _NAME, _IPV6 = 0x01, 0x03, 0x04
# Replies (RFC 1928 section 6).
_OK, _FAILURE, _NETWORK_UNREACHABLE, _HOST_UNREACHABLE = 0, 1, 3, 4
_REFUSED, _TTL, _BAD_COMMAND, _BAD_ADDRESS = 5, 6, 7, 8
_REPLY_FOR_ERRNO = {errno.ECONNREFUSED: _REFUSED, errno.ENETUNREACH: _NETWORK_UNREACHABLE,
                    errno.EHOSTUNREACH: _HOST_UNREACHABLE, errno.ETIMEDOUT: _TTL}


class ProxyError(ZeroTierError):
    """A request the proxy cannot carry out: ``reply`` is the SOCKS5 reply code."""

    def __init__(self, reply: int, message: str) -> None:
        super().__init__(message)
        self.reply = reply


class Proxy:
    """SOCKS5 and HTTP proxy servers that connect through the running node. ``counters`` add up
    every server's connections and bytes; ``hosts`` maps names to ZeroTier addresses."""

    def __init__(self, hosts: Optional[Mapping[str, str]] = None, connect_timeout: float = 30.0) -> None:
        self.hosts: Dict[str, str] = {k.lower(): v for k, v in (hosts or {}).items()}
        self.counters = Counters()
        self.connect_timeout = connect_timeout

    async def serve_socks5(self, host: str = "127.0.0.1", port: int = 1080) -> asyncio.Server:
        return await asyncio.start_server(self._socks5, host, port)

    async def serve_http(self, host: str = "127.0.0.1", port: int = 8080) -> asyncio.Server:
        return await asyncio.start_server(self._http, host, port)

    # ---- connecting into the network --------------------------------------------------------------

    def resolve(self, host: str) -> str:
        """A ZeroTier address for ``host``: from ``hosts``, or ``host`` itself if it is numeric."""
        host = host.strip("[]")
        mapped = self.hosts.get(host.lower())
        if mapped is not None:
            return mapped
        try:
            return str(ipaddress.ip_address(host))
        except ValueError:
            raise ProxyError(_HOST_UNREACHABLE, f"unknown host {host!r} (no DNS on ZeroTier: map it in hosts)") \
                from None

    async def _open(self, host: str, port: int) -> Tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        address = self.resolve(host)
        try:
            return await asyncio.wait_for(aio.open_connection(address, port), self.connect_timeout)
        except asyncio.TimeoutError:
            raise ProxyError(_TTL, f"connecting to {address}:{port} timed out") from None
        except OSError as exc:
            raise ProxyError(_REPLY_FOR_ERRNO.get(exc.errno or 0, _FAILURE),
                             f"connecting to {address}:{port}: {exc.strerror or exc}") from None

    async def _relay(self, client: Tuple[asyncio.StreamReader, asyncio.StreamWriter],
                     target: Tuple[asyncio.StreamReader, asyncio.StreamWriter]) -> None:
        self.counters.active += 1
        self.counters.total += 1
        try:
            await splice(client, target, self.counters)
        finally:
            self.counters.active -= 1

    # ---- SOCKS5 ---------------------------------------------------------------------------------

    async def _socks5(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            version, count = await reader.readexactly(2)
            methods = await reader.readexactly(count)
            if version != _SOCKS_VERSION:
                return
            if _NO_AUTH not in methods:
                writer.write(bytes([_SOCKS_VERSION, _NO_ACCEPTABLE]))
                return
            writer.write(bytes([_SOCKS_VERSION, _NO_AUTH]))
            version, command, _, kind = await reader.readexactly(4)
            host = await _read_socks_address(reader, kind)
            (port,) = struct.unpack("!H", await reader.readexactly(2))
            if command == _CONNECT:
                try:
                    target = await self._open(host, port)
                except ProxyError as exc:
                    self.counters.failed += 1
                    writer.write(_socks_reply(exc.reply))
                    return
                sockname = target[1].get_extra_info("sockname") or ("0.0.0.0", 0)
                writer.write(_socks_reply(_OK, sockname[0], sockname[1]))
                await self._relay((reader, writer), target)
            elif command == _UDP_ASSOCIATE:
                await self._udp_associate(reader, writer)
            else:
                writer.write(_socks_reply(_BAD_COMMAND))
        except ProxyError as exc:
            writer.write(_socks_reply(exc.reply))
        except (asyncio.IncompleteReadError, ConnectionError, OSError):
            pass
        finally:
            writer.close()

    async def _udp_associate(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Relays datagrams between a local UDP port and the network while the control connection lasts."""
        loop = asyncio.get_running_loop()
        client_ip = writer.get_extra_info("peername")[0]
        local_ip = writer.get_extra_info("sockname")[0]
        relay = _UdpRelay(self, client_ip)
        local, _ = await loop.create_datagram_endpoint(lambda: relay, local_addr=(local_ip, 0))
        try:
            bound = local.get_extra_info("sockname")
            writer.write(_socks_reply(_OK, bound[0], bound[1]))
            self.counters.active += 1
            self.counters.total += 1
            while await reader.read(4096):  # the association ends with the control connection
                pass
        finally:
            self.counters.active -= 1
            local.close()
            relay.close()

    # ---- HTTP -----------------------------------------------------------------------------------

    async def _http(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request_line = await reader.readline()
            headers = []
            while True:
                line = await reader.readline()
                if line in (b"\r\n", b"\n", b""):
                    break
                headers.append(line)
            try:
                method, target, version = request_line.decode("latin-1").split()
            except ValueError:
                writer.write(_http_status(400, "Bad Request"))
                return
            try:
                if method.upper() == "CONNECT":
                    host, _, port = target.rpartition(":")
                    upstream = await self._open(host, int(port))
                    writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
                else:
                    url = urllib.parse.urlsplit(target)
                    if url.scheme != "http" or not url.hostname:
                        writer.write(_http_status(400, "Bad Request", "only http:// URLs and CONNECT"))
                        return
                    upstream = await self._open(url.hostname, url.port or 80)
                    path = urllib.parse.urlunsplit(("", "", url.path or "/", url.query, ""))
                    kept = [h for h in headers if h.split(b":", 1)[0].strip().lower() not in _HOP_BY_HOP]
                    upstream[1].write(f"{method} {path} {version}\r\n".encode("latin-1") + b"".join(kept)
                                      + b"Connection: close\r\n\r\n")
            except (ProxyError, ValueError) as exc:
                self.counters.failed += 1
                writer.write(_http_status(502, "Bad Gateway", str(exc)))
                return
            await self._relay((reader, writer), upstream)
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()


_HOP_BY_HOP = {b"connection", b"keep-alive", b"proxy-connection", b"proxy-authorization", b"proxy-authenticate",
               b"te", b"trailer", b"upgrade"}


def _http_status(code: int, reason: str, detail: str = "") -> bytes:
    body = (detail or reason).encode() + b"\n"
    return (f"HTTP/1.1 {code} {reason}\r\nContent-Type: text/plain\r\nContent-Length: {len(body)}\r\n"
            f"Connection: close\r\n\r\n").encode() + body


async def _read_socks_address(reader: asyncio.StreamReader, kind: int) -> str:
    if kind == _IPV4:
        return str(ipaddress.IPv4Address(await reader.readexactly(4)))
    if kind == _IPV6:
        return str(ipaddress.IPv6Address(await reader.readexactly(16)))
    if kind == _NAME:
        (length,) = await reader.readexactly(1)
        return (await reader.readexactly(length)).decode("idna")
    raise ProxyError(_BAD_ADDRESS, f"address type {kind} is not SOCKS5's")


def _socks_address(host: str, port: int) -> bytes:
    ip = ipaddress.ip_address(host)
    kind = _IPV4 if ip.version == 4 else _IPV6
    return bytes([kind]) + ip.packed + struct.pack("!H", port)


def _socks_reply(code: int, host: str = "0.0.0.0", port: int = 0) -> bytes:
    return bytes([_SOCKS_VERSION, code, 0]) + _socks_address(host, port)


class _UdpRelay(asyncio.DatagramProtocol):
    """One UDP association: SOCKS5-framed datagrams from the client go out through libzt UDP sockets
    (one per IP version, made when needed); their answers come back framed with the sender's address."""

    def __init__(self, proxy: Proxy, client_ip: str) -> None:
        self._proxy = proxy
        self._client_ip = client_ip
        self._client: Optional[Tuple[Any, ...]] = None
        self._local: Optional[asyncio.DatagramTransport] = None
        self._zt: Dict[int, Any] = {}  # IP version -> libzt datagram transport, or the task making it
        self._sending: Set[asyncio.Future[None]] = set()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._local = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: Tuple[Any, ...]) -> None:
        if addr[0] != self._client_ip or len(data) < 4 or data[2] != 0:
            return  # not our client, or a fragment (not supported: dropped, as RFC 1928 allows)
        self._client = addr
        task = asyncio.ensure_future(self._forward(data))
        self._sending.add(task)  # held until done: the loop keeps only weak references to tasks
        task.add_done_callback(self._sending.discard)

    async def _forward(self, data: bytes) -> None:
        try:
            reader = asyncio.StreamReader()
            reader.feed_data(data[3:])
            reader.feed_eof()
            host = await _read_socks_address(reader, (await reader.readexactly(1))[0])
            (port,) = struct.unpack("!H", await reader.readexactly(2))
            payload = await reader.read()
            address = self._proxy.resolve(host)
            version = ipaddress.ip_address(address).version
            transport = await self._endpoint(version)
            transport.sendto(payload, (address, port))
            self._proxy.counters.datagrams += 1
            self._proxy.counters.up += len(payload)
        except (ProxyError, asyncio.IncompleteReadError, OSError, ValueError):
            pass  # UDP: a datagram that cannot go is dropped

    async def _endpoint(self, version: int) -> Any:
        made = self._zt.get(version)
        if made is None:
            made = self._zt[version] = asyncio.ensure_future(aio.create_datagram_endpoint(
                lambda: _ZtSide(self), local_addr=("::" if version == 6 else "0.0.0.0", 0),
                family=_stdlib.AF_INET6 if version == 6 else _stdlib.AF_INET))
        transport, _ = await made
        return transport

    def from_network(self, data: bytes, addr: Tuple[Any, ...]) -> None:
        if self._client is None or self._local is None:
            return
        self._local.sendto(bytes([0, 0, 0]) + _socks_address(addr[0], addr[1]) + data, self._client)
        self._proxy.counters.datagrams += 1
        self._proxy.counters.down += len(data)

    def close(self) -> None:
        for made in self._zt.values():
            if made.done() and not made.cancelled() and made.exception() is None:
                made.result()[0].close()
            else:
                made.cancel()
        self._zt.clear()


class _ZtSide(asyncio.DatagramProtocol):
    def __init__(self, relay: _UdpRelay) -> None:
        self._relay = relay

    def datagram_received(self, data: bytes, addr: Tuple[Any, ...]) -> None:
        self._relay.from_network(data, addr)
