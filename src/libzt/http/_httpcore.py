# SPDX-License-Identifier: Apache-2.0
"""httpcore network backends over libzt sockets, and httpx transports that use them."""
from __future__ import annotations

import contextlib
import errno
import os
import select
import ssl
from typing import Any, Callable, Dict, Iterable, Iterator, Mapping, Optional, Tuple, Type, TypeVar, Union

import httpcore
import httpx

from libzt import _readiness, tls
from libzt import socket as zsocket

__all__ = ["AsyncBackend", "AsyncHTTPTransport", "Backend", "HTTPTransport"]

T = TypeVar("T")
_TIMEOUTS: Tuple[Type[BaseException], ...] = (TimeoutError, zsocket.timeout)
_CHUNK = 64 * 1024


@contextlib.contextmanager
def _mapped(timeout_error: Type[Exception], other_error: Type[Exception]) -> Iterator[None]:
    """Socket errors as the httpcore exceptions httpx turns into its own."""
    try:
        yield
    except _TIMEOUTS as exc:
        raise timeout_error(str(exc) or "timed out") from exc
    except OSError as exc:  # ssl.SSLError too
        raise other_error(str(exc)) from exc


class _Resolver:
    """Host names to ZeroTier addresses: there is no DNS, so names are only those given."""

    def __init__(self, hosts: Optional[Mapping[str, str]]) -> None:
        self._hosts = {k.lower(): v for k, v in (hosts or {}).items()}

    def __call__(self, host: str) -> str:
        return self._hosts.get(host.lower(), host)


def _set_options(sock: zsocket.socket, socket_options: Optional[Iterable[Any]]) -> None:
    # TCP_NODELAY first (as urllib3 does): HTTP/1.1 writes a request's head and body, and a response's,
    # separately, and with Nagle the second waits for the ACK of the first, which lwIP delays (250 ms).
    for option in [(zsocket.IPPROTO_TCP, zsocket.TCP_NODELAY, 1), *(socket_options or ())]:
        try:
            sock.setsockopt(*option)
        except OSError:
            pass  # an option lwIP does not have: as good as unset


def _open(address: Tuple[str, int], timeout: Optional[float], local_address: Optional[str],
          socket_options: Optional[Iterable[Any]]) -> zsocket.socket:
    source = (local_address, 0) if local_address else None
    sock = zsocket.create_connection(address, timeout, source)
    _set_options(sock, socket_options)
    return sock


def _extra(sock: Any, ssl_object: Optional[ssl.SSLObject], info: str) -> Any:
    if info == "ssl_object":
        return ssl_object
    if info == "client_addr":
        return sock.getsockname()
    if info == "server_addr":
        return sock.getpeername()
    if info == "socket":
        return sock
    if info == "is_readable":  # a pooled connection the server has dropped polls readable
        return bool(select.select([sock], [], [], 0)[0])
    return None


# ---- blocking -------------------------------------------------------------------------------------


class _Stream(httpcore.NetworkStream):
    def __init__(self, sock: Union[zsocket.socket, tls.TLSSocket]) -> None:
        self._sock = sock

    def read(self, max_bytes: int, timeout: Optional[float] = None) -> bytes:
        with _mapped(httpcore.ReadTimeout, httpcore.ReadError):
            self._sock.settimeout(timeout)
            return self._sock.recv(max_bytes)

    def write(self, buffer: bytes, timeout: Optional[float] = None) -> None:
        if not buffer:
            return
        with _mapped(httpcore.WriteTimeout, httpcore.WriteError):
            self._sock.settimeout(timeout)
            self._sock.sendall(buffer)

    def close(self) -> None:
        self._sock.close()

    def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: Optional[str] = None,
                  timeout: Optional[float] = None) -> httpcore.NetworkStream:
        if not isinstance(self._sock, zsocket.socket):
            raise httpcore.UnsupportedProtocol("TLS inside TLS (an HTTPS proxy) is not supported over libzt")
        try:
            with _mapped(httpcore.ConnectTimeout, httpcore.ConnectError):
                self._sock.settimeout(timeout)
                return _Stream(tls.wrap_socket(self._sock, ssl_context, server_hostname=server_hostname))
        except BaseException:
            self._sock.close()
            raise

    def get_extra_info(self, info: str) -> Any:
        ssl_object = self._sock._ssl if isinstance(self._sock, tls.TLSSocket) else None
        return _extra(self._sock, ssl_object, info)


