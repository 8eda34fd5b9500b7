# SPDX-License-Identifier: Apache-2.0
"""Sockets on ZeroTier networks, shaped like the standard library's :mod:`socket`.

Overview
    ``libzt.socket`` is a drop-in namespace for the parts of :mod:`socket` that make sense for a
    TCP/IP stack that lives inside this process (lwIP, beneath the :class:`~libzt.ZeroTierNode`):
    the :class:`socket` class with the stdlib's methods and signatures, :func:`create_connection`,
    :func:`create_server`, :func:`socketpair`, :func:`getaddrinfo` and :func:`gethostbyname` (through
    libzt's DNS client), default timeouts, and
    every upper-case constant of :mod:`socket` (``AF_INET``, ``SOCK_STREAM``, ``SOL_SOCKET``,
    ``TCP_NODELAY``, ...), which are translated to libzt's own values underneath. Errors are the
    stdlib's: :class:`OSError` subclasses with real ``errno`` values (``ConnectionRefusedError``,
    ``ConnectionResetError``, ...), :data:`timeout` (``TimeoutError``) when a timeout expires,
    :class:`gaierror` for names it cannot resolve.

Usage
    Start a node and join a network first (one node per process)::

        from libzt import socket
        with socket.create_connection(("10.147.17.5", 8080), timeout=5) as s:
            s.sendall(b"hello")
            print(s.recv(1024))

What differs from :mod:`socket`
    * Only ``AF_INET`` and ``AF_INET6``. Names are resolved by libzt's own DNS client (lwIP's), asking
      the servers set with ``zts_dns_set_server`` over the node's networks, never the system's
      resolver; ``"localhost"`` means the loopback address. :func:`getaddrinfo` gives one address per
      family for a name. No reverse lookups: ``gethostbyaddr``, ``getnameinfo`` and ``getfqdn`` are
      not here (``gethostname`` and the services and protocols lookups are the stdlib's own).
    * :meth:`socket.fileno` is an OS descriptor for readiness only: :mod:`select`, :mod:`selectors`,
      asyncio's ``add_reader``/``add_writer`` and trio can wait on it, but data moves only through the
      socket's methods. libzt's own descriptor is :meth:`socket.zts_fileno`.
    * Blocking calls wait inside libzt with the GIL released. They end with ``OSError(EBADF)`` when
      another thread closes the socket and ``OSError(ENETDOWN)`` when the node stops; in the main
      thread they also let signal handlers run (Ctrl-C interrupts them), as the stdlib's do.
    * Operations that need an OS descriptor (``dup``, inheritance, ancillary data) raise
      ``OSError(EOPNOTSUPP)``.
    * Beyond these, what lwIP cannot do as Linux does (options it lacks, urgent data, a few orders
      of errors): ``docs/sockets.md`` in the source tree lists the differences known.

``libzt.socket(family, type, proto)``: the module is callable
    libzt's guide and official wheel create sockets with ``libzt.socket(libzt.ZTS_AF_INET,
    libzt.ZTS_SOCK_STREAM, 0)``: there ``libzt.socket`` is a class. Here it is this module, so that
    ``from libzt import socket`` keeps working as a drop-in for the stdlib's. Both hold because the
    module object's class is a :class:`types.ModuleType` subclass with a ``__call__`` (assigning
    ``sys.modules[__name__].__class__`` is the documented way to customize a module object, Python
    3.5+; nothing else about the module changes: attributes, ``import``, ``dir`` and pickling of its
    classes are a plain module's). Calling it returns a :class:`libzt._zts_socket.ZtsSocket`: this
    module's :class:`socket`, taking ``ZeroTierSockets.h``'s numbers (``ZTS_AF_*``, ``ZTS_SOCK_*``,
    ``ZTS_MSG_*``, ``ZTS_SHUT_*``, options at ``ZTS_SOL_SOCKET`` / ``ZTS_IPPROTO_*`` levels) instead of
    the operating system's. ``socket.socket(...)`` stays the stdlib-shaped class. The level of an
    option tells the two numberings apart where it can: ``ZTS_SOL_SOCKET`` (lwIP's 0xfff) is no
    system's ``SOL_SOCKET``, so either kind of socket takes either; the ``IPPROTO_*`` levels are the
    same numbers in both with different option numbers, so there each socket keeps to its own.
"""
from __future__ import annotations

import _thread
import builtins
import errno as _errno
import io
import operator as _operator
import os
import socket as _stdlib
import struct as _struct
import sys
import threading
import types
import warnings
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple, TypeVar, Union

from libzt._bindings import sockets as _ll
from libzt._bindings.constants import ZTS_CONSTANTS as _ZTS
from libzt._bindings.constants import errno as _zts_errno

# Every upper-case constant of the standard library's socket module, so that code written for it
# finds the names it expects; values the stack does not know are refused where they are used.
globals().update({_name: getattr(_stdlib, _name) for _name in _stdlib.__all__ if _name.isupper()})

AddressFamily = _stdlib.AddressFamily
SocketKind = _stdlib.SocketKind
error = OSError
timeout = _stdlib.timeout  # TimeoutError since Python 3.10
gaierror = _stdlib.gaierror
herror = _stdlib.herror
# Pure conversions, the same here as in the stdlib.
htonl, htons, ntohl, ntohs = _stdlib.htonl, _stdlib.htons, _stdlib.ntohl, _stdlib.ntohs
inet_aton, inet_ntoa, inet_pton, inet_ntop = _stdlib.inet_aton, _stdlib.inet_ntoa, _stdlib.inet_pton, _stdlib.inet_ntop
# Local lookups, the same here as in the stdlib: this host's name, and its services and protocols
# databases (nothing goes over a network; gethostbyname is libzt's own, below).
gethostname = _stdlib.gethostname
getservbyname, getservbyport, getprotobyname = _stdlib.getservbyname, _stdlib.getservbyport, _stdlib.getprotobyname
has_ipv6 = True

_GLOBAL_DEFAULT_TIMEOUT = _stdlib._GLOBAL_DEFAULT_TIMEOUT  # the stdlib's sentinel, so both agree

__all__ = [  # noqa: RUF005
    "AddressFamily",
    "SocketIO",
    "SocketKind",
    "SocketType",
    "create_connection",
    "create_server",
    "error",
    "gaierror",
    "getaddrinfo",
    "getdefaulttimeout",
    "gethostbyname",
    "gethostbyname_ex",
    "gethostname",
    "getprotobyname",
    "getservbyname",
    "getservbyport",
    "has_dualstack_ipv6",
    "has_ipv6",
    "herror",
    "htonl",
    "htons",
    "inet_aton",
    "inet_ntoa",
    "inet_ntop",
    "inet_pton",
    "ntohl",
    "ntohs",
    "setdefaulttimeout",
    "socket",
    "socketpair",
    "timeout",
] + sorted(_name for _name in _stdlib.__all__ if _name.isupper())

# ---- translation of the stdlib's constants ----------------------------------------------------------

