# SPDX-License-Identifier: Apache-2.0
"""The other end of the socket tests: a ZeroTier node in its own process (one node per process),
serving through ``libzt.socket`` and ``libzt.aio`` what the tests ask for.

Started by ``tests/support/sockets_pair.py`` and ``bench/tcp.py`` (never collected by pytest)::

    python socket_peer.py --world PLANET_FILE --network NWID
    python socket_peer.py --kernel        # the same commands over the OS's own sockets (benchmarks)

Protocol: JSON lines. stdout carries ``{"ready": {"id", "ipv4", "ipv6"}}`` once the node is online and
on the network, then one ``{"id": n, "result": ...}`` or ``{"id": n, "error": "..."}`` per request read
from stdin (``{"id": n, "cmd": name, "args": {...}}``); every request runs on its own thread, so a
server started by one request does not hold up the next. The process exits when stdin closes. Logs
and the library's own prints go to stderr.
"""
from __future__ import annotations

import _thread
import argparse
import asyncio
import hashlib
import json
import os
import random
import socket as stdlib_socket
import struct
import sys
import threading
import time
import traceback
from typing import Any, Callable, Dict, List, Optional

import libzt
from libzt import aio
from libzt import socket as zsocket
from libzt._bindings import sockets as _ll

if "--kernel" in sys.argv:
    import socket as zsocket  # type: ignore[no-redef]  # same API: that is the point of libzt.socket


class Channel:
    """stdout as a private JSON-lines channel: fd 1 becomes stderr, so native prints cannot corrupt it."""

    def __init__(self) -> None:
        fd = os.dup(1)
        os.dup2(2, 1)
        sys.stdout = sys.stderr
        self._out = os.fdopen(fd, "w", buffering=1)
        self._lock = threading.Lock()

    def send(self, obj: Dict[str, Any]) -> None:
        with self._lock:
            self._out.write(json.dumps(obj) + "\n")
            self._out.flush()


def family_of(version: int) -> int:
    return zsocket.AF_INET6 if version == 6 else zsocket.AF_INET


def any_address(version: int) -> str:
    return "::" if version == 6 else "0.0.0.0"