class Backend(httpcore.NetworkBackend):
    """httpcore's blocking network backend over libzt: ``hosts`` maps names to ZeroTier addresses."""

    def __init__(self, hosts: Optional[Mapping[str, str]] = None) -> None:
        self._resolve = _Resolver(hosts)

    def connect_tcp(self, host: str, port: int, timeout: Optional[float] = None,
                    local_address: Optional[str] = None,
                    socket_options: Optional[Iterable[Any]] = None) -> httpcore.NetworkStream:
        with _mapped(httpcore.ConnectTimeout, httpcore.ConnectError):
            return _Stream(_open((self._resolve(host), port), timeout, local_address, socket_options))

    def connect_unix_socket(self, path: str, timeout: Optional[float] = None,
                            socket_options: Optional[Iterable[Any]] = None) -> httpcore.NetworkStream:
        raise httpcore.UnsupportedProtocol("a ZeroTier network has no Unix domain sockets")

    def sleep(self, seconds: float) -> None:
        import time

        time.sleep(seconds)


# ---- async (asyncio or trio) ------------------------------------------------------------------------


class _AsyncStream(httpcore.AsyncNetworkStream):
    """A non-blocking libzt socket, waited on through its readiness descriptor; TLS (if started) is an
    ssl.SSLObject over memory buffers, its records moved by the same waits."""

    def __init__(self, sock: zsocket.socket) -> None:
        self._sock = sock
        self._tls: Optional[Tuple[ssl.SSLObject, ssl.MemoryBIO, ssl.MemoryBIO]] = None

    async def _raw_recv(self, max_bytes: int, timeout: Optional[float]) -> bytes:
        while True:
            try:
                return self._sock.recv(max_bytes)
            except BlockingIOError:
                await _readiness.wait(self._sock, False, timeout)

    async def _raw_send(self, data: bytes, timeout: Optional[float]) -> None:
        view = memoryview(data)
        while view:
            try:
                view = view[self._sock.send(view) :]
            except BlockingIOError:
                await _readiness.wait(self._sock, True, timeout)

    async def _tls_run(self, op: Callable[[], T], timeout: Optional[float]) -> T:
        assert self._tls is not None
        _, incoming, outgoing = self._tls
        while True:
            try:
                result = op()
            except ssl.SSLWantReadError:
                await self._raw_send(outgoing.read(), timeout)
                data = await self._raw_recv(_CHUNK, timeout)
                if data:
                    incoming.write(data)
                else:
                    incoming.write_eof()
                continue
            except ssl.SSLError:
                with contextlib.suppress(OSError):
                    self._sock.send(outgoing.read())  # the alert, if it fits
                raise
            pending = outgoing.read()
            if pending:
                await self._raw_send(pending, timeout)
            return result

    async def read(self, max_bytes: int, timeout: Optional[float] = None) -> bytes:
        with _mapped(httpcore.ReadTimeout, httpcore.ReadError):
            if self._tls is None:
                return await self._raw_recv(max_bytes, timeout)
            ssl_object = self._tls[0]
            try:
                return await self._tls_run(lambda: ssl_object.read(max_bytes), timeout)
            except (ssl.SSLZeroReturnError, ssl.SSLEOFError):
                return b""

    async def write(self, buffer: bytes, timeout: Optional[float] = None) -> None:
        if not buffer:
            return
        with _mapped(httpcore.WriteTimeout, httpcore.WriteError):
            if self._tls is None:
                await self._raw_send(buffer, timeout)
                return
            ssl_object = self._tls[0]
            view = memoryview(buffer)
            while view:
                chunk = view[:_CHUNK]
                n = await self._tls_run(lambda chunk=chunk: ssl_object.write(chunk), timeout)
                view = view[n:]

    async def aclose(self) -> None:
        self._sock.close()

    async def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: Optional[str] = None,
                        timeout: Optional[float] = None) -> httpcore.AsyncNetworkStream:
        if self._tls is not None:
            raise httpcore.UnsupportedProtocol("TLS inside TLS (an HTTPS proxy) is not supported over libzt")
        incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        ssl_object = ssl_context.wrap_bio(incoming, outgoing, server_hostname=server_hostname)
        self._tls = (ssl_object, incoming, outgoing)
        try:
            with _mapped(httpcore.ConnectTimeout, httpcore.ConnectError):
                await self._tls_run(ssl_object.do_handshake, timeout)
        except BaseException:
            self._sock.close()
            raise
        return self

    def get_extra_info(self, info: str) -> Any:
        return _extra(self._sock, None if self._tls is None else self._tls[0], info)


