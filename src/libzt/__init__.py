# SPDX-License-Identifier: Apache-2.0
"""libzt: a whole ZeroTier node inside a Python process.

Overview
    ``Identity`` and ``KeyPair`` are ZeroTier's keys; ``World`` is the signed list of root servers a
    node trusts (a planet). Nodes, networks and sockets build on them.

    ``libzt.socket`` is the standard library's :mod:`socket` API over the node's networks (with
    :func:`create_connection` and :func:`create_server` here too); ``libzt.aio`` is asyncio's streams,
    servers and datagram endpoints over them.

    libzt's documented API is here too, as in the official wheel: the ``ZeroTierNode`` methods
    ``init_*``, ``node_*``, ``net_*``, ``addr_*``; ``libzt.socket(libzt.ZTS_AF_INET,
    libzt.ZTS_SOCK_STREAM, 0)``; every ``ZTS_*`` constant and ``zts_*`` function of
    ``ZeroTierSockets.h`` (see :mod:`libzt._bindings.zts` for how Python values map to C's), and
    :func:`errno` for ``zts_errno``.

Usage
    >>> import libzt
    >>> me = libzt.Identity.generate()
    >>> me.validate()
    True
"""
from libzt._bindings import constants as _constants
from libzt._bindings import zts as _zts
from libzt.errors import (
    AccessDeniedError,
    ArgumentError,
    GeneralError,
    IdentityError,
    NetconfError,
    NoResultError,
    NotFoundError,
    ServiceError,
    WireError,
    WorldError,
    ZeroTierError,
)
from libzt.events import Event, EventCode, PathInfo, PeerInfo, PeerRole
from libzt.identity import Identity, KeyPair, verify_signature
from libzt.network import Dns, Network, NetworkStatus, NetworkType, Route, Tap
from libzt.node import ZeroTierNode
from libzt.socket import create_connection, create_server
from libzt.world import Root, World, WorldType

__version__ = "0.1.0"

# libzt's C API, as the official wheel has it at the top level: read from the compiled library.
globals().update(_constants.ZTS_CONSTANTS)
globals().update(_zts.FUNCTIONS)
errno = _constants.errno

__all__ = [
    "AccessDeniedError",
    "ArgumentError",
    "Dns",
    "Event",
    "EventCode",
    "GeneralError",
    "Identity",
    "IdentityError",
    "KeyPair",
    "NetconfError",
    "Network",
    "NetworkStatus",
    "NetworkType",
    "NoResultError",
    "NotFoundError",
    "PathInfo",
    "PeerInfo",
    "PeerRole",
    "Root",
    "Route",
    "ServiceError",
    "Tap",
    "WireError",
    "World",
    "WorldError",
    "WorldType",
    "ZeroTierError",
    "ZeroTierNode",
    "__version__",
    "create_connection",
    "create_server",
    "errno",
    "verify_signature",
    *_constants.ZTS_CONSTANTS,
    *_zts.FUNCTIONS,
]