_FAMILIES = {_stdlib.AF_INET: _ll.AF_INET, _stdlib.AF_INET6: _ll.AF_INET6}
_TYPES = {_stdlib.SOCK_STREAM: _ll.SOCK_STREAM, _stdlib.SOCK_DGRAM: _ll.SOCK_DGRAM, _stdlib.SOCK_RAW: _ll.SOCK_RAW}
_TYPES_BACK = {v: k for k, v in _TYPES.items()}
_TYPE_FLAGS = getattr(_stdlib, "SOCK_NONBLOCK", 0) | getattr(_stdlib, "SOCK_CLOEXEC", 0)

_MSG_FLAGS = [(getattr(_stdlib, name), zts) for name, zts in (
    ("MSG_PEEK", _ll.MSG_PEEK),
    ("MSG_OOB", _ll.MSG_OOB),
    ("MSG_DONTWAIT", _ll.MSG_DONTWAIT),
    ("MSG_MORE", _ll.MSG_MORE),
    ("MSG_TRUNC", _ll.RECV_WHOLE_LENGTH),  # a receive's: the datagram's whole length
) if hasattr(_stdlib, name)]
_MSG_WAITALL = int(getattr(_stdlib, "MSG_WAITALL", 0))  # emulated here: lwIP returns what it has (int: enum & is slow)
# With MSG_PEEK, MSG_WAITALL is not emulated: a stream is peeked once and answers what is there
# (peeking again for the rest would repeat the same bytes; Linux would wait for them all).
_MSG_PEEK = int(_stdlib.MSG_PEEK)
_MSG_IGNORED = getattr(_stdlib, "MSG_NOSIGNAL", 0)  # there are no signals to suppress


def _zts_constants() -> dict[Tuple[int, int], Tuple[int, int]]:
    table = {
        "SOL_SOCKET": ("ZTS_SOL_SOCKET", [
            "SO_DEBUG", "SO_ACCEPTCONN", "SO_REUSEADDR", "SO_KEEPALIVE", "SO_DONTROUTE", "SO_BROADCAST",
            "SO_LINGER", "SO_OOBINLINE", "SO_REUSEPORT", "SO_SNDBUF", "SO_RCVBUF", "SO_SNDLOWAT", "SO_RCVLOWAT",
            "SO_ERROR", "SO_TYPE", "SO_NO_CHECK", "SO_BINDTODEVICE", "SO_RCVTIMEO", "SO_SNDTIMEO"]),
        "IPPROTO_IP": ("ZTS_IPPROTO_IP", [
            "IP_TOS", "IP_TTL", "IP_ADD_MEMBERSHIP", "IP_DROP_MEMBERSHIP", "IP_MULTICAST_TTL", "IP_MULTICAST_IF",
            "IP_MULTICAST_LOOP", "IP_PKTINFO"]),
        "IPPROTO_TCP": ("ZTS_IPPROTO_TCP", ["TCP_NODELAY", "TCP_KEEPIDLE", "TCP_KEEPINTVL", "TCP_KEEPCNT"]),
        "IPPROTO_IPV6": ("ZTS_IPPROTO_IPV6", [
            "IPV6_CHECKSUM", "IPV6_JOIN_GROUP", "IPV6_LEAVE_GROUP", "IPV6_V6ONLY", "IPV6_UNICAST_HOPS",
            "IPV6_MULTICAST_HOPS", "IPV6_MULTICAST_LOOP"]),
    }
    out = {}
    for level, (zts_level, names) in table.items():
        for name in names:
            if hasattr(_stdlib, level) and hasattr(_stdlib, name):
                key = (getattr(_stdlib, level), getattr(_stdlib, name))
                out[key] = (_ZTS[zts_level], _ZTS["ZTS_" + name])
    return out


_OPTIONS = _zts_constants()
_SOL_SOCKET = _stdlib.SOL_SOCKET
_ZTS_SOL_SOCKET = _ZTS["ZTS_SOL_SOCKET"]  # lwIP's 0xfff: no operating system's SOL_SOCKET, so a level tells
_TIMEO = {(_ZTS_SOL_SOCKET, _ZTS["ZTS_SO_RCVTIMEO"]): "recv", (_ZTS_SOL_SOCKET, _ZTS["ZTS_SO_SNDTIMEO"]): "send"}
_TIMEVAL = "@ll"  # struct timeval on this host
_BYTEORDER = sys.byteorder  # option values are C ints

# How long a blocking call of the main thread waits in libzt before it comes back to Python and calls
# again, so that signal handlers (Ctrl-C) run, as they do for the stdlib's sockets (which the kernel
# interrupts with EINTR). Only a wake: the call's time limit is libzt's deadline, the same across the
# calls (ztx_wait_t). Other threads never run signal handlers and wait in one call.
_SIGNAL_WAKE_MS = 100
_MAIN_THREAD = threading.main_thread().ident
_get_ident = _thread.get_ident
_NO_LIMIT = _ll.new_wait(-1, 0)  # the wait of other threads' calls without a time limit (shared)
_WOULD_BLOCK_FROM = (_ll.WOULD_BLOCK, None)  # accept's and recvfrom_into's would-block answer
_T = TypeVar("_T")
_default_timeout: Optional[float] = None


def errno() -> int:
    """``zts_errno`` of this thread: why its last libzt socket call failed (libzt's guide spells it
    ``socket.errno()``; also ``libzt.errno()``). Not in ``__all__``: a star import must not hide the
    stdlib's :mod:`errno` module."""
    return _zts_errno()


def getdefaulttimeout() -> Optional[float]:
    """The timeout new libzt sockets start with (None: blocking)."""
    return _default_timeout


def setdefaulttimeout(timeout: Optional[float], /) -> None:
    global _default_timeout
    _default_timeout = _check_timeout(timeout)


def _check_timeout(value: Optional[float]) -> Optional[float]:
    if value is None:
        return None
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"'{type(value).__name__}' object cannot be interpreted as a timeout") from None
    if seconds < 0 or seconds != seconds:
        raise ValueError("Timeout value out of range")
    return seconds


def _unsupported(what: str) -> OSError:
    # The one refusal of this module: libzt sockets are not OS file descriptors.
    return OSError(_errno.EOPNOTSUPP, f"libzt.socket does not support {what}: its sockets live in this process's "
                                      "own TCP/IP stack, not in the operating system's")


# ---- addresses --------------------------------------------------------------------------------------


def _host_text(host: Any, what: str) -> str:
    if isinstance(host, str):
        return host
    if isinstance(host, (bytes, bytearray)):
        return bytes(host).decode("ascii")
    raise TypeError(f"{what}: host must be str, not {type(host).__name__}")


