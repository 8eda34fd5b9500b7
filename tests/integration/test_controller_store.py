# SPDX-License-Identifier: Apache-2.0
"""Storage and the controller service, run against SQLite and PostgreSQL alike."""
from __future__ import annotations

import json
import threading
import time
from typing import Any, Callable

import pytest

from libzt.controller import Controller, NotFound, models, open_store, service
from libzt.controller.db import SCHEMA_VERSION, dump
from libzt.controller.netconf import ConfigRequest, RefusalCode
from support.ctlfake import FakeLink

ADDRESS = 0x0F2E12B316
META = {"v": "7", "revr": "1", "majv": "1", "minv": "e", "revv": "1", "pv": "c"}
POOL = {"private": False, "v4AssignMode": {"zt": True}, "routes": [{"target": "10.147.17.0/24"}],
        "ipAssignmentPools": [{"ipRangeStart": "10.147.17.10", "ipRangeEnd": "10.147.17.250"}]}


class Clock:
    def __init__(self, now: int = 1_800_000_000_000) -> None:
        self.now = now

    def __call__(self) -> int:
        return self.now


def req(nwid: int, member: int, request_id: int = 1, metadata: Any = None) -> ConfigRequest:
    return ConfigRequest(request_id, nwid, member, f"{member:010x}:0:{'ab' * 64}", dict(META if metadata is None
                                                                                        else metadata))


@pytest.fixture
def make(db_url: str) -> Any:
    """make(clock=..., workers=...) -> (controller, link); everything is closed at teardown."""
    made: list[Any] = []

    def factory(clock: Callable[[], int] = Clock(), workers: int = 1) -> tuple[Controller, FakeLink]:
        store = open_store(db_url)
        link = FakeLink()
        controller = Controller(store, link, ADDRESS, clock=clock, workers=workers).start()
        made.append(controller)
        return controller, link

    yield factory
    for c in made:
        c.stop()
        c.store.close()


# ---- storage ------------------------------------------------------------------------------------------


def test_migrations_bring_an_old_database_up_to_date(db_url: str) -> None:
    old = open_store(db_url, schema_version=1)
    assert old.schema_version() == 1
    network = models.new_network(ADDRESS << 24 | 1, 5)
    member = dict(models.new_member(ADDRESS << 24 | 1, 0x1122334455, 5), ipAssignments=["10.0.0.7"], revision=1)
    with old.write() as tx:
        tx.insert_network(network)
        tx.execute("INSERT INTO members (network_id, member_id, revision, authorized, active_bridge, doc)"
                   " VALUES (?, ?, ?, ?, ?, ?)", (member["nwid"], member["id"], 1, False, False, dump(member)))
    old.close()
    store = open_store(db_url)
    try:
        assert store.schema_version() == SCHEMA_VERSION == 2
        with store.read() as tx:
            assert tx.allocated_ips(member["nwid"]) == {"10.0.0.7"}  # filled in by migration 2
            assert tx.get_member(member["nwid"], member["id"]) == member
    finally:
        store.close()
    again = open_store(db_url)  # opening an up-to-date database changes nothing
    assert again.schema_version() == 2
    with again.read() as tx:
        assert len(tx.execute("SELECT version FROM schema_version").fetchall()) == 2
    again.close()


def test_revision_bumps_only_on_real_change(make: Any) -> None:
    controller, _ = make()
    n = controller.create_network({"name": "a"})
    assert n["revision"] == 1
    nwid = int(n["id"], 16)
    assert controller.update_network(nwid, {"name": "a"})["revision"] == 1
    assert controller.update_network(nwid, {"name": "b"})["revision"] == 2
    m = controller.update_member(nwid, 0x1122334455, {})
    assert m["revision"] == 1
    assert controller.update_member(nwid, 0x1122334455, {"authorized": False})["revision"] == 1
    assert controller.update_member(nwid, 0x1122334455, {"authorized": True})["revision"] == 2


