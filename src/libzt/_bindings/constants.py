# SPDX-License-Identifier: Apache-2.0
"""Integer constants of ``ZeroTierSockets.h`` and ``libzt_ext.h``, as the compiled library has them.

cffi compiled the declarations in API mode with ``...`` for every value, so ``lib.ZTS_*`` and
``lib.ZTX_*`` are the headers' own numbers: nothing here is typed in twice. :func:`library_enum` makes
Python enums of them.
"""
from __future__ import annotations

import enum
import threading
from typing import Any

from libzt._bindings import ffi, lib


def _with_prefix(prefix: str) -> dict[str, int]:
    return {name: getattr(lib, name) for name in dir(lib)
            if name.startswith(prefix) and isinstance(getattr(lib, name), int)}


ZTS_CONSTANTS: dict[str, int] = _with_prefix("ZTS_")
"""Every integer ``ZTS_*`` constant of ZeroTierSockets.h (the function-like macros are not values)."""

_ALL_CONSTANTS: dict[str, int] = {**ZTS_CONSTANTS, **_with_prefix("ZTX_")}  # ZTX_*: libzt_ext.h


def enum_members(prefix: str) -> dict[str, int]:
    """``{name without prefix: value}`` of the constants starting with ``prefix`` (e.g. "ZTS_EVENT_",
    "ZTX_WIRE_SUITE_")."""
    return {name[len(prefix):]: value for name, value in _ALL_CONSTANTS.items() if name.startswith(prefix)}


class _LibraryEnum(enum.IntEnum):
    """An IntEnum whose members are a header's constants. A value the header does not name (a newer
    core, a corrupt message) is not an error and not mistaken for a known member: it becomes a
    stand-in named ``UNKNOWN_<value>`` (``is_known`` False) that keeps the number."""

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if not isinstance(value, int) or isinstance(value, bool):
            return None
        with _unknown_lock:  # one stand-in per value, so ``is`` compares them as it does members
            stand_in = _unknown.get((cls, value))
            if stand_in is None:
                stand_in = int.__new__(cls, value)
                stand_in._name_ = f"UNKNOWN_{value}"
                stand_in._value_ = value
                if len(_unknown) < _UNKNOWN_KEPT:  # bounded: a stream of garbage codes must not grow it
                    _unknown[(cls, value)] = stand_in
        return stand_in

    @property
    def is_known(self) -> bool:
        """False for a value the compiled header has no name for."""
        return self._name_ in type(self).__members__


_unknown: dict[tuple[type, int], Any] = {}
_UNKNOWN_KEPT = 256
_unknown_lock = threading.Lock()


def library_enum(name: str, prefix: str, module: str, doc: str, **extra: int) -> Any:
    """An IntEnum named ``name`` of the constants starting with ``prefix`` (prefix dropped, sorted by
    value), plus ``extra`` members; unknown values read as ``UNKNOWN_<value>`` (see ``_LibraryEnum``)."""
    members = dict(sorted({**enum_members(prefix), **extra}.items(), key=lambda item: item[1]))
    cls = _LibraryEnum(name, members, module=module)  # type: ignore[call-overload]
    cls.__doc__ = doc
    return cls


ERR_OK = lib.ZTS_ERR_OK
ERR_SOCKET = lib.ZTS_ERR_SOCKET
ERR_SERVICE = lib.ZTS_ERR_SERVICE
ERR_ARG = lib.ZTS_ERR_ARG
ERR_NO_RESULT = lib.ZTS_ERR_NO_RESULT
ERR_GENERAL = lib.ZTS_ERR_GENERAL

EVENT_USER_MESSAGE = lib.ZTX_EVENT_USER_MESSAGE  # libzt-for-Python extensions to zts_event_t
EVENT_ECHO_REPLY = lib.ZTX_EVENT_ECHO_REPLY

PUBLIC_KEY_LEN = lib.ZTX_PUBLIC_KEY_LEN  # sizes of keys and signatures (libzt_ext.h)
PRIVATE_KEY_LEN = lib.ZTX_PRIVATE_KEY_LEN
KEY_PAIR_LEN = lib.ZTX_KEY_PAIR_LEN
SIGNATURE_LEN = lib.ZTX_SIGNATURE_LEN
SYMMETRIC_KEY_LEN = lib.ZTX_SYMMETRIC_KEY_LEN
WIRE_MAX_PACKET_LEN = lib.ZTX_WIRE_MAX_PACKET_LEN
WIRE_MAX_FRAGMENTS = lib.ZTX_WIRE_MAX_FRAGMENTS

ID_PAIR_MAX_LEN = lib.ZTS_ID_STR_BUF_LEN
IP_MAX_STR_LEN = lib.ZTS_IP_MAX_STR_LEN
MAX_NETWORK_SHORT_NAME_LENGTH = lib.ZTS_MAX_NETWORK_SHORT_NAME_LENGTH

_errno_location = lib.zts_errno_location


def errno() -> int:
    """``zts_errno`` of the calling thread: the reason of this thread's last failed socket call."""
    return int(_errno_location()[0])


def sizeof(ctype: str) -> int:
    return int(ffi.sizeof(ctype))
