# SPDX-License-Identifier: Apache-2.0
"""``ZeroTierNode``: the ZeroTier node of this process.

As in libzt, a process runs one node at a time (the TCP/IP stack beneath keeps global state): a
second ``start()`` while one node runs raises :class:`~libzt.ServiceError`. A stopped node can be
started again, with the same or another configuration.

Two spellings of one node
    The Pythonic API: configuration in the constructor, exceptions, blocking waits, events as objects::

        with ZeroTierNode(storage="./zt", roots=World.load("planet")) as node:
            node.wait_online(timeout=10)
            node.send_user_message(peer, 0x10000, b"hello")
            for event in node.events(timeout=5):
                print(event)

    The API of libzt's documentation and official Python wheel (``init_*``, ``node_*``, ``net_*``,
    ``addr_*``), which returns the C API's values (``ZTS_ERR_OK``, a negative ``ZTS_ERR_*`` code, 1/0
    for questions) instead of raising::

        node = ZeroTierNode()
        node.init_from_storage("./zt")
        node.init_set_event_handler(lambda event_code, id: print(event_code, hex(id)))
        node.node_start()
        while not node.node_is_online():
            time.sleep(1)

    Both run the same code: an ``init_*`` call is the C call (its return value is C's), remembered
    with the constructor's settings and applied again at each start; ``node_start()`` is ``start()``
    with the exception turned back into its code.
"""
from __future__ import annotations

import atexit
import builtins  # the guide's methods take an argument named len, as C does
import logging
import os
import queue
import threading
import time
import weakref
from pathlib import Path
from typing import Any, Callable, Iterator, Optional, Union

from libzt._bindings import events as _native_events
from libzt._bindings import node as ll
from libzt._bindings import zts as _zts
from libzt._bindings.calls import error_message
from libzt._bindings.constants import ERR_OK, ERR_SERVICE, ZTS_CONSTANTS
from libzt.errors import (
    AccessDeniedError,
    ArgumentError,
    NoResultError,
    NotFoundError,
    ServiceError,
    ZeroTierError,
    code_for,
)
from libzt.events import Event, EventCode, PeerInfo
from libzt.identity import Identity
from libzt.network import Network, parse_network_id
from libzt.world import World

log = logging.getLogger("libzt")

AF_INET = ZTS_CONSTANTS["ZTS_AF_INET"]
AF_INET6 = ZTS_CONSTANTS["ZTS_AF_INET6"]

EventCallback = Callable[[Event], None]
GuideEventHandler = Callable[[int, int], Any]  # handler(event_code, id), as in libzt's guide
PeerLike = Union[int, str, Identity]
NetworkLike = Union[int, str]
InitCall = tuple[str, tuple[Any, ...]]  # a zts_init_* function's name and arguments

_HISTORY_LIMIT = 10_000
_DELIVERY_WAIT = 10.0  # seconds stop() waits for the events of the stop to be delivered
_QUEUE_LIMIT = 10_000  # events() iterator backlog; the oldest go when nobody reads
_current_lock = threading.Lock()
_current: Optional[ZeroTierNode] = None  # the running node
# The node the native handler delivers events to: the one started last, also after it stops (the
# events of its stop, NODE_DOWN and STACK_DOWN, arrive after zts_node_stop returns). Weak: a node
# the application dropped is not kept alive for its events.
_listener: Optional[weakref.ref[ZeroTierNode]] = None


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


def _dispatch(event: Event) -> None:
    # The sink of the native event handler once a ZeroTierNode has started.
    with _current_lock:
        node = _listener() if _listener is not None else None
    if node is not None:
        node._deliver(event)