def test_network_ids_carry_the_controller_address(make: Any) -> None:
    controller, _ = make()
    ids = {controller.create_network({})["id"] for _ in range(20)}
    assert len(ids) == 20
    assert all(i.startswith("0f2e12b316") and int(i[10:], 16) != 0 for i in ids)


def test_delete_network_takes_its_members(make: Any) -> None:
    controller, link = make()
    nwid = int(controller.create_network(POOL)["id"], 16)
    controller.process(req(nwid, 0x1111111111))
    controller.update_member(nwid, 0x2222222222, {"authorized": False})
    old = controller.delete_network(nwid)
    assert old["id"] == models.nwid_str(nwid)
    with controller.store.read() as tx:
        assert tx.get_network(old["id"]) is None
        assert tx.members(old["id"]) == [] and tx.allocated_ips(old["id"]) == set()
    with pytest.raises(NotFound):
        controller.delete_network(nwid)
    with pytest.raises(NotFound):
        controller.update_member(nwid, 0x1111111111, {})
    controller.wait_idle()
    assert link.of("revoke") == [("revoke", nwid, 0x1111111111, [])]  # the authorized one is revoked


def test_restart_keeps_networks_and_members(db_url: str, make: Any) -> None:
    controller, _ = make()
    nwid = int(controller.create_network(dict(POOL, name="kept"))["id"], 16)
    controller.process(req(nwid, 0x74355AC5DB))
    with controller.store.read() as tx:
        before = (tx.get_network(models.nwid_str(nwid)), tx.members(models.nwid_str(nwid)))
    controller.stop()
    controller.store.close()
    again, _ = make()
    with again.store.read() as tx:
        assert (tx.get_network(models.nwid_str(nwid)), tx.members(models.nwid_str(nwid))) == before
    d = again.process(req(nwid, 0x74355AC5DB, request_id=2))
    assert [str(i.ip) for i in d.spec.static_ips] == ["10.147.17.149"]  # same address after the restart
    assert d.member["revision"] == before[1][0]["revision"]  # nothing changed, nothing written


def test_dns_is_kept_and_sent(make: Any) -> None:
    """A network's dns (zerotier-one's JSON) lives in its stored document: no column, no migration."""
    dns = {"domain": "lab.example", "servers": ["10.147.17.1", "fd00::53"]}
    controller, _ = make()
    nwid = int(controller.create_network(dict(POOL, dns=dns))["id"], 16)
    controller.stop()
    controller.store.close()
    again, link = make()
    with again.store.read() as tx:
        assert tx.get_network(models.nwid_str(nwid))["dns"] == dns
    d = again.process(req(nwid, 0x74355AC5DB))
    assert (d.spec.dns_domain, d.spec.dns_servers) == ("lab.example", ["10.147.17.1", "fd00::53"])
    again.submit(req(nwid, 0x74355AC5DB, 2))
    again.wait_idle()
    again.update_network(nwid, {"dns": []})  # "no DNS", pushed to the member that asked
    again.wait_idle()
    assert [(c[2].dns_domain, c[2].dns_servers) for c in link.of("push")] == [("", [])]


# ---- the request path ---------------------------------------------------------------------------------


def test_requests_are_queued_rate_limited_and_answered(make: Any) -> None:
    clock = Clock()
    controller, link = make(clock=clock)
    nwid = int(controller.create_network(POOL)["id"], 16)
    assert controller.submit(req(nwid, 0x74355AC5DB, 1))
    assert not controller.submit(req(nwid, 0x74355AC5DB, 2))  # within 1 s of the last one
    clock.now += 1001
    assert controller.submit(req(nwid, 0x74355AC5DB, 3))
    assert controller.submit(req(nwid, 0x2C962C9374, 4))  # another member is not limited
    assert not controller.submit(req(0x1234567890000001, 0x74355AC5DB, 5))  # not one of our networks
    controller.wait_idle()
    answers = {c[1]: [str(i.ip) for i in c[2].static_ips] for c in link.of("respond")}
    assert answers == {1: ["10.147.17.149"], 3: ["10.147.17.149"], 4: ["10.147.17.62"]}
    assert controller.stats.rate_limited == 1


