# SPDX-License-Identifier: Apache-2.0
"""Packets claiming 100,000 made-up senders, from many source addresses, cost a node a bounded number
of WHOIS requests to its root (one outstanding per address, a node-wide budget of 32 at once and 50
per second), and do not push out genuine packets already waiting for a WHOIS answer (issue: 100k such
datagrams made a node send 20,156 WHOIS and drop 98,932 parked packets)."""
from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_vl1 import APP_TYPE
from test_vl1_bad_input import user_message_packet

import libzt
from support.netns import NetNs
from support.worlds import make_planet, start_node, start_root_node

pytestmark = pytest.mark.netns

FLOOD = Path(__file__).resolve().parent / "whois_flood.py"
COUNT = 100_000
GENUINE = 4  # parked together under one unknown sender (at most 8 per address wait)
WHOIS_BURST, WHOIS_PER_SECOND = 32, 50


def test_junk_from_many_claimed_senders_costs_bounded_whois(netns: NetNs, our_node, tmp_path: Path) -> None:
    sources = [f"10.202.{i}.2" for i in range(16)]
    for ip in sources:
        subprocess.run([*netns.cmd_prefix, netns.ip, "addr", "add", f"{ip}/24", "dev", netns.IFACE2], check=True)
    planet = make_planet(tmp_path, [f"{netns.ADDR1}/29993"])
    start_root_node(our_node, netns, planet, 29993)
    a = start_node(our_node, netns, planet, "a")
    b = start_node(our_node, netns, planet, "b")
    a.wait_online(timeout=5)
    b.wait_online(timeout=5)
    a_ident = libzt.Identity.from_string(a.node_get_id_pair())
    b_ident = libzt.Identity.from_string(b.node_get_id_pair())
    b_id = b.node_get_id()
    # Genuine messages from B, whom A does not know yet: A parks them and asks the root who B is.
    genuine = [user_message_packet(b_ident, a_ident.public_identity(), f"genuine {i}".encode()) for i in range(GENUINE)]

    before = a.node_get_stats()
    t0 = time.monotonic()
    proc = netns.run([sys.executable, str(FLOOD), netns.ADDR2, str(a.node_get_port()),
                      ",".join(g.hex() for g in genuine), str(COUNT), "11", *sources], timeout=300)
    sent = json.loads(proc.stdout)
    assert sent["sent"] == COUNT

    # Every genuine message arrives: they waited under their own sender and were not pushed out.
    got: set[bytes] = set()
    deadline = time.monotonic() + 30
    while len(got) < GENUINE:
        assert time.monotonic() < deadline, f"only {len(got)} of {GENUINE} genuine messages: {a.node_get_stats()}"
        got = {bytes.fromhex(e["user_message"]["data"]) for e in a.event_history()
               if e["name"] == "USER_MESSAGE" and e["user_message"]["peer_id"] == b_id
               and e["user_message"]["type"] == APP_TYPE}
        time.sleep(0.1)

    # The made-up senders' packets wait at most 5 s (or until their WHOIS gives up): then count.
    deadline = time.monotonic() + 60
    while True:
        after = a.node_get_stats()
        t1 = time.monotonic()
        waiting = (after["rx_packets"] - before["rx_packets"]) - (
            sum(after[k] - before[k] for k in ("drop_queue_full", "drop_unknown_peer", "drop_rate_limited",
                                                 "drop_malformed", "drop_auth")))
        if waiting <= GENUINE + 4 or time.monotonic() > deadline:  # genuine delivered, the rest dropped
            break
        time.sleep(0.2)
    received = after["rx_packets"] - before["rx_packets"]
    whois = after["whois_sent"] - before["whois_sent"]
    print(json.dumps({"flood": sent, "received": received, "whois_sent": whois, "window_s": round(t1 - t0, 1),
                      "drop_queue_full": after["drop_queue_full"] - before["drop_queue_full"],
                      "drop_unknown_peer": after["drop_unknown_peer"] - before["drop_unknown_peer"]}))
    # Enough made-up senders arrived to mean something (a slow, sanitized node's socket buffer may
    # overflow: each one that arrived would have cost a WHOIS before).
    assert received >= 5_000, after
    assert whois <= WHOIS_BURST + WHOIS_PER_SECOND * (t1 - t0) + 1, (whois, t1 - t0, received)
    assert a.node_is_online() == 1