def _pack_host(family: int, host: str, mapped_as_ipv4: bool = True) -> Tuple[bytes, int]:
    """Packed IP and IPv6 scope of a host: numeric, the stdlib's special names, else resolved by DNS.
    ``mapped_as_ipv4``: whether IPv4 takes an IPv4-mapped IPv6 address (glibc: only when IPv4 alone
    was asked for)."""
    if family == _stdlib.AF_INET:
        if host == "":
            return bytes(4), 0
        if host == "<broadcast>":
            return b"\xff\xff\xff\xff", 0
        if host == "localhost":
            return bytes([127, 0, 0, 1]), 0
        try:
            return _stdlib.inet_pton(_stdlib.AF_INET, host), 0
        except OSError:
            pass
    else:
        if host == "":
            return bytes(16), 0
        if host == "localhost":
            return bytes(15) + b"\x01", 0
        text, _, scope = host.partition("%")
        try:
            packed = _stdlib.inet_pton(_stdlib.AF_INET6, text)
            if not scope:
                return packed, 0
            if scope.isdigit():
                return packed, int(scope)
        except OSError:
            pass
    other = _literal_of_the_other_family(family, host, mapped_as_ipv4)
    if other is not None:
        return other
    if host:
        packed = _ll.resolve(_ll.AF_INET if family == _stdlib.AF_INET else _ll.AF_INET6, host)
        if packed is not None:
            return packed, 0
    raise gaierror(_stdlib.EAI_NONAME, f"Name or service not known: {host!r} (libzt's DNS servers: "
                                       "zts_dns_set_server)")


def _msg_flags(zts_flags: int) -> int:
    """recvmsg's msg_flags, from libzt's numbers to the stdlib's."""
    return (_stdlib.MSG_TRUNC if zts_flags & _ll.MSG_TRUNC else 0) | \
           (_stdlib.MSG_CTRUNC if zts_flags & _ll.MSG_CTRUNC else 0)


def _literal_of_the_other_family(family: int, host: str, mapped_as_ipv4: bool) -> Optional[Tuple[bytes, int]]:
    """A numeric address of the family not asked for, as glibc's getaddrinfo answers it: for IPv4,
    an IPv4-mapped IPv6 address is its IPv4 address (if ``mapped_as_ipv4``); any other is
    EAI_ADDRFAMILY (a name server is not asked). None if ``host`` is no such address."""
    if family == _stdlib.AF_INET:
        try:
            packed = _stdlib.inet_pton(_stdlib.AF_INET6, host.partition("%")[0])
        except OSError:
            return None
        if mapped_as_ipv4 and packed[:12] == bytes(10) + b"\xff\xff":
            return packed[12:], 0
    else:
        try:
            _stdlib.inet_pton(_stdlib.AF_INET, host)
        except OSError:
            return None
    raise gaierror(getattr(_stdlib, "EAI_ADDRFAMILY", _stdlib.EAI_FAMILY), "Address family for hostname not supported")


def _port(port: Any, what: str) -> int:
    if not isinstance(port, int) or isinstance(port, bool):
        raise TypeError(f"'{type(port).__name__}' object cannot be interpreted as an integer")
    if not 0 <= port <= 65535:
        raise OverflowError(f"{what}: port must be 0-65535.")
    return port


def _to_address(family: int, address: Any, what: str) -> _ll.Address:
    if family == _stdlib.AF_INET:
        if not isinstance(address, tuple):
            raise TypeError(f"{what}: AF_INET address must be tuple, not {type(address).__name__}")
        if len(address) != 2:
            raise TypeError("AF_INET address must be a pair (host, port)")
        ip, _ = _pack_host(family, _host_text(address[0], what))
        return _ll.AF_INET, ip, _port(address[1], what), 0, 0
    if family == _stdlib.AF_INET6:
        if not isinstance(address, tuple) or not 2 <= len(address) <= 4:
            raise TypeError("AF_INET6 address must be a tuple (host, port[, flowinfo[, scopeid]])")
        ip, scope = _pack_host(family, _host_text(address[0], what))
        flowinfo = address[2] if len(address) > 2 else 0
        if not 0 <= flowinfo <= 0xFFFFF:
            raise OverflowError(f"{what}: flowinfo must be 0-1048575.")
        scope_id = address[3] if len(address) > 3 else scope
        return _ll.AF_INET6, ip, _port(address[1], what), flowinfo, scope_id
    raise OSError(_errno.EAFNOSUPPORT, os.strerror(_errno.EAFNOSUPPORT))


def _from_address(addr: Optional[_ll.Address]) -> Any:
    if addr is None:
        return None
    family, ip, port, flowinfo, scope_id = addr
    if family == _ll.AF_INET:
        return _stdlib.inet_ntop(_stdlib.AF_INET, ip), port
    return _stdlib.inet_ntop(_stdlib.AF_INET6, ip), port, flowinfo, scope_id


def getaddrinfo(host: Any, port: Any, family: int = 0, type: int = 0, proto: int = 0,
                flags: int = 0) -> List[Tuple[AddressFamily, SocketKind, int, str, Any]]:
    """The stdlib's ``getaddrinfo``: numeric hosts, ``None``, ``""``, ``"localhost"``, and names, which
    libzt's DNS client resolves (one address per family asked for).
    """
    if port is None:
        number = 0
    elif isinstance(port, int) and not isinstance(port, bool):
        number = port
    elif isinstance(port, (str, bytes)):
        text = port.decode("ascii") if isinstance(port, bytes) else port
        if not text.isdigit():
            raise gaierror(_stdlib.EAI_SERVICE, f"Servname not supported for ai_socktype: {text!r} (numeric "
                                                "ports only)")
        number = int(text)
    else:
        raise OSError("Int or String expected")
    if not 0 <= number <= 65535:
        raise gaierror(_stdlib.EAI_SERVICE, "Servname not supported for ai_socktype")
    families = [family] if family else [_stdlib.AF_INET, _stdlib.AF_INET6]
    if any(f not in _FAMILIES for f in families):
        raise gaierror(_stdlib.EAI_FAMILY, "ai_family not supported")
    if host is None:
        passive = bool(flags & _stdlib.AI_PASSIVE)
        hosts = {_stdlib.AF_INET: "" if passive else "localhost", _stdlib.AF_INET6: "" if passive else "localhost"}
    else:
        text = _host_text(host, "getaddrinfo")
        hosts = {f: text for f in families}
    protos = {_stdlib.SOCK_STREAM: _stdlib.IPPROTO_TCP, _stdlib.SOCK_DGRAM: _stdlib.IPPROTO_UDP, _stdlib.SOCK_RAW: 0}
    kinds = [(type, proto or protos.get(type, 0))] if type else list(protos.items())
    results = []
    error: Optional[gaierror] = None
    for f in families:
        try:
            ip, scope = _pack_host(f, hosts[f], mapped_as_ipv4=bool(family))
        except gaierror as exc:
            error = exc
            continue
        if f == _stdlib.AF_INET:
            sockaddr: Any = (_stdlib.inet_ntop(f, ip), number)
        else:
            sockaddr = (_stdlib.inet_ntop(f, ip), number, 0, scope)
        for kind, p in kinds:
            if kind not in _TYPES:
                raise gaierror(_stdlib.EAI_SOCKTYPE, "ai_socktype not supported")
            results.append((AddressFamily(f), SocketKind(kind), p, "", sockaddr))
    if not results:
        assert error is not None
        raise error
    return results


def gethostbyname(hostname: Any, /) -> str:
    """The stdlib's ``gethostbyname`` through libzt's resolver: the name's IPv4 address."""
    return _ipv4_addresses(_host_text(hostname, "gethostbyname"))[0]