def test_a_flood_of_requests_is_dropped_past_the_queues_bound(db_url: str) -> None:
    """Any identity may ask for any of 2^24 network IDs under our address, faster than the workers
    decide: past MAX_QUEUED_REQUESTS waiting, requests are dropped and counted (the queue grew
    without end, each request holding its metadata)."""
    store = open_store(db_url)
    controller = Controller(store, FakeLink(), ADDRESS)  # not started: nothing takes from the queue
    try:
        for i in range(service.MAX_QUEUED_REQUESTS):
            assert controller.submit(req((ADDRESS << 24) | i, 0x74355AC5DB, i + 1))
        assert not controller.submit(req(ADDRESS << 24 | 0xFFFFFF, 0x74355AC5DB, 1 << 30))
        assert controller.stats.overloaded == 1
    finally:
        controller.start().stop()  # the queued requests are decided (none of these networks exist)
        store.close()


def test_stop_ends_a_worker_whose_batch_took_its_marker(db_url: str) -> None:
    """stop() queues one None per worker. A worker gathering waiting requests into one transaction
    took a None that followed them as the job after the batch, then read it as "nothing after": the
    marker was lost, the worker waited for ever and stop() with it (the process could not shut down)."""
    store = open_store(db_url)
    controller = Controller(store, FakeLink(), ADDRESS).start()
    gate, waiting = threading.Event(), threading.Event()

    def hold() -> None:
        waiting.set()
        gate.wait()

    try:
        controller._jobs.put(hold)  # white box: the worker waits here while the queue fills behind it
        assert waiting.wait(60)
        for i in range(5):
            assert controller.submit(req((ADDRESS << 24) | i, 0x74355AC5DB, i + 1))
        stopper = threading.Thread(target=controller.stop)
        stopper.start()
        deadline = time.monotonic() + 60
        while controller._jobs.qsize() < 6 and time.monotonic() < deadline:  # the five, then stop()'s None
            time.sleep(0.001)
        assert controller._jobs.qsize() == 6
        gate.set()
        stopper.join(60)
        assert not stopper.is_alive(), "stop() never returned"
    finally:
        gate.set()
        store.close()


def test_refusals_are_answered_and_unknown_members_remembered(make: Any) -> None:
    controller, link = make()
    nwid = int(controller.create_network({"private": True})["id"], 16)
    controller.process(req(nwid, 0x1111111111, 7))
    controller.process(req(ADDRESS << 24 | 0xABCDEF, 0x1111111111, 8))
    assert link.of("error") == [("error", 7, RefusalCode.ACCESS_DENIED), ("error", 8, RefusalCode.NOT_FOUND)]
    with controller.store.read() as tx:
        m = tx.get_member(models.nwid_str(nwid), "1111111111")
    assert m["authorized"] is False and m["identity"].startswith("1111111111:0:") and m["revision"] == 1


def test_changes_are_pushed_to_online_members_and_deauthorization_revoked(make: Any) -> None:
    clock = Clock()
    controller, link = make(clock=clock)
    nwid = int(controller.create_network({"private": True, **{k: v for k, v in POOL.items() if k != "private"}})[
        "id"], 16)
    a, b = 0x1111111111, 0x2222222222
    for m in (a, b):
        controller.update_member(nwid, m, {"authorized": True})
        controller.submit(req(nwid, m, m))
    controller.wait_idle()
    assert len(link.of("respond")) == 2
    link.clear()

    controller.update_network(nwid, {"name": "renamed"})
    controller.wait_idle()
    pushed = sorted((c[1], c[2].name) for c in link.of("push"))
    assert pushed == [(a, "renamed"), (b, "renamed")]
    link.clear()

    controller.update_network(nwid, {"name": "renamed"})  # no change: nothing pushed
    controller.update_member(nwid, a, {"name": "laptop"})  # member change: pushed to it alone
    controller.wait_idle()
    assert [c[1] for c in link.of("push")] == [a]
    link.clear()

    controller.update_member(nwid, b, {"authorized": False})
    controller.wait_idle()
    assert link.of("revoke") == [("revoke", nwid, b, [a, b])]
    assert link.of("push") == []  # b is no longer authorized: nothing to push to it
    link.clear()

    clock.now += 120_000  # members that stopped asking are offline: nothing pushed, nobody notified
    controller.update_network(nwid, {"name": "later"})
    controller.delete_member(nwid, a)
    controller.wait_idle()
    assert link.of("push") == [] and link.of("revoke") == [("revoke", nwid, a, [])]


