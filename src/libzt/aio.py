# SPDX-License-Identifier: Apache-2.0
"""asyncio over ZeroTier: streams, servers and datagram endpoints on libzt sockets.

Overview
    The functions mirror asyncio's and return asyncio's own types: :func:`open_connection` and
    :func:`start_server` give :class:`asyncio.StreamReader` / :class:`asyncio.StreamWriter`;
    :func:`create_connection`, :func:`create_server` and :func:`create_datagram_endpoint` take a
    protocol factory and give asyncio transports (``Protocol`` and ``BufferedProtocol`` both work).
    Any asyncio event loop works (uvloop too): nothing is registered with the loop itself.
    TLS as asyncio's: ``ssl=`` and ``server_hostname=`` on the connection and server functions, and
    ``loop.start_tls()`` / ``StreamWriter.start_tls()`` on our transports (asyncio's own TLS protocol
    over our transport; the stdlib's ssl does the cryptography).

Usage
    With a node running and on a network::

        reader, writer = await libzt.aio.open_connection("10.147.17.5", 8080)
        writer.write(b"hello")
        await writer.drain()
        print(await reader.read(100))
        writer.close()
        await writer.wait_closed()

How readiness works
    libzt sockets are not OS file descriptors, so the loop cannot watch them. One poller thread per
    node (see ``libzt._poller``) waits in zts_bsd_poll for every socket a loop is waiting on and
    hands the callbacks to their loops with ``call_soon_threadsafe``: event-driven, no busy polling,
    no thread per socket. When the node stops, every transport fails with ``OSError(ENETDOWN)``.
"""
from __future__ import annotations

import asyncio
import collections
import errno
import ipaddress
import logging
import os
import socket as _stdlib
import warnings
from typing import Any, Callable, Deque, Dict, List, Optional, Set, Tuple, Union

from libzt import _poller
from libzt import socket as zsocket
from libzt._bindings import sockets as _ll

log = logging.getLogger("libzt")

try:  # a Python built without OpenSSL has no ssl module: TLS is unavailable then, the rest works
    import ssl as _ssl
    from asyncio import sslproto as _sslproto
except ImportError:  # pragma: no cover - depends on how the interpreter was built
    _ssl = None  # type: ignore[assignment]
    _sslproto = None  # type: ignore[assignment]


def _ssl_module() -> Any:
    if _ssl is None:
        raise RuntimeError("TLS needs Python's ssl module, which this interpreter does not have")
    return _ssl


__all__ = [
    "Server",
    "create_connection",
    "create_datagram_endpoint",
    "create_server",
    "getaddrinfo",
    "open_connection",
    "start_server",
]

_READ_SIZE = 256 * 1024  # one recv; a full lwIP receive window is 64 KiB
_READS_PER_WAKEUP = 8  # reads before going back to the poller, so that one socket cannot hog the loop
_ACCEPTS_PER_WAKEUP = 128
_DEFAULT_LIMIT = 2**16  # asyncio's stream buffer limit

ProtocolFactory = Callable[[], asyncio.BaseProtocol]


async def getaddrinfo(host: Any, port: Any, family: int = 0, type: int = 0, proto: int = 0,
                      flags: int = 0) -> List[Tuple[Any, ...]]:
    """:func:`libzt.socket.getaddrinfo` without blocking the loop, as :meth:`asyncio.loop.getaddrinfo`:
    a name (a DNS query over ZeroTier, which can take seconds) is resolved in the loop's default
    executor; a numeric address or none is answered at once."""
    if host is None or _is_numeric(host):
        return zsocket.getaddrinfo(host, port, family, type, proto, flags)
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(None, zsocket.getaddrinfo, host, port, family, type, proto, flags)


def _is_numeric(host: Any) -> bool:
    if isinstance(host, bytes):
        host = host.decode("idna")
    try:
        ipaddress.ip_address(str(host).split("%", 1)[0])
    except ValueError:
        return False
    return True


def _set_result_unless_cancelled(fut: asyncio.Future, result: Any) -> None:
    if not fut.cancelled():
        fut.set_result(result)


