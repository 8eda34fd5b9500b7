# SPDX-License-Identifier: Apache-2.0
"""The controller: config requests in, decisions out, and the API's changes pushed to members.

::

    core (event thread) --submit()--> queue --worker--> process(): store tx + decide() --> CoreLink
    REST API ----------> create/update/delete_*() --> store tx --> push / revoke jobs --> queue

:class:`Controller` never blocks the core: :meth:`Controller.submit` only rate-limits (one request per
member and network per second, as zerotier-one) and queues. A worker thread decides requests in a
database transaction (network row locked, member read, decision, member saved; requests that queued
up meanwhile share it) and answers only after the commit, so whatever a member was told survives a
crash.

The core is reached through :class:`CoreLink` (respond, respond_error, push, revoke): the real one is
:class:`libzt._bindings.controller.NativeCoreLink`; tests and the benchmark use a fake that records calls.
"""
from __future__ import annotations

import logging
import queue
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Protocol, Sequence, Union

from libzt.controller import models
from libzt.controller.assign import Grant, NetworkSummary, Refusal, decide
from libzt.controller.db import Store
from libzt.controller.netconf import ConfigRequest, NetconfSpec, RefusalCode
from libzt.errors import NotFoundError

log = logging.getLogger("libzt.controller")

MIN_REQUEST_PERIOD_MS = 1000  # ZT_NETCONF_MIN_REQUEST_PERIOD
ONLINE_WINDOW_MS = 120_000  # a member that asked within 2 x 60 s is online: changes are pushed to it
_STATUS_PRUNE_AT = 65536
BATCH_MAX = 64  # requests decided in one transaction
# Requests waiting for a worker. Any identity may ask, for any of 2^24 network IDs under our address:
# past this a flood is dropped, not queued (a member that is really there asks again).
MAX_QUEUED_REQUESTS = 4096
_NOTHING = object()  # no job taken after a batch (None is stop()'s)


class CoreLink(Protocol):
    """What the controller asks of the core (``ztx_controller_*``)."""

    def respond(self, request_id: int, spec: NetconfSpec) -> None: ...

    def respond_error(self, request_id: int, error: RefusalCode) -> None: ...

    def push(self, spec: NetconfSpec) -> None: ...

    def revoke(self, network_id: int, member_id: int, notify: Sequence[int]) -> None: ...


NotFound = NotFoundError  # no such network or member (HTTP 404); the controller's name for it


def now_ms() -> int:
    return int(time.time() * 1000)


@dataclass
class _MemberStatus:
    last_request: int = 0  # ms
    identity: str = ""
    metadata: Optional[dict[str, str]] = None  # of the member's last request
    from_address: str = ""


@dataclass
class Stats:
    requests: int = 0
    rate_limited: int = 0
    answered: int = 0
    refused: int = 0
    pushed: int = 0
    revoked: int = 0
    failed: int = 0
    overloaded: int = 0  # requests dropped with MAX_QUEUED_REQUESTS waiting
    by_error: dict[str, int] = field(default_factory=dict)


class _AllocatedIps:
    """``ip in allocated`` as one indexed query per candidate: a new member's first candidate is
    usually free, so this beats reading every address of a large network."""

    def __init__(self, tx: Any, nwid: str) -> None:
        self._tx, self._nwid = tx, nwid

    def __contains__(self, ip: object) -> bool:
        return isinstance(ip, str) and self._tx.ip_allocated(self._nwid, ip)


