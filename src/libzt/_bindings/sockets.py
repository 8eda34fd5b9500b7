# SPDX-License-Identifier: Apache-2.0
"""The cffi tier of libzt's sockets: ``zts_bsd_*`` calls on descriptors, with plain Python values in
and out (ints, bytes, buffers, address tuples). No cdata escapes this module.

Errors become the builtin :class:`OSError` subclass for the call's ``zts_errno`` (the constructor picks
it: ``OSError(ECONNREFUSED, ...)`` is a ``ConnectionRefusedError``), constructed with ``(errno,
strerror)`` as the stdlib does. A call on a stopped node is ``ENETDOWN``. The one result that is not
an exception is "would block": the I/O calls return :data:`WOULD_BLOCK` instead of raising, since the
layers above treat it as flow control (wait for readiness and retry), not as a failure.

Addresses cross this module as ``(family, packed_ip, port, flowinfo, scope_id)`` with ``family`` one of
``ZTS_AF_INET`` / ``ZTS_AF_INET6`` and ``packed_ip`` 4 or 16 bytes; parsing and formatting text
addresses is the caller's business.

All calls release the GIL (cffi does) and may block in the native layer: there, a blocking call ends
with ``EBADF`` when another thread closes the socket and ``ENETDOWN`` when the node stops.

How long a blocking I/O call may wait is the socket's SO_RCVTIMEO/SO_SNDTIMEO, unless the call is
given a ``wait`` (:func:`new_wait`): then that one's time limit, which libzt keeps on its own clock
across every call it is given to, and a wake period after which a call still waiting raises
:class:`InterruptedError` (the caller runs its signal handlers and calls again with the same
``wait``). A time limit that runs out is "would block", as for SO_RCVTIMEO.
"""
from __future__ import annotations

import errno as _errno
import os
import resource
import struct
import threading
from typing import Any, Dict, Optional, Sequence, Tuple

from libzt._bindings import ffi, lib

Address = Tuple[int, bytes, int, int, int]  # (ZTS family, packed IP, port, flowinfo, scope_id)

WOULD_BLOCK = -1  # returned by the I/O calls where the stdlib would raise BlockingIOError
NO_WAIT: Any = ffi.NULL  # the I/O calls' default ``wait``: the socket's own SO_RCVTIMEO/SO_SNDTIMEO

AF_INET = lib.ZTS_AF_INET
AF_INET6 = lib.ZTS_AF_INET6
SOCK_STREAM = lib.ZTS_SOCK_STREAM
SOCK_DGRAM = lib.ZTS_SOCK_DGRAM
SOCK_RAW = lib.ZTS_SOCK_RAW
POLLIN = lib.ZTS_POLLIN
POLLOUT = lib.ZTS_POLLOUT
POLLERR = lib.ZTS_POLLERR
POLLHUP = lib.ZTS_POLLHUP
POLLNVAL = lib.ZTS_POLLNVAL
MSG_PEEK = lib.ZTS_MSG_PEEK
MSG_WAITALL = lib.ZTS_MSG_WAITALL
MSG_OOB = lib.ZTS_MSG_OOB
MSG_DONTWAIT = lib.ZTS_MSG_DONTWAIT
MSG_MORE = lib.ZTS_MSG_MORE
MSG_TRUNC = lib.ZTS_MSG_TRUNC  # in msg_flags on return
RECV_WHOLE_LENGTH = lib.ZTX_MSG_TRUNC  # the receive flag MSG_TRUNC (libzt_ext.h)
MSG_CTRUNC = lib.ZTS_MSG_CTRUNC
SOL_SOCKET = lib.ZTS_SOL_SOCKET
SO_TYPE = lib.ZTS_SO_TYPE
SO_ERROR = lib.ZTS_SO_ERROR
SO_RCVTIMEO = lib.ZTS_SO_RCVTIMEO
SO_SNDTIMEO = lib.ZTS_SO_SNDTIMEO

_SOCKADDR_STORAGE_LEN = ffi.sizeof("struct zts_sockaddr_storage")
_SIN_LEN = ffi.sizeof("struct zts_sockaddr_in")
_SIN6_LEN = ffi.sizeof("struct zts_sockaddr_in6")
_errno_location = lib.zts_errno_location
_raw = ffi.new_allocator(should_clear_after_alloc=False)  # receive buffers are overwritten anyway


