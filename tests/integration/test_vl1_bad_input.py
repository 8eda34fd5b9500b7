# SPDX-License-Identifier: Apache-2.0
"""A node under 10,000 hostile datagrams stays online, keeps working, and counts what it drops."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from test_vl1 import APP_TYPE, wait_message

import libzt
from libzt import wire
from support.netns import NetNs
from support.worlds import make_planet, start_node, start_root_node

pytestmark = pytest.mark.netns

FLOOD = Path(__file__).resolve().parent / "flood.py"
COUNT = 10_000


def user_message_packet(sender: libzt.Identity, receiver: libzt.Identity, data: bytes) -> bytes:
    """A genuine USER_MESSAGE from `sender` to `receiver`, armored with their shared key."""
    header = os.urandom(8) + receiver.node_id.to_bytes(5, "big") + sender.node_id.to_bytes(5, "big")
    packet = header + b"\0" + bytes(8) + bytes([0x14]) + APP_TYPE.to_bytes(8, "big") + data
    return wire.armor(sender.agree(receiver), packet, wire.Suite.AES_GMAC_SIV)


def test_flood_of_bad_datagrams(netns: NetNs, our_node, tmp_path: Path) -> None:
    planet = make_planet(tmp_path, [f"{netns.ADDR1}/29998"])
    start_root_node(our_node, netns, planet, 29998)
    a = start_node(our_node, netns, planet, "a")
    b = start_node(our_node, netns, planet, "b")
    a.wait_online(timeout=5)
    b.wait_online(timeout=5)
    a_ident = libzt.Identity.from_string(a.node_get_id_pair())
    b_ident = libzt.Identity.from_string(b.node_get_id_pair())
    valid = user_message_packet(b_ident, a_ident.public_identity(), b"genuine")
    before = a.node_get_stats()

    proc = netns.run([sys.executable, str(FLOOD), netns.ADDR2, str(a.node_get_port()), valid.hex(), str(COUNT), "7"],
                     timeout=120)
    sent = json.loads(proc.stdout)
    assert sent["sent"] == COUNT

    # Still online and still working both ways.
    assert a.node_is_online() == 1
    a_id, b_id = a.node_get_id(), b.node_get_id()
    since_b = len(b.event_history())
    a.node_send_user_message(b_id, APP_TYPE + 9, b"after the flood")
    wait_message(b, a_id, APP_TYPE + 9, since=since_b)
    a.node_ping(b_id)
    a.wait_event(301, timeout=5, match={"echo.peer_id": b_id})

    after = a.node_get_stats()
    received = after["rx_datagrams"] - before["rx_datagrams"]
    dropped = sum(after[k] - before[k] for k in after if k.startswith("drop_")) + after["junk"] - before["junk"]
    replays = sent["kinds"]["replay"]
    # The kernel may drop some datagrams on a full socket buffer; of those that arrived, every
    # one except the genuine replays was dropped and counted, or still waits in a bounded queue
    # (32 packets parked for WHOIS, 32 fragment sets of at most 6 pieces).
    in_flight_max = 32 + 32 * 6
    assert received >= COUNT * 0.8, (received, after)
    assert dropped >= received - replays - in_flight_max, (dropped, received, after)
    assert after["drop_oversized"] - before["drop_oversized"] > 0
    assert after["drop_auth"] - before["drop_auth"] >= sent["kinds"]["bitflip"] * 0.8 * 0.9
    # The replays are genuine packets: ZeroTier has no replay protection at this layer, so they are
    # delivered (the application sees repeated messages, as it would with the official code).
    got = [e for e in a.event_history() if e["name"] == "USER_MESSAGE" and e["user_message"]["peer_id"] == b_id]
    assert len(got) >= 1