def gethostbyname_ex(hostname: Any, /) -> Tuple[str, List[str], List[str]]:
    """``(hostname, [], IPv4 addresses)``, as the stdlib's ``gethostbyname_ex`` through libzt's
    resolver (which knows no aliases, and gives one address for a name)."""
    name = _host_text(hostname, "gethostbyname_ex")
    return name, [], _ipv4_addresses(name)


def _ipv4_addresses(name: str) -> List[str]:
    return list(dict.fromkeys(info[4][0] for info in getaddrinfo(name, None, _stdlib.AF_INET)))


# ---- the socket -------------------------------------------------------------------------------------


class socket:
    """A libzt socket: the stdlib's :class:`socket.socket` API over libzt's TCP/IP stack.

    ``socket(family=AF_INET, type=SOCK_STREAM, proto=0, fileno=None)`` takes the stdlib's constants.
    ``fileno`` wraps an existing libzt descriptor (as :meth:`detach` returns it).
    """

    # Blocking. A blocking call is one call into libzt, which waits there (GIL released) until the
    # operation can proceed, its time limit runs out, the socket is closed or the node stops: the fast
    # path of a ping-pong is one native call per send and per receive. The time limit (the timeout, or
    # SO_RCVTIMEO/SO_SNDTIMEO as the application set them, kept here) goes down with the call as a
    # ztx_wait_t, whose deadline libzt keeps; in the main thread the call also comes back every
    # _SIGNAL_WAKE_MS to let signal handlers run, and is made again with the same deadline.
    # Non-blocking mode is the libzt socket's O_NONBLOCK. connect() starts the handshake non-blocking
    # and waits for it as CPython does. Every I/O method calls libzt through _io, the one place that
    # calls again after a wake and turns "would block" into an exception (recv, recv_into, send and
    # sendall make their first call themselves, then go on in _io).

    def __init__(self, family: int = -1, type: int = -1, proto: int = -1, fileno: Optional[int] = None) -> None:
        flags = 0
        if fileno is None:
            family = _stdlib.AF_INET if family == -1 else family
            type = _stdlib.SOCK_STREAM if type == -1 else type
            proto = 0 if proto == -1 else proto
            flags = type & _TYPE_FLAGS
            type &= ~_TYPE_FLAGS
            if family not in _FAMILIES:
                raise OSError(_errno.EAFNOSUPPORT, os.strerror(_errno.EAFNOSUPPORT))
            # A type IP has not goes to libzt as it is, for zts_bsd_socket's answer (EINVAL or
            # ESOCKTNOSUPPORT, as Linux; the three it has are the same numbers in both).
            fd = _ll.socket(_FAMILIES[family], _TYPES.get(type, type), proto)
        else:
            fd = int(fileno)
            if fd < 0:
                raise ValueError("negative file descriptor")
            if family == -1:
                name = _ll.getsockname(fd)
                family = _stdlib.AF_INET6 if name is not None and name[0] == _ll.AF_INET6 else _stdlib.AF_INET
            if type == -1:
                zts_type = int.from_bytes(_ll.getsockopt(fd, _ll.SOL_SOCKET, _ll.SO_TYPE, 4), "little", signed=True)
                type = _TYPES_BACK.get(zts_type, _stdlib.SOCK_STREAM)
            proto = 0 if proto == -1 else proto
        self._fd = fd
        self._os_fd = -1  # the readiness descriptor, made by fileno()
        self._family = family
        self._type = type
        self._proto = proto
        self._closed = False
        self._io_refs = 0
        self._option_timeouts: Dict[str, Optional[float]] = {"recv": None, "send": None}  # as the app set them
        self._limits_ms: Dict[str, int] = {"recv": -1, "send": -1}  # how long a call may wait (-1: no limit)
        self._c_nonblocking: Optional[bool] = None  # the libzt socket's mode, as last set
        self._timeout = 0.0 if flags & getattr(_stdlib, "SOCK_NONBLOCK", 0) else _default_timeout
        try:
            self._apply_mode()
        except BaseException:
            if fileno is None:
                _ll.close(fd)
            raise

    # ---- identity --------------------------------------------------------------------------------

    @property
    def family(self) -> AddressFamily:
        return AddressFamily(self._family)

    @property
    def type(self) -> SocketKind:
        return SocketKind(self._type)

    @property
    def proto(self) -> int:
        return self._proto

    @property
    def timeout(self) -> Optional[float]:
        return self._timeout

    def fileno(self) -> int:
        """An OS file descriptor that polls as this socket does (-1 once closed), for ``select``,
        ``selectors``, ``asyncio``'s ``add_reader``/``add_writer`` and trio's ``wait_readable``.

        Readiness only: it is readable while data (or a connection, an error, the end of the stream)
        waits, writable while a send would not block, level-triggered like a socket's. Reads and writes
        still go through this object; never read, write or close the descriptor itself (libzt closes
        it with the socket). Made on the first call: a socket that has one holds two of the process's
        OS descriptors (a Unix socket pair), which counts against ``RLIMIT_NOFILE``. libzt's own
        descriptor is :meth:`zts_fileno`."""
        if self._fd < 0:
            return -1
        if self._os_fd < 0:
            self._os_fd = _ll.readiness_fd(self._fd)
        return self._os_fd

    def zts_fileno(self) -> int:
        """libzt's descriptor (-1 once closed): what the ``zts_bsd_*`` functions, :meth:`detach` and
        ``socket(fileno=...)`` take."""
        return self._fd

    def __repr__(self) -> str:
        closed = getattr(self, "_closed", False)
        s = f"<{type(self).__module__}.{type(self).__qualname__}{' [closed]' if closed else ''} fd={self._fd}, " \
            f"family={self._family}, type={self._type}, proto={self._proto}"
        if not closed and self._fd >= 0:
            try:
                s += f", laddr={self.getsockname()}"
                s += f", raddr={self.getpeername()}"
            except OSError:
                pass
        return s + ">"

    def __getstate__(self) -> None:
        raise TypeError(f"cannot pickle {type(self).__name__!r} object")

    # ---- lifecycle -------------------------------------------------------------------------------

    def __enter__(self) -> socket:
        return self

    def __exit__(self, *args: object) -> None:
        if not self._closed:
            self.close()

    def close(self) -> None:
        """Close the socket (once files from :meth:`makefile` are closed too). A call blocked on it in
        another thread ends with ``OSError(EBADF)``."""
        self._closed = True
        if self._io_refs <= 0:
            self._real_close()

    def _real_close(self) -> None:
        fd, self._fd = self._fd, -1
        self._os_fd = -1
        if fd >= 0:
            try:
                _ll.close(fd)
            except OSError as exc:
                if exc.errno != _errno.ENETDOWN:  # a stopped node took its sockets with it
                    raise

    def detach(self) -> int:
        """Give up the descriptor without closing it; the socket object is closed."""
        self._closed = True
        fd, self._fd = self._fd, -1
        self._os_fd = -1
        return fd

    def __del__(self) -> None:
        if getattr(self, "_fd", -1) >= 0:
            warnings.warn(f"unclosed {self!r}", ResourceWarning, stacklevel=2, source=self)
            try:
                self._real_close()
            except Exception:
                pass

    def _live_fd(self) -> int:
        fd = self._fd
        if fd < 0:
            raise OSError(_errno.EBADF, os.strerror(_errno.EBADF))
        return fd

    # ---- blocking modes --------------------------------------------------------------------------

    def settimeout(self, value: Optional[float], /) -> None:
        self._timeout = _check_timeout(value)
        self._apply_mode()

    def gettimeout(self) -> Optional[float]:
        return self._timeout

    def setblocking(self, flag: bool, /) -> None:
        self._timeout = None if flag else 0.0
        self._apply_mode()

    def getblocking(self) -> bool:
        return self._timeout != 0.0

    def _apply_mode(self) -> None:
        """Bring the time limits and the libzt socket's mode in line with the timeout (a native call
        only when the mode changed)."""
        for direction in ("recv", "send"):
            limit = self._timeout if self._timeout is not None else self._option_timeouts[direction]
            self._limits_ms[direction] = _ll.limit_ms(limit)
        nonblocking = self._timeout == 0.0
        if nonblocking != self._c_nonblocking:
            _ll.set_nonblocking(self._live_fd(), nonblocking)
            self._c_nonblocking = nonblocking

    def _wait(self, direction: str) -> Any:
        """The time limit of one operation in ``direction``, for libzt to keep (see the class comment):
        given to every call of a sendall or MSG_WAITALL, it bounds the whole operation. recv,
        recv_into, send and sendall pick the shared _NO_LIMIT of a thread other than the main one
        without a time limit themselves: a Python call less per message, which a ping-pong pays with
        its caches cold (bench/rtt.py)."""
        ms = self._limits_ms[direction]
        if _get_ident() == _MAIN_THREAD:
            return _ll.new_wait(ms, _SIGNAL_WAKE_MS)
        return _ll.thread_wait(ms) if ms >= 0 else _NO_LIMIT

    def _io(self, direction: str, would_block: Any, zflags: int, call: Callable[..., _T], *args: Any,
            wait: Any = None) -> _T:
        """``call(fd, *args, wait)`` as this socket's mode says, for every I/O method: libzt waits
        within ``wait``'s time limit (by default the call's own, from :meth:`_wait`). An answer of
        ``would_block`` is final (:meth:`_would_block`). An InterruptedError is the wake of a
        main-thread call: signal handlers run on the way back here and may raise (KeyboardInterrupt);
        otherwise the call is made again, as PEP 475 retries a system call. The descriptor is read at
        each call, so a close in another thread ends the wait with EBADF.

        recv, recv_into, send and sendall make their first call themselves and come here only after
        a wake (sendall also for its later pieces): one Python frame less per message, which a
        ping-pong pays on every round trip with its caches cold (bench/timeline.py)."""
        if wait is None:
            wait = self._wait(direction)
        while True:
            fd = self._fd
            if fd < 0:
                raise OSError(_errno.EBADF, os.strerror(_errno.EBADF))
            try:
                result = call(fd, *args, wait)
            except InterruptedError:
                continue
            if result != would_block:
                return result
            raise self._would_block(zflags)

    def _would_block(self, zflags: int) -> OSError:
        """What an I/O call that would block raises: BlockingIOError (non-blocking mode,
        MSG_DONTWAIT, an expired SO_RCVTIMEO/SO_SNDTIMEO, as on Linux) or :data:`timeout` (an
        expired timeout)."""
        if self._timeout and not zflags & _ll.MSG_DONTWAIT:
            return timeout("timed out")
        return _ll.error(_errno.EAGAIN)

    # ---- connections ------------------------------------------------------------------------------

    def bind(self, address: Any, /) -> None:
        _ll.bind(self._live_fd(), _to_address(self._family, address, "bind()"))

    def listen(self, backlog: int = min(_stdlib.SOMAXCONN, 128), /) -> None:
        _ll.listen(self._live_fd(), max(0, backlog))

    def _accept(self) -> Tuple[int, Any]:
        fd, addr = self._io("recv", _WOULD_BLOCK_FROM, 0, _ll.accept)
        return fd, _from_address(addr)

    def accept(self) -> Tuple[socket, Any]:
        """(new socket, peer address); the new socket has the default timeout, and the listener's
        options (libzt passes them on, as Linux does)."""
        fd, address = self._accept()
        try:
            sock = self._accepted(fd)
        except BaseException:
            _ll.close(fd)
            raise
        sock._option_timeouts = dict(self._option_timeouts)  # SO_RCVTIMEO/SO_SNDTIMEO: inherited, as on Linux
        sock._timeout = _default_timeout
        sock._apply_mode()
        return sock, address

    def _accepted(self, fd: int) -> socket:
        """The socket object for a descriptor accept() got."""
        return type(self)(self._family, self._type, self._proto, fileno=fd)

    def _connect(self, address: Any, raise_errors: bool) -> int:
        fd = self._live_fd()
        target = _to_address(self._family, address, "connect()")
        wait = self._wait("send")
        if self._c_nonblocking:
            return _ll.connect(fd, target)
        # Started non-blocking, then waited for (as CPython does), so that a wake to run signal
        # handlers leaves the handshake going on.
        _ll.set_nonblocking(fd, True)
        try:
            err = _ll.connect(fd, target)
        finally:
            _ll.set_nonblocking(fd, False)
        if err != _errno.EINPROGRESS:
            return err
        try:
            self._io("send", False, 0, _ll.wait_ready, _ll.POLLOUT, wait=wait)
        except timeout:
            if raise_errors:
                raise
            return _errno.EWOULDBLOCK
        except BlockingIOError:
            return _errno.EINPROGRESS  # SO_SNDTIMEO ran out, as on Linux
        return int.from_bytes(_ll.getsockopt(fd, _ll.SOL_SOCKET, _ll.SO_ERROR, 4), "little", signed=True)

    def connect(self, address: Any, /) -> None:
        err = self._connect(address, True)
        if err:
            raise _ll.error(err)

    def connect_ex(self, address: Any, /) -> int:
        """connect(), returning the errno instead of raising it (0 on success)."""
        try:
            return self._connect(address, False)
        except gaierror:
            raise
        except OSError as exc:
            if exc.errno is None:
                raise
            return exc.errno

    def shutdown(self, how: int, /) -> None:
        if how not in (_stdlib.SHUT_RD, _stdlib.SHUT_WR, _stdlib.SHUT_RDWR):
            raise OSError(_errno.EINVAL, os.strerror(_errno.EINVAL))
        _ll.shutdown(self._live_fd(), how)

    def getsockname(self) -> Any:
        return _from_address(_ll.getsockname(self._live_fd()))

    def getpeername(self) -> Any:
        return _from_address(_ll.getpeername(self._live_fd()))

    # ---- options ---------------------------------------------------------------------------------

    def setsockopt(self, level: int, optname: int, value: Union[int, bytes, None], optlen: Optional[int] = None,
                   /) -> None:
        """The stdlib's constants (or ``ZTS_SOL_SOCKET`` and its ``ZTS_SO_*``); ``value`` an int (a C
        int) or the option's bytes."""
        zlevel, zname = self._option(level, optname)
        if (zlevel, zname) in _TIMEO:
            # Timeouts of a blocking socket (Linux semantics: then EAGAIN); kept here like the rest of
            # the blocking logic.
            if not isinstance(value, (bytes, bytearray)) or len(value) < _struct.calcsize(_TIMEVAL):
                raise OSError(_errno.EINVAL, os.strerror(_errno.EINVAL))
            sec, usec = _struct.unpack_from(_TIMEVAL, value)
            if sec < 0 or not 0 <= usec < 1_000_000:
                raise OSError(_errno.EDOM, os.strerror(_errno.EDOM))
            self._option_timeouts[_TIMEO[zlevel, zname]] = (sec + usec / 1e6) or None
            self._apply_mode()
            return
        if value is None:
            if optlen is None:
                raise TypeError("setsockopt() takes an int, a buffer, or None with optlen")
            raw = bytes(optlen)
        elif isinstance(value, int):
            raw = value.to_bytes(4, _BYTEORDER, signed=True)
        else:
            raw = bytes(value)
        _ll.setsockopt(self._live_fd(), zlevel, zname, raw)

    def getsockopt(self, level: int, optname: int, buflen: int = 0, /) -> Union[int, bytes]:
        zlevel, zname = self._option(level, optname)
        if (zlevel, zname) in _TIMEO:
            seconds = self._option_timeouts[_TIMEO[zlevel, zname]] or 0.0
            raw = _struct.pack(_TIMEVAL, int(seconds), round((seconds % 1) * 1e6))
            return raw[:buflen] if buflen else int.from_bytes(raw[:4], _BYTEORDER, signed=True)
        raw = _ll.getsockopt(self._live_fd(), zlevel, zname, buflen or 4)
        if buflen:
            return raw
        value = int.from_bytes(raw[:4].ljust(4, b"\0"), _BYTEORDER, signed=True)
        if (level, optname) == (_SOL_SOCKET, _stdlib.SO_TYPE):
            return _TYPES_BACK.get(value, value)
        return value

    def _option(self, level: int, optname: int) -> Tuple[int, int]:
        """(level, option) in libzt's numbering. ZTS_SOL_SOCKET options are already in it."""
        if level == _ZTS_SOL_SOCKET:
            return level, optname
        try:
            return _OPTIONS[(level, optname)]
        except KeyError:
            raise OSError(_errno.ENOPROTOOPT, os.strerror(_errno.ENOPROTOOPT)) from None

    # ---- data ------------------------------------------------------------------------------------

    @staticmethod
    def _flags(flags: int) -> int:
        out = 0
        for std, zts in _MSG_FLAGS:
            if flags & std:
                out |= zts
                flags &= ~std
        flags &= ~(_MSG_WAITALL | _MSG_IGNORED)
        if flags:
            raise OSError(_errno.EOPNOTSUPP, f"message flags {flags:#x} are not supported")
        return out

    def recv(self, bufsize: int, flags: int = 0, /) -> bytes:
        if bufsize < 0:
            raise ValueError("negative buffersize in recv")
        if bufsize == 0:
            return b""  # the stdlib's answer, without a call: a datagram would be taken (recv_into alike)
        fd = self._fd
        if flags or fd < 0:
            return self._recv_flagged(bufsize, flags)
        ms = self._limits_ms["recv"]  # _wait's commonest case written out: every message's call
        wait = _NO_LIMIT if ms < 0 and _get_ident() != _MAIN_THREAD else self._wait("recv")
        try:
            data = _ll.recv(fd, bufsize, 0, wait)
        except InterruptedError:
            return self._io("recv", None, 0, _ll.recv, bufsize, 0, wait=wait)
        if data is None:
            raise self._would_block(0)
        return data

    def _recv_flagged(self, bufsize: int, flags: int) -> bytes:
        if flags & _MSG_WAITALL and not flags & _MSG_PEEK and self._type == _stdlib.SOCK_STREAM:  # datagrams: whole
            buf = bytearray(bufsize)
            return bytes(buf[: socket.recv_into(self, buf, bufsize, flags)])
        zflags = self._flags(flags) if flags else 0
        return self._io("recv", None, zflags, _ll.recv, bufsize, zflags)

    def recv_into(self, buffer: Any, nbytes: int = 0, flags: int = 0, /) -> int:
        if nbytes < 0:
            raise ValueError("negative buffersize in recv_into")
        fd = self._fd
        if flags or fd < 0:
            return self._recv_into_flagged(buffer, nbytes, flags)
        ms = self._limits_ms["recv"]  # as in recv
        wait = _NO_LIMIT if ms < 0 and _get_ident() != _MAIN_THREAD else self._wait("recv")
        try:
            n = _ll.recv_into(fd, buffer, nbytes, 0, wait)
        except InterruptedError:
            return self._io("recv", _ll.WOULD_BLOCK, 0, _ll.recv_into, buffer, nbytes, 0, wait=wait)
        if n == _ll.WOULD_BLOCK:
            raise self._would_block(0)
        return n

    def _recv_into_flagged(self, buffer: Any, nbytes: int, flags: int) -> int:
        if self._fd < 0 and not nbytes and _ll.room(buffer) == 0:
            return 0  # the stdlib's answer for no room, closed or not (see _ll.recv_into)
        zflags = self._flags(flags) if flags else 0
        if flags & _MSG_WAITALL and not flags & _MSG_PEEK and self._type == _stdlib.SOCK_STREAM:
            return self._recv_into_all(buffer, nbytes, zflags)
        return self._io("recv", _ll.WOULD_BLOCK, zflags, _ll.recv_into, buffer, nbytes, zflags)

    def _recv_into_all(self, buffer: Any, nbytes: int, zflags: int) -> int:
        # MSG_WAITALL, which lwIP does not do: until the buffer is full, EOF, or an error after data.
        wait = self._wait("recv")  # the time limit is the whole call's
        view = memoryview(buffer).cast("B")
        size = nbytes or len(view)
        got = 0
        while got < size:
            try:
                n = self._io("recv", _ll.WOULD_BLOCK, zflags, _ll.recv_into, view[got:size], 0, zflags, wait=wait)
            except OSError:
                if got:
                    return got
                raise
            if n == 0:
                break
            got += n
        return got

    def recvfrom(self, bufsize: int, flags: int = 0, /) -> Tuple[bytes, Any]:
        if bufsize < 0:
            raise ValueError("negative buffersize in recvfrom")
        zflags = self._flags(flags) if flags else 0
        data, addr = self._io("recv", (None, None), zflags, _ll.recvfrom, bufsize, zflags)
        return data, self._sender(addr)

    def recvfrom_into(self, buffer: Any, nbytes: int = 0, flags: int = 0, /) -> Tuple[int, Any]:
        if nbytes < 0:
            raise ValueError("negative buffersize in recvfrom_into")
        zflags = self._flags(flags) if flags else 0
        n, addr = self._io("recv", _WOULD_BLOCK_FROM, zflags, _ll.recvfrom_into, buffer, nbytes, zflags)
        return n, self._sender(addr)

    def recvmsg(self, bufsize: int, ancbufsize: int = 0, flags: int = 0, /) -> Tuple[bytes, list, int, Any]:
        """(data, [], msg_flags, address): no ancillary data is ever received."""
        if bufsize < 0:
            raise ValueError("negative buffer size in recvmsg()")
        zflags = self._flags(flags) if flags else 0
        data, zts_flags, addr = self._io("recv", (None, 0, None), zflags, _ll.recvmsg, bufsize, zflags)
        return data, [], _msg_flags(zts_flags), self._sender(addr)

    def _sender(self, addr: Optional[_ll.Address]) -> Any:
        # As on Linux: a stream socket does not report who sent the bytes.
        return None if self._type == _stdlib.SOCK_STREAM else _from_address(addr)

    def send(self, data: Any, flags: int = 0, /) -> int:
        zflags = self._flags(flags) if flags else 0
        fd = self._fd
        if fd < 0:
            return self._io("send", _ll.WOULD_BLOCK, zflags, _ll.send, data, zflags)  # raises EBADF
        ms = self._limits_ms["send"]  # as in recv
        wait = _NO_LIMIT if ms < 0 and _get_ident() != _MAIN_THREAD else self._wait("send")
        try:
            n = _ll.send(fd, data, zflags, wait)
        except InterruptedError:
            return self._io("send", _ll.WOULD_BLOCK, zflags, _ll.send, data, zflags, wait=wait)
        if n == _ll.WOULD_BLOCK:
            raise self._would_block(zflags)
        return n

    def sendall(self, data: Any, flags: int = 0, /) -> None:
        """Send all of ``data``; a timeout bounds the whole call, not each piece."""
        zflags = self._flags(flags) if flags else 0
        ms = self._limits_ms["send"]  # as in recv
        wait = _NO_LIMIT if ms < 0 and _get_ident() != _MAIN_THREAD else self._wait("send")
        view = _ll.view(data)
        total = len(view)
        sent = 0
        fd = self._fd
        if fd < 0:
            self._live_fd()  # raises EBADF, with nothing to send too (as the stdlib's sendall)
        # The first piece here, not in _io: most sendalls are one piece. Nothing to send is one call
        # too, as the stdlib's sendall makes: an empty datagram, or on a stream the error a send
        # would meet (BrokenPipeError once shut down for writing).
        try:
            sent = _ll.send_view(fd, view, zflags, wait)
        except InterruptedError:  # _io runs the signal handlers and sends it again (an empty datagram too)
            sent = self._io("send", _ll.WOULD_BLOCK, zflags, _ll.send_view, view, zflags, wait=wait)
        if sent == _ll.WOULD_BLOCK:
            raise self._would_block(zflags)
        if sent < total and type(view) is bytes:
            view = _ll.view(data, sliceable=True)  # slicing the bytes would copy the rest each time
        while sent < total:
            rest = view[sent:total] if sent else view
            sent += self._io("send", _ll.WOULD_BLOCK, zflags, _ll.send_view, rest, zflags, wait=wait)

    def sendto(self, data: Any, flags_or_address: Any, address: Any = None, /) -> int:
        if address is None:
            flags, address = 0, flags_or_address
        else:
            flags = flags_or_address
        zflags = self._flags(flags) if flags else 0
        target = _to_address(self._family, address, "sendto()")
        return self._io("send", _ll.WOULD_BLOCK, zflags, _ll.sendto, data, zflags, target)

    def sendmsg(self, buffers: Iterable[Any], ancdata: Iterable[Any] = (), flags: int = 0, address: Any = None,
                /) -> int:
        """Gathers ``buffers`` into one send; ancillary data is not supported."""
        if list(ancdata):
            raise _unsupported("ancillary data")
        zflags = self._flags(flags) if flags else 0
        pieces = list(buffers)
        target = None if address is None else _to_address(self._family, address, "sendmsg()")
        return self._io("send", _ll.WOULD_BLOCK, zflags, _ll.sendmsg, pieces, zflags, target)

    def sendfile(self, file: Any, offset: int = 0, count: Optional[int] = None) -> int:
        """Send a file opened in binary mode (read and sent in blocks: there is no zero-copy path)."""
        if "b" not in getattr(file, "mode", "b"):
            raise ValueError("file should be opened in binary mode")
        if self._type != _stdlib.SOCK_STREAM:
            raise ValueError("only SOCK_STREAM type sockets are supported")
        if self._timeout == 0.0:
            raise ValueError("non-blocking sockets are not supported")
        if count is not None and (not isinstance(count, int) or count <= 0):
            raise ValueError(f"count must be a positive integer (got {count!r})")
        if offset:
            file.seek(offset)
        sent = 0
        try:
            while count is None or sent < count:
                block = file.read(min(65536, count - sent) if count is not None else 65536)
                if not block:
                    break
                self.sendall(block)
                sent += len(block)
            return sent
        finally:
            if sent > 0 and hasattr(file, "seek"):
                file.seek(offset + sent)

    # ---- files -----------------------------------------------------------------------------------

    def makefile(self, mode: str = "r", buffering: Optional[int] = None, *, encoding: Optional[str] = None,
                 errors: Optional[str] = None, newline: Optional[str] = None) -> Any:
        """A file object over the socket, as the stdlib's: binary or text, buffered or (binary only)
        raw. Closing the socket waits for its files to be closed."""
        if not set(mode) <= {"r", "w", "b"}:
            raise ValueError(f"invalid mode {mode!r} (only r, w, b allowed)")
        writing = "w" in mode
        reading = "r" in mode or not writing
        raw = SocketIO(self, ("r" if reading else "") + ("w" if writing else ""))
        self._io_refs += 1
        size = io.DEFAULT_BUFFER_SIZE if buffering is None or buffering < 0 else buffering
        if size == 0:
            if "b" not in mode:
                raise ValueError("unbuffered streams must be binary")
            return raw
        if reading and writing:
            buffer: Any = io.BufferedRWPair(raw, raw, size)
        elif reading:
            buffer = io.BufferedReader(raw, size)
        else:
            buffer = io.BufferedWriter(raw, size)
        if "b" in mode:
            return buffer
        encoding = io.text_encoding(encoding) if hasattr(io, "text_encoding") else encoding
        text = io.TextIOWrapper(buffer, encoding, errors, newline)
        text.mode = mode  # type: ignore[misc]
        return text

    def _decref_socketios(self) -> None:
        if self._io_refs > 0:
            self._io_refs -= 1
        if self._closed and self._io_refs <= 0:
            self._real_close()

    # ---- what an OS descriptor would be needed for -----------------------------------------------

    def dup(self) -> socket:
        raise _unsupported("dup()")

    def get_inheritable(self) -> bool:
        return False  # never inherited: child processes do not share this process's stack

    def set_inheritable(self, inheritable: bool, /) -> None:
        if inheritable:
            raise _unsupported("inheritable sockets")

    def recvmsg_into(self, buffers: Any, ancbufsize: int = 0, flags: int = 0, /) -> Tuple[int, list, int, Any]:
        """(nbytes, [], msg_flags, address), the bytes scattered over ``buffers`` in turn: no ancillary
        data is ever received."""
        try:
            buffers = list(buffers)
        except TypeError:
            raise TypeError("recvmsg_into() argument 1 must be an iterable") from None
        if _operator.index(ancbufsize) < 0:
            raise ValueError("invalid ancillary data buffer length")
        zflags = self._flags(flags) if flags else 0
        n, zts_flags, addr = self._io("recv", (_ll.WOULD_BLOCK, 0, None), zflags, _ll.recvmsg_into, buffers, zflags)
        return n, [], _msg_flags(zts_flags), self._sender(addr)


