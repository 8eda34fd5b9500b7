# SPDX-License-Identifier: Apache-2.0
"""libzt: a whole ZeroTier node inside a Python process.

Overview
    ``Identity`` and ``KeyPair`` are ZeroTier's keys; ``World`` is the signed list of root servers a
    node trusts (a planet). Nodes, networks and sockets build on them.

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
    NoResultError,
    ServiceError,
    WireError,
    WorldError,
    ZeroTierError,
)
from libzt.identity import Identity, KeyPair, verify_signature
from libzt.world import Root, World, WorldType

__version__ = "0.1.0"

__all__ = [
    "ArgumentError",
    "GeneralError",
    "Identity",
    "IdentityError",
    "KeyPair",
    "NoResultError",
    "Root",
    "ServiceError",
    "WireError",
    "World",
    "WorldError",
    "WorldType",
    "ZeroTierError",
    "__version__",
    "verify_signature",
]
