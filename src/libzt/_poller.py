# SPDX-License-Identifier: Apache-2.0
"""Readiness of libzt sockets for event loops: one thread per node run, not one per socket.

libzt sockets are not OS file descriptors, so an event loop cannot watch them itself. The poller
thread waits in ``zts_bsd_poll`` (GIL released) over every socket some loop is waiting on, and when
sockets become ready it schedules their callbacks on their loops with ``call_soon_threadsafe``, one
call per loop and round.

Interests are one-shot, like EPOLLONESHOT: a callback fires once and its interest is gone, so a
socket that stays readable until the loop gets around to reading it cannot make the poller spin.
The transport re-arms after it has read.

Waking the poller. When a loop adds an interest the current ``zts_bsd_poll`` does not cover, the
poller must start over, promptly and without polling on a timer. It is woken the way asyncio's own
selector loop wakes itself (a self-pipe): the poll always includes a UDP socket of the stack bound
to 127.0.0.1, and a waker sends it one datagram through the stack's loopback interface. Only
zts_bsd_* calls are involved, wakes are coalesced (one datagram until the poller has drained it),
and interests the current poll already covers cost no wake at all.

Closing. A socket must not be closed while the poller may be inside zts_bsd_poll with it (the close
would wait for the poll and end it with EBADF). :meth:`Poller.close` therefore hands such a socket
to the poller, which closes it between two polls; other sockets close at once.

When the node stops, zts_bsd_poll ends with ENETDOWN: every pending callback fires (each finds its
socket failing with the real error) and the poller is done; the next node run gets a new one.
"""
from __future__ import annotations

import asyncio
import errno
import logging
import threading
from typing import Callable, Dict, List, Optional, Tuple

from libzt._bindings import sockets as _ll

log = logging.getLogger("libzt")

POLLIN = _ll.POLLIN
POLLOUT = _ll.POLLOUT
_FAILED = _ll.POLLERR | _ll.POLLHUP | _ll.POLLNVAL

Callback = Callable[[], None]
_Interest = Tuple[asyncio.AbstractEventLoop, Callback]