class Peer:
    def __init__(self, node: Optional[libzt.ZeroTierNode], channel: Channel) -> None:
        self.node = node
        self.channel = channel
        self.listeners: list[zsocket.socket] = []
        self._request = threading.local()  # the request this thread serves

    def ready(self, **fields: Any) -> None:
        """An early reply for the request being served (e.g. the port a server listens on)."""
        self.channel.send({"id": self._request.id, "early": fields})

    def serve(self, request: Dict[str, Any]) -> None:
        self._request.id = request.get("id")
        try:
            result = getattr(self, "cmd_" + request["cmd"])(**request.get("args", {}))
            self.channel.send({"id": self._request.id, "result": result})
        except Exception as exc:
            self.channel.send({"id": self._request.id, "error": f"{type(exc).__name__}: {exc}",
                               "trace": traceback.format_exc()})

    def _listen(self, version: int, port: int, backlog: int = 128) -> zsocket.socket:
        server = zsocket.create_server((any_address(version), port), family=family_of(version), backlog=backlog)
        self.listeners.append(server)
        return server

    def _serve(self, server: zsocket.socket, handle: Callable[[zsocket.socket], None]) -> None:
        # Accept as fast as connections come: lwIP queues at most 127 connections that are not
        # accepted yet and resets the next ones. A thread per connection, started without waiting
        # for it to run (threading.Thread.start waits; _thread does not).
        def loop() -> None:
            while True:
                try:
                    conn, _ = server.accept()
                except OSError:
                    return  # closed by stop_servers
                _thread.start_new_thread(handle, (conn,))

        threading.Thread(target=loop, daemon=True).start()

    # ---- commands: each returns a JSON-able result ---------------------------------------------

    def cmd_dns_responder(self, name: str, ipv4: str, ipv6: str, port: int = 53) -> Dict[str, Any]:
        """A tiny DNS server on UDP ``port`` of every address: A and AAAA records of ``name`` (answers
        ``ipv4`` and ``ipv6``), NXDOMAIN for any other name. Counts the queries it answered."""
        server = zsocket.socket(zsocket.AF_INET, zsocket.SOCK_DGRAM)
        server.bind(("0.0.0.0", port))
        self.listeners.append(server)
        records = {1: zsocket.inet_pton(zsocket.AF_INET, ipv4), 28: zsocket.inet_pton(zsocket.AF_INET6, ipv6)}
        self.dns_queries = 0

        def answer(query: bytes) -> Optional[bytes]:
            if len(query) < 12 or query[2] & 0x80:  # too short, or a response
                return None
            labels, at = [], 12
            while at < len(query) and query[at] != 0:
                labels.append(query[at + 1:at + 1 + query[at]].decode("ascii", "replace"))
                at += 1 + query[at]
            at += 1
            if at + 4 > len(query):
                return None
            qtype = int.from_bytes(query[at:at + 2], "big")
            question = query[12:at + 4]
            rdata = records.get(qtype) if ".".join(labels).lower() == name.lower() else None
            rcode = 0 if rdata is not None or ".".join(labels).lower() == name.lower() else 3  # NXDOMAIN
            header = query[:2] + bytes([0x84 | (query[2] & 0x01), 0x80 | rcode]) + b"\x00\x01"
            header += (b"\x00\x01" if rdata else b"\x00\x00") + b"\x00\x00\x00\x00"
            record = b""
            if rdata:  # the name by a pointer to the question's, class IN, TTL 60
                record = b"\xc0\x0c" + qtype.to_bytes(2, "big") + b"\x00\x01" + (60).to_bytes(4, "big")
                record += len(rdata).to_bytes(2, "big") + rdata
            return header + question + record

        def serve() -> None:
            while True:
                try:
                    query, client = server.recvfrom(512)
                except OSError:
                    return  # closed by stop_servers
                reply = answer(query)
                if reply is not None:
                    self.dns_queries += 1
                    server.sendto(reply, client)

        threading.Thread(target=serve, daemon=True).start()
        return {"port": server.getsockname()[1]}

    def cmd_dns_queries(self) -> int:
        """How many queries the DNS responder answered."""
        return int(getattr(self, "dns_queries", 0))

    def cmd_network_dns(self, network: str) -> Dict[str, Any]:
        """The DNS a joined network pushes, as ``Network.dns`` shows it."""
        assert self.node is not None
        dns = self.node.network(network).dns
        return {"domain": dns.domain, "servers": [str(s) for s in dns.servers]}

    def cmd_net_get_dns_rc(self, network: str, null: bool = False) -> int:
        """What ``ztx_net_get_dns`` returns for ``network`` (``null``: with a NULL out pointer)."""
        from libzt._native import ffi, lib

        out = ffi.NULL if null else ffi.new("ztx_net_dns_t *")
        return int(lib.ztx_net_get_dns(int(network, 16), out))

    def cmd_dns_servers(self) -> List[str]:
        """What lwIP's resolver asks, index by index (``zts_dns_get_server``); "" where unset."""
        from libzt._native import ffi, lib

        out = []
        for index in range(8):
            server = lib.zts_dns_get_server(index)
            if server == ffi.NULL:
                break
            text = ffi.string(lib.zts_ipaddr_ntoa(server)).decode()
            out.append("" if text in ("0.0.0.0", "::") else text)
        return out

    def cmd_set_dns_server(self, index: int, ip: str) -> int:
        """``zts_dns_set_server`` (ip "": the zero address, i.e. unset)."""
        from libzt._native import ffi, lib

        server = ffi.new("zts_ip_addr *")
        if ip:
            assert lib.zts_ipaddr_aton(ip.encode(), server) == 1
        return int(lib.zts_dns_set_server(index, server))

    def cmd_resolve(self, name: str, version: int = 4) -> List[str]:
        """``libzt.socket.getaddrinfo``: the addresses of ``name`` (a gaierror is the request's error)."""
        return [info[4][0] for info in zsocket.getaddrinfo(name, 80, family_of(version), zsocket.SOCK_STREAM)]

    def cmd_tcp_echo(self, version: int = 4, port: int = 0) -> Dict[str, Any]:
        """An echo server: each connection gets back what it sends, until it half-closes."""
        server = self._listen(version, port)

        def echo(conn: zsocket.socket) -> None:
            buf = bytearray(65536)
            with conn:
                try:
                    while True:
                        n = conn.recv_into(buf)
                        if n == 0:
                            break
                        conn.sendall(memoryview(buf)[:n])
                    conn.shutdown(zsocket.SHUT_WR)
                except OSError as exc:
                    print(f"tcp_echo: {exc!r}", file=sys.stderr, flush=True)

        self._serve(server, echo)
        return {"port": server.getsockname()[1]}

    def cmd_tcp_exchange(self, version: int = 4, port: int = 0, send: int = 0, seed: int = 0) -> Dict[str, Any]:
        """Accept one connection; send ``send`` seeded random bytes while receiving until EOF (both at
        once), then half-close. Replies when both directions are done."""
        with self._listen(version, port, backlog=1) as server:
            self.ready(port=server.getsockname()[1])
            conn, _ = server.accept()
        payload = random.Random(seed).randbytes(send)
        sent_error: list[str] = []

        def sender() -> None:
            try:
                conn.sendall(payload)
                conn.shutdown(zsocket.SHUT_WR)
            except OSError as exc:
                sent_error.append(repr(exc))

        started = time.monotonic()
        t = threading.Thread(target=sender)
        t.start()
        digest = hashlib.sha256()
        received = 0
        buf = bytearray(256 * 1024)
        view = memoryview(buf)
        while True:
            n = conn.recv_into(buf)
            if n == 0:
                break
            digest.update(view[:n])
            received += n
        t.join()
        conn.close()
        return {"received": received, "sha256": digest.hexdigest(), "send_error": sent_error,
                "seconds": time.monotonic() - started}

    def cmd_tcp_half_close(self, version: int = 4, port: int = 0) -> Dict[str, Any]:
        """Accept one connection, read until the client half-closes, then answer with the count and
        more data, and close."""
        with self._listen(version, port, backlog=1) as server:
            self.ready(port=server.getsockname()[1])
            conn, _ = server.accept()
        with conn:
            total = 0
            while True:
                data = conn.recv(65536)
                if not data:
                    break
                total += len(data)
            conn.sendall(f"got {total} bytes".encode() + bytes(100_000))
        return {"received": total}

    def cmd_tcp_goodbye(self, version: int = 4, port: int = 0) -> Dict[str, Any]:
        """Accept one connection, send b"bye" and close it: the peer's FIN comes before the client's."""
        with self._listen(version, port, backlog=1) as server:
            self.ready(port=server.getsockname()[1])
            conn, _ = server.accept()
        with conn:
            conn.sendall(b"bye")
        return {"closed": True}

    def cmd_tcp_close_unread(self, version: int = 4, port: int = 0) -> Dict[str, Any]:
        """Accept one connection, wait for bytes to arrive, close without reading them (an RST)."""
        with self._listen(version, port, backlog=1) as server:
            self.ready(port=server.getsockname()[1])
            conn, _ = server.accept()
        conn.recv(1, zsocket.MSG_PEEK)  # something is there
        conn.close()
        return {"closed": True}

    def cmd_tcp_stuck(self, version: int = 4, port: int = 0, send: int = 1_000_000) -> Dict[str, Any]:
        """Accept one connection and send ``send`` bytes without ever reading (with a client doing
        the same, both receive windows fill up). Ends when the connection does."""
        with self._listen(version, port, backlog=1) as server:
            self.ready(port=server.getsockname()[1])
            conn, _ = server.accept()
        with conn:
            try:
                conn.sendall(bytes(send))
            except OSError as exc:
                return {"error": exc.errno}
        return {"error": None}

    def cmd_udp_count(self, version: int = 4, port: int = 0, idle: float = 2.0, ack_every: int = 0) -> Dict[str, Any]:
        """Count datagrams (each starts with an 8-byte sequence number) until none came for ``idle``
        seconds after the first; report which arrived and their sizes. With ``ack_every``, tell the
        sender how many arrived so far (8 bytes) each time that many more came, so that it can keep
        within what this socket queues."""
        sock = zsocket.socket(family_of(version), zsocket.SOCK_DGRAM)
        sock.bind((any_address(version), port))
        self.ready(port=sock.getsockname()[1])
        seen = set()
        sizes: Dict[int, int] = {}
        digest = hashlib.sha256()
        sock.settimeout(30)  # the first one
        with sock:
            while True:
                try:
                    data, sender = sock.recvfrom(70000)
                except zsocket.timeout:
                    break
                sock.settimeout(idle)
                seq = int.from_bytes(data[:8], "big")
                if seq == 2**64 - 1:
                    break  # the end marker
                seen.add(seq)
                if ack_every and len(seen) % ack_every == 0:
                    sock.sendto(len(seen).to_bytes(8, "big"), sender)
                sizes[len(data)] = sizes.get(len(data), 0) + 1
                digest.update(data)
        return {"count": len(seen), "max_seq": max(seen) if seen else -1, "sizes": sizes}

    def cmd_udp_multicast_echo(self, version: int, group: str, port: int) -> Dict[str, Any]:
        """Joins ``group`` (interface: "any" for IPv4, 0 for IPv6, as most programs ask) and answers each
        datagram sent to it with a unicast one to its sender."""
        sock = zsocket.socket(family_of(version), zsocket.SOCK_DGRAM)
        sock.setsockopt(zsocket.SOL_SOCKET, zsocket.SO_REUSEADDR, 1)
        sock.bind((any_address(version), port))
        packed = stdlib_socket.inet_pton(family_of(version), group)
        if version == 6:
            sock.setsockopt(zsocket.IPPROTO_IPV6, zsocket.IPV6_JOIN_GROUP, packed + struct.pack("@I", 0))
        else:
            sock.setsockopt(zsocket.IPPROTO_IP, zsocket.IP_ADD_MEMBERSHIP, packed + bytes(4))
        self.listeners.append(sock)

        def loop() -> None:
            while True:
                try:
                    data, addr = sock.recvfrom(2048)
                    sock.sendto(b"heard: " + data, addr)
                except OSError:
                    return

        threading.Thread(target=loop, daemon=True).start()
        return {"port": sock.getsockname()[1]}

    def cmd_udp_echo(self, version: int = 4, port: int = 0) -> Dict[str, Any]:
        sock = zsocket.socket(family_of(version), zsocket.SOCK_DGRAM)
        sock.bind((any_address(version), port))
        self.listeners.append(sock)

        def loop() -> None:
            while True:
                try:
                    data, addr = sock.recvfrom(70000)
                    sock.sendto(data, addr)
                except OSError:
                    return

        threading.Thread(target=loop, daemon=True).start()
        return {"port": sock.getsockname()[1]}

    def cmd_aio_echo(self, version: int = 4, port: int = 0) -> Dict[str, Any]:
        """An asyncio echo server (libzt.aio.start_server) on a loop of its own."""
        started: Dict[str, Any] = {}
        ready = threading.Event()

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                while True:
                    data = await reader.read(65536)
                    if not data:
                        break
                    writer.write(data)
                    await writer.drain()
                writer.write_eof()
            except (ConnectionError, OSError):
                pass
            finally:
                writer.close()

        async def main() -> None:
            server = await aio.start_server(handle, any_address(version), port)
            started["port"] = server.sockets[0].getsockname()[1]
            ready.set()
            async with server:
                await server.serve_forever()

        threading.Thread(target=asyncio.run, args=(main(),), daemon=True).start()
        if not ready.wait(10):
            raise RuntimeError("aio server did not start")
        return started

    # ---- TLS and HTTP (libzt.tls, libzt.aio with ssl=) -----------------------------------------------

    def cmd_tls_server(self, certfile: str, keyfile: str, version: int = 4, port: int = 0,
                       mode: str = "sync") -> Dict[str, Any]:
        """A TLS 1.3 server (libzt.tls, or libzt.aio with ssl= when mode is "aio"; no TLS at all when
        mode is "plain", for comparisons). Each connection says what it wants in its first line: "ECHO"
        (echo until the end) or "BULK <n> <seed>" (read n bytes, answer their SHA-256, then send n
        seeded random bytes; seed -1: send nothing)."""
        import ssl

        from libzt import tls

        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_3
        context.load_cert_chain(certfile, keyfile)
        if mode == "aio":
            return self._aio_tls_server(context, version, port)
        server = self._listen(version, port)

        def handle(conn: zsocket.socket) -> None:
            try:
                conn.settimeout(120)
                with (conn if mode == "plain" else tls.wrap_socket(conn, context, server_side=True)) as t:
                    f = t.makefile("rb")
                    words = f.readline().split()
                    if words[0] == b"ECHO":
                        while True:
                            chunk = f.read1(65536)
                            if not chunk:
                                break
                            t.sendall(chunk)
                    else:
                        n, seed = int(words[1]), int(words[2])
                        digest = hashlib.sha256()
                        left = n
                        while left:
                            chunk = f.read1(min(left, 65536))
                            if not chunk:
                                raise ConnectionError("short bulk upload")
                            digest.update(chunk)
                            left -= len(chunk)
                        t.sendall(digest.digest())
                        if seed >= 0:
                            t.sendall(random.Random(seed).randbytes(n))
                    f.close()
                    if mode != "plain":
                        t.unwrap()
            except (OSError, ssl.SSLError, ConnectionError) as exc:
                print(f"tls_server: {exc!r}", file=sys.stderr, flush=True)

        self._serve(server, handle)
        return {"port": server.getsockname()[1]}

    def _aio_tls_server(self, context: Any, version: int, port: int) -> Dict[str, Any]:
        started: Dict[str, Any] = {}
        ready = threading.Event()

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                words = (await reader.readline()).split()
                if words[0] == b"ECHO":
                    while data := await reader.read(65536):
                        writer.write(data)
                        await writer.drain()
                else:
                    n, seed = int(words[1]), int(words[2])
                    digest = hashlib.sha256()
                    left = n
                    while left:
                        chunk = await reader.read(min(left, 65536))
                        if not chunk:
                            raise ConnectionError("short bulk upload")
                        digest.update(chunk)
                        left -= len(chunk)
                    writer.write(digest.digest())
                    writer.write(random.Random(seed).randbytes(n))
                    await writer.drain()
            except (ConnectionError, OSError) as exc:
                print(f"aio tls_server: {exc!r}", file=sys.stderr, flush=True)
            finally:
                writer.close()

        async def main() -> None:
            server = await aio.start_server(handle, any_address(version), port, ssl=context)
            started["port"] = server.sockets[0].getsockname()[1]
            ready.set()
            async with server:
                await server.serve_forever()

        threading.Thread(target=asyncio.run, args=(main(),), daemon=True).start()
        if not ready.wait(10):
            raise RuntimeError("aio TLS server did not start")
        return started

    def cmd_http_server(self, version: int = 4, port: int = 0, certfile: Optional[str] = None,
                        keyfile: Optional[str] = None) -> Dict[str, Any]:
        """The stdlib's http.server (ThreadingHTTPServer, its selector loop on our readiness
        descriptors) on a libzt listener, HTTPS with libzt.tls if a certificate is given. GET answers
        "hello <path>"; POST answers the body's length and SHA-256 as JSON."""
        import http.server
        import ssl

        from libzt import tls

        context = None
        if certfile:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(certfile, keyfile)

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # head and body are two writes (see libzt.http: TCP_NODELAY)

            def _answer(self, body: bytes, kind: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                self._answer(f"hello {self.path}".encode(), "text/plain")

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                self._answer(json.dumps({"length": len(body), "sha256": hashlib.sha256(body).hexdigest()}).encode(),
                             "application/json")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        listener = self._listen(version, port)

        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True

            def finish_request(self, request: Any, client_address: Any) -> None:
                if context is not None:
                    request.settimeout(60)
                    request = tls.wrap_socket(request, context, server_side=True)
                super().finish_request(request, client_address)

        server = Server(listener.getsockname()[:2], Handler, bind_and_activate=False)
        server.socket.close()  # the OS socket socketserver made: ours replaces it
        server.socket = listener  # type: ignore[assignment]
        server.server_name, server.server_port = "peer", listener.getsockname()[1]
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return {"port": server.server_port}

    # ---- connection churn and many connections (test_socket_limits.py) ---------------------------------

    def cmd_tcp_churn(self, count: int, close_first: bool = False, version: int = 4, port: int = 0) -> Dict[str, Any]:
        """Accept ``count`` connections one after another, each read to EOF and then closed: the client
        closes first, so TIME_WAIT stays on the client's side, as with a client that churns
        connections. ``close_first``: each is closed at once instead, as an HTTP/1.0 server does, and
        the TIME_WAITs are this side's. Replies early with the port, and once all were served with
        the count and how many of this side's TIME_WAITs a new connection reopened."""
        reopened = _ll.limits()["time_wait_reopened"]
        with self._listen(version, port) as server:
            self.ready(port=server.getsockname()[1])
            for _ in range(count):
                conn, _ = server.accept()
                with conn:
                    if not close_first:
                        conn.settimeout(60)
                        if conn.recv(1) != b"":
                            raise RuntimeError("the churning client sent data")
        return {"served": count, "reopened": _ll.limits()["time_wait_reopened"] - reopened}

    def cmd_tcp_read_then_close(self, count: int, size: int, version: int = 4, port: int = 0) -> Dict[str, Any]:
        """Accept ``count`` connections one after another; read ``size`` bytes from each, then close it
        first: the TIME_WAIT is this side's, on a four-tuple whose client sent ``size`` bytes. Replies
        early with the port, and once all were served with the count."""
        with self._listen(version, port) as server:
            self.ready(port=server.getsockname()[1])
            for _ in range(count):
                conn, _ = server.accept()
                with conn:
                    conn.settimeout(60)
                    left = size
                    while left:
                        chunk = conn.recv(min(left, 65536))
                        if not chunk:
                            raise RuntimeError("the client closed before sending everything")
                        left -= len(chunk)
        return {"served": count}

    def cmd_tcp_hold(self, version: int = 4, port: int = 0) -> Dict[str, Any]:
        """Accept connections and keep every one open, sending each one byte when accepted. Replies
        early with the port; once the listener is closed (stop_servers), closes them all and replies
        with how many it held."""
        server = self._listen(version, port)
        self.ready(port=server.getsockname()[1])
        held: List[zsocket.socket] = []
        try:
            while True:
                try:
                    conn, _ = server.accept()
                except OSError:
                    return {"held": len(held)}
                conn.sendall(b"k")
                held.append(conn)
        finally:
            for conn in held:
                conn.close()

    # ---- benchmarks: one side each -------------------------------------------------------------------

    def cmd_tcp_sink(self, version: int = 4, port: int = 0) -> Dict[str, Any]:
        """Accept one connection and read until EOF: bytes, and seconds from the first byte to EOF."""
        with self._listen(version, port, backlog=1) as server:
            self.ready(port=server.getsockname()[1])
            conn, _ = server.accept()
        got = drain(conn)
        return {"received": got["received"], "seconds": got["ended_at"] - got["first_byte_at"]}

    def cmd_tcp_send(self, host: str, port: int, size: int) -> Dict[str, Any]:
        """Connect and send ``size`` bytes, then half-close and wait for the other side to close."""
        data = memoryview(bytes(size))
        with zsocket.create_connection((host, port), timeout=60) as sock:
            started = time.perf_counter()
            sock.sendall(data)
            sock.shutdown(zsocket.SHUT_WR)
            sock.recv(1)
        return {"sent": size, "seconds": time.perf_counter() - started}

    def cmd_tcp_sink_many(self, count: int, version: int = 4, port: int = 0) -> Dict[str, Any]:
        """Accept ``count`` connections and read each until EOF in a thread of its own. Per stream:
        bytes, and time.monotonic() at its first byte and at EOF (CLOCK_MONOTONIC is one clock for
        the whole machine, so streams received by different processes share one time line)."""
        streams: List[Dict[str, Any]] = []
        readers = []
        with self._listen(version, port, backlog=count) as server:
            self.ready(port=server.getsockname()[1])
            for _ in range(count):
                conn, _ = server.accept()
                reader = threading.Thread(target=lambda c=conn: streams.append(drain(c)))
                reader.start()
                readers.append(reader)
        for reader in readers:
            reader.join()
        return {"streams": streams}

    def cmd_tcp_send_many(self, host: str, port: int, size: int, count: int) -> Dict[str, Any]:
        """Open ``count`` connections, then send ``size`` bytes on each at once (a thread each)."""
        data = memoryview(bytes(size))
        conns = [zsocket.create_connection((host, port), timeout=60) for _ in range(count)]

        errors: List[BaseException] = []

        def send(sock: zsocket.socket) -> None:
            try:
                with sock:
                    sock.sendall(data)
                    sock.shutdown(zsocket.SHUT_WR)
                    sock.recv(1)
            except OSError as exc:
                errors.append(exc)

        senders = [threading.Thread(target=send, args=(sock,)) for sock in conns]
        for sender in senders:
            sender.start()
        for sender in senders:
            sender.join()
        if errors:
            raise errors[0]
        return {"sent": size * count}

    def cmd_tcp_echo_nodelay(self, version: int = 4, port: int = 0) -> Dict[str, Any]:
        """Accept one connection and echo with TCP_NODELAY until EOF (the ping-pong's other end)."""
        with self._listen(version, port, backlog=1) as server:
            self.ready(port=server.getsockname()[1])
            conn, _ = server.accept()
        conn.setsockopt(zsocket.IPPROTO_TCP, zsocket.TCP_NODELAY, 1)
        buf = bytearray(65536)
        with conn:
            while True:
                n = conn.recv_into(buf)
                if n == 0:
                    break
                conn.sendall(memoryview(buf)[:n])
        return {"done": True}

    def cmd_tcp_pingpong(self, host: str, port: int, count: int, size: int = 32, warmup: int = 100) -> Dict[str, Any]:
        """``count`` round trips of ``size`` bytes, one at a time, with TCP_NODELAY: each RTT in µs."""
        message = bytes(size)
        buf = bytearray(size)
        rtts: List[float] = []
        with zsocket.create_connection((host, port), timeout=30) as sock:
            sock.setsockopt(zsocket.IPPROTO_TCP, zsocket.TCP_NODELAY, 1)
            for i in range(warmup + count):
                t0 = time.perf_counter()
                sock.sendall(message)
                got = 0
                while got < size:
                    n = sock.recv_into(memoryview(buf)[got:])
                    if n == 0:
                        raise ConnectionError("echo server closed")
                    got += n
                if i >= warmup:
                    rtts.append((time.perf_counter() - t0) * 1e6)
        return {"rtt_us": rtts}

    def cmd_stop_servers(self) -> int:
        for s in self.listeners:
            s.close()
        n = len(self.listeners)
        self.listeners.clear()
        return n

    def cmd_stats(self) -> Dict[str, Any]:
        return self.node.stats() if self.node is not None else {}


def drain(conn: zsocket.socket) -> Dict[str, Any]:
    """Read until EOF and close: bytes, and time.monotonic() at the first byte and at EOF."""
    buf = bytearray(256 * 1024)
    total, first = 0, 0.0
    with conn:
        while n := conn.recv_into(buf):
            if not total:
                first = time.monotonic()
            total += n
    return {"received": total, "first_byte_at": first, "ended_at": time.monotonic()}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--world")
    parser.add_argument("--network")
    parser.add_argument("--kernel", action="store_true", help="no node: the OS's own sockets")
    args = parser.parse_args()
    channel = Channel()
    node = None
    if args.kernel:
        channel.send({"ready": {"id": None, "ipv4": None, "ipv6": None}})
    else:
        node = libzt.ZeroTierNode(roots=libzt.World.load(args.world), allow_loopback=True)
        node.start()
        node.wait_online(timeout=30)
        network = node.join(args.network).wait_ready(timeout=30)
        v4 = [str(a.ip) for a in network.addresses if a.version == 4]
        v6 = [str(a.ip) for a in network.addresses if a.version == 6]
        channel.send({"ready": {"id": node.address, "ipv4": v4[0] if v4 else None, "ipv6": v6[0] if v6 else None}})
    peer = Peer(node, channel)
    for line in sys.stdin:
        if line.strip():
            threading.Thread(target=peer.serve, args=(json.loads(line),), daemon=True).start()
    os._exit(0)  # native threads make an orderly interpreter exit slow; the node goes with the process


if __name__ == "__main__":
    sys.exit(main())
