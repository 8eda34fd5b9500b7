# SPDX-License-Identifier: Apache-2.0
"""ECHO without a payload (a keepalive) is answered at most every 1/6 s on each path, as ZeroTier
does: a peer's keepalive round sends one on each of its paths at once, and a multihomed peer has
dozens (every local address and port of ours times every one of theirs). A limit per peer answered
one of them and left the other paths to die unanswered. A raw peer (a real identity speaking genuine
packets from Python) confirms three paths to our node, one per UDP socket, then sends a keepalive on
each at once."""
from __future__ import annotations

from pathlib import Path

import pytest

from libzt import wire
from support.netns import NetNs
from support.official import wait_until
from support.rawpeer import confirm_path, echo, identity_for, to
from support.udp_driver import UdpPort
from support.worlds import start_node_behind_a_root

pytestmark = pytest.mark.netns

PATHS = 3
DEADLINE = 30.0  # what takes milliseconds idle, with room for a machine busy compiling


def test_keepalives_on_every_path_are_answered(netns: NetNs, our_node, tmp_path: Path) -> None:
    node = start_node_behind_a_root(our_node, netns, tmp_path, 29943, DEADLINE)
    me, their_id, key = identity_for(node)
    ports = [UdpPort(netns.cmd_prefix, netns.ADDR2, node.node_get_port()) for _ in range(PATHS)]
    try:
        for udp in ports:
            confirm_path(udp, me, their_id, key, DEADLINE)
        wait_until(lambda: node.core_query_path_count(me.address) >= PATHS, DEADLINE, 0.02,
                   f"{PATHS} paths learned")

        for udp in ports:
            udp.drain()
        for udp in ports:  # one keepalive round: one ECHO on each path, all at once
            udp.send(echo(me.node_id, their_id, key))
        for i, udp in enumerate(ports):
            assert udp.receive(DEADLINE, to(me.node_id, key, "OK")) is not None, f"keepalive on path {i} unanswered"

        # Still limited on one path: of 20 more keepalives sent at once there, hardly any are answered
        # (all would take the node more than 3 s to get through 20 tiny packets; none if the round
        # above was less than 1/6 s ago), while a ping with a payload always is; its answer comes last.
        udp = ports[0]
        udp.drain()
        for _ in range(20):
            udp.send(echo(me.node_id, their_id, key))
        udp.send(echo(me.node_id, their_id, key, b"ping"))
        keepalives_answered = 0
        while True:
            got = udp.receive(DEADLINE, to(me.node_id, key, "OK"))
            assert got is not None, f"the ping was not answered ({keepalives_answered} keepalives were)"
            if wire.decode(got, key)["fields"]["body_len"] == len(b"ping"):
                break
            keepalives_answered += 1
        assert keepalives_answered < 20
        assert node.node_get_stats()["drop_rate_limited"] >= 20 - keepalives_answered
    finally:
        for udp in ports:
            udp.close()
