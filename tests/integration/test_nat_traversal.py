# SPDX-License-Identifier: Apache-2.0
"""NAT traversal in a simulated internet: a root in "public", two of our nodes each in a home
network behind its own NAT (nftables masquerade; tests/support/nat_lab.py). Behind full-cone and
port-restricted NATs the root's RENDEZVOUS lets them punch through: they reach each other
directly and the root relays nothing more; behind symmetric NATs (a fresh random port per flow)
no punch can work and they keep talking through the root."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from support import nat_lab
from support.diagnostics import counters
from support.nat_lab import NatLab
from support.official import ZTS_EVENT_NETWORK_READY_IP4, ZTS_SOCK_DGRAM, OurNode, WorkerTimeout
from support.worlds import make_planet

pytestmark = [pytest.mark.netns, pytest.mark.slow]

USER_MESSAGE = 300
PEER_DIRECT = 240
APP_TYPE = 0x10000
ROOT_PORT = 29961


@pytest.fixture
def make_lab(tmp_path: Path):
    reason = nat_lab.unavailable_reason(router=False)
    if reason:
        pytest.skip(reason)
    labs: list[NatLab] = []

    def make(kind: str) -> NatLab:
        lab = NatLab(tmp_path, kind=kind, router=False, homes=2)
        labs.append(lab)
        return lab.__enter__()

    yield make
    for lab in labs:
        lab.close()


def start(make_node, prefix: list[str], name: str, planet, port: int = 0) -> OurNode:
    node = make_node(prefix=prefix, name=name)
    if name == "root":
        node.init_from_storage(planet.root_dir)
    node.init_set_roots(planet.bytes)
    node.init_allow_port_mapping(False)  # no router here; traversal must not depend on one
    if port:
        node.init_set_port(port)
    node.node_start()
    return node


def exchange(a: OurNode, b: OurNode, count: int, since: int, root: OurNode) -> int:
    """a sends `count` messages to b and waits for each; returns b's next event index. A message that
    never arrives fails with the three nodes' counters (where it was lost: WHOIS, relaying, queues)."""
    a_id = a.node_get_id()
    for i in range(count):
        a.node_send_user_message(b.node_get_id(), APP_TYPE, bytes([i]))
        try:
            ev = b.wait_event(USER_MESSAGE, timeout=20, since=since,
                              match={"user_message.peer_id": a_id, "user_message.data": bytes([i]).hex()})
        except WorkerTimeout as exc:
            seen = counters({node.name: node.node_get_stats for node in (a, root, b)})
            raise AssertionError(f"message {i} from a to b lost: {exc}\ncounters: {seen}") from exc
        since = ev["seq"] + 1
    return since


def is_direct(node: OurNode, peer_id: str) -> bool:
    return any(e.get("code") == PEER_DIRECT and (e.get("peer") or {}).get("peer_id") == peer_id
               for e in node.event_history())


def world(make_lab, our_node, tmp_path: Path, kind: str):
    lab = make_lab(kind)
    planet = make_planet(tmp_path / kind, [f"{nat_lab.PUBLIC_ADDR}/{ROOT_PORT}"])
    root = start(our_node, lab.prefix(lab.public), "root", planet, ROOT_PORT)
    a = start(our_node, lab.prefix(lab.homes[0]), "a", planet)
    b = start(our_node, lab.prefix(lab.homes[1]), "b", planet)
    for node in (root, a, b):
        node.wait_online(timeout=20)
    return lab, root, a, b