SocketType = socket


class SocketIO(io.RawIOBase):
    """Raw I/O over a libzt :class:`socket`, what :meth:`socket.makefile` buffers.

    ``readinto`` and ``write`` are the socket's ``recv_into`` and ``send``; in non-blocking mode they
    return None when they would block. After a timeout the object refuses to read: the bytes of a
    partly read message may have been lost in a buffer above it.
    """

    def __init__(self, sock: socket, mode: str) -> None:
        if mode not in ("r", "w", "rw", "rb", "wb", "rwb"):
            raise ValueError(f"invalid mode: {mode!r}")
        super().__init__()
        self._sock: Optional[socket] = sock
        if "b" not in mode:
            mode += "b"
        self._mode = mode
        self._reading = "r" in mode
        self._writing = "w" in mode
        self._timed_out = False

    @property
    def mode(self) -> str:  # type: ignore[override]
        return self._mode

    @property
    def name(self) -> int:
        return -1 if self.closed or self._sock is None else self._sock.fileno()

    def _socket(self) -> socket:
        if self.closed or self._sock is None:
            raise ValueError("I/O operation on closed socket file")
        return self._sock

    def readinto(self, b: Any) -> Optional[int]:  # type: ignore[override]
        sock = self._socket()
        if not self._reading:
            raise io.UnsupportedOperation("not readable")
        if self._timed_out:
            raise OSError("cannot read from timed out object")
        try:
            return sock.recv_into(b)
        except timeout:
            self._timed_out = True
            raise
        except BlockingIOError:
            return None

    def write(self, b: Any) -> Optional[int]:  # type: ignore[override]
        sock = self._socket()
        if not self._writing:
            raise io.UnsupportedOperation("not writable")
        try:
            return sock.send(b)
        except BlockingIOError:
            return None

    def readable(self) -> bool:
        self._socket()
        return self._reading

    def writable(self) -> bool:
        self._socket()
        return self._writing

    def seekable(self) -> bool:
        self._socket()
        return False

    def fileno(self) -> int:
        return self._socket().fileno()

    def close(self) -> None:
        if self.closed:
            return
        super().close()
        sock, self._sock = self._sock, None
        if sock is not None:
            sock._decref_socketios()


