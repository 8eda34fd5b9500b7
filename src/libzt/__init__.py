# SPDX-License-Identifier: Apache-2.0
"""libzt: a whole ZeroTier node inside a Python process.

Overview
    ``Identity`` and ``KeyPair`` are ZeroTier's keys; ``World`` is the signed list of root servers a
    node trusts (a planet). Nodes, networks and sockets build on them.

    ``libzt.socket`` is the standard library's :mod:`socket` API over the node's networks (with
    :func:`create_connection` and :func:`create_server` here too); ``libzt.aio`` is asyncio's streams,
    servers and datagram endpoints over them.

Usage
    >>> import libzt
    >>> me = libzt.Identity.generate()
    >>> me.validate()
    True
"""
from libzt.errors import (
    ArgumentError,
    GeneralError,
    IdentityError,
    NetconfError,
    NoResultError,
    ServiceError,
    WireError,
    WorldError,
    ZeroTierError,
)
from libzt.events import Event, EventCode, PathInfo, PeerInfo, PeerRole
from libzt.identity import Identity, KeyPair, verify_signature
from libzt.network import Network, NetworkStatus, NetworkType, Route, Tap
from libzt.node import ZeroTierNode
from libzt.socket import create_connection, create_server
from libzt.world import Root, World, WorldType

__version__ = "0.1.0"

__all__ = [
    "ArgumentError",
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
    "verify_signature",
]