# ---- errors -------------------------------------------------------------------------------------


def error(code: int) -> OSError:
    """The exception for an errno value, as the stdlib would raise it. The value is also left in this
    thread's ``zts_errno``, so ``libzt.errno()`` names the error of the call that raised even when the
    layer above worked it out itself (a blocking connect is a non-blocking one, a poll and SO_ERROR)."""
    _errno_location()[0] = code
    return OSError(code, os.strerror(code))


def _failure(ret: int) -> OSError:
    """The exception for a negative return value, read right after the call on the same thread."""
    if ret == lib.ZTS_ERR_SOCKET:
        return error(_errno_location()[0])
    if ret == lib.ZTS_ERR_SERVICE:
        return OSError(_errno.ENETDOWN, os.strerror(_errno.ENETDOWN) + " (the ZeroTier node is not running)")
    return OSError(_errno.EINVAL, os.strerror(_errno.EINVAL))  # ZTS_ERR_ARG: a bad length or pointer


def _check(ret: int) -> int:
    if ret < 0:
        raise _failure(ret)
    return ret


def _io(ret: int) -> int:
    """Checks an I/O call: its count, or WOULD_BLOCK, or raises. (send, send_view and recv_into, the
    calls of every message, come here only for a negative result: a Python call less per message.)"""
    if ret >= 0:
        return ret
    if ret == lib.ZTS_ERR_SOCKET:
        code = _errno_location()[0]
        if code == _errno.EAGAIN or code == _errno.EWOULDBLOCK:
            return WOULD_BLOCK
        raise error(code)
    raise _failure(ret)


def _readable(buffer: Any) -> Any:
    try:
        return ffi.from_buffer(buffer)
    except TypeError:
        raise TypeError(f"a bytes-like object is required, not '{type(buffer).__name__}'") from None


def _writable(buffer: Any) -> Any:
    try:
        return ffi.from_buffer("char[]", buffer, True)  # require_writable (positional: half the cost)
    except (TypeError, BufferError):  # cffi's BufferError for a read-only one: the stdlib says TypeError
        raise TypeError(f"a writable bytes-like object is required, not '{type(buffer).__name__}'") from None


# ---- addresses ------------------------------------------------------------------------------------


def _sockaddr(addr: Address) -> Tuple[Any, int]:
    family, ip, port, flowinfo, scope_id = addr
    if family == AF_INET:
        raw = struct.pack("!BBH4s8x", _SIN_LEN, AF_INET, port, ip)
    else:
        # flowinfo in network byte order (as the stdlib passes it), the scope in host order.
        raw = struct.pack("!BBHI16s", _SIN6_LEN, AF_INET6, port, flowinfo, ip) + struct.pack("=I", scope_id)
    return ffi.from_buffer("struct zts_sockaddr *", bytearray(raw)), len(raw)


def _address(storage: Any, length: int) -> Optional[Address]:
    raw = bytes(ffi.buffer(storage, min(length, _SOCKADDR_STORAGE_LEN)))
    if len(raw) >= _SIN_LEN and raw[1] == AF_INET:
        port, ip = struct.unpack_from("!H4s", raw, 2)
        return AF_INET, ip, port, 0, 0
    if len(raw) >= _SIN6_LEN and raw[1] == AF_INET6:
        port, flowinfo, ip = struct.unpack_from("!HI16s", raw, 2)
        (scope_id,) = struct.unpack_from("=I", raw, 24)
        return AF_INET6, ip, port, flowinfo, scope_id
    return None


def _storage() -> Tuple[Any, Any]:
    storage = ffi.new("struct zts_sockaddr_storage *")
    return storage, ffi.new("zts_socklen_t *", _SOCKADDR_STORAGE_LEN)


# ---- descriptors --------------------------------------------------------------------------------


def limits() -> Dict[str, int]:
    """The socket table's limit (``max_sockets``), how many are open, and how many TCP connections
    gave up their TIME_WAIT state so a new connection could have their local port."""
    out = ffi.new("ztx_socket_limits_t *")
    _check(lib.ztx_socket_get_limits(out))
    return {"max_sockets": int(out.max_sockets), "open_sockets": int(out.open_sockets),
            "time_wait_recycled": int(out.time_wait_recycled), "time_wait": int(out.time_wait),
            "time_wait_reopened": int(out.time_wait_reopened)}