class _Transport:
    """What stream and datagram transports share: the socket, the poller, closing, extra info."""

    def __init__(self, loop: asyncio.AbstractEventLoop, sock: zsocket.socket, protocol: asyncio.BaseProtocol,
                 extra: Optional[Dict[str, Any]]) -> None:
        self._loop = loop
        self._sock: Optional[zsocket.socket] = sock
        self._fd = sock.zts_fileno()
        self._protocol = protocol
        self._poller = _poller.get()
        self._closing = False
        self._conn_lost = 0
        self._paused = False  # reading, by pause_reading()
        self._extra: Dict[str, Any] = dict(extra or {})
        self._extra.setdefault("socket", sock)
        for key, getter in (("sockname", sock.getsockname), ("peername", sock.getpeername)):
            try:
                self._extra.setdefault(key, getter())
            except OSError:
                self._extra.setdefault(key, None)

    # ---- BaseTransport ---------------------------------------------------------------------------

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return self._extra.get(name, default)

    def is_closing(self) -> bool:
        return self._closing

    def set_protocol(self, protocol: asyncio.BaseProtocol) -> None:
        self._protocol = protocol

    def get_protocol(self) -> asyncio.BaseProtocol:
        return self._protocol

    def abort(self) -> None:
        self._force_close(None)

    def __repr__(self) -> str:
        state = "closed" if self._sock is None else ("closing" if self._closing else "open")
        return f"<{type(self).__name__} fd={self._fd} {state}>"

    def __del__(self, _warn: Callable[..., None] = warnings.warn) -> None:
        sock = getattr(self, "_sock", None)
        if sock is not None:
            _warn(f"unclosed transport {self!r}", ResourceWarning, source=self)
            try:
                self._poller.close(sock.detach())
            except Exception:
                pass

    # ---- closing ---------------------------------------------------------------------------------

    def close(self) -> None:
        """Close after what is queued for sending has gone (``abort()`` does not wait)."""
        if self._closing:
            return
        self._closing = True
        self._poller.remove(self._fd, _poller.POLLIN)
        if not self._sending():
            self._conn_lost += 1
            self._loop.call_soon(self._call_connection_lost, None)

    def _sending(self) -> bool:
        """Whether data is still queued for sending (the transport closes once it is gone)."""
        raise NotImplementedError

    def _fatal_error(self, exc: BaseException, message: str = "Fatal error on libzt transport") -> None:
        if isinstance(exc, OSError):
            if self._loop.get_debug():
                log.debug("%r: %s", self, message, exc_info=True)
        else:
            self._loop.call_exception_handler(
                {"message": message, "exception": exc, "transport": self, "protocol": self._protocol})
        self._force_close(exc)

    def _force_close(self, exc: Optional[BaseException]) -> None:
        if self._conn_lost:
            return
        self._closing = True
        self._conn_lost += 1
        self._poller.remove(self._fd)
        self._loop.call_soon(self._call_connection_lost, exc)

    def _call_connection_lost(self, exc: Optional[BaseException]) -> None:
        try:
            self._protocol.connection_lost(exc)
        finally:
            sock, self._sock = self._sock, None
            if sock is not None:
                self._poller.close(sock.detach())  # closes the descriptor, after any poll that covers it
            self._protocol = None  # type: ignore[assignment]
            self._detached()

    def _detached(self) -> None:
        pass


