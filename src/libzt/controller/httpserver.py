# SPDX-License-Identifier: Apache-2.0
"""A small HTTP/1.1 server whose cost does not grow with idle connections, for the controller's API.

Why not the standard library's ``ThreadingHTTPServer``: it gives every connection a thread that blocks
in ``recv`` with no deadline, so 1,500 idle unauthenticated connections held 1,315 threads (+40 MB) and
an idle connection stayed open forever. Why not uvicorn/h11: the controller runs inside ``libzt demo``
from a plain wheel whose only dependency is cffi, and the API needs nothing an ASGI stack adds; what
was missing is small and testable here:

- one *event loop* thread (``selectors``: epoll on Linux) accepts connections and does all socket I/O
  without blocking; an idle connection costs a file descriptor and a few hundred bytes, no thread;
- deadlines per connection: ``idle_timeout`` while no request is in progress (a fresh connection
  included), ``request_timeout`` from the first byte of a request to its last (a client trickling a
  header a byte at a time gains nothing), ``write_timeout`` for a response the client does not read;
- a *connection cap*: at ``max_connections`` (or near the process's file limit) the connection that
  has been waiting longest without a complete request is closed to make room, so a flood of idle
  connections cannot lock out a client that sends its request at once;
- requests are framed by the loop (``http_framing``: strictly, so that no header the handler reads
  differently can move where a body ends) and their bytes in memory are bounded in all
  (``max_buffered``), not only per connection;
- complete requests (headers and body already in memory) go to a fixed pool of ``workers`` threads,
  where the standard library's ``BaseHTTPRequestHandler`` parses and answers them from memory; the
  loop writes the answer back. A slow client therefore never holds a worker.
"""
from __future__ import annotations

import errno
import io
import json
import logging
import queue
import re
import resource
import selectors
import socket
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any, Optional

from libzt.controller.http_framing import HEADER_END, Framing, body_too_large, read_framing

log = logging.getLogger("libzt.controller")

# Up to two empty lines before a request line are skipped (RFC 9112 section 2.2: some clients end a
# body with an extra CRLF).
_LEADING_EMPTY_LINES = re.compile(rb"(?:\r?\n){1,2}")
_FD_RESERVE = 64  # file descriptors left for the database, the node and logging when the cap is derived
_DISCARD_MAX = 64 << 20  # an oversized body is read (and dropped) up to this much, so the client sees 413


@dataclass(frozen=True)
class ServerLimits:
    idle_timeout: float = 30.0  # s without a request in progress before the connection is closed
    request_timeout: float = 10.0  # s from a request's first byte to its last
    write_timeout: float = 10.0  # s to deliver a response
    max_connections: int = 1024
    workers: int = 4
    max_header_bytes: int = 64 * 1024
    max_body: int = 1 << 20
    # Bytes of unfinished request bodies held for all connections together (beyond the first
    # max_header_bytes of each): past it, the connection whose input crossed it gets 503 and is
    # closed (else a thousand connections each sending most of a maximal body, unauthenticated,
    # hold a gigabyte).
    max_buffered: int = 32 << 20


class MemoryRequestHandler(BaseHTTPRequestHandler):
    """A ``BaseHTTPRequestHandler`` that answers one request already read into memory.

    ``request`` is the request's bytes (request line, headers and body); the response is collected in
    ``wfile`` and ``close_connection`` says whether the connection ends after it.
    """

    def setup(self) -> None:
        self.rfile = io.BytesIO(self.request)
        self.wfile = io.BytesIO()

    def handle(self) -> None:
        self.close_connection = True
        self.handle_one_request()

    def finish(self) -> None:
        pass

    def handle_expect_100(self) -> bool:
        return True  # the server sent "100 Continue" already, before it read the body


_READING, _BUSY, _WRITING = "reading", "busy", "writing"


class _Connection:
    __slots__ = ("addr", "close_after", "deadline", "discard", "framing", "head_end", "head_start", "held", "inbuf",
                 "outbuf", "sock", "state")

    def __init__(self, sock: socket.socket, addr: Any) -> None:
        self.sock = sock
        self.addr = addr
        self.inbuf = bytearray()
        self.outbuf = memoryview(b"")
        self.state = _READING
        self.deadline = 0.0
        self.discard = 0  # bytes of an oversized body still to drop
        self.held = b""  # the header block of an oversized request, answered once its body is dropped
        self.close_after = False
        self.framing: Optional[Framing] = None  # the request in inbuf's, once its header block is whole
        self.head_start = 0  # after up to two empty lines before the request line
        self.head_end = 0


