# SPDX-License-Identifier: Apache-2.0
"""UDP segmentation offload on the nodes' own UDP sockets (csrc/osdep/udp_socket.hpp): bulk TCP
between two nodes leaves in segmented sends (UDP_SEGMENT) and arrives coalesced by the kernel
(UDP_GRO), every byte intact, both ways at once; with LIBZT_UDP_OFFLOAD=0 neither is used and the
bytes arrive all the same. (That the official node takes our datagrams: tests/interop.)"""
from __future__ import annotations

import hashlib
import random
from pathlib import Path

import pytest

from libzt import socket
from support.sockets_pair import ADHOC_IPV4, Pair, SocketPeer, exchange
from support.worlds import RootServer, free_udp_port, make_planet

MB = 1_000_000


def test_bulk_tcp_leaves_segmented_and_arrives_coalesced_both_ways(zt_pair: Pair) -> None:
    size = 20 * MB
    ours_before, peer_before = zt_pair.node.stats(), zt_pair.peer.call("stats")
    request = zt_pair.peer.start("tcp_exchange", version=6, send=size, seed=3)
    payload = random.Random(4).randbytes(size)
    with socket.create_connection((zt_pair.address(6), request.early()["port"]), timeout=60) as sock:
        received, digest = exchange(sock, payload)
    result = request.result(timeout=120)
    assert (received, digest) == (size, hashlib.sha256(random.Random(3).randbytes(size)).hexdigest())
    assert (result["received"], result["sha256"]) == (size, hashlib.sha256(payload).hexdigest())
    ours, peer = zt_pair.node.stats(), zt_pair.peer.call("stats")
    moved = {
        "ours sent": ours["udp_offload_sent"] - ours_before["udp_offload_sent"],
        "ours received": ours["udp_offload_received"] - ours_before["udp_offload_received"],
        "peer sent": peer["udp_offload_sent"] - peer_before["udp_offload_sent"],
        "peer received": peer["udp_offload_received"] - peer_before["udp_offload_received"],
    }
    print(f"\n20 MB each way: datagrams in segmented sends / coalesced arrivals: {moved}")
    assert all(count > 0 for count in moved.values()), moved


def test_offload_off_sends_and_receives_datagram_by_datagram(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIBZT_UDP_OFFLOAD", "0")  # inherited by the root and both node processes
    root_port = free_udp_port()
    planet = make_planet(tmp_path, [f"127.0.0.1/{root_port}"])
    with RootServer(planet, extra=["--allow-loopback"], port=root_port):
        server = SocketPeer(planet, ADHOC_IPV4)
        try:
            client = SocketPeer(planet, ADHOC_IPV4)
            try:
                size = 5 * MB
                sink = server.start("tcp_sink", version=4)
                client.call("tcp_send", timeout=120, host=server.ipv4, port=sink.early()["port"], size=size)
                assert sink.result(timeout=120)["received"] == size
                stats = [server.call("stats"), client.call("stats")]
                assert [(s["udp_offload_sent"], s["udp_offload_received"]) for s in stats] == [(0, 0), (0, 0)]
                assert stats[1]["tx_datagrams"] >= 2 * size // 2800, "a full segment is two datagrams"
            finally:
                client.close()
        finally:
            server.close()
