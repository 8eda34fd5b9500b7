# SPDX-License-Identifier: Apache-2.0
"""Events from the node: what happened (an :class:`EventCode`) and to whom.

The native core delivers events on a thread of its own; :mod:`libzt.node` turns each into an
:class:`Event` (plain Python data, safe to keep) and hands it to the application's callback and to
the node's event queue.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from libzt._bindings.constants import EVENT_ECHO_REPLY, EVENT_USER_MESSAGE, library_enum

# The values are the compiled header's (ZTS_EVENT_*, ZTS_PEER_ROLE_*), not copies.
EventCode = library_enum(
    "EventCode", "ZTS_EVENT_", __name__,
    """libzt's ``zts_event_t`` codes (``EventCode.NODE_ONLINE`` is ``ZTS_EVENT_NODE_ONLINE``), plus
libzt-for-Python extensions (300 and up: ``USER_MESSAGE``, ``ECHO_REPLY``). A code the library does
not name reads as ``EventCode(n)``, named ``UNKNOWN_<n>`` with ``is_known`` False.""",
    USER_MESSAGE=EVENT_USER_MESSAGE, ECHO_REPLY=EVENT_ECHO_REPLY)

PeerRole = library_enum(
    "PeerRole", "ZTS_PEER_ROLE_", __name__,
    "What a peer is to this node: ``LEAF``, ``MOON`` or ``PLANET`` (a root).")


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
