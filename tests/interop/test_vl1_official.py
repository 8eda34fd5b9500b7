# SPDX-License-Identifier: Apache-2.0
"""VL1 against the official libzt 1.8.4: it comes online through our root, reaches our node
directly, and answers our ECHO, under AES-GMAC-SIV, or Salsa20/12 when our node asks for it."""
from __future__ import annotations

from pathlib import Path

import pytest

from support.netns import NetNs
from support.official import OfficialNode, OurNode, WorkerTimeout
from support.worlds import RootServer, make_planet

pytestmark = [pytest.mark.interop, pytest.mark.netns]

ECHO_REPLY = 301
PEER_DIRECT = 240
OFFICIAL_ONLINE_TIMEOUT = 30.0  # its background tick runs every 5 s; see official-peers.md


def start_official(official_node, netns: NetNs, planet_bytes: bytes, port: int) -> OfficialNode:
    node = official_node(prefix=netns.cmd_prefix, name="official")
    node.init_set_roots(planet_bytes)
    node.init_set_port(port)
    node.node_start()
    return node


def start_ours(our_node, netns: NetNs, planet_bytes: bytes, **init: int) -> OurNode:
    node = our_node(prefix=netns.cmd_prefix, name="ours")
    node.init_set_roots(planet_bytes)
    for call, value in init.items():
        getattr(node, f"init_{call}")(value)
    node.node_start()
    return node


def echo(ours: OurNode, peer_id: str, payload: bytes, since: int) -> dict:
    """One ECHO round trip. The official libzt 1.8.4 answers about one ECHO per peer per second
    (measured by bench/vl1.py) and drops the rest silently, so an unanswered ping is sent again."""
    for _attempt in range(10):
        ours.node_ping(peer_id, payload)
        try:
            return ours.wait_event(
                ECHO_REPLY, timeout=1.1, since=since, match={"echo.peer_id": peer_id, "echo.data": payload.hex()}
            )
        except WorkerTimeout:
            continue
    raise AssertionError(f"no ECHO reply from {peer_id} after 10 attempts")


def ping_until_direct(ours: OurNode, official: OfficialNode, count: int) -> list[dict]:
    """Ping the official node until both sides report a direct path; returns the replies."""
    off_id = official.node_get_id()
    replies = []
    since = len(ours.event_history())
    for i in range(count):
        reply = echo(ours, off_id, bytes([i]) * 8, since)
        since = reply["seq"] + 1
        replies.append(reply)
    ours.wait_event(PEER_DIRECT, timeout=15, match={"peer.peer_id": off_id})
    official.wait_event(PEER_DIRECT, timeout=15, match={"peer.peer_id": ours.node_get_id()})
    return replies


def test_official_node_online_through_our_root_and_echo_over_aes(
    netns: NetNs, official_node, our_node, tmp_path: Path
) -> None:
    planet = make_planet(tmp_path, [f"{netns.ADDR1}/29993"])
    with RootServer(planet, prefix=netns.cmd_prefix):
        official = start_official(official_node, netns, planet.bytes, 29990)
        ours = start_ours(our_node, netns, planet.bytes)
        official.wait_online(timeout=OFFICIAL_ONLINE_TIMEOUT)
        assert official.node_is_online() == 1
        ours.wait_online(timeout=5)

        replies = ping_until_direct(ours, official, 5)
        assert all(0 <= r["echo"]["rtt_ms"] < 2000 for r in replies)
        # A direct path: our node knows the official node at one of the namespace's addresses.
        direct = ours.wait_event(PEER_DIRECT, timeout=1, match={"peer.peer_id": official.node_get_id()})
        alive = [p for p in direct["peer"]["paths"] if not p["expired"]]
        assert alive and all(p["ip"] in netns.addrs4 for p in alive)

        # Both ways AES-GMAC-SIV: the official node announces protocol 12, and so do we.
        before = ours.node_get_stats()
        ping_until_direct(ours, official, 5)
        after = ours.node_get_stats()
        assert after["tx_suite"][3] - before["tx_suite"][3] >= 5
        assert after["rx_suite"][3] - before["rx_suite"][3] >= 5
        assert after["tx_suite"][1] == before["tx_suite"][1]  # no Salsa20/12 once versions are known
        assert after["drop_auth"] == 0


def test_official_node_speaks_salsa20_to_our_older_protocol(
    netns: NetNs, official_node, our_node, tmp_path: Path
) -> None:
    planet = make_planet(tmp_path, [f"{netns.ADDR1}/29994"])
    with RootServer(planet, prefix=netns.cmd_prefix):
        official = start_official(official_node, netns, planet.bytes, 29991)
        ours = start_ours(our_node, netns, planet.bytes, set_protocol_version=11)
        official.wait_online(timeout=OFFICIAL_ONLINE_TIMEOUT)
        ours.wait_online(timeout=5)
        ping_until_direct(ours, official, 5)
        stats = ours.node_get_stats()
        # Everything we received was Salsa20/12 (or a HELLO), and it all authenticated.
        assert stats["rx_suite"][3] == 0
        assert stats["rx_suite"][1] >= 5
        assert stats["drop_auth"] == 0
