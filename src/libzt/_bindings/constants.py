# SPDX-License-Identifier: Apache-2.0
"""Integer constants of ``ZeroTierSockets.h`` and ``libzt_ext.h``, as the compiled library has them.

cffi compiled the declarations in API mode with ``...`` for every value, so ``lib.ZTS_*`` are the
header's own numbers: nothing here is typed in twice.
"""
from __future__ import annotations

from libzt._bindings import ffi, lib


def _with_prefix(prefix: str) -> dict[str, int]:
    return {name: getattr(lib, name) for name in dir(lib)
            if name.startswith(prefix) and isinstance(getattr(lib, name), int)}


ZTS_CONSTANTS: dict[str, int] = _with_prefix("ZTS_")
"""Every integer ``ZTS_*`` constant of ZeroTierSockets.h (the function-like macros are not values)."""


def enum_members(prefix: str) -> dict[str, int]:
    """``{name without prefix: value}`` of the constants starting with ``prefix`` (e.g. "ZTS_EVENT_")."""
    return {name[len(prefix):]: value for name, value in ZTS_CONSTANTS.items() if name.startswith(prefix)}


ERR_OK = lib.ZTS_ERR_OK
ERR_SOCKET = lib.ZTS_ERR_SOCKET
ERR_SERVICE = lib.ZTS_ERR_SERVICE
ERR_ARG = lib.ZTS_ERR_ARG
ERR_NO_RESULT = lib.ZTS_ERR_NO_RESULT
ERR_GENERAL = lib.ZTS_ERR_GENERAL

EVENT_USER_MESSAGE = lib.ZTX_EVENT_USER_MESSAGE  # libzt-for-Python extensions to zts_event_t
EVENT_ECHO_REPLY = lib.ZTX_EVENT_ECHO_REPLY

ID_PAIR_MAX_LEN = lib.ZTS_ID_STR_BUF_LEN
IP_MAX_STR_LEN = lib.ZTS_IP_MAX_STR_LEN
MAX_NETWORK_SHORT_NAME_LENGTH = lib.ZTS_MAX_NETWORK_SHORT_NAME_LENGTH

_errno_location = lib.zts_errno_location


def errno() -> int:
    """``zts_errno`` of the calling thread: the reason of this thread's last failed socket call."""
    return int(_errno_location()[0])


def sizeof(ctype: str) -> int:
    return int(ffi.sizeof(ctype))