class HTTPServer:
    """Serves ``handler_class`` (a :class:`MemoryRequestHandler`) on ``(host, port)``."""

    def __init__(self, address: tuple[str, int], handler_class: type[MemoryRequestHandler],
                 limits: ServerLimits = ServerLimits()) -> None:
        self.handler_class = handler_class
        self.limits = limits
        family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        # The kernel's largest backlog: a burst of connections waits there rather than overflowing it
        # (an overflowed handshake is retried by the client seconds later, out of order).
        self._listener = socket.create_server(address, family=family, backlog=socket.SOMAXCONN)
        self._listener.setblocking(False)
        self.server_address = self._listener.getsockname()
        self.max_connections = _connection_cap(limits.max_connections)
        self._selector = selectors.DefaultSelector()
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        self._conns: dict[int, _Connection] = {}
        # Connections waiting for (the rest of) a request, least recently active first: eviction order.
        self._waiting: OrderedDict[int, _Connection] = OrderedDict()
        self._jobs: queue.Queue[Optional[tuple[_Connection, bytes]]] = queue.Queue()
        self._done: queue.Queue[tuple[_Connection, bytes, bool]] = queue.Queue()
        self._stopping = False
        self._accepting = False
        self._threads: list[threading.Thread] = []
        self.stats = {"accepted": 0, "evicted": 0, "timed_out": 0, "requests": 0, "refused": 0, "overloaded": 0}

    # ---- lifecycle ----

    def start(self) -> HTTPServer:
        self._selector.register(self._wake_r, selectors.EVENT_READ, None)
        self._set_accepting(True)
        self._threads.append(threading.Thread(target=self._loop, name="libzt-controller-http", daemon=True))
        for i in range(max(1, self.limits.workers)):
            self._threads.append(threading.Thread(target=self._work, name=f"libzt-controller-http-{i}",
                                                  daemon=True))
        for t in self._threads:
            t.start()
        return self

    def stop(self) -> None:
        """Close the listener and every connection; requests being handled finish first."""
        self._stopping = True
        for _ in range(max(1, self.limits.workers)):
            self._jobs.put(None)
        self._wake()
        for t in self._threads:
            t.join()
        self._threads.clear()
        for conn in list(self._conns.values()):
            self._close(conn)
        self._selector.close()
        self._listener.close()
        self._wake_r.close()
        self._wake_w.close()

    def connection_count(self) -> int:
        return len(self._conns)

    def body_bytes_held(self) -> int:
        """Bytes of unfinished requests held beyond the first max_header_bytes of each (those are
        bounded by the connection cap already; the budget is for bodies)."""
        first = self.limits.max_header_bytes
        held = [len(c.inbuf) for c in list(self._conns.values())]  # (list(): one step, from any thread)
        return sum(n - first for n in held if n > first)

    # ---- the worker pool ----

    def _work(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            conn, request = job
            try:
                handler = self.handler_class(request, conn.addr, self)
                out, close = handler.wfile.getvalue(), bool(handler.close_connection)
            except Exception:
                log.exception("controller API: a request failed")
                out, close = _plain_response(500, "Internal Server Error"), True
            self._done.put((conn, out, close))
            self._wake()

    def _wake(self) -> None:
        try:
            self._wake_w.send(b"\0")
        except (BlockingIOError, OSError):
            pass  # already woken (buffer full) or closed

    # ---- the event loop ----

    def _loop(self) -> None:
        tick = max(0.01, min(0.25, self.limits.idle_timeout / 4, self.limits.request_timeout / 4,
                             self.limits.write_timeout / 4))
        next_sweep = time.monotonic() + tick
        while not self._stopping:
            timeout = max(0.0, next_sweep - time.monotonic())
            for key, events in self._selector.select(timeout):
                if self._stopping:
                    break
                if key.fileobj is self._listener:
                    self._accept()
                elif key.fileobj is self._wake_r:
                    self._drain_wakeups()
                else:
                    self._serve_ready(key.data, events)
            now = time.monotonic()
            if now >= next_sweep:
                self._sweep(now)
                next_sweep = now + tick
                if not self._accepting and len(self._conns) < self.max_connections:
                    self._set_accepting(True)

    def _serve_ready(self, conn: _Connection, events: int) -> None:
        # A fault on one connection closes it, never the loop: every other client (and every later
        # one) depends on this thread.
        try:
            if events & selectors.EVENT_READ and conn.state == _READING:
                self._on_readable(conn)
            elif events & selectors.EVENT_WRITE and conn.state == _WRITING:
                self._flush(conn)
        except Exception:
            log.exception("controller API: a connection failed")
            self._close(conn)

    def _set_accepting(self, on: bool) -> None:
        if on and not self._accepting:
            self._selector.register(self._listener, selectors.EVENT_READ, None)
        elif not on and self._accepting:
            self._selector.unregister(self._listener)
        self._accepting = on

    def _accept(self) -> None:
        for _ in range(256):
            if len(self._conns) >= self.max_connections and not self._waiting:
                self._set_accepting(False)  # every connection is mid-request: accept again when one ends
                return
            try:
                sock, addr = self._listener.accept()
            except BlockingIOError:
                return
            except OSError as exc:
                if exc.errno in (errno.EMFILE, errno.ENFILE) and self._evict_oldest():
                    continue
                if exc.errno in (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM):
                    log.warning("controller API: cannot accept (%s); pausing", exc)
                    self._set_accepting(False)  # the next sweep resumes
                    return
                continue  # ECONNABORTED and the like: that client is gone
            sock.setblocking(False)
            # Headers and body leave in two writes; without this, Nagle's algorithm and the client's
            # delayed ACK hold every response back ~40 ms on a kept-alive connection.
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            conn = _Connection(sock, addr)
            self._conns[sock.fileno()] = conn
            self.stats["accepted"] += 1
            if len(self._conns) > self.max_connections:
                self._evict_oldest()  # never the newcomer: it is the most recent
            self._wait_for_request(conn, time.monotonic())

    def _evict_oldest(self) -> bool:
        if not self._waiting:
            return False
        _, conn = self._waiting.popitem(last=False)
        self.stats["evicted"] += 1
        self._close(conn)
        return True

    def _wait_for_request(self, conn: _Connection, now: float) -> None:
        conn.state = _READING
        conn.deadline = now + (self.limits.request_timeout if conn.inbuf else self.limits.idle_timeout)
        self._register(conn, selectors.EVENT_READ)
        self._waiting[conn.sock.fileno()] = conn
        self._waiting.move_to_end(conn.sock.fileno())
        if conn.inbuf:
            self._take_request(conn, now)  # a pipelined request may already be complete

    def _register(self, conn: _Connection, events: int) -> None:
        try:
            self._selector.modify(conn.sock, events, conn)
        except KeyError:
            self._selector.register(conn.sock, events, conn)

    def _on_readable(self, conn: _Connection) -> None:
        try:
            data = conn.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            self._close(conn)
            return
        if not data:
            self._close(conn)
            return
        now = time.monotonic()
        self._waiting.move_to_end(conn.sock.fileno())
        if conn.discard:
            dropped = min(conn.discard, len(data))
            conn.discard -= dropped
            data = data[dropped:]
            if conn.discard == 0:
                self._dispatch(conn, conn.held)
            return
        if not conn.inbuf:
            conn.deadline = now + self.limits.request_timeout  # a request has begun: it must finish in time
        conn.inbuf += data
        self._take_request(conn, now)
        if conn.state == _READING and len(conn.inbuf) > self.limits.max_header_bytes and \
                self.body_bytes_held() > self.limits.max_buffered:
            self.stats["overloaded"] += 1
            self._refuse(conn, 503, "Service Unavailable", "too many requests in progress")

    def _take_request(self, conn: _Connection, now: float) -> None:
        """Hand the first complete request in ``inbuf`` to a worker, if there is one. Its header block is
        framed once, when it is whole; the body may then arrive in any number of reads."""
        if conn.framing is None:
            # The skipped lines stay in inbuf until the request is taken: they count in its size and
            # time, and more of them (in any number of reads) are an empty request line.
            blank = _LEADING_EMPTY_LINES.match(conn.inbuf)
            conn.head_start = blank.end() if blank else 0
            m = HEADER_END.search(conn.inbuf, conn.head_start, self.limits.max_header_bytes + 4)
            if m is None:
                if len(conn.inbuf) > self.limits.max_header_bytes:
                    self._refuse(conn, 431, "Request Header Fields Too Large")
                return
            conn.head_end = m.end()
            conn.framing = read_framing(bytes(conn.inbuf[conn.head_start:conn.head_end]))
        framing, head_start, head_end = conn.framing, conn.head_start, conn.head_end
        if framing.refusal is not None:
            self.stats["refused"] += 1
            self._refuse(conn, framing.refusal.status, framing.refusal.reason, framing.refusal.detail)
            return
        length = framing.body_length
        if length > self.limits.max_body:
            if framing.expect_continue:
                # The client waits before it sends the body: the answer can be given now (RFC 9110 10.1.1).
                self._refuse(conn, 413, "Content Too Large", body_too_large(self.limits.max_body))
                return
            conn.held = bytes(conn.inbuf[head_start:head_end])
            already = len(conn.inbuf) - head_end
            conn.inbuf.clear()
            conn.framing = None
            conn.discard = max(0, min(length, _DISCARD_MAX) - already)
            if conn.discard == 0:
                self._dispatch(conn, conn.held)
            return
        if len(conn.inbuf) < head_end + length:
            if framing.expect_continue and len(conn.inbuf) == head_end:
                # The client waits for this before it sends the body (curl: up to 1 s).
                try:
                    conn.sock.send(b"HTTP/1.1 100 Continue\r\n\r\n")
                except OSError:
                    pass
            return
        request = bytes(conn.inbuf[head_start:head_end + length])
        del conn.inbuf[:head_end + length]
        conn.framing = None
        self._dispatch(conn, request)

    def _dispatch(self, conn: _Connection, request: bytes) -> None:
        conn.state = _BUSY
        conn.held = b""
        self._waiting.pop(conn.sock.fileno(), None)
        self._selector.unregister(conn.sock)  # nothing more is read until the answer is out
        self.stats["requests"] += 1
        self._jobs.put((conn, request))

    def _drain_wakeups(self) -> None:
        try:
            while self._wake_r.recv(4096):
                pass
        except (BlockingIOError, OSError):
            pass
        while True:
            try:
                conn, out, close = self._done.get_nowait()
            except queue.Empty:
                return
            if conn.sock.fileno() < 0:
                continue
            conn.close_after = close
            self._start_writing(conn, out)

    def _refuse(self, conn: _Connection, status: int, reason: str, detail: str = "") -> None:
        """Answer with an error and close: what is left of the input is not read as another request."""
        conn.inbuf.clear()
        self._waiting.pop(conn.sock.fileno(), None)
        conn.close_after = True
        self._start_writing(conn, _plain_response(status, reason, detail))

    def _start_writing(self, conn: _Connection, out: bytes) -> None:
        conn.state = _WRITING
        conn.outbuf = memoryview(out)
        conn.deadline = time.monotonic() + self.limits.write_timeout
        self._flush(conn)

    def _flush(self, conn: _Connection) -> None:
        try:
            while conn.outbuf:
                sent = conn.sock.send(conn.outbuf)
                conn.outbuf = conn.outbuf[sent:]
        except (BlockingIOError, InterruptedError):
            self._register(conn, selectors.EVENT_WRITE)
            return
        except OSError:
            self._close(conn)
            return
        if conn.close_after:
            self._close(conn)
        else:
            self._wait_for_request(conn, time.monotonic())

    def _sweep(self, now: float) -> None:
        for conn in [c for c in self._conns.values() if c.state != _BUSY and c.deadline <= now]:
            self.stats["timed_out"] += 1
            if conn.state == _READING and conn.inbuf and not conn.discard:
                # A request that did not arrive in time: say so (best effort) before closing.
                try:
                    conn.sock.send(_plain_response(408, "Request Timeout"))
                except OSError:
                    pass
            self._close(conn)

    def _close(self, conn: _Connection) -> None:
        fd = conn.sock.fileno()
        if fd < 0:
            return
        self._waiting.pop(fd, None)
        self._conns.pop(fd, None)
        try:
            self._selector.unregister(conn.sock)
        except (KeyError, ValueError):
            pass
        conn.sock.close()


def _plain_response(status: int, reason: str, detail: str = "") -> bytes:
    body = json.dumps({"error": detail or reason.lower()}).encode("utf-8")
    return (f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
            "Connection: close\r\n\r\n").encode("ascii") + body


def _connection_cap(wanted: int) -> int:
    """``wanted``, or less if the process may not open that many files (each connection is one)."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return wanted
    return max(1, min(wanted, soft - _FD_RESERVE))