def _network_id(network: NetworkLike) -> int:
    # The guide's calls pass the C function an int as it is (C judges it); text is parsed here.
    return parse_network_id(network) if isinstance(network, str) else network


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
        self._guide_handler: Optional[GuideEventHandler] = None
        self._init_calls: list[InitCall] = []  # zts_init_* calls made through the init_* methods
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
        """Start the node (it comes online in the background: see :meth:`wait_online`)."""
        global _current, _listener
        with _current_lock:
            if _current is not None and _current is not self:
                raise ServiceError("another ZeroTierNode is running in this process (libzt runs one per process)")
            if self._running:
                return self
            self._configure()
            self._history = []
            self._history_base = 0
            _current = self
            _listener = weakref.ref(self)
        try:
            ll.node_call(_zts.zts_node_start(), "zts_node_start failed: " + error_message("could not start"))
        except BaseException:
            with _current_lock:
                _current = None
            raise
        with self._state:
            self._running = True
        return self

    def _configure(self) -> None:
        if ll.init_reset() != 0:
            raise ServiceError("the node of this process is still running")
        _native_events.set_sink(_dispatch)
        ll.node_call(_native_events.install(), "event handler")
        if self._storage is not None:
            ll.node_call(_zts.zts_init_from_storage(os.fsencode(self._storage)), "storage")
        if self._identity is not None:
            secret = self._identity.secret
            ll.node_call(_zts.zts_init_from_memory(secret, len(secret)), "identity")
        if self._roots is not None:
            ll.node_call(_zts.zts_init_set_roots(self._roots, len(self._roots)), "roots")
        if self._port:
            ll.node_call(_zts.zts_init_set_port(self._port), "port")
        ll.node_call(ll.init_allow_loopback_paths(self._allow_loopback), "loopback")
        ll.node_call(_zts.zts_init_allow_peer_cache(int(self._peer_cache)), "peer cache")
        ll.node_call(ll.init_set_peer_limits(self._peer_timeout_ms, self._max_peers), "peer limits")
        for name, args in self._init_calls:  # the init_* calls, after the constructor's settings
            ll.node_call(_zts.FUNCTIONS[name](*args), name)

    def stop(self) -> None:
        """Stop the node (idempotent). It can be started again."""
        self._stop(_zts.zts_node_stop)

    def _stop(self, how: Callable[[], int]) -> int:
        """Stop (``how``: zts_node_stop or zts_node_free) if running; C's answer, or ZTS_ERR_SERVICE."""
        global _current
        with self._state:
            if not self._running:
                return ERR_SERVICE
        code = how()
        # zts_node_stop returns before its last events (STACK_DOWN, NODE_DOWN) are delivered: wait
        # for them, so that stop() leaves no delivery behind to run into an interpreter that is
        # shutting down (a process that stops its node and exits hung there now and then).
        _native_events.wait_delivered(_DELIVERY_WAIT)
        with self._state:
            self._running = False
            self._online = False
            self._state.notify_all()
        with _current_lock:
            if _current is self:
                _current = None
        return int(code)

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
        return self._running and _zts.zts_node_is_online() == 1

    def wait_online(self, timeout: Optional[float] = None) -> None:
        """Block until the node is online; TimeoutError after ``timeout`` seconds."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._state:
            while not (self._online or (self._running and _zts.zts_node_is_online() == 1)):
                if not self._running:
                    raise ServiceError("the node is not running")
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    raise TimeoutError(f"node not online after {timeout} s")
                self._state.wait(remaining)

    @property
    def id(self) -> int:
        self._require_running()
        return int(_zts.zts_node_get_id())

    @property
    def address(self) -> str:
        return f"{self.id:010x}"

    @property
    def identity(self) -> Identity:
        self._require_running()
        return Identity.from_string(ll.node_identity())

    @property
    def port(self) -> int:
        self._require_running()
        return ll.node_call(_zts.zts_node_get_port(), "port")

    def peers(self) -> list[PeerInfo]:
        self._require_running()
        return [_native_events.peer_from_fields(f) for f in ll.node_peers()]

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
        ll.send_user_message(_peer_id(peer), type, payload)

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
            ll.ping(target, payload)
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
        ll.node_call(_zts.zts_net_join(nwid), "zts_net_join failed")
        return Network(self, nwid)

    def leave(self, network: Union[int, str]) -> None:
        self._require_running()
        ll.node_call(_zts.zts_net_leave(parse_network_id(network)), "zts_net_leave failed")

    def networks(self) -> list[Network]:
        self._require_running()
        return [Network(self, nwid) for nwid in ll.network_ids()]

    def network(self, network: Union[int, str]) -> Network:
        nwid = parse_network_id(network)
        if nwid not in ll.network_ids():
            raise NotFoundError(f"not a member of network {nwid:016x}")
        return Network(self, nwid)

    def _wait_network(self, nwid: int, deadline: Optional[float]) -> None:
        """Wait for a network to be ready, or fail with the reason the controller gave."""

        def about(ev: Event) -> bool:
            return ev.network is not None and ev.network.get("id") == nwid

        with self._state:
            while True:
                if _zts.zts_net_transport_is_ready(nwid) == 1:
                    return
                for ev in reversed(self._history):
                    if not about(ev):
                        continue
                    if ev.code is EventCode.NETWORK_ACCESS_DENIED:
                        raise AccessDeniedError(
                            f"network {nwid:016x}: access denied (the controller must authorize us)")
                    if ev.code is EventCode.NETWORK_NOT_FOUND:
                        raise NotFoundError(f"network {nwid:016x}: not found by its controller")
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
        handler = self._guide_handler
        if handler is not None:
            try:
                handler(int(event.code), _native_events.event_id(event))
            except Exception:
                log.exception("libzt: event handler failed")

    # ---- the guide's API: libzt's documented calls, C's return values ---------------------------------
    # Same node, same code as above; these return what the C function returns instead of raising.

    def _init(self, name: str, *args: Any) -> int:
        """A zts_init_* call now (its code is the answer), and again at every start if it succeeded."""
        code = int(_zts.FUNCTIONS[name](*args))
        if code == ERR_OK:
            self._init_calls.append((name, args))
        return code

    def init_from_storage(self, storage_path: Union[str, os.PathLike[str]]) -> int:
        """Keep the identity and caches in this directory (a new identity is made there if it has
        none). ``ZTS_ERR_OK``, or ``ZTS_ERR_ARG`` / ``ZTS_ERR_SERVICE``."""
        return self._init("zts_init_from_storage", os.fsencode(storage_path))

    def init_from_memory(self, key: Union[str, bytes], len: Optional[int] = None) -> int:
        """Use this identity (``address:0:public:secret`` text, ``len`` bytes of it)."""
        data = key.encode("ascii") if isinstance(key, str) else bytes(key)
        return self._init("zts_init_from_memory", data, builtins.len(data) if len is None else len)

    def init_new_identity(self) -> int:
        """Use a new identity, made now (``zts_id_new``)."""
        secret = ll.new_identity()
        return self.init_from_memory(secret, builtins.len(secret))

    def init_set_event_handler(self, handler: GuideEventHandler) -> int:
        """Call ``handler(event_code, id)`` for every event, on the event thread: ``event_code`` a
        ``ZTS_EVENT_*`` value, ``id`` the node's, network's or peer's ID the event is about (0 if none)."""
        if not callable(handler):
            raise TypeError(f"the event handler must be callable, not {type(handler).__name__}")
        self._guide_handler = handler
        return ERR_OK

    def init_set_port(self, port: int) -> int:
        """The primary UDP port (0: a random free one)."""
        return self._init("zts_init_set_port", port)

    def init_set_roots(self, roots_data: Union[bytes, World], len: Optional[int] = None) -> int:
        """Trust this planet (a serialized world, as ``libzt world new`` writes it) instead of
        ZeroTier's. The world is checked: garbage is ``ZTS_ERR_ARG``."""
        data = roots_data.to_bytes() if isinstance(roots_data, World) else bytes(roots_data)
        return self._init("zts_init_set_roots", data, builtins.len(data) if len is None else len)

    def init_set_random_port_range(self, start_port: int, end_port: int) -> int:
        return self._init("zts_init_set_random_port_range", start_port, end_port)

    def init_allow_secondary_port(self, allowed: int) -> int:
        return self._init("zts_init_allow_secondary_port", int(allowed))

    def init_allow_port_mapping(self, allowed: int) -> int:
        return self._init("zts_init_allow_port_mapping", int(allowed))

    def init_set_low_bandwidth_mode(self, enabled: int) -> int:
        return self._init("zts_init_set_low_bandwidth_mode", int(enabled))

    def init_allow_net_cache(self, allowed: int) -> int:
        return self._init("zts_init_allow_net_cache", int(allowed))

    def init_allow_peer_cache(self, allowed: int) -> int:
        return self._init("zts_init_allow_peer_cache", int(allowed))

    def init_allow_roots_cache(self, allowed: int) -> int:
        return self._init("zts_init_allow_roots_cache", int(allowed))

    def init_allow_id_cache(self, allowed: int) -> int:
        return self._init("zts_init_allow_id_cache", int(allowed))

    def node_start(self) -> int:
        """:meth:`start`, answering ``ZTS_ERR_OK`` or the error's ``ZTS_ERR_*`` code (as C does,
        ``ZTS_ERR_SERVICE`` when the node already runs)."""
        if self._running:
            return ERR_SERVICE
        try:
            self.start()
        except ZeroTierError as exc:
            log.info("libzt: node_start: %s", exc)
            return code_for(exc)
        return ERR_OK

    def node_stop(self) -> int:
        """:meth:`stop`: ``zts_node_stop``'s answer, ``ZTS_ERR_SERVICE`` if this node is not running."""
        return self._stop(_zts.zts_node_stop)

    def node_free(self) -> int:
        """Stop the node and free the network stack for good (``zts_node_free``: no node can start in
        this process afterwards)."""
        with _current_lock:
            if _current is not None and _current is not self:
                return ERR_SERVICE  # another node object runs: not ours to free
        if self._running:
            return self._stop(_zts.zts_node_free)
        return int(_zts.zts_node_free())

    def node_is_online(self) -> int:
        """1 while at least one root answers, else 0 (``zts_node_is_online``)."""
        return int(_zts.zts_node_is_online())

    def is_online(self) -> bool:
        return self.node_is_online() == 1

    def node_id(self) -> int:
        """This node's 40-bit address (``zts_node_get_id``)."""
        return int(_zts.zts_node_get_id())

    get_id = node_id

    def net_join(self, net_id: NetworkLike) -> int:
        """Ask to join a network (``zts_net_join``); see :meth:`net_transport_is_ready`."""
        return int(_zts.zts_net_join(_network_id(net_id)))

    def net_leave(self, net_id: NetworkLike) -> int:
        return int(_zts.zts_net_leave(_network_id(net_id)))

    def net_transport_is_ready(self, net_id: NetworkLike) -> int:
        """1 once the network is configured and this node has an address and a route on it, else 0."""
        return int(_zts.zts_net_transport_is_ready(_network_id(net_id)))

    def addr_get_ipv4(self, net_id: NetworkLike) -> str:
        """This node's IPv4 address on the network; :class:`NoResultError` if none is assigned."""
        return self._address(net_id, AF_INET, "IPv4")

    def addr_get_ipv6(self, net_id: NetworkLike) -> str:
        """This node's IPv6 address on the network; :class:`NoResultError` if none is assigned."""
        return self._address(net_id, AF_INET6, "IPv6")

    def _address(self, net_id: NetworkLike, family: int, name: str) -> str:
        nwid = _network_id(net_id)
        address = ll.addr_get_str(nwid, family)
        if address is None:
            raise NoResultError(f"no {name} address has been assigned on network {nwid:016x}")
        return address

    def __repr__(self) -> str:
        state = "running" if self._running else "stopped"
        return f"<ZeroTierNode {self.address if self._running else ''} {state}>"


def _stop_at_exit() -> None:
    """A node still running when the interpreter exits is stopped first, while Python can still take
    its events: the core's threads must not deliver into an interpreter that is shutting down."""
    with _current_lock:
        node = _current
    if node is not None:
        try:
            node.stop()
        except Exception:  # pragma: no cover - exiting anyway
            log.exception("libzt: stopping the node at exit failed")


atexit.register(_stop_at_exit)
