# SPDX-License-Identifier: Apache-2.0
"""TCP and UDP between our node and an official libzt 1.8.4 node on an IPv4 ad-hoc network (no
controller) through our root: 10 MB each way with matching SHA-256, a datagram each way. Our side
uses the simplified API (zts_tcp_client, zts_tcp_server, zts_udp_*); the official side the calls
that work in 1.8.4 (socket, zts_bind, zts_listen, zts_accept, zts_connect)."""
from __future__ import annotations

import errno
import hashlib
import time
from pathlib import Path

import pytest

from support.netns import NetNs
from support.official import ZTS_EVENT_NETWORK_READY_IP4, ZTS_SOCK_DGRAM, OfficialNode, ZtsError, expected_bytes
from support.worlds import RootServer, make_planet

pytestmark = [pytest.mark.interop, pytest.mark.netns, pytest.mark.slow]

NWID = 0xFF1E000000000001  # ffAA..01: every member gets AA.x.y.z/8 from its address; all traffic allowed
SIZE = 10_000_000


def _connect_when_listening(official: OfficialNode, ip: str, port: int, timeout: float) -> int:
    """A connected descriptor of the official node to our ``zts_tcp_server``, which listens only once
    our worker has got to that call: on a busy machine the official SYN can arrive first and be reset.
    A 1.8.4 socket that was reset stays unusable (its zts_connect retries the dead socket until it gives
    up with ENOTCONN), so each attempt takes a fresh socket; only refusals are retried."""
    deadline = time.monotonic() + timeout
    while True:
        fd = official.bsd_socket(4)
        try:
            official.connect(fd, ip, port, timeout_ms=2000)
            return fd
        except ZtsError as exc:
            official.close_fd(fd)
            if exc.errno not in (errno.ENOTCONN, errno.ECONNREFUSED, errno.ECONNRESET) or time.monotonic() > deadline:
                raise


def test_tcp_both_ways_and_udp_with_the_official_node(netns: NetNs, official_node, our_node, tmp_path: Path) -> None:
    planet = make_planet(tmp_path, [f"{netns.ADDR1}/29994"])
    with RootServer(planet, prefix=netns.cmd_prefix):
        official = official_node(prefix=netns.cmd_prefix, name="official")
        official.init_set_roots(planet.bytes)
        official.init_set_port(29995)
        official.init_allow_port_mapping(False)
        official.init_allow_secondary_port(False)
        official.node_start()
        ours = our_node(prefix=netns.cmd_prefix, name="ours")
        ours.init_set_roots(planet.bytes)
        ours.node_start()
        ours.wait_online(timeout=5)
        official.wait_online(timeout=30)  # the official node retries its root every 5 s
        for node in (official, ours):
            node.net_join(NWID)
        official.wait_event(ZTS_EVENT_NETWORK_READY_IP4, timeout=30)
        ours.wait_event(ZTS_EVENT_NETWORK_READY_IP4, timeout=5)
        off_ip, our_ip = official.addr_get_str(NWID, family=4), ours.addr_get_str(NWID, family=4)
        assert off_ip.startswith("30.") and our_ip.startswith("30.")
        want = hashlib.sha256(expected_bytes(SIZE, 11)).hexdigest()

        # Ours -> official: zts_tcp_client retries while the official node learns of us.
        listener = official.bsd_socket(4)
        official.bind(listener, "0.0.0.0", 7300)
        official.listen(listener)
        accepting = official.submit("accept", fd=listener)
        client = ours.tcp_client(off_ip, 7300)
        conn = official.result(accepting, "accept", timeout=40)
        assert conn["fd"] >= 0 and conn["ip"] == our_ip
        receiving = official.submit("recv_all", fd=conn["fd"], close=True)
        sent = ours.send_bytes(client, SIZE, seed=11, then="close", timeout=120)
        got = official.result(receiving, "recv_all", timeout=120)
        assert sent["sent"] == SIZE and sent["error"] is None
        assert (got["len"], got["sha256"]) == (SIZE, want)
        official.close_fd(listener)

        # Official -> ours: our zts_tcp_server returns the client's descriptor.
        serving = ours.submit("tcp_server", ip="0.0.0.0", port=7301)
        client = _connect_when_listening(official, our_ip, 7301, timeout=40)
        served = ours.result(serving, "tcp_server", timeout=40)
        assert served["fd"] >= 0 and served["ip"] == off_ip
        receiving = ours.submit("recv_all", fd=served["fd"], close=True)
        sent = official.send_bytes(client, SIZE, seed=11, then="close", timeout=120)
        got = ours.result(receiving, "recv_all", timeout=120)
        assert sent["sent"] == SIZE and sent["error"] is None
        assert (got["len"], got["sha256"]) == (SIZE, want)

        # UDP each way.
        userver = ours.udp_server(our_ip, 7302)
        ours.set_recv_timeout(userver, 5)
        oclient = official.bsd_socket(4, type=ZTS_SOCK_DGRAM)
        assert official.bsd_sendto(oclient, b"from the official node", our_ip, 7302) == 22
        msg = ours.bsd_recvfrom(userver, 1500, timeout=15)
        assert (msg["data"], msg["ip"]) == (b"from the official node", off_ip)
        oserver = official.bsd_socket(4, type=ZTS_SOCK_DGRAM)
        official.bind(oserver, "0.0.0.0", 7303)
        official.set_recv_timeout(oserver, 5)
        uclient = ours.udp_client(off_ip)
        assert ours.bsd_sendto(uclient, b"from ours", off_ip, 7303) == 9
        msg = official.bsd_recvfrom(oserver, 1500, timeout=15)
        assert (msg["data"], msg["ip"]) == (b"from ours", our_ip)
