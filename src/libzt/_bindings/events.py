# SPDX-License-Identifier: Apache-2.0
"""The node's events: the native handler and the translation of ``zts_event_msg_t`` to :class:`Event`.

``_libzt_event_handler`` is the C function cffi generates from ``extern "Python"`` (ext/cdef/x_python.h);
``zts_init_set_event_handler`` installs it. It runs on the core's event thread, copies the message (the
pointers in it are valid only during the call) into an :class:`~libzt.events.Event` and hands that to
the one *sink* of the process (a node has one event stream), set with :func:`set_sink`.
"""
from __future__ import annotations

import logging
import threading
from typing import Any, Callable, Optional

from libzt._bindings import ffi, lib
from libzt._bindings import node as node_binding
from libzt.events import Event, EventCode, PathInfo, PeerInfo, PeerRole

log = logging.getLogger("libzt")

Sink = Callable[[Event], None]

_sink_lock = threading.Lock()
_sink: Optional[Sink] = None


def set_sink(sink: Optional[Sink]) -> None:
    """Where the events of the process go from now on (None: nowhere)."""
    global _sink
    with _sink_lock:
        _sink = sink


def install() -> int:
    """Make the native handler the node's event handler (``zts_init_set_event_handler``'s code)."""
    return int(lib.zts_init_set_event_handler(lib._libzt_event_handler))


def wait_delivered(timeout: float) -> bool:
    """Wait until every event posted so far has been handed to Python and its handling has ended
    (False after ``timeout``, or at once on the event thread itself)."""
    return int(lib.ztx_events_wait_idle(max(0, int(timeout * 1000)))) == 0


def peer_from_fields(f: dict[str, Any]) -> PeerInfo:
    return PeerInfo(
        node_id=f["node_id"],
        version=f["version"],
        latency=f["latency"],
        role=PeerRole(f["role"]),
        paths=tuple(PathInfo(**p) for p in f["paths"]),
    )


def _sender(node_id: int) -> PeerInfo:
    # Message events carry only the sender's address (describing the peer per message would cost
    # more than the message); node.peer(...) has the rest.
    return PeerInfo(node_id=int(node_id), version=None, latency=None, role=PeerRole.LEAF)


def event_from_message(msg: Any) -> Event:
    """An :class:`Event` from a ``zts_event_msg_t *`` (copied: nothing refers to the message after)."""
    kind = EventCode(int(msg.event_code))  # a code the library does not name: EventCode.UNKNOWN_<n>
    peer = peer_from_fields(node_binding.peer_info_fields(msg.peer)) if msg.peer != ffi.NULL else None
    if kind is EventCode.USER_MESSAGE:
        um = ffi.cast("ztx_user_message_t *", msg.cache)
        return Event(kind, peer=peer or _sender(um.peer_id), message_type=int(um.type),
                     data=bytes(ffi.buffer(um.data, um.len)))
    if kind is EventCode.ECHO_REPLY:
        er = ffi.cast("ztx_echo_reply_t *", msg.cache)
        return Event(kind, peer=peer or _sender(er.peer_id), rtt_ms=int(er.rtt_ms),
                     data=bytes(ffi.buffer(er.data, er.len)))
    node_id = int(msg.node.node_id) if msg.node != ffi.NULL else None
    port = int(msg.node.port_primary) if msg.node != ffi.NULL else None
    data = bytes(ffi.buffer(msg.cache, msg.len)) if msg.cache != ffi.NULL and msg.len > 0 else b""
    network = node_binding.net_info_fields(msg.network) if msg.network != ffi.NULL else None
    address = None
    if msg.addr != ffi.NULL:
        nwid, address = node_binding.addr_info_text(msg.addr)
        network = {"id": nwid}
    if msg.netif != ffi.NULL:  # NETIF_* events: the network's interface
        network = {"id": int(msg.netif.net_id), "mac": int(msg.netif.mac), "mtu": int(msg.netif.mtu)}
    return Event(kind, node_id=node_id, port=port, peer=peer, data=data, network=network, address=address)


def event_id(event: Event) -> int:
    """The ID an event is about, as libzt's language bindings pass it with the code: the node's for
    NODE_* events, the network's for NETWORK_*, NETIF_* and ADDR_* events, the peer's for
    PEER_* events and messages; 0 when there is none."""
    if event.peer is not None:
        return event.peer.node_id
    if event.network is not None:
        return int(event.network.get("id", 0))
    return event.node_id or 0


@ffi.def_extern()
def _libzt_event_handler(msg_ptr: Any) -> None:
    # Runs on the native event thread. Nothing may escape: an exception here would be printed by
    # cffi and the event lost, so failures are logged instead.
    try:
        event = event_from_message(ffi.cast("zts_event_msg_t *", msg_ptr))
        with _sink_lock:
            sink = _sink
        if sink is not None:
            sink(event)
    except Exception:  # pragma: no cover - defensive
        log.exception("libzt: failed to deliver an event")