# ---- helpers ------------------------------------------------------------------------------------------


def create_connection(address: Tuple[Any, Any], timeout: Any = _GLOBAL_DEFAULT_TIMEOUT,
                      source_address: Optional[Tuple[Any, Any]] = None, *, all_errors: bool = False) -> socket:
    """Connect to ``(host, port)`` over ZeroTier and return the socket, as the stdlib's
    :func:`socket.create_connection`: every address :func:`getaddrinfo` gives is tried in turn."""
    host, port = address
    errors: List[OSError] = []
    for family, kind, proto, _, sockaddr in getaddrinfo(host, port, 0, _stdlib.SOCK_STREAM):
        sock = None
        try:
            sock = socket(family, kind, proto)
            if timeout is not _GLOBAL_DEFAULT_TIMEOUT:
                sock.settimeout(timeout)
            if source_address:
                sock.bind(source_address)
            sock.connect(sockaddr)
            errors.clear()
            return sock
        except OSError as exc:
            errors.append(exc)
            if sock is not None:
                sock.close()
    if not errors:
        raise OSError("getaddrinfo returns an empty list")
    group = getattr(builtins, "ExceptionGroup", None)  # Python 3.11+
    if all_errors and group is not None:
        raise group("create_connection failed", errors)
    raise errors[0]


