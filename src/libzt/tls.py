# SPDX-License-Identifier: Apache-2.0
"""TLS over libzt sockets for blocking code: :func:`wrap_socket` gives an :class:`ssl.SSLSocket`-shaped
object. The stdlib's :mod:`ssl` does all the cryptography (an :class:`ssl.SSLObject` over two
:class:`ssl.MemoryBIO`); this module only moves its records through our socket.

Usage::

    ctx = ssl.create_default_context(cafile="ca.pem")
    with libzt.tls.wrap_socket(libzt.socket.create_connection((ip, 443)), ctx, server_hostname="host") as s:
        s.sendall(b"GET / HTTP/1.0\\r\\n\\r\\n")
        print(s.recv(4096))

``context.wrap_socket`` cannot take our sockets (the stdlib's SSL socket needs an OS socket), so
``wrap_socket(sock, context, ...)`` takes the context as its second argument and otherwise the same
keywords. Timeouts and blocking mode are the wrapped socket's: a timeout applies to each wait for the
network (as the stdlib's does); a non-blocking socket raises :class:`ssl.SSLWantReadError` /
:class:`ssl.SSLWantWriteError` where it would wait (wait on :meth:`TLSSocket.fileno` for reading or
writing respectively, and call again; decrypted data may already wait in :meth:`TLSSocket.pending`).
A non-blocking send can leave encrypted records queued here when the socket took only part of
them: they go out first with every later call, so keep waiting for writability (and calling send)
until the data is through, as with any non-blocking socket.
"""
from __future__ import annotations

import errno as _errno
import io
import ssl
from typing import Any, Callable, Optional, TypeVar, Union

from libzt import socket as zsocket

__all__ = ["TLSSocket", "wrap_socket"]

_RECORD = 64 * 1024  # one recv from the network: more than a TLS record (16 kB + overhead)
T = TypeVar("T")


def wrap_socket(sock: zsocket.socket, context: ssl.SSLContext, server_side: bool = False,
                do_handshake_on_connect: bool = True, suppress_ragged_eofs: bool = True,
                server_hostname: Optional[str] = None, session: Optional[ssl.SSLSession] = None) -> TLSSocket:
    """TLS on a connected libzt socket (``context.wrap_socket``'s arguments). The returned object owns
    ``sock`` (closing it closes the socket; :meth:`TLSSocket.unwrap` gives it back)."""
    return TLSSocket(sock, context, server_side, do_handshake_on_connect, suppress_ragged_eofs, server_hostname,
                     session)


