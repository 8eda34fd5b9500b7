# SPDX-License-Identifier: Apache-2.0
"""``ZeroTierNode``: the ZeroTier node of this process.

As in libzt, a process runs one node at a time (the TCP/IP stack beneath keeps global state): a
second ``start()`` while one node runs raises :class:`~libzt.ServiceError`. A stopped node can be
started again, with the same or another configuration.

Usage::

    with ZeroTierNode(storage="./zt", roots=World.load("planet")) as node:
        node.wait_online(timeout=10)
        node.send_user_message(peer, 0x10000, b"hello")
        for event in node.events(timeout=5):
            print(event)
"""
from __future__ import annotations

import logging
import os
import queue
import threading
import time
from pathlib import Path
from typing import Any, Callable, Iterator, Optional, Union

from libzt import _lowlevel as ll
from libzt._native import ffi, lib
from libzt.errors import ArgumentError, ServiceError
from libzt.events import Event, EventCode, PathInfo, PeerInfo, PeerRole
from libzt.identity import Identity
from libzt.network import Network, parse_network_id
from libzt.world import World

log = logging.getLogger("libzt")

EventCallback = Callable[[Event], None]
PeerLike = Union[int, str, Identity]

_HISTORY_LIMIT = 10_000
_QUEUE_LIMIT = 10_000  # events() iterator backlog; the oldest go when nobody reads
_current_lock = threading.Lock()
_current: Optional[ZeroTierNode] = None  # the node whose events the native handler delivers


def _peer_id(peer: PeerLike) -> int:
    if isinstance(peer, Identity):
        return peer.node_id
    if isinstance(peer, str):
        try:
            value = int(peer, 16)
        except ValueError:
            raise ArgumentError(f"peer address must be 10 hex digits, not {peer!r}") from None
        if len(peer) != 10:
            raise ArgumentError(f"peer address must be 10 hex digits, not {peer!r}")
        return value
    if isinstance(peer, int) and not isinstance(peer, bool) and 0 < peer < 2**40:
        return peer
    raise ArgumentError(f"not a peer address: {peer!r}")


def _peer_from_fields(f: dict[str, Any]) -> PeerInfo:
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


def _event_from_native(msg: Any) -> Event:
    code = int(msg.event_code)
    try:
        kind = EventCode(code)
    except ValueError:
        kind = None
    peer = _peer_from_fields(ll.peer_info_fields(msg.peer)) if msg.peer != ffi.NULL else None
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
    if kind is None:
        return Event(EventCode.NODE_UP, extra={"unknown_code": code})
    network = ll.net_info_fields(msg.network) if msg.network != ffi.NULL else None
    address = None
    if msg.addr != ffi.NULL:
        nwid, address = ll.addr_info_text(msg.addr)
        network = {"id": nwid}
    if msg.netif != ffi.NULL:  # NETIF_* events: the network's interface
        network = {"id": int(msg.netif.net_id), "mac": int(msg.netif.mac), "mtu": int(msg.netif.mtu)}
    return Event(kind, node_id=node_id, port=port, peer=peer, data=data, network=network, address=address)


@ffi.def_extern()
def _libzt_event_handler(msg_ptr: Any) -> None:
    # Runs on the native event thread. Nothing may escape: an exception here would be printed by
    # cffi and the event lost, so failures are logged instead.
    try:
        event = _event_from_native(ffi.cast("zts_event_msg_t *", msg_ptr))
        with _current_lock:
            node = _current
        if node is not None:
            node._deliver(event)
    except Exception:  # pragma: no cover - defensive
        log.exception("libzt: failed to deliver an event")