def test_concurrent_first_requests_never_share_an_address(make: Any) -> None:
    controller, link = make(workers=4)
    nwid = int(controller.create_network(POOL)["id"], 16)
    # Members whose first choice is the same address (addresses equal modulo the pool's span of 240).
    members = [0x1000000000 + i * 240 for i in range(24)]
    errors: list[BaseException] = []

    def ask(m: int) -> None:
        try:
            controller.process(req(nwid, m, m))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=ask, args=(m,)) for m in members]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    ips = [str(c[2].static_ips[0].ip) for c in link.of("respond")]
    assert len(ips) == len(set(ips)) == len(members)
    with controller.store.read() as tx:
        stored = [m["ipAssignments"][0] for m in tx.members(models.nwid_str(nwid))]
    assert sorted(stored) == sorted(ips)


def test_queued_requests_share_transactions_and_get_distinct_addresses(make: Any) -> None:
    controller, link = make(workers=2)
    nwid = int(controller.create_network(POOL)["id"], 16)
    members = [0x2000000000 + i * 240 for i in range(200)]  # all want the same first address
    for m in members:
        assert controller.submit(req(nwid, m, m))
    controller.wait_idle()
    ips = [str(c[2].static_ips[0].ip) for c in link.of("respond")]
    assert len(ips) == len(set(ips)) == len(members)
    with controller.store.read() as tx:
        stored = {m["id"]: m["ipAssignments"] for m in tx.members(models.nwid_str(nwid))}
    assert sorted(ip for v in stored.values() for ip in v) == sorted(ips)


def test_a_failing_request_does_not_sink_the_others_of_its_batch(make: Any, monkeypatch: Any) -> None:
    controller, link = make()
    nwid = int(controller.create_network(POOL)["id"], 16)
    poisoned = 0x3000000003
    decide = controller._decide

    def sometimes_broken(tx: Any, request: ConfigRequest, now: int) -> Any:
        if request.member_id == poisoned:
            raise RuntimeError("a bug in deciding this one")
        return decide(tx, request, now)

    monkeypatch.setattr(controller, "_decide", sometimes_broken)
    batch = [req(nwid, m, m) for m in (0x3000000001, 0x3000000002, poisoned, 0x3000000004)]
    decisions = controller.process_batch(batch)
    assert decisions[2] is None and all(d is not None for i, d in enumerate(decisions) if i != 2)
    assert sorted(c[1] for c in link.of("respond")) == [0x3000000001, 0x3000000002, 0x3000000004]
    with controller.store.read() as tx:
        assert len(tx.members(models.nwid_str(nwid))) == 3  # the poisoned one left nothing behind


def test_every_stored_row_is_a_valid_record(make: Any) -> None:
    controller, _ = make()
    nwid = int(controller.create_network(POOL)["id"], 16)
    controller.process(req(nwid, 0x74355AC5DB))
    with controller.store.read() as tx:
        for nid in tx.network_ids():
            network = tx.get_network(nid)
            assert models.same_record(models.update_network(network, network), network) or network["rules"]
            rows = tx.execute("SELECT member_id, revision, authorized, active_bridge, doc FROM members").fetchall()
            for mid, revision, authorized, bridge, doc in rows:
                m = json.loads(doc)
                assert (m["id"], m["revision"], m["authorized"], m["activeBridge"]) == (mid, revision, bool(authorized),
                                                                                         bool(bridge))