def has_dualstack_ipv6() -> bool:
    """Whether an AF_INET6 socket can also take IPv4 connections (IPV6_V6ONLY off)."""
    try:
        with socket(_stdlib.AF_INET6, _stdlib.SOCK_STREAM) as sock:
            sock.setsockopt(_stdlib.IPPROTO_IPV6, _stdlib.IPV6_V6ONLY, 0)
            return True
    except OSError:
        return False


def create_server(address: Tuple[Any, Any], *, family: int = _stdlib.AF_INET, backlog: Optional[int] = None,
                  reuse_port: bool = False, dualstack_ipv6: bool = False) -> socket:
    """A listening TCP socket bound to ``address``, as the stdlib's :func:`socket.create_server`
    (SO_REUSEADDR on; SO_REUSEPORT and a dual-stack IPv6 socket on request)."""
    if dualstack_ipv6 and family != _stdlib.AF_INET6:
        raise ValueError("dualstack_ipv6 requires AF_INET6 family")
    sock = socket(family, _stdlib.SOCK_STREAM)
    try:
        sock.setsockopt(_stdlib.SOL_SOCKET, _stdlib.SO_REUSEADDR, 1)
        if reuse_port:
            sock.setsockopt(_stdlib.SOL_SOCKET, _stdlib.SO_REUSEPORT, 1)
        if family == _stdlib.AF_INET6:
            sock.setsockopt(_stdlib.IPPROTO_IPV6, _stdlib.IPV6_V6ONLY, 0 if dualstack_ipv6 else 1)
        try:
            sock.bind(address)
        except OSError as exc:
            raise OSError(exc.errno, f"{exc.strerror} (while attempting to bind on address {address!r})") from None
        if backlog is None:
            sock.listen()
        else:
            sock.listen(backlog)
        return sock
    except BaseException:
        sock.close()
        raise