class _StreamTransport(_Transport, asyncio.Transport):
    """A connected TCP socket as an asyncio transport."""

    _start_tls_compatible = True  # loop.start_tls() / StreamWriter.start_tls() may put TLS on it

    def __init__(self, loop: asyncio.AbstractEventLoop, sock: zsocket.socket, protocol: asyncio.BaseProtocol,
                 waiter: Optional[asyncio.Future] = None, extra: Optional[Dict[str, Any]] = None,
                 server: Optional[Server] = None) -> None:
        _Transport.__init__(self, loop, sock, protocol, extra)
        asyncio.Transport.__init__(self, self._extra)
        self._server = server
        self._buffer = bytearray()
        self._eof = False  # write_eof() called
        self._high_water = 64 * 1024
        self._low_water = 16 * 1024
        self._protocol_paused = False
        self._buffered = isinstance(protocol, asyncio.BufferedProtocol)
        if server is not None:
            server._attach()
        loop.call_soon(self._protocol.connection_made, self)
        loop.call_soon(self._arm_read)
        if waiter is not None:
            loop.call_soon(_set_result_unless_cancelled, waiter, None)

    def set_protocol(self, protocol: asyncio.BaseProtocol) -> None:
        self._protocol = protocol
        self._buffered = isinstance(protocol, asyncio.BufferedProtocol)

    # ---- reading ---------------------------------------------------------------------------------

    def is_reading(self) -> bool:
        return not self._paused and not self._closing

    def pause_reading(self) -> None:
        if self._closing or self._paused:
            return
        self._paused = True
        self._poller.remove(self._fd, _poller.POLLIN)

    def resume_reading(self) -> None:
        if self._closing or not self._paused:
            return
        self._paused = False
        self._arm_read()

    def _arm_read(self) -> None:
        if not self._closing and not self._paused and self._sock is not None:
            self._poller.add(self._fd, _poller.POLLIN, self._loop, self._on_readable)

    def _on_readable(self) -> None:
        for _ in range(_READS_PER_WAKEUP):
            if self._closing or self._paused or self._sock is None:
                return
            try:
                if self._buffered:
                    got = self._read_buffered()
                else:
                    data = _ll.recv(self._fd, _READ_SIZE, 0)
                    got = -1 if data is None else len(data)
                    if got > 0:
                        self._protocol.data_received(data)  # type: ignore[attr-defined]
            except (SystemExit, KeyboardInterrupt):
                raise
            except BaseException as exc:
                self._fatal_error(exc, "Fatal read error on libzt transport")
                return
            if got == 0:
                self._on_eof()
                return
            if got < 0:
                break  # would block
        self._arm_read()

    def _read_buffered(self) -> int:
        buf = self._protocol.get_buffer(-1)  # type: ignore[attr-defined]
        if not len(buf):
            raise RuntimeError("get_buffer() returned an empty buffer")
        n = _ll.recv_into(self._fd, buf, 0, 0)
        if n > 0:
            self._protocol.buffer_updated(n)  # type: ignore[attr-defined]
        return n

    def _on_eof(self) -> None:
        try:
            keep_open = self._protocol.eof_received()  # type: ignore[attr-defined]
        except (SystemExit, KeyboardInterrupt):
            raise
        except BaseException as exc:
            self._fatal_error(exc, "Fatal error: protocol.eof_received() call failed.")
            return
        if keep_open:
            self._paused = True  # nothing more to read: stop asking
        else:
            self.close()

    # ---- writing ---------------------------------------------------------------------------------

    def write(self, data: Union[bytes, bytearray, memoryview]) -> None:
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(f"data argument must be a bytes-like object, not {type(data).__name__!r}")
        if self._eof:
            raise RuntimeError("Cannot call write() after write_eof()")
        if not data:
            return
        if self._conn_lost:
            self._conn_lost += 1
            if self._conn_lost >= 5:
                log.warning("socket.send() raised exception.")
            return
        if not self._buffer:
            try:
                n = _ll.send(self._fd, data, 0)
            except (SystemExit, KeyboardInterrupt):
                raise
            except BaseException as exc:
                self._fatal_error(exc, "Fatal write error on libzt transport")
                return
            if n == len(data):
                return
            data = memoryview(data)[max(n, 0):]
            self._poller.add(self._fd, _poller.POLLOUT, self._loop, self._on_writable)
        self._buffer += data
        self._maybe_pause_protocol()

    def writelines(self, list_of_data: Any) -> None:
        self.write(b"".join(list_of_data))

    def _on_writable(self) -> None:
        if self._sock is None or self._conn_lost:
            return
        try:
            n = _ll.send(self._fd, self._buffer, 0)
        except (SystemExit, KeyboardInterrupt):
            raise
        except BaseException as exc:
            self._buffer.clear()
            self._fatal_error(exc, "Fatal write error on libzt transport")
            return
        if n > 0:
            del self._buffer[:n]
        self._maybe_resume_protocol()
        if self._buffer:
            self._poller.add(self._fd, _poller.POLLOUT, self._loop, self._on_writable)
        elif self._closing:
            self._conn_lost += 1
            self._call_connection_lost(None)
        elif self._eof:
            self._shutdown_write()

    def _shutdown_write(self) -> None:
        try:
            _ll.shutdown(self._fd, _stdlib.SHUT_WR)
        except OSError as exc:
            self._fatal_error(exc)

    def can_write_eof(self) -> bool:
        return True

    def write_eof(self) -> None:
        if self._closing or self._eof:
            return
        self._eof = True
        if not self._buffer:
            self._shutdown_write()

    def get_write_buffer_size(self) -> int:
        return len(self._buffer)

    def get_write_buffer_limits(self) -> Tuple[int, int]:
        return self._low_water, self._high_water

    def set_write_buffer_limits(self, high: Optional[int] = None, low: Optional[int] = None) -> None:
        if high is None:
            high = 64 * 1024 if low is None else 4 * low
        if low is None:
            low = high // 4
        if not high >= low >= 0:
            raise ValueError(f"high ({high!r}) must be >= low ({low!r}) must be >= 0")
        self._high_water, self._low_water = high, low
        self._maybe_pause_protocol()

    def _maybe_pause_protocol(self) -> None:
        if len(self._buffer) <= self._high_water or self._protocol_paused:
            return
        self._protocol_paused = True
        self._tell_protocol("pause_writing")

    def _maybe_resume_protocol(self) -> None:
        if self._protocol_paused and len(self._buffer) <= self._low_water:
            self._protocol_paused = False
            self._tell_protocol("resume_writing")

    def _tell_protocol(self, method: str) -> None:
        """Flow control for the protocol; its failure goes to the loop's exception handler, as asyncio's
        own transports do."""
        try:
            getattr(self._protocol, method)()
        except (SystemExit, KeyboardInterrupt):
            raise
        except BaseException as exc:
            self._loop.call_exception_handler({"message": f"protocol.{method}() failed", "exception": exc,
                                               "transport": self, "protocol": self._protocol})

    # ---- closing ---------------------------------------------------------------------------------

    def _sending(self) -> bool:
        return bool(self._buffer)

    def _force_close(self, exc: Optional[BaseException]) -> None:
        self._buffer.clear()
        super()._force_close(exc)

    def _detached(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server._detach()


class _DatagramTransport(_Transport, asyncio.DatagramTransport):
    """A UDP socket as an asyncio datagram transport."""

    def __init__(self, loop: asyncio.AbstractEventLoop, sock: zsocket.socket, protocol: asyncio.BaseProtocol,
                 address: Any = None, waiter: Optional[asyncio.Future] = None) -> None:
        _Transport.__init__(self, loop, sock, protocol, None)
        asyncio.DatagramTransport.__init__(self, self._extra)
        self._address = address  # the connected peer, if any
        self._queue: Deque[Tuple[bytes, Any]] = collections.deque()
        self._buffer_size = 0
        loop.call_soon(self._protocol.connection_made, self)
        loop.call_soon(self._arm_read)
        if waiter is not None:
            loop.call_soon(_set_result_unless_cancelled, waiter, None)

    def _arm_read(self) -> None:
        if not self._closing and self._sock is not None:
            self._poller.add(self._fd, _poller.POLLIN, self._loop, self._on_readable)

    def _on_readable(self) -> None:
        for _ in range(_READS_PER_WAKEUP * 8):
            if self._closing or self._sock is None:
                return
            try:
                data, addr = _ll.recvfrom(self._fd, 65536, 0)
            except OSError as exc:
                self._protocol.error_received(exc)  # type: ignore[attr-defined]
                continue
            except (SystemExit, KeyboardInterrupt):
                raise
            except BaseException as exc:
                self._fatal_error(exc, "Fatal read error on libzt datagram transport")
                return
            if data is None:
                break
            self._protocol.datagram_received(data, zsocket._from_address(addr))  # type: ignore[attr-defined]
        self._arm_read()

    def get_write_buffer_size(self) -> int:
        return self._buffer_size

    def sendto(self, data: Union[bytes, bytearray, memoryview], addr: Any = None) -> None:
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(f"data argument must be a bytes-like object, not {type(data).__name__!r}")
        if self._address is not None and addr is not None:
            if tuple(addr)[:2] != tuple(self._address)[:2]:
                raise ValueError(f"Invalid address: must be None or {self._address}")
            addr = None  # connected: send()
        if self._conn_lost:
            self._conn_lost += 1
            return
        if not self._queue:
            try:
                if self._send(data, addr):
                    return
            except OSError as exc:
                self._protocol.error_received(exc)  # type: ignore[attr-defined]
                return
            except (SystemExit, KeyboardInterrupt):
                raise
            except BaseException as exc:
                self._fatal_error(exc, "Fatal write error on libzt datagram transport")
                return
            self._poller.add(self._fd, _poller.POLLOUT, self._loop, self._on_writable)
        self._queue.append((bytes(data), addr))
        self._buffer_size += len(data)

    def _send(self, data: Any, addr: Any) -> bool:
        assert self._sock is not None
        if addr is None:
            return _ll.send(self._fd, data, 0) != _ll.WOULD_BLOCK
        target = zsocket._to_address(self._sock.family, addr, "sendto()")
        return _ll.sendto(self._fd, data, 0, target) != _ll.WOULD_BLOCK

    def _on_writable(self) -> None:
        while self._queue and self._sock is not None:
            data, addr = self._queue[0]
            try:
                if not self._send(data, addr):
                    self._poller.add(self._fd, _poller.POLLOUT, self._loop, self._on_writable)
                    return
            except OSError as exc:
                self._protocol.error_received(exc)  # type: ignore[attr-defined]
            self._queue.popleft()
            self._buffer_size -= len(data)
        if not self._queue and self._closing and not self._conn_lost:
            self._conn_lost += 1
            self._call_connection_lost(None)

    def _sending(self) -> bool:
        return bool(self._queue)

    def _force_close(self, exc: Optional[BaseException]) -> None:
        self._queue.clear()
        self._buffer_size = 0
        super()._force_close(exc)


# ---- waiting on one socket ------------------------------------------------------------------------


async def _wait(sock: zsocket.socket, events: int) -> None:
    """Until ``sock`` is ready for ``events``; cancellation forgets the interest."""
    loop = asyncio.get_running_loop()
    fut = loop.create_future()
    poller = _poller.get()
    poller.add(sock.zts_fileno(), events, loop, lambda: fut.done() or fut.set_result(None))
    try:
        await fut
    finally:
        if not fut.done() or fut.cancelled():
            poller.remove(sock.zts_fileno(), events)


async def _connect(sock: zsocket.socket, address: Any) -> None:
    err = sock.connect_ex(address)
    if err == errno.EINPROGRESS:
        await _wait(sock, _poller.POLLOUT)
        err = sock.getsockopt(_stdlib.SOL_SOCKET, _stdlib.SO_ERROR)
    if err:
        raise OSError(err, f"Connect call failed {address}: {os.strerror(err)}")


def _close_socket(sock: zsocket.socket) -> None:
    poller = _poller.current()
    fd = sock.detach()
    if fd < 0:
        return
    if poller is not None:
        poller.close(fd)
    else:
        try:
            _ll.close(fd)
        except OSError:
            pass


# ---- connections ----------------------------------------------------------------------------------


async def create_connection(protocol_factory: ProtocolFactory, host: Any = None, port: Any = None, *,
                            ssl: Union[bool, _ssl.SSLContext, None] = None, family: int = 0, proto: int = 0,
                            flags: int = 0, sock: Optional[zsocket.socket] = None,
                            local_addr: Optional[Tuple[Any, Any]] = None, server_hostname: Optional[str] = None,
                            ssl_handshake_timeout: Optional[float] = None) -> Tuple[asyncio.Transport, Any]:
    """Connect over ZeroTier, as :meth:`asyncio.loop.create_connection` (numeric hosts). Every address
    :func:`libzt.socket.getaddrinfo` gives is tried in turn. ``ssl`` (an :class:`ssl.SSLContext`, or
    True for the default one), ``server_hostname`` and ``ssl_handshake_timeout`` as asyncio's: the
    handshake is over when this returns, and a certificate that does not verify raises
    :class:`ssl.SSLCertVerificationError`."""
    loop = asyncio.get_running_loop()
    context = _client_context(ssl, host, server_hostname, ssl_handshake_timeout)
    if context is not None and server_hostname is None:
        server_hostname = host
    if sock is None:
        if host is None or port is None:
            raise ValueError("host and port was not specified and no sock specified")
        errors: List[OSError] = []
        for fam, kind, pr, _, address in await getaddrinfo(host, port, family, _stdlib.SOCK_STREAM, proto, flags):
            candidate = zsocket.socket(fam, kind, pr)
            try:
                candidate.setblocking(False)
                if local_addr is not None:
                    candidate.bind(local_addr)
                await _connect(candidate, address)
            except OSError as exc:
                _close_socket(candidate)
                errors.append(exc)
                continue
            except BaseException:  # cancelled: nothing may leak
                _close_socket(candidate)
                raise
            sock = candidate
            break
        if sock is None:
            if len(errors) == 1 or len({str(e) for e in errors}) == 1:
                raise errors[0]
            raise OSError(f"Multiple exceptions: {', '.join(str(e) for e in errors)}")
    else:
        if host is not None or port is not None:
            raise ValueError("host/port and sock can not be specified at the same time")
        sock.setblocking(False)
    protocol = protocol_factory()
    waiter = loop.create_future()
    if context is None:
        transport = _StreamTransport(loop, sock, protocol, waiter)
    else:
        tls = _tls_protocol(loop, protocol, context, waiter, False, server_hostname or None, ssl_handshake_timeout)
        transport = _StreamTransport(loop, sock, tls)
    try:
        await waiter
    except BaseException:
        transport.close()
        raise
    if context is not None:
        return tls._app_transport, protocol
    return transport, protocol


def _client_context(ssl: Union[bool, _ssl.SSLContext, None], host: Any, server_hostname: Optional[str],
                    handshake_timeout: Optional[float]) -> Optional[_ssl.SSLContext]:
    """The context for a client connection, checking the arguments as asyncio does."""
    if not ssl:
        if server_hostname is not None:
            raise ValueError("server_hostname is only meaningful with ssl")
        if handshake_timeout is not None:
            raise ValueError("ssl_handshake_timeout is only meaningful with ssl")
        return None
    if server_hostname is None and not host:
        raise ValueError("You must set server_hostname when using ssl without a host")
    if isinstance(ssl, _ssl_module().SSLContext):
        return ssl
    return _ssl_module().create_default_context()


def _tls_protocol(loop: asyncio.AbstractEventLoop, app_protocol: asyncio.BaseProtocol, context: _ssl.SSLContext,
                  waiter: Optional[asyncio.Future], server_side: bool, server_hostname: Optional[str],
                  handshake_timeout: Optional[float]) -> Any:
    """asyncio's own TLS layer (the protocol its loops put between a socket transport and the
    application), here over our transport: the stdlib's ssl does the cryptography."""
    return _sslproto.SSLProtocol(loop, app_protocol, context, waiter, server_side, server_hostname,
                                 ssl_handshake_timeout=handshake_timeout)


async def open_connection(host: Any = None, port: Any = None, *, limit: int = _DEFAULT_LIMIT,
                          **kwds: Any) -> Tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """asyncio's :func:`asyncio.open_connection` over ZeroTier: a StreamReader and StreamWriter."""
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=limit, loop=loop)
    protocol = asyncio.StreamReaderProtocol(reader, loop=loop)
    transport, _ = await create_connection(lambda: protocol, host, port, **kwds)
    writer = asyncio.StreamWriter(transport, protocol, reader, loop)
    return reader, writer