def _table_full(ret: int) -> None:
    """Raises EMFILE with the limit named, when a call that makes a socket met libzt's per-process
    limit (the OS's own descriptors are not involved)."""
    if ret == lib.ZTS_ERR_SOCKET and _errno_location()[0] == _errno.EMFILE:
        exc = error(_errno.EMFILE)
        exc.strerror = (f"{exc.strerror}: a process can have {limits()['max_sockets']} libzt sockets open "
                        "at once")
        raise exc


def socket(family: int, type: int, proto: int) -> int:
    ret = lib.zts_bsd_socket(family, type, proto)
    _table_full(ret)
    return _check(ret)


def close(fd: int) -> None:
    _check(lib.zts_bsd_close(fd))


def bind(fd: int, addr: Address) -> None:
    sa, length = _sockaddr(addr)
    _check(lib.zts_bsd_bind(fd, sa, length))


def listen(fd: int, backlog: int) -> None:
    _check(lib.zts_bsd_listen(fd, backlog))


def connect(fd: int, addr: Address) -> int:
    """0 once connected, else the errno (EINPROGRESS on a non-blocking socket, ETIMEDOUT, ...):
    connect_ex's contract; connect raises it."""
    sa, length = _sockaddr(addr)
    ret = lib.zts_bsd_connect(fd, sa, length)
    if ret >= 0:
        return 0
    if ret == lib.ZTS_ERR_SOCKET:
        return int(_errno_location()[0])
    raise _failure(ret)


def accept(fd: int, wait: Any = NO_WAIT) -> Tuple[int, Optional[Address]]:
    """(new descriptor, peer) or (WOULD_BLOCK, None)."""
    storage, length = _storage()
    ret = lib.ztx_accept(fd, ffi.cast("struct zts_sockaddr *", storage), length, wait)
    _table_full(ret)
    child = _io(ret)
    if child == WOULD_BLOCK:
        return WOULD_BLOCK, None
    return child, _address(storage, length[0])


def shutdown(fd: int, how: int) -> None:
    _check(lib.zts_bsd_shutdown(fd, how))


def getsockname(fd: int) -> Optional[Address]:
    storage, length = _storage()
    _check(lib.zts_bsd_getsockname(fd, ffi.cast("struct zts_sockaddr *", storage), length))
    return _address(storage, length[0])


def getpeername(fd: int) -> Optional[Address]:
    storage, length = _storage()
    _check(lib.zts_bsd_getpeername(fd, ffi.cast("struct zts_sockaddr *", storage), length))
    return _address(storage, length[0])


def setsockopt(fd: int, level: int, name: int, value: bytes) -> None:
    _check(lib.zts_bsd_setsockopt(fd, level, name, value, len(value)))


def getsockopt(fd: int, level: int, name: int, size: int) -> bytes:
    buf = ffi.new("char[]", max(size, 1))
    length = ffi.new("zts_socklen_t *", size)
    _check(lib.zts_bsd_getsockopt(fd, level, name, buf, length))
    return bytes(ffi.buffer(buf, min(length[0], size)))


_WAIT_T = ffi.typeof("ztx_wait_t *")