def socketpair(family: int = _stdlib.AF_INET, type: int = _stdlib.SOCK_STREAM, proto: int = 0) -> Tuple[socket, socket]:
    """Two connected sockets, through the stack's loopback interface (there is no AF_UNIX)."""
    if family not in _FAMILIES:
        raise ValueError("Only AF_INET and AF_INET6 socket address families are supported")
    if type != _stdlib.SOCK_STREAM:
        raise ValueError("Only SOCK_STREAM socket type is supported")
    host = "127.0.0.1" if family == _stdlib.AF_INET else "::1"
    with socket(family, type, proto) as listener:
        listener.bind((host, 0))
        listener.listen(1)
        a = socket(family, type, proto)
        try:
            a.connect(listener.getsockname()[:2])
            b, _ = listener.accept()
        except BaseException:
            a.close()
            raise
    return a, b


class _CallableModule(types.ModuleType):
    """This module, callable as libzt's guide calls ``libzt.socket`` (see the module's docstring)."""

    def __call__(self, family: int = -1, type: int = -1, proto: int = 0) -> socket:
        from libzt._zts_socket import ZtsSocket  # (a subclass of this module's socket: imported late)

        if family == -1:
            family = _ZTS["ZTS_AF_INET"]
        if type == -1:
            type = _ZTS["ZTS_SOCK_STREAM"]
        return ZtsSocket(family, type, proto)


sys.modules[__name__].__class__ = _CallableModule
