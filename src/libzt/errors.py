# SPDX-License-Identifier: Apache-2.0
"""Exceptions raised by libzt.

API misuse, bad input and refusals raise subclasses of :class:`ZeroTierError`; socket failures raise
the stdlib's own :class:`OSError` subclasses with real errno values, exactly like :mod:`socket`. Each
class also derives from the builtin exception it refines, so ``except ValueError`` /
``except LookupError`` / ``except PermissionError`` code written for those keeps working::

    ZeroTierError
     +-- ArgumentError (also ValueError)      ZTS_ERR_ARG: an argument was rejected
     |    +-- IdentityError                   a malformed or inconsistent identity
     |    +-- WorldError                      a malformed, unsigned or inconsistent world
     |    +-- WireError                       a packet that fails authentication or does not decode
     |    +-- NetconfError                    a malformed or badly signed network config, certificate,
     |    |                                   credential, config chunk or rule set
     |    +-- InvalidField                    controller: a JSON field of the wrong type, out of range
     |                                        or malformed (HTTP 400); ``field`` names it
     +-- ServiceError (also RuntimeError)     ZTS_ERR_SERVICE: the node is not in a state to do that
     +-- NoResultError (also LookupError)     ZTS_ERR_NO_RESULT: nothing to report (yet)
     |    +-- NotFoundError                   no such network or member: not joined, unknown to its
     |                                        controller, or (controller) not in its store (HTTP 404)
     +-- AccessDeniedError (also              the network's controller does not authorize this node
     |   PermissionError)
     +-- StoreError (also RuntimeError)       controller: its database could not be opened or used
     +-- GeneralError (also RuntimeError)     ZTS_ERR_GENERAL: an internal failure
     +-- ProxyError (libzt.proxy)             a SOCKS5/HTTP proxy request it cannot carry out; ``reply``
     |                                        is the SOCKS5 reply code
     +-- ClientError (libzt.controller.     a controller refused a request or could not be reached
     |   client)
     +-- HTTPError (libzt.controller.api)     the controller's HTTP API refuses a request (its status)

The last three are defined beside the code that raises them (their extra fields are that code's).
"""
from __future__ import annotations

from typing import NoReturn

from libzt._bindings import constants as _c


class ZeroTierError(Exception):
    """Base of every libzt-specific error."""


class ArgumentError(ZeroTierError, ValueError):
    """An argument was rejected (``ZTS_ERR_ARG``)."""


class IdentityError(ArgumentError):
    """A malformed or inconsistent ZeroTier identity."""


class WorldError(ArgumentError):
    """A malformed, badly signed or inconsistent world (planet or moon)."""


class WireError(ArgumentError):
    """A VL1 packet that fails its MAC check, uses an unusable cipher suite, or does not decode."""


class NetconfError(ArgumentError):
    """A network config, certificate, credential, config chunk or rule set that is malformed, badly
    signed or otherwise refused."""


class InvalidField(ArgumentError):
    """A JSON value given to the controller of the wrong type, out of range, or malformed. ``field``
    is its path (``routes[2].via``), ``problem`` what is wrong with it."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


class ServiceError(ZeroTierError, RuntimeError):
    """The node is not running, or not in a state that allows the call (``ZTS_ERR_SERVICE``)."""


class NoResultError(ZeroTierError, LookupError):
    """The call had nothing to return (``ZTS_ERR_NO_RESULT``)."""


class NotFoundError(NoResultError):
    """No such network or member: this node has not joined it, its controller does not know it, or
    (in the controller) it is not in the store."""


class AccessDeniedError(ZeroTierError, PermissionError):
    """The network's controller does not authorize this node (it must be authorized there first)."""


class StoreError(ZeroTierError, RuntimeError):
    """The controller's database could not be opened or used."""


class GeneralError(ZeroTierError, RuntimeError):
    """An internal failure (``ZTS_ERR_GENERAL``)."""


# The codes are the compiled library's (libzt._bindings.constants), defined there once.
_BY_CODE: dict[int, type[ZeroTierError]] = {
    _c.ERR_ARG: ArgumentError,
    _c.ERR_SERVICE: ServiceError,
    _c.ERR_NO_RESULT: NoResultError,
    _c.ERR_GENERAL: GeneralError,
}


def raise_for(code: int, message: str, arg_error: type[ArgumentError] = ArgumentError) -> NoReturn:
    """Raise the exception for a negative ZTS_ERR_* code; ``arg_error`` refines ZTS_ERR_ARG."""
    cls = arg_error if code == _c.ERR_ARG else _BY_CODE.get(code, GeneralError)
    raise cls(message)


def code_for(error: ZeroTierError) -> int:
    """The ZTS_ERR_* code an exception of this module stands for (the inverse of :func:`raise_for`)."""
    if isinstance(error, ArgumentError):
        return _c.ERR_ARG
    for code, cls in _BY_CODE.items():
        if isinstance(error, cls):
            return code
    return _c.ERR_GENERAL
