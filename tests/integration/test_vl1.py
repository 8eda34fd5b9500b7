# SPDX-License-Identifier: Apache-2.0
"""VL1 between our own processes: a root we run and nodes that come online through it, relay
through it, then find a direct path, over IPv4 and IPv6, in a network namespace."""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from support.netns import NetNs
from support.official import OurNode, WorkerTimeout, wait_until
from support.worlds import RootServer, make_planet, start_node, start_root_node

pytestmark = pytest.mark.netns

# Deadlines for what takes milliseconds on an idle machine (or one 5 s HELLO period): generous, so
# they hold while other processes keep every core busy (scripts/run-tests --stress, ASan).
EVENT_DEADLINE = 30.0

USER_MESSAGE = 300
ECHO_REPLY = 301
PEER_DIRECT = 240
PEER_RELAY = 241
PEER_PATH_DISCOVERED = 243
APP_TYPE = 0x10000  # ZeroTier reserves message types up to 65535


def wait_message(node: OurNode, sender: str, msg_type: int, timeout: float = EVENT_DEADLINE, since: int = 0) -> dict:
    return node.wait_event(
        USER_MESSAGE,
        timeout=timeout,
        since=since,
        match={"user_message.peer_id": sender, "user_message.type": msg_type},
    )


def introduce(sender: OurNode, receiver: OurNode) -> None:
    """A user message from ``sender`` that ``receiver`` gets, so that each knows the other. Sent again
    every 2 s until one arrives: the first waits at each end for a WHOIS answer from the root, and a
    packet parked longer than 5 s is dropped (by design, as ZeroTier does), which a loaded machine can
    take."""
    sender_id, receiver_id = sender.node_get_id(), receiver.node_get_id()
    deadline = time.monotonic() + EVENT_DEADLINE
    while True:
        since = len(receiver.event_history())
        sender.node_send_user_message(receiver_id, APP_TYPE, b"hi")
        try:
            wait_message(receiver, sender_id, APP_TYPE, timeout=2.0, since=since)
            return
        except WorkerTimeout:
            if time.monotonic() > deadline:
                raise


def wait_messages(node: OurNode, sender: str, msg_type: int, count: int,
                  timeout: float = EVENT_DEADLINE) -> list[dict]:
    """`count` distinct USER_MESSAGE events (each search starts after the previous match)."""
    got: list[dict] = []
    since = 0
    for _ in range(count):
        ev = wait_message(node, sender, msg_type, timeout=timeout, since=since)
        got.append(ev)
        since = ev["seq"] + 1
    return got


def test_nodes_come_online_through_our_root_cli(netns: NetNs, our_node, tmp_path: Path) -> None:
    """Two nodes started at once come online through ``libzt root``. How fast is bench/vl1.py's
    business (start -> online, against the official node in the same run): a time asserted here
    failed the sanitized suite on a busy machine while nothing was wrong."""
    planet = make_planet(tmp_path, [f"{netns.ADDR1}/29993"])
    with RootServer(planet, prefix=netns.cmd_prefix) as root:
        nodes = [our_node(prefix=netns.cmd_prefix, name=name) for name in ("a", "b")]
        for node in nodes:
            node.init_set_roots(planet.bytes)
        starting = [node.submit("node_start") for node in nodes]
        for node, fut in zip(nodes, starting):
            assert node.result(fut, "node_start", timeout=60) == 0
        for node in nodes:
            node.wait_online(timeout=EVENT_DEADLINE)
        assert all(n.node_is_online() == 1 for n in nodes)
        assert "serving world" in root.log()


@pytest.mark.parametrize("family", ["ipv4", "ipv6"])
def test_user_message_relayed_then_direct(netns: NetNs, our_node, tmp_path: Path, family: str) -> None:
    root_ip = netns.ADDR1 if family == "ipv4" else netns.ADDR1_V6
    planet = make_planet(tmp_path, [f"{root_ip}/29994"])
    root = start_root_node(our_node, netns, planet, 29994)
    a = start_node(our_node, netns, planet, "a")
    b = start_node(our_node, netns, planet, "b")
    a.wait_online(timeout=5)
    b.wait_online(timeout=5)
    a_id, b_id = a.node_get_id(), b.node_get_id()

    # First contact: A knows only B's address. The root answers A's WHOIS, relays the message and
    # introduces the two (RENDEZVOUS), after which they talk directly. Resent until it arrives: the
    # root relays only to a path B has confirmed (answered the root's HELLO there, as in ZeroTier One),
    # and on a busy machine A's first message can reach the root before B's answer does (seen as the
    # root's drop_relay).
    introduce(a, b)
    relay = a.wait_event(PEER_RELAY, timeout=5, match={"peer.peer_id": b_id})
    direct = a.wait_event(PEER_DIRECT, timeout=10, match={"peer.peer_id": b_id})
    assert relay["seq"] < direct["seq"]
    b.wait_event(PEER_DIRECT, timeout=10, match={"peer.peer_id": a_id})
    relayed_before = root.node_get_stats()["relayed"]
    assert relayed_before >= 1

    # Now direct: the root relays nothing more.
    for i in range(20):
        a.node_send_user_message(b_id, APP_TYPE + 1, bytes([i]) * 100)
        b.node_send_user_message(a_id, APP_TYPE + 1, bytes([i]) * 50)
    to_b = wait_messages(b, a_id, APP_TYPE + 1, 20)
    to_a = wait_messages(a, b_id, APP_TYPE + 1, 20)
    assert sorted(bytes.fromhex(e["user_message"]["data"])[0] for e in to_b) == list(range(20))
    assert sorted(bytes.fromhex(e["user_message"]["data"])[0] for e in to_a) == list(range(20))
    assert root.node_get_stats()["relayed"] == relayed_before
    paths = [p for p in direct["peer"]["paths"] if not p["expired"]]
    assert paths, direct
    assert all((":" in p["ip"]) == (family == "ipv6") for p in paths), paths
    assert {p["ip"] for p in paths} <= set(netns.addrs4 if family == "ipv4" else netns.addrs6)