class ZeroTierNode:
    """A ZeroTier node in this process.

    :param storage: directory for ``identity.secret``, ``roots`` and the other state files, in
        ZeroTier's layout; ``None`` keeps everything in memory (a new identity each start unless
        ``identity`` is given).
    :param roots: the planet to trust (a :class:`World` or its bytes); ``None`` uses the one in
        ``storage``, else ZeroTier's own.
    :param port: UDP port; 0 picks a random free one.
    :param identity: use this identity instead of the one in ``storage``.
    :param allow_loopback: let peers be reached over 127.0.0.1 / ::1. ZeroTier never does; useful
        for tests on one machine.
    :param peer_timeout: forget a peer not heard from for this many seconds (roots and controllers of
        joined networks are kept); ``None`` keeps ZeroTier's 30 s. Roots under load may shorten it.
    :param max_peers: at most this many peers; at the bound a new peer displaces the idlest one quiet
        for 10 s or more, or is refused. ``None`` keeps the default (65,536).
    :param peer_cache: remember peers and their paths in ``storage``/peers.d, so a restarted node
        reaches them again without asking a root (ZeroTier's peer cache; off by default as in libzt).
    :param on_event: called with every :class:`Event`, on the native event thread.
    """

    def __init__(
        self,
        storage: Union[str, os.PathLike[str], None] = None,
        roots: Union[World, bytes, None] = None,
        port: int = 0,
        *,
        identity: Union[Identity, str, None] = None,
        allow_loopback: bool = False,
        peer_timeout: Optional[float] = None,
        max_peers: Optional[int] = None,
        peer_cache: bool = False,
        on_event: Optional[EventCallback] = None,
    ) -> None:
        if not isinstance(port, int) or not 0 <= port <= 65535:
            raise ArgumentError(f"port must be 0..65535, not {port!r}")
        self._storage = Path(storage) if storage is not None else None
        self._roots = roots.to_bytes() if isinstance(roots, World) else (bytes(roots) if roots is not None else None)
        self._port = port
        if isinstance(identity, str):
            identity = Identity.from_string(identity)
        if identity is not None and not identity.has_secret:
            raise ArgumentError("identity must include its secret key")
        self._identity = identity
        if peer_timeout is not None and not (isinstance(peer_timeout, (int, float)) and 0.001 <= peer_timeout <= 86400):
            raise ArgumentError(f"peer_timeout must be 0.001..86400 seconds, not {peer_timeout!r}")
        if max_peers is not None and not (isinstance(max_peers, int) and 1 <= max_peers <= 2**32):
            raise ArgumentError(f"max_peers must be 1..2**32, not {max_peers!r}")
        self._allow_loopback = allow_loopback
        self._peer_timeout_ms = round(peer_timeout * 1000) if peer_timeout is not None else 0
        self._max_peers = max_peers or 0
        self._peer_cache = peer_cache
        self._callbacks: list[EventCallback] = [on_event] if on_event is not None else []
        self._user_message_hooks: list[Callable[[int, int, bytes], None]] = []
        self._events: queue.Queue[Event] = queue.Queue(maxsize=_QUEUE_LIMIT)
        self._history: list[Event] = []  # this run's events, for wait_for
        self._history_base = 0  # events of this run dropped from the front of _history
        self._state = threading.Condition()
        self._running = False
        self._online = False
        self._peer_events: dict[int, EventCode] = {}

    # ---- lifecycle -------------------------------------------------------------------------------

    def start(self) -> ZeroTierNode:
        global _current
        with _current_lock:
            if _current is not None and _current is not self:
                raise ServiceError("another ZeroTierNode is running in this process (libzt runs one per process)")
            if self._running:
                return self
            self._configure()
            self._history = []
            self._history_base = 0
            _current = self
        try:
            ll.node_call(lib.zts_node_start(), "zts_node_start failed: " + ll._error_message("could not start"))
        except BaseException:
            with _current_lock:
                _current = None
            raise
        with self._state:
            self._running = True
        return self

    def _configure(self) -> None:
        if lib.ztx_init_reset() != 0:
            raise ServiceError("the node of this process is still running")
        ll.node_call(lib.zts_init_set_event_handler(lib._libzt_event_handler), "event handler")
        if self._storage is not None:
            ll.node_call(lib.zts_init_from_storage(os.fsencode(self._storage)), "storage")
        if self._identity is not None:
            secret = self._identity.secret.encode("ascii")
            ll.node_call(lib.zts_init_from_memory(secret, len(secret)), "identity")
        if self._roots is not None:
            ll.node_call(lib.zts_init_set_roots(self._roots, len(self._roots)), "roots")
        if self._port:
            ll.node_call(lib.zts_init_set_port(self._port), "port")
        ll.node_call(lib.ztx_init_allow_loopback_paths(int(self._allow_loopback)), "loopback")
        ll.node_call(lib.zts_init_allow_peer_cache(int(self._peer_cache)), "peer cache")
        ll.node_call(lib.ztx_init_set_peer_limits(self._peer_timeout_ms, self._max_peers), "peer limits")

    def stop(self) -> None:
        """Stop the node (idempotent). It can be started again."""
        global _current
        with self._state:
            if not self._running:
                return
        lib.zts_node_stop()
        with self._state:
            self._running = False
            self._online = False
            self._state.notify_all()
        with _current_lock:
            if _current is self:
                _current = None

    close = stop

    def __enter__(self) -> ZeroTierNode:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __del__(self) -> None:
        try:
            self.stop()
        except Exception:
            pass

    # ---- state -----------------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._running

    @property
    def online(self) -> bool:
        """True while at least one root answers."""
        return self._running and lib.zts_node_is_online() == 1

    def wait_online(self, timeout: Optional[float] = None) -> None:
        """Block until the node is online; TimeoutError after ``timeout`` seconds."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._state:
            while not (self._online or (self._running and lib.zts_node_is_online() == 1)):
                if not self._running:
                    raise ServiceError("the node is not running")
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    raise TimeoutError(f"node not online after {timeout} s")
                self._state.wait(remaining)

    @property
    def id(self) -> int:
        self._require_running()
        return int(lib.zts_node_get_id())

    @property
    def address(self) -> str:
        return f"{self.id:010x}"

    @property
    def identity(self) -> Identity:
        self._require_running()
        buf = ffi.new("char[]", 384)
        size = ffi.new("unsigned int *", 384)
        ll.node_call(lib.zts_node_get_id_pair(buf, size), "identity")
        return Identity.from_string(ffi.string(buf, size[0]).decode("ascii"))

    @property
    def port(self) -> int:
        self._require_running()
        return ll.node_call(lib.zts_node_get_port(), "port")

    def peers(self) -> list[PeerInfo]:
        self._require_running()
        return [_peer_from_fields(f) for f in ll.node_peers()]

    def peer(self, peer: PeerLike) -> Optional[PeerInfo]:
        wanted = _peer_id(peer)
        return next((p for p in self.peers() if p.node_id == wanted), None)

    def stats(self) -> dict[str, int]:
        """Datagrams and packets in and out, relayed, and dropped by reason."""
        self._require_running()
        return ll.node_stats()

    def _require_running(self) -> None:
        if not self._running:
            raise ServiceError("the node is not running (call start() first)")

    # ---- messages ----------------------------------------------------------------------------------

    def send_user_message(self, peer: PeerLike, type: int, data: bytes = b"") -> None:
        """Send a ZeroTier USER_MESSAGE: ``type`` (above 65535 for applications) and up to 16 KiB."""
        self._require_running()
        if not isinstance(type, int) or not 0 <= type < 2**64:
            raise ArgumentError("type must be an unsigned 64-bit integer")
        payload = bytes(data)
        ll.node_call(lib.ztx_node_send_user_message(_peer_id(peer), type, payload, len(payload)), "user message")

    def on_user_message(self, hook: Callable[[int, int, bytes], None]) -> Callable[[int, int, bytes], None]:
        """Register ``hook(peer_id, type, data)`` for received USER_MESSAGEs (usable as a decorator)."""
        self._user_message_hooks.append(hook)
        return hook

    def ping(self, peer: PeerLike, timeout: float = 5.0, data: bytes = b"") -> int:
        """Send an ECHO and return the round-trip time in ms; TimeoutError if no answer."""
        self._require_running()
        target = _peer_id(peer)
        waiter: queue.Queue[Event] = queue.Queue()

        def catch(ev: Event) -> None:
            if ev.code is EventCode.ECHO_REPLY and ev.peer is not None and ev.peer.node_id == target:
                waiter.put(ev)

        self._callbacks.append(catch)
        try:
            payload = bytes(data)
            ll.node_call(lib.ztx_node_ping(target, payload, len(payload)), "ping")
            try:
                reply = waiter.get(timeout=timeout)
            except queue.Empty:
                raise TimeoutError(f"no ECHO reply from {target:010x} within {timeout} s") from None
            return int(reply.rtt_ms or 0)
        finally:
            self._callbacks.remove(catch)

    # ---- networks ----------------------------------------------------------------------------------

    def join(self, network: Union[int, str]) -> Network:
        """Join a network (asynchronous: see :meth:`Network.wait_ready`)."""
        self._require_running()
        nwid = parse_network_id(network)
        ll.node_call(lib.zts_net_join(nwid), "zts_net_join failed")
        return Network(self, nwid)

    def leave(self, network: Union[int, str]) -> None:
        self._require_running()
        ll.node_call(lib.zts_net_leave(parse_network_id(network)), "zts_net_leave failed")

    def networks(self) -> list[Network]:
        self._require_running()
        return [Network(self, nwid) for nwid in ll.network_ids()]

    def network(self, network: Union[int, str]) -> Network:
        nwid = parse_network_id(network)
        if nwid not in ll.network_ids():
            raise LookupError(f"not a member of network {nwid:016x}")
        return Network(self, nwid)

    def _wait_network(self, nwid: int, deadline: Optional[float]) -> None:
        """Wait for a network to be ready, or fail with the reason the controller gave."""

        def about(ev: Event) -> bool:
            return ev.network is not None and ev.network.get("id") == nwid

        with self._state:
            while True:
                if lib.zts_net_transport_is_ready(nwid) == 1:
                    return
                for ev in reversed(self._history):
                    if not about(ev):
                        continue
                    if ev.code is EventCode.NETWORK_ACCESS_DENIED:
                        raise PermissionError(f"network {nwid:016x}: access denied (the controller must authorize us)")
                    if ev.code is EventCode.NETWORK_NOT_FOUND:
                        raise LookupError(f"network {nwid:016x}: not found by its controller")
                    if ev.code in (EventCode.NETWORK_OK, EventCode.NETWORK_REQ_CONFIG, EventCode.NETWORK_UPDATE):
                        break  # a newer state than any denial above
                if not self._running:
                    raise ServiceError("the node is not running")
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    raise TimeoutError(f"network {nwid:016x} not ready in time")
                self._state.wait(remaining)

    # ---- events ------------------------------------------------------------------------------------

    def add_event_callback(self, callback: EventCallback) -> None:
        self._callbacks.append(callback)

    def events(self, timeout: Optional[float] = None) -> Iterator[Event]:
        """Yield events as they arrive; stops after ``timeout`` seconds without one."""
        while True:
            try:
                yield self._events.get(timeout=timeout)
            except queue.Empty:
                return

    def wait_for(
        self,
        code: EventCode,
        timeout: float,
        predicate: Optional[Callable[[Event], bool]] = None,
        since: int = 0,
    ) -> Event:
        """The first event of this run with ``code`` (and matching ``predicate``), waiting up to
        ``timeout`` seconds for it; TimeoutError otherwise. Events already delivered count, so there
        is no race with events that arrive before the call; ``since`` skips the first ``since`` events
        of the run (see :meth:`event_count`). Does not consume the :meth:`events` queue."""
        deadline = time.monotonic() + timeout
        with self._state:
            while True:
                for ev in self._history[max(0, since - self._history_base) :]:
                    if ev.code is code and (predicate is None or predicate(ev)):
                        return ev
                since = max(since, self._history_base + len(self._history))
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"no {code.name} event within {timeout} s")
                self._state.wait(remaining)

    def event_count(self) -> int:
        """How many events this run has delivered so far (for ``wait_for(since=...)``)."""
        with self._state:
            return self._history_base + len(self._history)

    def _deliver(self, event: Event) -> None:
        with self._state:
            if event.code in (EventCode.NODE_ONLINE, EventCode.NODE_OFFLINE, EventCode.NODE_DOWN):
                self._online = event.code is EventCode.NODE_ONLINE
            if len(self._history) >= _HISTORY_LIMIT:
                del self._history[: _HISTORY_LIMIT // 2]  # keep memory bounded on long runs
                self._history_base += _HISTORY_LIMIT // 2
            self._history.append(event)
            self._state.notify_all()
        while True:
            try:
                self._events.put_nowait(event)
                break
            except queue.Full:
                try:
                    self._events.get_nowait()  # nobody reads events(): keep the newest
                except queue.Empty:
                    pass
        if event.code is EventCode.USER_MESSAGE and event.peer is not None:
            for hook in list(self._user_message_hooks):
                try:
                    hook(event.peer.node_id, event.message_type or 0, event.data)
                except Exception:
                    log.exception("libzt: user message hook failed")
        for callback in list(self._callbacks):
            try:
                callback(event)
            except Exception:
                log.exception("libzt: event callback failed")

    def __repr__(self) -> str:
        state = "running" if self._running else "stopped"
        return f"<ZeroTierNode {self.address if self._running else ''} {state}>"