@pytest.mark.parametrize("kind", ["full-cone", "port-restricted"])
def test_nodes_behind_cone_nats_punch_through(make_lab, our_node, tmp_path: Path, kind: str) -> None:
    _, root, a, b = world(make_lab, our_node, tmp_path, kind)
    a_id, b_id = a.node_get_id(), b.node_get_id()
    started = time.monotonic()
    since_b = exchange(a, b, 1, 0, root)
    exchange(b, a, 1, 0, root)
    # The application keeps talking (through the root). The root introduces the two with
    # RENDEZVOUS while it relays, at most every 30 s per pair as ZeroTier's roots do. The first one
    # usually reaches b before b knows a (b's WHOIS for the relayed packet is still under way); b
    # keeps it for when WHOIS answers (ZeroTier One drops it, and behind port-restricted NATs the
    # punch then waits ~30 s for the root's second RENDEZVOUS).
    deadline = time.monotonic() + 90
    while not (is_direct(a, b_id) and is_direct(b, a_id)):
        assert time.monotonic() < deadline, f"{kind}: no direct path within 90 s"
        since_b = exchange(a, b, 1, since_b, root)
        time.sleep(0.5)  # the pace of the application's messages, not a synchronisation
    print(f"{kind}: direct {time.monotonic() - started:.2f}s after the first message")
    assert root.node_get_stats()["rendezvous_sent"] == 2, "the first RENDEZVOUS (one to each) should have done it"
    # Direct means through the other NAT's public address, and the root relays nothing more.
    direct = a.wait_event(PEER_DIRECT, timeout=1, match={"peer.peer_id": b_id})
    assert any(p.get("ip") == nat_lab.wan_addr(1) for p in direct["peer"]["paths"]), direct
    relayed = root.node_get_stats()["relayed"]
    exchange(a, b, 20, since_b, root)
    assert root.node_get_stats()["relayed"] == relayed


def test_nodes_behind_symmetric_nats_keep_relaying(make_lab, our_node, tmp_path: Path) -> None:
    _, root, a, b = world(make_lab, our_node, tmp_path, "symmetric")
    since_b = exchange(a, b, 1, 0, root)
    exchange(b, a, 1, 0, root)
    # The root keeps relaying; past its second RENDEZVOUS (30 s) every message still needs it.
    deadline = time.monotonic() + 35
    while time.monotonic() < deadline:
        since_b = exchange(a, b, 1, since_b, root)
        time.sleep(0.5)  # the pace of the application's messages, not a synchronisation
    relayed = root.node_get_stats()["relayed"]
    exchange(a, b, 20, since_b, root)
    assert root.node_get_stats()["relayed"] >= relayed + 20
    assert not is_direct(a, b.node_get_id())


ADHOC = 0xFF1E000000000001  # every member gets 30.x.y.z/8 from its address; all traffic allowed


def test_official_nodes_behind_port_restricted_nats(make_lab, our_node, official_node, tmp_path: Path) -> None:
    """The same punch between two official libzt 1.8.4 nodes (our root between them), for the times
    side by side with ours: the official nodes ignore a RENDEZVOUS that comes before the other's
    identity, so theirs usually waits for the root's second one."""
    lab = make_lab("port-restricted")
    planet = make_planet(tmp_path / "official", [f"{nat_lab.PUBLIC_ADDR}/{ROOT_PORT}"])
    root = start(our_node, lab.prefix(lab.public), "root", planet, ROOT_PORT)
    a = start(official_node, lab.prefix(lab.homes[0]), "a", planet)
    b = start(official_node, lab.prefix(lab.homes[1]), "b", planet)
    for node in (root, a, b):
        node.wait_online(timeout=60)  # the official node retries its root every 5 s
    for node in (a, b):
        node.net_join(ADHOC)
        node.wait_event(ZTS_EVENT_NETWORK_READY_IP4, timeout=60)
    b_ip = b.addr_get_str(ADHOC, family=4)
    server = b.bsd_socket(4, type=ZTS_SOCK_DGRAM)
    b.bind(server, "0.0.0.0", 7400)
    client = a.bsd_socket(4, type=ZTS_SOCK_DGRAM)
    a_id, b_id = a.node_get_id(), b.node_get_id()
    started = time.monotonic()
    deadline = started + 120
    while not (is_direct(a, b_id) and is_direct(b, a_id)):
        assert time.monotonic() < deadline, "official nodes: no direct path within 120 s"
        a.bsd_sendto(client, b"ping", b_ip, 7400)  # the application's traffic, relayed until the punch
        time.sleep(0.5)  # the pace of the application's datagrams, not a synchronisation
    print(f"official libzt 1.8.4, port-restricted: direct {time.monotonic() - started:.2f}s after the first datagram,"
          f" {root.node_get_stats()['rendezvous_sent']} RENDEZVOUS sent by the root")
    # Direct: 20 more datagrams all arrive and the root relays none of them.
    relayed = root.node_get_stats()["relayed"]
    finals = {f"final {i}".encode() for i in range(20)}
    for data in sorted(finals):
        a.bsd_sendto(client, data, b_ip, 7400)
    b.set_recv_timeout(server, 30)
    while finals:
        finals.discard(b.bsd_recvfrom(server, 1500, timeout=60)["data"])  # earlier pings come first
    assert root.node_get_stats()["relayed"] == relayed
