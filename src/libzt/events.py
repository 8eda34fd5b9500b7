# SPDX-License-Identifier: Apache-2.0
"""Events from the node: what happened (an :class:`EventCode`) and to whom.

The native core delivers events on a thread of its own; :mod:`libzt.node` turns each into an
:class:`Event` (plain Python data, safe to keep) and hands it to the application's callback and to
the node's event queue.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Optional


class EventCode(enum.IntEnum):
    """libzt's ``zts_event_t`` codes, plus libzt-for-Python extensions (300 and up)."""

    NODE_UP = 200
    NODE_ONLINE = 201
    NODE_OFFLINE = 202
    NODE_DOWN = 203
    NODE_FATAL_ERROR = 204
    NETWORK_NOT_FOUND = 210
    NETWORK_CLIENT_TOO_OLD = 211
    NETWORK_REQ_CONFIG = 212
    NETWORK_OK = 213
    NETWORK_ACCESS_DENIED = 214
    NETWORK_READY_IP4 = 215
    NETWORK_READY_IP6 = 216
    NETWORK_READY_IP4_IP6 = 217
    NETWORK_DOWN = 218
    NETWORK_UPDATE = 219
    STACK_UP = 220
    STACK_DOWN = 221
    NETIF_UP = 230
    NETIF_DOWN = 231
    NETIF_REMOVED = 232
    NETIF_LINK_UP = 233
    NETIF_LINK_DOWN = 234
    PEER_DIRECT = 240
    PEER_RELAY = 241
    PEER_UNREACHABLE = 242
    PEER_PATH_DISCOVERED = 243
    PEER_PATH_DEAD = 244
    ROUTE_ADDED = 250
    ROUTE_REMOVED = 251
    ADDR_ADDED_IP4 = 260
    ADDR_REMOVED_IP4 = 261
    ADDR_ADDED_IP6 = 262
    ADDR_REMOVED_IP6 = 263
    STORE_IDENTITY_SECRET = 270
    STORE_IDENTITY_PUBLIC = 271
    STORE_PLANET = 272
    STORE_PEER = 273
    STORE_NETWORK = 274
    USER_MESSAGE = 300
    ECHO_REPLY = 301


class PeerRole(enum.IntEnum):
    LEAF = 0
    MOON = 1
    PLANET = 2


@dataclass(frozen=True)
class PathInfo:
    """One physical path to a peer."""

    address: str  # IP address
    port: int
    last_tx: int  # ms
    last_rx: int  # ms
    latency: float
    expired: bool
    preferred: bool


@dataclass(frozen=True)
class PeerInfo:
    """A snapshot of what the node knows about a peer."""

    node_id: int
    version: Optional[tuple[int, int, int]]
    latency: Optional[int]  # ms
    role: PeerRole
    paths: tuple[PathInfo, ...] = ()

    @property
    def address(self) -> str:
        return f"{self.node_id:010x}"

    @property
    def direct(self) -> bool:
        """True if at least one path is alive (traffic does not go through a relay)."""
        return any(not p.expired for p in self.paths)


@dataclass(frozen=True)
class Event:
    code: EventCode
    node_id: Optional[int] = None  # NODE_* events
    port: Optional[int] = None  # NODE_* events
    peer: Optional[PeerInfo] = None  # PEER_*, USER_MESSAGE, ECHO_REPLY
    message_type: Optional[int] = None  # USER_MESSAGE
    data: bytes = b""  # USER_MESSAGE / ECHO_REPLY payload, STORE_* content
    rtt_ms: Optional[int] = None  # ECHO_REPLY
    network: Optional[dict] = None  # NETWORK_*: libzt.network info fields (id, status, ...); NETIF_*: id, mac, mtu
    address: Optional[str] = None  # ADDR_* events: "ip/bits"
    extra: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        parts = [self.code.name]
        if self.peer is not None:
            parts.append(f"peer={self.peer.address}")
        if self.message_type is not None:
            parts.append(f"type={self.message_type}")
        if self.network is not None:
            parts.append(f"network={self.network.get('id', 0):016x}")
        if self.address is not None:
            parts.append(self.address)
        if self.rtt_ms is not None:
            parts.append(f"rtt={self.rtt_ms}ms")
        if self.data:
            parts.append(f"{len(self.data)} bytes")
        return f"<Event {' '.join(parts)}>"