def test_direct_path_survives_the_root_and_nodes_reannounce(netns: NetNs, our_node, tmp_path: Path) -> None:
    planet = make_planet(tmp_path, [f"{netns.ADDR1}/29995"])
    root = start_root_node(our_node, netns, planet, 29995)
    a = start_node(our_node, netns, planet, "a")
    b = start_node(our_node, netns, planet, "b")
    a.wait_online(timeout=EVENT_DEADLINE)
    b.wait_online(timeout=EVENT_DEADLINE)
    a_id, b_id = a.node_get_id(), b.node_get_id()
    introduce(a, b)
    a.wait_event(PEER_DIRECT, timeout=EVENT_DEADLINE, match={"peer.peer_id": b_id})
    b.wait_event(PEER_DIRECT, timeout=EVENT_DEADLINE, match={"peer.peer_id": a_id})

    root.close()  # the root is gone; the direct path does not need it
    since_a, since_b = len(a.event_history()), len(b.event_history())
    a.node_send_user_message(b_id, APP_TYPE + 2, b"no root")
    b.node_send_user_message(a_id, APP_TYPE + 2, b"no root either")
    wait_message(b, a_id, APP_TYPE + 2, since=since_b)
    wait_message(a, b_id, APP_TYPE + 2, since=since_a)

    # A restarted root knows nobody until the nodes announce themselves again (HELLO every 5 s).
    restarted = start_root_node(our_node, netns, planet, 29995)
    restarted.wait_event(PEER_PATH_DISCOVERED, timeout=EVENT_DEADLINE, match={"peer.peer_id": a_id})
    restarted.wait_event(PEER_PATH_DISCOVERED, timeout=EVENT_DEADLINE, match={"peer.peer_id": b_id})
    # Online through it. If the root stayed away 30 s (a slow restart on a busy machine) the nodes went
    # offline and come back when its answer to their HELLO arrives, just after the root saw the HELLO.
    for node in (a, b):
        wait_until(lambda node=node: node.node_is_online() == 1, timeout=EVENT_DEADLINE, what=f"{node.name} online")


def test_salsa20_for_a_peer_that_announces_an_older_protocol(netns: NetNs, our_node, tmp_path: Path) -> None:
    planet = make_planet(tmp_path, [f"{netns.ADDR1}/29996"])
    start_root_node(our_node, netns, planet, 29996)
    old = start_node(our_node, netns, planet, "old", set_protocol_version=11)
    new = start_node(our_node, netns, planet, "new")
    old.wait_online(timeout=5)
    new.wait_online(timeout=5)
    old_id, new_id = old.node_get_id(), new.node_get_id()
    introduce(old, new)
    new.wait_event(PEER_DIRECT, timeout=10, match={"peer.peer_id": old_id})
    before = new.node_get_stats()["tx_suite"]
    for i in range(10):
        new.node_send_user_message(old_id, APP_TYPE + 3, bytes([i]))
    wait_messages(old, new_id, APP_TYPE + 3, 10)
    after = new.node_get_stats()["tx_suite"]
    assert after[1] - before[1] >= 10  # Salsa20/12 to the peer that asked for it
    # Nobody sends AES-GMAC-SIV to a node announcing protocol 11...
    old_stats = old.node_get_stats()
    assert old_stats["rx_suite"][3] == 0 and old_stats["rx_suite"][1] > 0
    # ...while the protocol-12 node gets AES from the root and from its peers.
    assert new.node_get_stats()["rx_suite"][3] > 0


def test_ping_measures_round_trip(netns: NetNs, our_node, tmp_path: Path) -> None:
    planet = make_planet(tmp_path, [f"{netns.ADDR1}/29997"])
    start_root_node(our_node, netns, planet, 29997)
    a = start_node(our_node, netns, planet, "a")
    b = start_node(our_node, netns, planet, "b")
    a.wait_online(timeout=EVENT_DEADLINE)
    b.wait_online(timeout=EVENT_DEADLINE)
    b_id = b.node_get_id()
    introduce(a, b)  # a first packet may wait for WHOIS answers (and be dropped after 5 s on a busy machine)
    a.node_ping(b_id, b"payload")
    reply = a.wait_event(ECHO_REPLY, timeout=EVENT_DEADLINE, match={"echo.peer_id": b_id})
    assert bytes.fromhex(reply["echo"]["data"]) == b"payload"
    assert 0 <= reply["echo"]["rtt_ms"] < 1000
