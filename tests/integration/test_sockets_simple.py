# SPDX-License-Identifier: Apache-2.0
"""The simplified socket API (zts_tcp_server, zts_tcp_client, zts_connect, zts_udp_*) between two of
our nodes, each in its own worker process, on an ad-hoc network (no controller) through our root."""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Callable, Tuple

import pytest
from test_vl1 import start_node, start_root_node

from support import frames
from support.netns import NetNs
from support.official import OurNode, expected_bytes
from support.worlds import make_planet

pytestmark = pytest.mark.netns

NWID = 0xFF1D000000000001  # every member: IPv4 29.x.y.z/8 and a 6PLANE IPv6 address
NETWORK_READY_IP4 = 215


@pytest.fixture
def pair(netns: NetNs, our_node: Callable[..., OurNode], tmp_path: Path) -> Tuple[OurNode, OurNode]:
    planet = make_planet(tmp_path, [f"{netns.ADDR1}/29984"])
    start_root_node(our_node, netns, planet, 29984)
    nodes = []
    for name in ("a", "b"):
        node = start_node(our_node, netns, planet, name)
        node.wait_online(timeout=5)
        node.net_join(NWID)
        node.wait_event(NETWORK_READY_IP4, timeout=5)
        nodes.append(node)
    return nodes[0], nodes[1]


def sha256(n: int, seed: int) -> str:
    return hashlib.sha256(expected_bytes(n, seed)).hexdigest()


def test_tcp_server_and_client_return_descriptors_and_carry_data_both_ways(pair: Tuple[OurNode, OurNode]) -> None:
    """libzt 1.8.4 returns 0 from both helpers instead of the descriptor; ours return it."""
    a, b = pair
    a_ip, b_ip = a.addr_get_str(NWID, family=4), b.addr_get_str(NWID, family=4)
    serving = a.submit("tcp_server", ip="0.0.0.0", port=6000)
    client = b.tcp_client(a_ip, 6000)  # retries while a's listener comes up
    served = a.result(serving, "tcp_server", timeout=30)
    server = served["fd"]
    assert server >= 0 and (served["ip"], served["port"]) == (b_ip, b.getsockname(client)["port"])
    assert b.getpeername(client) == {"ret": 0, "ip": a_ip, "port": 6000}

    receiving = a.submit("recv_all", fd=server)
    sent = b.send_bytes(client, 2_000_000, seed=1, then="shutdown", timeout=60)
    got = a.result(receiving, "recv_all", timeout=60)
    assert (got["len"], got["sha256"]) == (2_000_000, sha256(2_000_000, 1)) == (sent["sent"], sent["sha256"])

    receiving = b.submit("recv_all", fd=client, close=True)
    a.send_bytes(server, 1_000_000, seed=2, then="close", timeout=60)
    got = b.result(receiving, "recv_all", timeout=60)
    assert (got["len"], got["sha256"]) == (1_000_000, sha256(1_000_000, 2))


@pytest.mark.parametrize("family", [4, 6])
def test_connect_waits_for_a_listener_that_is_not_up_yet(pair: Tuple[OurNode, OurNode], family: int) -> None:
    """zts_connect on a blocking socket keeps trying (refused, then accepted) until its timeout."""
    a, b = pair
    a_ip = a.addr_get_str(NWID, family=family)
    port = 6100 + family
    client = b.bsd_socket(family)
    b.set_no_delay(client)
    connecting = b.submit("connect", fd=client, ip=a_ip, port=port, timeout_ms=20000)
    listener = a.bsd_socket(family)
    a.bind(listener, "0.0.0.0" if family == 4 else "::", port)
    a.listen(listener)
    conn = a.accept(listener, timeout=30)
    assert b.result(connecting, "connect", timeout=40) == 0
    assert conn["ip"].lower() == str(b.addr_get_str(NWID, family=family)).lower()
    b.send(client, b"after retries")
    assert a.recv(conn["fd"], 100, timeout=10) == b"after retries"
    for node, fd in ((b, client), (a, conn["fd"]), (a, listener)):
        node.close_fd(fd)


@pytest.mark.parametrize("family", [4, 6])
def test_connect_to_the_unspecified_address_reaches_this_node(pair: Tuple[OurNode, OurNode], family: int) -> None:
    """zts_connect to 0.0.0.0 (or ::) connects to this node's own listener, as a connect() to it does on
    Linux (and zts_bsd_connect here): the blocking zts_connect retried lwIP's EHOSTUNREACH (or a SYN
    sent nowhere) until its time was up."""
    a, _ = pair
    port = 6300 + family
    unspecified = "0.0.0.0" if family == 4 else "::"
    listener = a.bsd_socket(family)
    a.bind(listener, unspecified, port)
    a.listen(listener)
    client = a.bsd_socket(family)
    connecting = a.submit("connect", fd=client, ip=unspecified, port=port, timeout_ms=20000)
    conn = a.accept(listener, timeout=30)
    assert a.result(connecting, "connect", timeout=40) == 0
    assert conn["ip"] == ("127.0.0.1" if family == 4 else "::1")
    for fd in (client, conn["fd"], listener):
        a.close_fd(fd)


def test_udp_server_and_client(pair: Tuple[OurNode, OurNode]) -> None:
    a, b = pair
    a_ip, b_ip = a.addr_get_str(NWID, family=4), b.addr_get_str(NWID, family=4)
    server = a.udp_server(a_ip, 6200)
    a.set_recv_timeout(server, 5)
    client = b.udp_client(a_ip)
    assert b.bsd_sendto(client, b"datagram over zerotier", a_ip, 6200) == 22
    msg = a.bsd_recvfrom(server, 1500, timeout=15)
    assert (msg["data"], msg["ip"]) == (b"datagram over zerotier", b_ip)
    # And back to the client's own port.
    b.set_recv_timeout(client, 5)
    assert a.bsd_sendto(server, b"reply", b_ip, msg["port"]) == 5
    assert b.bsd_recvfrom(client, 1500, timeout=15)["data"] == b"reply"


def test_interface_and_stack_events(pair: Tuple[OurNode, OurNode]) -> None:
    """NETIF_UP and NETIF_LINK_UP (network, MAC, MTU) when a network's interface comes up, LINK_DOWN,
    DOWN and REMOVED when the node leaves; STACK_UP after NODE_UP, STACK_DOWN before NODE_DOWN."""
    node_up, node_down, stack_up, stack_down = 200, 203, 220, 221
    netif_up, netif_down, netif_removed, link_up, link_down = 230, 231, 232, 233, 234
    a, _ = pair
    a_id = int(a.node_get_id(), 16)
    expected = {"net_id": f"{NWID:016x}", "mac": frames.zt_mac(NWID, a_id).hex(), "mtu": 2800}
    codes = [e["code"] for e in a.event_history()]
    assert codes.index(node_up) < codes.index(stack_up) < codes.index(netif_up) < codes.index(link_up)
    assert [e["netif"] for e in a.event_history() if e["code"] in (netif_up, link_up)] == [expected] * 2

    since = max(e["seq"] for e in a.event_history()) + 1
    a.net_leave(NWID)
    a.wait_event(netif_removed, timeout=5, since=since)
    gone = [e for e in a.event_history() if e["seq"] >= since and e["code"] in (link_down, netif_down, netif_removed)]
    assert [e["code"] for e in gone] == [link_down, netif_down, netif_removed]
    assert all(e["netif"] == expected for e in gone)

    a.node_stop()
    a.wait_event(node_down, timeout=5)
    codes = [e["code"] for e in a.event_history()]
    assert codes.index(stack_down) < codes.index(node_down)