# ---- servers --------------------------------------------------------------------------------------


class Server(asyncio.AbstractServer):
    """Listening libzt sockets, as :class:`asyncio.Server` (``async with``, ``serve_forever()``,
    ``close()`` then ``wait_closed()``). ``sockets`` are :class:`libzt.socket.socket` objects."""

    def __init__(self, loop: asyncio.AbstractEventLoop, sockets: List[zsocket.socket],
                 protocol_factory: ProtocolFactory, backlog: int) -> None:
        self._loop = loop
        self._sockets: Optional[List[zsocket.socket]] = sockets
        self._protocol_factory = protocol_factory
        self._backlog = backlog
        self._serving = False
        self._active = 0
        self._waiters: Optional[List[asyncio.Future]] = []
        self._serving_forever: Optional[asyncio.Future] = None
        self._poller = _poller.get()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} sockets={self.sockets!r}>"

    @property
    def sockets(self) -> Tuple[zsocket.socket, ...]:
        return tuple(self._sockets or ())

    def get_loop(self) -> asyncio.AbstractEventLoop:
        return self._loop

    def is_serving(self) -> bool:
        return self._serving

    async def start_serving(self) -> None:
        self._start_serving()
        await asyncio.sleep(0)  # as asyncio's: let the first accept be scheduled

    def _start_serving(self) -> None:
        if self._serving or self._sockets is None:
            return
        self._serving = True
        for sock in self._sockets:
            self._arm_accept(sock)

    def _arm_accept(self, sock: zsocket.socket) -> None:
        if self._serving and self._sockets is not None:
            self._poller.add(sock.zts_fileno(), _poller.POLLIN, self._loop, lambda: self._on_acceptable(sock))

    def _on_acceptable(self, listener: zsocket.socket) -> None:
        if not self._serving:
            return
        for _ in range(min(self._backlog, _ACCEPTS_PER_WAKEUP)):
            try:
                fd, _ = _ll.accept(listener.zts_fileno())
            except OSError as exc:
                if exc.errno in (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM, errno.ECONNABORTED):
                    self._loop.call_exception_handler({"message": "libzt: accept failed", "exception": exc,
                                                       "socket": listener})
                    break
                if exc.errno in (errno.EBADF, errno.ENETDOWN):
                    return  # closed, or the node stopped
                raise
            if fd == _ll.WOULD_BLOCK:
                break
            try:
                conn = zsocket.socket(listener.family, listener.type, listener.proto, fileno=fd)
                conn.setblocking(False)
            except OSError:
                _ll.close(fd)
                continue
            _StreamTransport(self._loop, conn, self._protocol_factory(), server=self)
        self._arm_accept(listener)

    def close(self) -> None:
        sockets, self._sockets = self._sockets, None
        if sockets is None:
            return
        self._serving = False
        for sock in sockets:
            _close_socket(sock)
        if self._serving_forever is not None and not self._serving_forever.done():
            self._serving_forever.cancel()
            self._serving_forever = None
        if self._active == 0:
            self._wakeup()

    async def wait_closed(self) -> None:
        """Until the server is closed and every connection it accepted is gone."""
        if self._waiters is None:
            return
        waiter = self._loop.create_future()
        self._waiters.append(waiter)
        await waiter

    async def serve_forever(self) -> None:
        if self._serving_forever is not None:
            raise RuntimeError(f"server {self!r} is already being awaited on serve_forever()")
        if self._sockets is None:
            raise RuntimeError(f"server {self!r} is closed")
        self._start_serving()
        self._serving_forever = self._loop.create_future()
        try:
            await self._serving_forever
        except asyncio.CancelledError:
            try:
                self.close()
                await self.wait_closed()
            finally:
                raise
        finally:
            self._serving_forever = None

    def _attach(self) -> None:
        self._active += 1

    def _detach(self) -> None:
        self._active -= 1
        if self._active == 0 and self._sockets is None:
            self._wakeup()

    def _wakeup(self) -> None:
        waiters, self._waiters = self._waiters, None
        for waiter in waiters or ():
            if not waiter.done():
                waiter.set_result(None)