class Controller:
    """Decides network configs for the networks of controller ``address`` (nwid >> 24)."""

    def __init__(
        self,
        store: Store,
        link: CoreLink,
        address: int,
        *,
        workers: int = 1,
        clock: Callable[[], int] = now_ms,
    ) -> None:
        self.store = store
        self.link = link
        self.address = address
        self.stats = Stats()
        self._clock = clock
        self._jobs: queue.Queue[Union[ConfigRequest, Callable[[], None], None]] = queue.Queue()
        self._status: dict[tuple[int, int], _MemberStatus] = {}
        self._status_lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._workers = max(1, workers)
        self._started_at = clock()

    # ---- lifecycle ----

    def start(self) -> Controller:
        self._started_at = self._clock()
        if not self._threads:
            for i in range(self._workers):
                t = threading.Thread(target=self._work, name=f"libzt-controller-{i}", daemon=True)
                t.start()
                self._threads.append(t)
        return self

    def stop(self) -> None:
        for _ in self._threads:
            self._jobs.put(None)
        for t in self._threads:
            t.join()
        self._threads.clear()

    def __enter__(self) -> Controller:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def wait_idle(self) -> None:
        """Block until every queued request, push and revocation has been handled."""
        self._jobs.join()

    def _work(self) -> None:
        while True:
            job = self._jobs.get()
            if isinstance(job, ConfigRequest):
                # Group commit: requests already waiting share one transaction (one fsync), which is
                # what a burst of joining members costs; whatever else was queued runs after them
                # (stop()'s None included: taken here, it must still end the loop).
                batch: list[ConfigRequest] = [job]
                after: object = _NOTHING
                while len(batch) < BATCH_MAX:
                    try:
                        queued = self._jobs.get_nowait()
                    except queue.Empty:
                        break
                    if not isinstance(queued, ConfigRequest):
                        after = queued
                        break
                    batch.append(queued)
                self._run(lambda b=batch: self.process_batch(b), len(batch))
                if after is _NOTHING:
                    continue
                job = after  # type: ignore[assignment]
            if job is None:
                self._jobs.task_done()
                return
            self._run(job, 1)

    def _run(self, job: Callable[[], Any], count: int) -> None:
        try:
            job()
        except Exception:
            self.stats.failed += 1
            log.exception("controller: a job failed")
        finally:
            for _ in range(count):
                self._jobs.task_done()

    # ---- requests from the core ----

    def submit(self, request: ConfigRequest) -> bool:
        """Queue a request (called on the core's thread: never blocks). False if dropped: not ours,
        a repeat within a second, or MAX_QUEUED_REQUESTS already waiting."""
        if request.network_id >> 24 != self.address:
            return False
        if self._jobs.qsize() >= MAX_QUEUED_REQUESTS:
            self.stats.overloaded += 1
            return False
        now = self._clock()
        key = (request.network_id, request.member_id)
        with self._status_lock:
            status = self._status.get(key)
            if status is None:
                if len(self._status) >= _STATUS_PRUNE_AT:
                    self._prune_status(now)
                status = self._status[key] = _MemberStatus()
            elif request.request_id and now - status.last_request <= MIN_REQUEST_PERIOD_MS:
                self.stats.rate_limited += 1
                return False
            if request.request_id:
                status.last_request = now
                status.from_address = request.from_address
        self._jobs.put(request)
        return True

    def _prune_status(self, now: int) -> None:
        for key in [k for k, s in self._status.items() if now - s.last_request >= ONLINE_WINDOW_MS]:
            del self._status[key]

    def process(self, request: ConfigRequest) -> Any:
        """Decide one request (in one transaction), then answer it; returns the decision."""
        return self.process_batch([request])[0]

    def process_batch(self, requests: Sequence[ConfigRequest]) -> list[Any]:
        """Decide requests in one transaction, then answer them; returns the decisions. If the batch
        fails, each request is tried alone, so one bad request cannot sink the others."""
        self.stats.requests += len(requests)
        now = self._clock()
        try:
            with self.store.write() as tx:
                decisions = [self._decide(tx, r, now) for r in requests]
        except Exception:
            if len(requests) == 1:
                raise
            self.stats.requests -= len(requests)
            out = []
            for r in requests:
                try:
                    out.extend(self.process_batch([r]))
                except Exception:
                    self.stats.failed += 1
                    log.exception("controller: a request failed")
                    out.append(None)
            return out
        # Committed: now they may be told.
        for request, decision in zip(requests, decisions):
            self._answer(request, decision)
        return decisions

    def _decide(self, tx: Any, request: ConfigRequest, now: int) -> Any:
        nwid, mid = models.nwid_str(request.network_id), models.address_str(request.member_id)
        network = tx.get_network(nwid, lock=True)
        member = tx.get_member(nwid, mid) if network is not None else None
        summary = NetworkSummary(tx.active_bridges(nwid) if network is not None else [],
                                 lambda: _AllocatedIps(tx, nwid))
        decision = decide(request, network, member, summary, now)
        if decision.member is not None:
            decision.member, _, _ = tx.save_member(decision.member)
        return decision

    def _answer(self, request: ConfigRequest, decision: Any) -> None:
        if request.request_id:
            # Remembered whatever the decision, so that authorizing a refused member pushes its
            # config at once instead of waiting for the member's next request.
            with self._status_lock:
                status = self._status.setdefault((request.network_id, request.member_id), _MemberStatus())
                status.identity = request.identity
                status.metadata = dict(request.metadata)
        if isinstance(decision, Grant):
            if request.request_id:
                self.link.respond(request.request_id, decision.spec)
                self.stats.answered += 1
            else:
                self.link.push(decision.spec)
                self.stats.pushed += 1
        elif isinstance(decision, Refusal) and request.request_id:
            self.link.respond_error(request.request_id, decision.error)
            self.stats.refused += 1
            self.stats.by_error[decision.error.name] = self.stats.by_error.get(decision.error.name, 0) + 1

    # ---- who is online ----

    def online_members(self, network_id: int) -> list[int]:
        now = self._clock()
        with self._status_lock:
            return sorted(m for (n, m), s in self._status.items()
                          if n == network_id and now - s.last_request < ONLINE_WINDOW_MS)

    def _push_to(self, network_id: int, member_ids: Sequence[int]) -> None:
        now = self._clock()
        for mid in member_ids:
            with self._status_lock:
                s = self._status.get((network_id, mid))
                if s is None or s.metadata is None or now - s.last_request >= ONLINE_WINDOW_MS:
                    continue
                request = ConfigRequest(0, network_id, mid, s.identity, dict(s.metadata), s.from_address)
            self._jobs.put(request)

    def _revoke(self, network_id: int, member_id: int) -> None:
        notify = self.online_members(network_id)
        if self._clock() - self._started_at < ONLINE_WINDOW_MS:
            # Who is online lives in memory: for one window after a (re)start it is not known yet, so
            # every authorized member hears of the revocation rather than only those seen so far.
            with self.store.read() as tx:
                members = tx.members(models.nwid_str(network_id))
            notify = sorted(set(notify) | {int(m["id"], 16) for m in members if m.get("authorized") is True})

        def job() -> None:
            self.link.revoke(network_id, member_id, notify)
            self.stats.revoked += 1

        self._jobs.put(job)

    # ---- changes from the API ----

    def create_network(self, body: Any) -> models.Record:
        """A new network with a random ID under this controller's address."""
        now = self._clock()
        probe = models.update_network(models.new_network(self.address << 24 | 1, now), body)  # 400s first
        for _ in range(100_000):
            nwid = (self.address << 24) | secrets.randbits(24)
            if nwid & 0xFFFFFF == 0:
                nwid |= 1
            record = dict(probe, id=models.nwid_str(nwid), nwid=models.nwid_str(nwid))
            with self.store.write() as tx:
                if tx.insert_network(record):
                    return tx.get_network(record["id"]) or record
        raise RuntimeError("no free network ID left under this controller")

    def update_network(self, network_id: int, body: Any) -> models.Record:
        """Create or update a network (as POST /controller/network/NWID)."""
        nwid = models.nwid_str(network_id)
        with self.store.write() as tx:
            current = tx.get_network(nwid, lock=True) or models.new_network(network_id, self._clock())
            stored, changed = tx.save_network(models.update_network(current, body))
        if changed:
            self._push_to(network_id, self.online_members(network_id))
        return stored

    def delete_network(self, network_id: int) -> models.Record:
        nwid = models.nwid_str(network_id)
        with self.store.write() as tx:
            members = tx.members(nwid)
            old = tx.delete_network(nwid)
        if old is None:
            raise NotFound(f"network {nwid} not found")
        for m in members:
            if m.get("authorized") is True:
                self._revoke(network_id, int(m["id"], 16))
        return old

    def update_member(self, network_id: int, member_id: int, body: Any) -> models.Record:
        """Create or update a member (as POST /controller/network/NWID/member/ADDR)."""
        nwid, mid = models.nwid_str(network_id), models.address_str(member_id)
        with self.store.write() as tx:
            if tx.get_network(nwid, lock=True) is None:
                raise NotFound(f"network {nwid} not found")
            current = tx.get_member(nwid, mid) or models.new_member(network_id, member_id, self._clock())
            stored, changed, old = tx.save_member(models.update_member(current, body, self._clock()))
        if old is not None and old.get("authorized") is True and stored.get("authorized") is not True:
            self._revoke(network_id, member_id)
        if changed:
            self._push_to(network_id, [member_id])
        return stored

    def delete_member(self, network_id: int, member_id: int) -> models.Record:
        nwid, mid = models.nwid_str(network_id), models.address_str(member_id)
        with self.store.write() as tx:
            old = tx.delete_member(nwid, mid)
        if old is None:
            raise NotFound(f"member {mid} of network {nwid} not found")
        if old.get("authorized") is True:
            self._revoke(network_id, member_id)
        return old