def limit_ms(seconds: Optional[float]) -> int:
    """A time limit for :func:`new_wait`: ``seconds`` rounded up to whole milliseconds, the native
    layer's unit, so that the limit is never shorter than asked; -1 for none (None, or beyond a C int
    of milliseconds: 24.8 days)."""
    ms = -1 if seconds is None else int(-(-seconds * 1000 // 1))
    return ms if 0 <= ms <= 0x7FFFFFFF else -1


# wake_ms -> a wait without time limit, shared: its deadline_ms is already -1 (none), which libzt
# never writes, so threads can use the one structure at once.
_unlimited: Dict[int, Any] = {}
_thread_waits = threading.local()


def new_wait(ms: int, wake_ms: int) -> Any:
    """The ``wait`` of one operation (ztx_wait_t): it may wait ``ms`` in all (from :func:`limit_ms`;
    -1: without limit), and a call still waiting after ``wake_ms`` (0: never) raises InterruptedError.
    Made for the operation, since libzt keeps its deadline in it (shared when there is no limit)."""
    if ms >= 0:
        return ffi.new(_WAIT_T, (ms, wake_ms, 0))
    shared = _unlimited.get(wake_ms)
    if shared is None:
        shared = _unlimited[wake_ms] = ffi.new(_WAIT_T, (-1, wake_ms, -1))
    return shared


def thread_wait(ms: int) -> Any:
    """:func:`new_wait` (``ms``, no wake) for a thread that never runs signal handlers, without an
    allocation: the thread's one structure, reset for each operation. (Every send and receive makes
    one; this is half the cost of a new one.) A thread has one operation in flight at a time; only
    Python code run between the calls of one operation on the same thread (a signal handler, so
    never for the main thread's operations, or a finalizer doing timed socket I/O) could restart
    that operation's deadline."""
    if ms < 0:
        return new_wait(ms, 0)
    try:
        wait = _thread_waits.wait
    except AttributeError:
        wait = _thread_waits.wait = ffi.new(_WAIT_T)
    wait.timeout_ms = ms
    wait.deadline_ms = 0
    return wait


def wait_ready(fd: int, events: int, wait: Any) -> bool:
    """Whether ``fd`` polled ready for ``events`` before ``wait``'s time limit ran out (raises
    InterruptedError at its wake time, EBADF/ENETDOWN as the I/O calls)."""
    return _check(lib.ztx_socket_wait(fd, events, wait)) == 1


def set_nonblocking(fd: int, enabled: bool) -> None:
    _check(lib.zts_bsd_fcntl(fd, lib.ZTS_F_SETFL, lib.ZTS_O_NONBLOCK if enabled else 0))


def bytes_available(fd: int) -> int:
    n = ffi.new("int *")
    _check(lib.zts_bsd_ioctl(fd, lib.ZTS_FIONREAD, n))
    return int(n[0])


def readiness_fd(fd: int) -> int:
    """The OS descriptor that polls readable/writable when libzt socket ``fd`` does (made on first use,
    closed with the socket): for selectors and event loops, never for I/O."""
    ret = lib.ztx_socket_readiness_fd(fd)
    if ret == lib.ZTS_ERR_SOCKET and _errno_location()[0] == _errno.EMFILE:
        exc = error(_errno.EMFILE)
        soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
        exc.strerror = (f"{exc.strerror}: a readiness descriptor takes two of the process's OS descriptors "
                        f"(RLIMIT_NOFILE is {soft}; raise it with resource.setrlimit or ulimit -n)")
        raise exc
    return _check(ret)


def poll(fds: Sequence[Tuple[int, int]], timeout_ms: int) -> list[int]:
    """revents for each (fd, events), after waiting up to timeout_ms (-1: no limit)."""
    table = ffi.new("struct zts_pollfd[]", len(fds))
    for i, (fd, events) in enumerate(fds):
        table[i].fd = fd
        table[i].events = events
    _check(lib.zts_bsd_poll(table, len(fds), timeout_ms))
    return [table[i].revents for i in range(len(fds))]


def poll_one(fd: int, events: int, timeout_ms: int) -> int:
    """revents of one descriptor (0 when the time ran out)."""
    p = ffi.new("struct zts_pollfd *", (fd, events, 0))
    _check(lib.zts_bsd_poll(p, 1, timeout_ms))
    return int(p.revents)


class PollSet:
    """A reusable zts_pollfd array, for a thread that polls the same sockets over and over."""

    def __init__(self) -> None:
        self._table = ffi.new("struct zts_pollfd[]", 16)
        self._count = 0

    def set(self, fds: Sequence[Tuple[int, int]]) -> None:
        if len(fds) > len(self._table):
            self._table = ffi.new("struct zts_pollfd[]", max(len(fds), 2 * len(self._table)))
        table = self._table
        for i, (fd, events) in enumerate(fds):
            table[i].fd = fd
            table[i].events = events
            table[i].revents = 0
        self._count = len(fds)

    def poll(self, timeout_ms: int) -> list[Tuple[int, int]]:
        """(fd, revents) of the ready descriptors."""
        _check(lib.zts_bsd_poll(self._table, self._count, timeout_ms))
        table = self._table
        return [(table[i].fd, table[i].revents) for i in range(self._count) if table[i].revents]


# ---- data -----------------------------------------------------------------------------------------


def recv(fd: int, size: int, flags: int, wait: Any = NO_WAIT) -> Optional[bytes]:
    """The bytes received, or None for would-block."""
    buf = _raw("char[]", size) if size > 0 else ffi.new("char[1]")
    n = _io(lib.ztx_recv(fd, buf, size, flags, wait))
    if n == WOULD_BLOCK:
        return None
    return _received(buf, size, n)


def _received(buf: Any, size: int, n: int) -> bytes:
    # With RECV_WHOLE_LENGTH n may exceed the buffer: the stdlib's recv then returns n bytes, those
    # past the buffer undefined; here they are zeros.
    return ffi.buffer(buf, n)[:] if n <= size else ffi.buffer(buf, size)[:] + bytes(n - size)


def room(buffer: Any) -> int:
    """The size of a writable buffer (TypeError for one that is not)."""
    return len(_writable(buffer))


def _into(buffer: Any, nbytes: int) -> Tuple[Any, int]:
    buf = _writable(buffer)
    if nbytes > len(buf):
        raise ValueError("buffer too small for requested bytes")
    return buf, nbytes or len(buf)


def recv_into(fd: int, buffer: Any, nbytes: int, flags: int, wait: Any = NO_WAIT) -> int:
    """Receives into a writable buffer: its first ``nbytes`` bytes, or all of it for 0."""
    # _into written out: this is every received message's call
    try:
        buf = ffi.from_buffer("char[]", buffer, True)
    except (TypeError, BufferError):
        buf = _writable(buffer)  # raises the error that says what was wrong
    size = len(buf)
    if nbytes:
        if nbytes > size:
            raise ValueError("buffer too small for requested bytes")
        size = nbytes
    elif size == 0:
        return 0  # no room: the stdlib's socket answers 0 without receiving (a datagram would be lost)
    ret = lib.ztx_recv(fd, buf, size, flags, wait)
    return ret if ret >= 0 else _io(ret)


def recvfrom(fd: int, size: int, flags: int, wait: Any = NO_WAIT) -> Tuple[Optional[bytes], Optional[Address]]:
    buf = _raw("char[]", size) if size > 0 else ffi.new("char[1]")
    storage, length = _storage()
    n = _io(lib.ztx_recvfrom(fd, buf, size, flags, ffi.cast("struct zts_sockaddr *", storage), length, wait))
    if n == WOULD_BLOCK:
        return None, None
    return _received(buf, size, n), _address(storage, length[0])


def recvfrom_into(fd: int, buffer: Any, nbytes: int, flags: int, wait: Any = NO_WAIT) -> Tuple[int, Optional[Address]]:
    buf, size = _into(buffer, nbytes)
    storage, length = _storage()
    n = _io(lib.ztx_recvfrom(fd, buf, size, flags, ffi.cast("struct zts_sockaddr *", storage), length, wait))
    if n == WOULD_BLOCK:
        return n, None
    return n, _address(storage, length[0])


def recvmsg(fd: int, size: int, flags: int, wait: Any = NO_WAIT) -> Tuple[Optional[bytes], int, Optional[Address]]:
    """(data or None for would-block, msg_flags as ZTS_MSG_*, sender)."""
    buf = _raw("char[]", max(size, 1))
    n, msg_flags, sender = _recvmsg(fd, ffi.new("struct zts_iovec *", (buf, size)), 1, flags, wait)
    if n == WOULD_BLOCK:
        return None, 0, None
    return ffi.buffer(buf, min(n, size))[:], msg_flags, sender


def recvmsg_into(fd: int, buffers: Sequence[Any], flags: int,
                 wait: Any = NO_WAIT) -> Tuple[int, int, Optional[Address]]:
    """(bytes received, or WOULD_BLOCK; msg_flags as ZTS_MSG_*; sender): scattered over writable
    buffers in turn."""
    views = [_writable(b) for b in buffers]  # kept alive through the call
    return _recvmsg(fd, _iovecs(views), len(views), flags, wait)


def _recvmsg(fd: int, iov: Any, count: int, flags: int, wait: Any) -> Tuple[int, int, Optional[Address]]:
    """ztx_recvmsg into ``count`` iovecs: (bytes received, or WOULD_BLOCK; msg_flags; sender)."""
    storage = ffi.new("struct zts_sockaddr_storage *")
    msg = ffi.new("struct zts_msghdr *")
    msg.msg_name = storage
    msg.msg_namelen = _SOCKADDR_STORAGE_LEN
    msg.msg_iov = iov
    msg.msg_iovlen = count
    n = _io(lib.ztx_recvmsg(fd, msg, flags, wait))
    if n == WOULD_BLOCK:
        return n, 0, None
    return n, int(msg.msg_flags), _address(storage, msg.msg_namelen)


def _iovecs(views: Sequence[Any]) -> Any:
    """An iovec array over cdata views (which the caller keeps alive through the call)."""
    iov = ffi.new("struct zts_iovec[]", max(len(views), 1))
    for i, v in enumerate(views):
        iov[i].iov_base = v
        iov[i].iov_len = len(v)
    return iov


def send(fd: int, data: Any, flags: int, wait: Any = NO_WAIT) -> int:
    """Bytes sent, or WOULD_BLOCK."""
    if type(data) is not bytes:  # bytes go as they are (see view)
        try:
            data = ffi.from_buffer(data)  # _readable written out: every send's call
        except TypeError:
            data = _readable(data)  # raises the error that says what was wrong
    ret = lib.ztx_send(fd, data, len(data), flags, wait)
    return ret if ret >= 0 else _io(ret)


def send_view(fd: int, view: Any, flags: int, wait: Any = NO_WAIT) -> int:
    """send() of a :func:`view` (no conversion: for every message, and loops over one big buffer)."""
    ret = lib.ztx_send(fd, view, len(view), flags, wait)
    return ret if ret >= 0 else _io(ret)


def view(data: Any, sliceable: bool = False) -> Any:
    """``data`` as the I/O calls take it without conversion, ``len()`` its size in bytes: a bytes
    object as it is (cffi passes its own buffer: no ffi.from_buffer, a sixth of a small send's cost
    in Python), any other bytes-like object (or bytes, if ``sliceable``) as a cdata view that slices
    without copying (``view(b, True)[n:]``)."""
    if type(data) is bytes and not sliceable:
        return data
    try:
        return ffi.from_buffer(data)  # _readable written out: every sendall's call
    except TypeError:
        return _readable(data)  # raises the error that says what was wrong


def sendto(fd: int, data: Any, flags: int, addr: Address, wait: Any = NO_WAIT) -> int:
    buf = _readable(data)
    sa, length = _sockaddr(addr)
    return _io(lib.ztx_sendto(fd, buf, len(buf), flags, sa, length, wait))


def sendmsg(fd: int, buffers: Sequence[Any], flags: int, addr: Optional[Address], wait: Any = NO_WAIT) -> int:
    views = [_readable(b) for b in buffers]
    iov = _iovecs(views)  # held here: the struct's pointer does not keep it alive
    msg = ffi.new("struct zts_msghdr *")
    msg.msg_iov = iov
    msg.msg_iovlen = len(views)
    if addr is not None:
        sa, length = _sockaddr(addr)
        msg.msg_name = sa
        msg.msg_namelen = length
    return _io(lib.ztx_sendmsg(fd, msg, flags, wait))


def resolve(family: int, name: str) -> Optional[bytes]:
    """The packed address of ``name`` in ``family`` (AF_INET or AF_INET6 here) from libzt's DNS client
    (the servers of zts_dns_set_server), or None when there is none (no node, no server, no answer)."""
    try:
        encoded = name.encode("idna")
    except UnicodeError:
        return None
    out = ffi.new("zts_ip_addr *")
    if lib.ztx_dns_resolve(encoded, family, out) != lib.ZTS_ERR_OK:
        return None
    if out.type == 6:  # lwIP's IPADDR_TYPE_V6
        return bytes(ffi.buffer(out.u_addr.ip6.addr, 16))
    return struct.pack("=I", out.u_addr.ip4.addr)  # already in network byte order