async def create_server(protocol_factory: ProtocolFactory, host: Any = None, port: Any = None, *,
                        family: int = _stdlib.AF_UNSPEC, flags: int = _stdlib.AI_PASSIVE,
                        sock: Optional[zsocket.socket] = None, backlog: int = 100,
                        ssl: Optional[_ssl.SSLContext] = None, reuse_address: Optional[bool] = None,
                        reuse_port: Optional[bool] = None, ssl_handshake_timeout: Optional[float] = None,
                        start_serving: bool = True) -> Server:
    """Listen over ZeroTier, as :meth:`asyncio.loop.create_server` (numeric hosts; ``host=None``
    listens on every address of both families). With ``ssl`` (a server-side
    :class:`ssl.SSLContext`) every connection does the TLS handshake before the protocol's
    ``connection_made``."""
    loop = asyncio.get_running_loop()
    if ssl is not None and not isinstance(ssl, _ssl_module().SSLContext):
        raise TypeError(f"ssl argument must be an SSLContext or None, got {ssl!r}")
    if ssl is None and ssl_handshake_timeout is not None:
        raise ValueError("ssl_handshake_timeout is only meaningful with ssl")
    if ssl is not None:
        plain_factory, context = protocol_factory, ssl

        def protocol_factory() -> asyncio.BaseProtocol:
            return _tls_protocol(loop, plain_factory(), context, None, True, None, ssl_handshake_timeout)
    if sock is not None:
        if host is not None or port is not None:
            raise ValueError("host/port and sock can not be specified at the same time")
        sock.setblocking(False)
        sockets = [sock]
    else:
        if port is None:
            port = 0
        hosts: List[Any] = [None] if host in (None, "") else ([host] if isinstance(host, str) else list(host))
        infos: List[Tuple[Any, ...]] = []
        for h in hosts:
            infos += await getaddrinfo(h, port, family, _stdlib.SOCK_STREAM, 0, flags)
        sockets = []
        seen: Set[Tuple[int, Any]] = set()
        try:
            for fam, kind, proto, _, address in infos:
                if (fam, address) in seen:
                    continue
                seen.add((fam, address))
                s = zsocket.socket(fam, kind, proto)
                sockets.append(s)
                if reuse_address is None or reuse_address:
                    s.setsockopt(_stdlib.SOL_SOCKET, _stdlib.SO_REUSEADDR, 1)
                if reuse_port:
                    s.setsockopt(_stdlib.SOL_SOCKET, _stdlib.SO_REUSEPORT, 1)
                if fam == _stdlib.AF_INET6:
                    s.setsockopt(_stdlib.IPPROTO_IPV6, _stdlib.IPV6_V6ONLY, 1)
                try:
                    s.bind(address)
                except OSError as exc:
                    raise OSError(exc.errno, f"error while attempting to bind on address {address!r}: "
                                             f"{exc.strerror}") from None
                s.listen(backlog)
                s.setblocking(False)
        except BaseException:
            for s in sockets:
                s.close()
            raise
    server = Server(loop, sockets, protocol_factory, backlog)
    if start_serving:
        server._start_serving()
        await asyncio.sleep(0)
    return server