class TLSSocket:
    """A TLS connection over a libzt socket, with :class:`ssl.SSLSocket`'s methods."""

    def __init__(self, sock: zsocket.socket, context: ssl.SSLContext, server_side: bool = False,
                 do_handshake_on_connect: bool = True, suppress_ragged_eofs: bool = True,
                 server_hostname: Optional[str] = None, session: Optional[ssl.SSLSession] = None) -> None:
        if sock.type != zsocket.SOCK_STREAM:
            raise NotImplementedError("only stream sockets are supported")
        if server_side and server_hostname:
            raise ValueError("server_hostname can only be specified in client mode")
        self._sock: Optional[zsocket.socket] = sock
        self._incoming = ssl.MemoryBIO()
        self._outgoing = ssl.MemoryBIO()
        self._ssl = context.wrap_bio(self._incoming, self._outgoing, server_side, server_hostname, session)
        self._context = context
        self._suppress_ragged_eofs = suppress_ragged_eofs
        self._unsent = bytearray()  # records a non-blocking socket had no room for
        self._makefile_refs = 0
        self._closed = False
        connected = True
        try:
            sock.getpeername()
        except OSError as exc:
            if exc.errno != _errno.ENOTCONN:
                raise
            connected = False
        if connected and do_handshake_on_connect:
            self.do_handshake()

    # ---- what the stdlib's SSLSocket has ------------------------------------------------------------

    @property
    def context(self) -> ssl.SSLContext:
        return self._context

    @property
    def server_side(self) -> bool:
        return self._ssl.server_side

    @property
    def server_hostname(self) -> Optional[str]:
        return self._ssl.server_hostname

    @property
    def session(self) -> Optional[ssl.SSLSession]:
        return self._ssl.session

    @property
    def family(self) -> int:
        return self._raw().family

    @property
    def type(self) -> int:
        return self._raw().type

    def do_handshake(self) -> None:
        self._run(self._ssl.do_handshake)

    def read(self, len: int = 1024, buffer: Optional[Any] = None) -> Union[bytes, int]:
        """Up to ``len`` decrypted bytes (into ``buffer`` if given: the count); b"" / 0 at the end."""
        try:
            if buffer is not None:
                return self._run(lambda: self._ssl.read(len, buffer), reading=True)
            return self._run(lambda: self._ssl.read(len), reading=True)
        except (ssl.SSLZeroReturnError, ssl.SSLEOFError) as exc:
            if isinstance(exc, ssl.SSLEOFError) and not self._suppress_ragged_eofs:
                raise
            return 0 if buffer is not None else b""

    def write(self, data: Any) -> int:
        return self._run(lambda: self._ssl.write(data))

    def recv(self, bufsize: int = 1024, flags: int = 0) -> bytes:
        self._no_flags(flags, "recv")
        return self.read(bufsize)  # type: ignore[return-value]

    def recv_into(self, buffer: Any, nbytes: int = 0, flags: int = 0) -> int:
        self._no_flags(flags, "recv_into")
        if nbytes <= 0:
            nbytes = memoryview(buffer).nbytes
        return self.read(nbytes, buffer)  # type: ignore[return-value]

    def send(self, data: Any, flags: int = 0) -> int:
        self._no_flags(flags, "send")
        return self.write(data)

    def sendall(self, data: Any, flags: int = 0) -> None:
        self._no_flags(flags, "sendall")
        view = memoryview(data).cast("B")
        while view:
            view = view[self.write(view[:_RECORD]) :]

    def pending(self) -> int:
        return self._ssl.pending()

    def getpeercert(self, binary_form: bool = False) -> Any:
        return self._ssl.getpeercert(binary_form)

    def cipher(self) -> Optional[tuple[str, str, int]]:
        return self._ssl.cipher()

    def shared_ciphers(self) -> Optional[list[tuple[str, str, int]]]:
        return self._ssl.shared_ciphers()

    def compression(self) -> Optional[str]:
        return self._ssl.compression()

    def version(self) -> Optional[str]:
        return self._ssl.version()

    def selected_alpn_protocol(self) -> Optional[str]:
        return self._ssl.selected_alpn_protocol()

    def get_channel_binding(self, cb_type: str = "tls-unique") -> Optional[bytes]:
        return self._ssl.get_channel_binding(cb_type)

    def session_reused(self) -> bool:
        return self._ssl.session_reused

    def unwrap(self) -> zsocket.socket:
        """Ends TLS (close_notify both ways) and gives back the plain socket."""
        self._run(self._ssl.unwrap)
        sock = self._raw()
        self._sock = None
        self._closed = True
        return sock

    # ---- the socket underneath ----------------------------------------------------------------------

    def fileno(self) -> int:
        """The readiness descriptor of the socket (:meth:`libzt.socket.socket.fileno`). Decrypted data
        may already wait in :meth:`pending` while it does not poll readable."""
        return -1 if self._sock is None else self._sock.fileno()

    def settimeout(self, value: Optional[float]) -> None:
        self._raw().settimeout(value)

    def gettimeout(self) -> Optional[float]:
        return self._raw().gettimeout()

    def setblocking(self, flag: bool) -> None:
        self._raw().setblocking(flag)

    def getblocking(self) -> bool:
        return self._raw().getblocking()

    def getpeername(self) -> Any:
        return self._raw().getpeername()

    def getsockname(self) -> Any:
        return self._raw().getsockname()

    def setsockopt(self, *args: Any) -> None:
        self._raw().setsockopt(*args)

    def getsockopt(self, *args: Any) -> Any:
        return self._raw().getsockopt(*args)

    def shutdown(self, how: int) -> None:
        self._raw().shutdown(how)

    def makefile(self, mode: str = "r", buffering: Optional[int] = None, *, encoding: Optional[str] = None,
                 errors: Optional[str] = None, newline: Optional[str] = None) -> Any:
        """A file over the TLS stream (as :meth:`socket.socket.makefile`)."""
        if not set(mode) <= {"r", "w", "b"}:
            raise ValueError(f"invalid mode {mode!r} (only r, w, b allowed)")
        reading, writing = "r" in mode, "w" in mode
        raw = _TLSIO(self, ("r" if reading else "") + ("w" if writing else ""))
        self._makefile_refs += 1
        if buffering is None:
            buffering = -1
        if buffering < 0:
            buffering = io.DEFAULT_BUFFER_SIZE
        if buffering == 0:
            if "b" not in mode:
                raise ValueError("unbuffered streams must be binary")
            return raw
        buffered: Any
        if reading and writing:
            buffered = io.BufferedRWPair(raw, raw, buffering)
        elif reading:
            buffered = io.BufferedReader(raw, buffering)
        else:
            buffered = io.BufferedWriter(raw, buffering)
        if "b" in mode:
            return buffered
        text = io.TextIOWrapper(buffered, encoding, errors, newline)
        text.mode = mode  # type: ignore[misc]
        return text

    def close(self) -> None:
        self._closed = True
        if self._makefile_refs <= 0:
            self._real_close()

    def _decref_makefile(self) -> None:
        self._makefile_refs -= 1
        if self._closed and self._makefile_refs <= 0:
            self._real_close()

    def _real_close(self) -> None:
        sock, self._sock = self._sock, None
        if sock is not None:
            sock.close()

    def __enter__(self) -> TLSSocket:
        return self

    def __exit__(self, *args: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<libzt.tls.TLSSocket {self._sock!r} version={self._ssl.version()}>"

    # ---- moving records -----------------------------------------------------------------------------

    def _raw(self) -> zsocket.socket:
        if self._sock is None:
            raise OSError(_errno.EBADF, "the TLS socket is closed")
        return self._sock

    @staticmethod
    def _no_flags(flags: int, what: str) -> None:
        if flags:
            raise ValueError(f"non-zero flags not allowed in calls to {what}() on TLSSocket")

    def _flush(self) -> bool:
        """Sends what the TLS engine wrote (handshake messages, records, alerts). False if a
        non-blocking socket took only part of it: the rest waits in ``_unsent`` for the next call."""
        self._unsent += self._outgoing.read()
        sock = self._raw()
        while self._unsent:
            try:
                n = sock.send(self._unsent)
            except BlockingIOError:
                return False
            del self._unsent[:n]
        return True

    def _run(self, op: Callable[[], T], reading: bool = False) -> T:
        """Runs a TLS operation, feeding it from the network until it does not want to read.

        On a non-blocking socket, records the socket had no room for go out first in every later
        call: one that sends (a write, the handshake, unwrap) raises SSLWantWriteError until they
        are out; a read sends what it can and reads on (the peer may be waiting for us to read
        before it reads again)."""
        if not self._flush() and not reading:
            raise ssl.SSLWantWriteError("the socket cannot take the pending TLS records yet")
        while True:
            try:
                result = op()
            except ssl.SSLWantReadError:
                if not self._flush() and not reading:
                    raise ssl.SSLWantWriteError("the socket cannot take the pending TLS records yet") from None
                if not self._fill():
                    raise
                continue
            except ssl.SSLWantWriteError:  # pragma: no cover - a MemoryBIO never fills up
                self._flush()
                continue
            except ssl.SSLError:
                try:
                    self._flush()  # the alert that tells the peer why
                except OSError:
                    pass
                raise
            self._flush()  # what does not fit now goes first in the next call
            return result

    def _fill(self) -> bool:
        """Receives one chunk into the engine; False if a non-blocking socket has none yet."""
        sock = self._raw()
        try:
            data = sock.recv(_RECORD)
        except BlockingIOError:
            return False
        if data:
            self._incoming.write(data)
        else:
            self._incoming.write_eof()
        return True


class _TLSIO(io.RawIOBase):
    """The raw file under :meth:`TLSSocket.makefile`."""

    def __init__(self, tls: TLSSocket, mode: str) -> None:
        super().__init__()
        self._tls = tls
        self._mode = mode

    def readable(self) -> bool:
        return "r" in self._mode

    def writable(self) -> bool:
        return "w" in self._mode

    def readinto(self, b: Any) -> int:
        return self._tls.recv_into(b)

    def write(self, b: Any) -> int:
        return self._tls.send(b)

    def fileno(self) -> int:
        return self._tls.fileno()

    def close(self) -> None:
        if not self.closed:
            super().close()
            self._tls._decref_makefile()
