# SPDX-License-Identifier: Apache-2.0
"""The socket of libzt's guide: ``libzt.socket(libzt.ZTS_AF_INET, libzt.ZTS_SOCK_STREAM, 0)``.

:class:`ZtsSocket` is :class:`libzt.socket.socket` (the stdlib-shaped socket: same methods, same
exceptions, same blocking and timeouts) that speaks ``ZeroTierSockets.h``'s numbering instead of the
operating system's, as libzt's official wheel does: ``ZTS_AF_*`` / ``ZTS_SOCK_*`` to create it,
``ZTS_MSG_*`` flags, ``ZTS_SHUT_*``, and socket options at the ``ZTS_IPPROTO_*`` / ``ZTS_SOL_SOCKET``
levels. The two numberings differ (lwIP's ``SOL_SOCKET`` is 0xfff, its ``MSG_PEEK`` 1, Linux's
``MSG_OOB``), so each socket keeps to one; only an unambiguous level crosses over: the OS's
``SOL_SOCKET`` works here too, and ``ZTS_SOL_SOCKET`` works on the stdlib-shaped socket.

Where the official wheel's socket differs from the stdlib's, this one keeps the stdlib's behaviour
(``accept()`` gives ``(socket, (ip, port))``; failures raise :class:`OSError` subclasses with the
errno, which :func:`libzt.errno` also has) and takes the official's numbers.
"""
from __future__ import annotations

import errno as _errno
import socket as _stdlib
from typing import Any, Iterable, Optional, Union

from libzt import socket as _base
from libzt._bindings.constants import ERR_OK, ZTS_CONSTANTS

_FAMILIES = {ZTS_CONSTANTS["ZTS_AF_INET"]: _stdlib.AF_INET, ZTS_CONSTANTS["ZTS_AF_INET6"]: _stdlib.AF_INET6}
_TYPES = {ZTS_CONSTANTS["ZTS_SOCK_STREAM"]: _stdlib.SOCK_STREAM, ZTS_CONSTANTS["ZTS_SOCK_DGRAM"]: _stdlib.SOCK_DGRAM,
          ZTS_CONSTANTS["ZTS_SOCK_RAW"]: _stdlib.SOCK_RAW}
_FAMILIES_BACK = {v: k for k, v in _FAMILIES.items()}
_TYPES_BACK = {v: k for k, v in _TYPES.items()}
_SHUT = {ZTS_CONSTANTS["ZTS_SHUT_RD"]: _stdlib.SHUT_RD, ZTS_CONSTANTS["ZTS_SHUT_WR"]: _stdlib.SHUT_WR,
         ZTS_CONSTANTS["ZTS_SHUT_RDWR"]: _stdlib.SHUT_RDWR}
_MSG = [(ZTS_CONSTANTS["ZTS_" + name], getattr(_stdlib, name))
        for name in ("MSG_PEEK", "MSG_WAITALL", "MSG_OOB", "MSG_DONTWAIT", "MSG_MORE") if hasattr(_stdlib, name)]
_ZTS_SOL_SOCKET = ZTS_CONSTANTS["ZTS_SOL_SOCKET"]


def _std_flags(flags: int) -> int:
    """ZTS_MSG_* flags as the stdlib's (which the base class takes)."""
    out = 0
    for zts, std in _MSG:
        if flags & zts:
            out |= std
            flags &= ~zts
    if flags:
        raise OSError(_errno.EOPNOTSUPP, f"message flags {flags:#x} are not ZTS_MSG_* flags libzt supports")
    return out


class ZtsSocket(_base.socket):
    """A libzt socket created with ``ZTS_*`` constants, taking ``ZTS_*`` flags and options."""

    def __init__(self, family: int = ZTS_CONSTANTS["ZTS_AF_INET"], type: int = ZTS_CONSTANTS["ZTS_SOCK_STREAM"],
                 proto: int = 0, fileno: Optional[int] = None) -> None:
        if family not in _FAMILIES:
            raise OSError(_errno.EAFNOSUPPORT, f"address family {family} is not ZTS_AF_INET or ZTS_AF_INET6")
        if type not in _TYPES:
            raise OSError(_errno.ESOCKTNOSUPPORT, f"socket type {type} is not a ZTS_SOCK_* type")
        super().__init__(_FAMILIES[family], _TYPES[type], proto, fileno)

    def _accepted(self, fd: int) -> ZtsSocket:
        return type(self)(_FAMILIES_BACK[self._family], _TYPES_BACK[self._type], self._proto, fileno=fd)

    def _option(self, level: int, optname: int) -> tuple[int, int]:
        if level == _stdlib.SOL_SOCKET and level != _ZTS_SOL_SOCKET:
            return super()._option(level, optname)  # the OS's SOL_SOCKET: translated
        return level, optname  # ZTS numbering, as zts_bsd_setsockopt takes it

    def setsockopt(self, level: int, optname: int, value: Union[int, bytes, None],  # type: ignore[override]
                   optlen: Optional[int] = None, /) -> int:
        """``ZTS_*`` level and option; ``value`` an int or the option's bytes. ``ZTS_ERR_OK``, as the
        official wheel answers (failures raise)."""
        super().setsockopt(level, optname, value, optlen)
        return ERR_OK

    def shutdown(self, how: int, /) -> None:
        if how not in _SHUT:
            raise OSError(_errno.EINVAL, f"shutdown: {how} is not ZTS_SHUT_RD, ZTS_SHUT_WR or ZTS_SHUT_RDWR")
        super().shutdown(_SHUT[how])

    # ---- data: ZTS_MSG_* flags -------------------------------------------------------------------

    def recv(self, bufsize: int, flags: int = 0, /) -> bytes:
        return super().recv(bufsize, _std_flags(flags))

    def recv_into(self, buffer: Any, nbytes: int = 0, flags: int = 0, /) -> int:
        return super().recv_into(buffer, nbytes, _std_flags(flags))

    def recvfrom(self, bufsize: int, flags: int = 0, /) -> tuple[bytes, Any]:
        return super().recvfrom(bufsize, _std_flags(flags))

    def recvfrom_into(self, buffer: Any, nbytes: int = 0, flags: int = 0, /) -> tuple[int, Any]:
        return super().recvfrom_into(buffer, nbytes, _std_flags(flags))

    def recvmsg(self, bufsize: int, ancbufsize: int = 0, flags: int = 0, /) -> tuple[bytes, list, int, Any]:
        return super().recvmsg(bufsize, ancbufsize, _std_flags(flags))

    def recvmsg_into(self, buffers: Iterable[Any], ancbufsize: int = 0, flags: int = 0,
                     /) -> tuple[int, list, int, Any]:
        return super().recvmsg_into(buffers, ancbufsize, _std_flags(flags))

    def send(self, data: Any, flags: int = 0, /) -> int:
        return super().send(data, _std_flags(flags))

    def sendall(self, data: Any, flags: int = 0, /) -> None:
        super().sendall(data, _std_flags(flags))

    def sendto(self, data: Any, flags_or_address: Any, address: Any = None, /) -> int:
        if address is None:
            return super().sendto(data, flags_or_address)
        return super().sendto(data, _std_flags(flags_or_address), address)

    def sendmsg(self, buffers: Iterable[Any], ancdata: Iterable[Any] = (), flags: int = 0,
                address: Any = None, /) -> int:
        return super().sendmsg(buffers, ancdata, _std_flags(flags), address)