async def start_server(client_connected_cb: Callable[[asyncio.StreamReader, asyncio.StreamWriter], Any],
                       host: Any = None, port: Any = None, *, limit: int = _DEFAULT_LIMIT, **kwds: Any) -> Server:
    """asyncio's :func:`asyncio.start_server` over ZeroTier: ``client_connected_cb(reader, writer)``
    runs for every connection (a coroutine function becomes a task)."""
    loop = asyncio.get_running_loop()

    def factory() -> asyncio.StreamReaderProtocol:
        reader = asyncio.StreamReader(limit=limit, loop=loop)
        return asyncio.StreamReaderProtocol(reader, client_connected_cb, loop=loop)

    return await create_server(factory, host, port, **kwds)


# ---- datagrams -------------------------------------------------------------------------------------


async def create_datagram_endpoint(protocol_factory: ProtocolFactory, local_addr: Optional[Tuple[Any, ...]] = None,
                                   remote_addr: Optional[Tuple[Any, ...]] = None, *, family: int = 0, proto: int = 0,
                                   flags: int = 0, reuse_port: Optional[bool] = None,
                                   allow_broadcast: Optional[bool] = None,
                                   sock: Optional[zsocket.socket] = None) -> Tuple[asyncio.DatagramTransport, Any]:
    """UDP over ZeroTier, as :meth:`asyncio.loop.create_datagram_endpoint` (numeric addresses)."""
    loop = asyncio.get_running_loop()
    address = None
    if sock is None:
        if local_addr is None and remote_addr is None and not family:
            raise ValueError("unexpected address family")
        reference = remote_addr or local_addr
        assert reference is not None
        fam = family or (await getaddrinfo(reference[0], reference[1], 0, _stdlib.SOCK_DGRAM))[0][0]
        sock = zsocket.socket(fam, _stdlib.SOCK_DGRAM, proto)
        try:
            if reuse_port:
                sock.setsockopt(_stdlib.SOL_SOCKET, _stdlib.SO_REUSEPORT, 1)
            if allow_broadcast:
                sock.setsockopt(_stdlib.SOL_SOCKET, _stdlib.SO_BROADCAST, 1)
            if local_addr is not None:
                sock.bind(local_addr)
            if remote_addr is not None:
                sock.connect(remote_addr)
                address = remote_addr
            sock.setblocking(False)
        except BaseException:
            sock.close()
            raise
    else:
        sock.setblocking(False)
    protocol = protocol_factory()
    waiter = loop.create_future()
    transport = _DatagramTransport(loop, sock, protocol, address, waiter)
    try:
        await waiter
    except BaseException:
        transport.close()
        raise
    return transport, protocol