class Poller:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._wake_lock = threading.Lock()  # a wake never goes out on a descriptor closed (and reused)
        self._interest: Dict[int, Dict[int, _Interest]] = {}  # fd -> {POLLIN/POLLOUT: (loop, callback)}
        self._polled: Dict[int, int] = {}  # what the poll in progress covers
        self._polling = False
        self._wake_pending = False
        self._to_close: List[int] = []
        self._dead: Optional[OSError] = None
        self._stop = False
        self._wake_rx = _ll.socket(_ll.AF_INET, _ll.SOCK_DGRAM, 0)
        self._wake_tx = _ll.socket(_ll.AF_INET, _ll.SOCK_DGRAM, 0)
        try:
            for fd in (self._wake_rx, self._wake_tx):
                _ll.set_nonblocking(fd, True)
            _ll.bind(self._wake_rx, (_ll.AF_INET, bytes([127, 0, 0, 1]), 0, 0, 0))
            self._wake_addr = _ll.getsockname(self._wake_rx)
        except BaseException:
            _ll.close(self._wake_rx)
            _ll.close(self._wake_tx)
            raise
        self._thread = threading.Thread(target=self._run, name="libzt-poller", daemon=True)
        self._thread.start()

    @property
    def dead(self) -> bool:
        return self._dead is not None

    # ---- what loops call ---------------------------------------------------------------------------

    def add(self, fd: int, events: int, loop: asyncio.AbstractEventLoop, callback: Callback) -> None:
        """Call ``callback`` on ``loop`` once ``fd`` is ready for ``events`` (POLLIN or POLLOUT), has
        failed, or the node has stopped. Replaces an earlier interest in the same event."""
        with self._lock:
            if self._dead is not None:
                dead = True
            else:
                dead = False
                self._interest.setdefault(fd, {})[events] = (loop, callback)
                wake = self._needs_wake_locked(fd, events)
        if dead:
            loop.call_soon(callback)
        elif wake:
            self._send_wake()

    def remove(self, fd: int, events: int = POLLIN | POLLOUT) -> None:
        """Forget interests (no wake: a poll that still covers them ends harmlessly)."""
        with self._lock:
            per_fd = self._interest.get(fd)
            if per_fd is None:
                return
            for ev in (POLLIN, POLLOUT):
                if events & ev:
                    per_fd.pop(ev, None)
            if not per_fd:
                del self._interest[fd]

    def close(self, fd: int) -> None:
        """Forget the socket's interests and close it, now or (if a poll covers it) right after."""
        with self._lock:
            self._interest.pop(fd, None)
            deferred = self._dead is None and self._polling and fd in self._polled
            if deferred:
                self._to_close.append(fd)
                wake = not self._wake_pending
                self._wake_pending = True
        if not deferred:
            _close_quietly(fd)
        elif wake:
            self._send_raw_wake()

    def interest_count(self) -> int:
        """How many (socket, event) interests are registered (for tests and diagnostics)."""
        with self._lock:
            return sum(len(v) for v in self._interest.values())

    def shutdown(self) -> None:
        """Stop the thread (tests; a node stop ends it by itself)."""
        with self._lock:
            self._stop = True
        self._send_wake()
        self._thread.join(5)

    # ---- waking --------------------------------------------------------------------------------

    def _needs_wake_locked(self, fd: int, events: int) -> bool:
        if not self._polling or (self._polled.get(fd, 0) & events):
            return False  # between polls the next one sees it; or the poll covers it already
        if self._wake_pending:
            return False
        self._wake_pending = True
        return True

    def _send_wake(self) -> None:
        with self._lock:
            if self._dead is not None:
                return
            self._wake_pending = True
        self._send_raw_wake()

    def _send_raw_wake(self) -> None:
        with self._wake_lock:
            if self._dead is not None:
                return
            try:
                _ll.sendto(self._wake_tx, b"\0", 0, self._wake_addr)
            except OSError:
                pass  # the node stopped: the poll ends on its own

    # ---- the thread ------------------------------------------------------------------------------

    def _run(self) -> None:
        pollset = _ll.PollSet()
        try:
            while True:
                with self._lock:
                    if self._stop:
                        break
                    fds = [(self._wake_rx, POLLIN)]
                    for fd, per_fd in self._interest.items():
                        mask = 0
                        for ev in per_fd:
                            mask |= ev
                        fds.append((fd, mask))
                    self._polled = dict(fds)
                    self._polling = True
                pollset.set(fds)
                try:
                    ready = pollset.poll(-1)
                except OSError as exc:
                    if exc.errno != errno.EBADF:
                        raise
                    ready = []  # a socket was closed under the poll: the next round reports it
                self._dispatch(ready)
        except OSError as exc:  # ENETDOWN: the node stopped
            self._die(exc)
        except BaseException as exc:  # pragma: no cover - a bug: fail loudly, and fail the waiters
            log.exception("libzt poller failed")
            self._die(OSError(errno.EIO, str(exc)))
        else:
            self._die(OSError(errno.ESHUTDOWN, "poller stopped"))

    def _dispatch(self, ready: List[Tuple[int, int]]) -> None:
        by_loop: Dict[asyncio.AbstractEventLoop, List[Callback]] = {}
        with self._lock:
            self._polling = False
            self._polled = {}
            to_close, self._to_close = self._to_close, []
            for fd, revents in ready:
                if fd == self._wake_rx:
                    self._drain_wake_locked()
                    continue
                per_fd = self._interest.get(fd)
                if not per_fd:
                    continue
                fired = list(per_fd) if revents & _FAILED else [ev for ev in per_fd if revents & ev]
                for ev in fired:
                    loop, callback = per_fd.pop(ev)
                    by_loop.setdefault(loop, []).append(callback)
                if not per_fd:
                    del self._interest[fd]
        for fd in to_close:
            _close_quietly(fd)
        for loop, callbacks in by_loop.items():
            _schedule(loop, callbacks)

    def _drain_wake_locked(self) -> None:
        self._wake_pending = False
        while _ll.recv(self._wake_rx, 16, 0) is not None:
            pass

    def _die(self, exc: OSError) -> None:
        by_loop: Dict[asyncio.AbstractEventLoop, List[Callback]] = {}
        with self._wake_lock, self._lock:
            self._dead = exc
            self._polling = False
            for per_fd in self._interest.values():
                for loop, callback in per_fd.values():
                    by_loop.setdefault(loop, []).append(callback)
            self._interest.clear()
            to_close, self._to_close = self._to_close, []
            for fd in (self._wake_rx, self._wake_tx):
                _close_quietly(fd)
        for fd in to_close:
            _close_quietly(fd)
        for loop, callbacks in by_loop.items():
            _schedule(loop, callbacks)


def _run_all(callbacks: List[Callback]) -> None:
    for callback in callbacks:
        callback()  # transports catch their own errors; a bug here reaches the loop's handler


def _schedule(loop: asyncio.AbstractEventLoop, callbacks: List[Callback]) -> None:
    try:
        loop.call_soon_threadsafe(_run_all, callbacks)
    except RuntimeError:
        pass  # that loop is closed: nobody is waiting any more


def _close_quietly(fd: int) -> None:
    try:
        _ll.close(fd)
    except OSError:
        pass


_current: Optional[Poller] = None
_current_lock = threading.Lock()


def get() -> Poller:
    """The poller of the running node (started on first use)."""
    global _current
    with _current_lock:
        if _current is None or _current.dead:
            _current = Poller()
        return _current


def current() -> Optional[Poller]:
    """The poller if one is running (for tests and diagnostics)."""
    with _current_lock:
        return _current if _current is not None and not _current.dead else None