class AsyncBackend(httpcore.AsyncNetworkBackend):
    """httpcore's async network backend over libzt, for asyncio and trio."""

    def __init__(self, hosts: Optional[Mapping[str, str]] = None) -> None:
        self._resolve = _Resolver(hosts)

    async def connect_tcp(self, host: str, port: int, timeout: Optional[float] = None,
                          local_address: Optional[str] = None,
                          socket_options: Optional[Iterable[Any]] = None) -> httpcore.AsyncNetworkStream:
        with _mapped(httpcore.ConnectTimeout, httpcore.ConnectError):
            address = zsocket.getaddrinfo(self._resolve(host), port, 0, zsocket.SOCK_STREAM)[0]
            sock = zsocket.socket(address[0], zsocket.SOCK_STREAM)
            try:
                sock.setblocking(False)
                if local_address:
                    sock.bind((local_address, 0))
                _set_options(sock, socket_options)
                err = sock.connect_ex(address[4])
                if err == errno.EINPROGRESS:
                    await _readiness.wait(sock, True, timeout)
                    err = sock.getsockopt(zsocket.SOL_SOCKET, zsocket.SO_ERROR)
                if err:
                    raise OSError(err, f"connect to {address[4]} failed: {os.strerror(err)}")
            except BaseException:
                sock.close()
                raise
            return _AsyncStream(sock)

    async def connect_unix_socket(self, path: str, timeout: Optional[float] = None,
                                  socket_options: Optional[Iterable[Any]] = None) -> httpcore.AsyncNetworkStream:
        raise httpcore.UnsupportedProtocol("a ZeroTier network has no Unix domain sockets")

    async def sleep(self, seconds: float) -> None:
        if _readiness._library() == "trio":
            import trio

            await trio.sleep(seconds)
        else:
            import asyncio

            await asyncio.sleep(seconds)


# ---- httpx ---------------------------------------------------------------------------------------


def _pool_arguments(verify: Any, cert: Any, trust_env: bool, http1: bool, http2: bool, limits: httpx.Limits,
                    retries: int, socket_options: Any) -> Dict[str, Any]:
    return dict(ssl_context=httpx.create_ssl_context(verify=verify, cert=cert, trust_env=trust_env),
                max_connections=limits.max_connections, max_keepalive_connections=limits.max_keepalive_connections,
                keepalive_expiry=limits.keepalive_expiry, http1=http1, http2=http2, retries=retries,
                socket_options=socket_options)


class HTTPTransport(httpx.HTTPTransport):
    """httpx's transport with connections over ZeroTier: ``httpx.Client(transport=HTTPTransport())``.
    Takes httpx.HTTPTransport's TLS and pool arguments, and ``hosts`` (names to ZeroTier addresses)."""

    def __init__(self, *, hosts: Optional[Mapping[str, str]] = None, verify: Any = True, cert: Any = None,
                 trust_env: bool = True, http1: bool = True, http2: bool = False,
                 limits: httpx.Limits = httpx.Limits(max_connections=100, max_keepalive_connections=20),  # noqa: B008
                 retries: int = 0, socket_options: Any = None) -> None:
        super().__init__(verify=verify, cert=cert, trust_env=trust_env, http1=http1, http2=http2, limits=limits,
                         retries=retries)
        self._pool = httpcore.ConnectionPool(  # type: ignore[assignment]
            network_backend=Backend(hosts),
            **_pool_arguments(verify, cert, trust_env, http1, http2, limits, retries, socket_options))


class AsyncHTTPTransport(httpx.AsyncHTTPTransport):
    """httpx's async transport over ZeroTier (asyncio or trio): ``httpx.AsyncClient(transport=...)``."""

    def __init__(self, *, hosts: Optional[Mapping[str, str]] = None, verify: Any = True, cert: Any = None,
                 trust_env: bool = True, http1: bool = True, http2: bool = False,
                 limits: httpx.Limits = httpx.Limits(max_connections=100, max_keepalive_connections=20),  # noqa: B008
                 retries: int = 0, socket_options: Any = None) -> None:
        super().__init__(verify=verify, cert=cert, trust_env=trust_env, http1=http1, http2=http2, limits=limits,
                         retries=retries)
        self._pool = httpcore.AsyncConnectionPool(  # type: ignore[assignment]
            network_backend=AsyncBackend(hosts),
            **_pool_arguments(verify, cert, trust_env, http1, http2, limits, retries, socket_options))
