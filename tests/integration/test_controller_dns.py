# SPDX-License-Identifier: Apache-2.0
"""DNS pushed by a network's config, end to end: our controller (``libzt controller``) is told a
network's ``dns`` through its REST API; one member (a socket_peer.py process) serves a name over
UDP on libzt sockets; another member joins, sees the domain and servers on its Network object, and
its libzt resolver asks the pushed server (no zts_dns_set_server on its side), so that a name
resolves and a connection by name reaches the first member. Servers the application sets win."""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Callable

import pytest
from libzt._native import lib

from support.controllers import managed_network, start_world
from support.netns import NetNs
from support.sockets_pair import PeerError, SocketPeer

pytestmark = pytest.mark.netns

NAME = "files.lab.zt.example"
DOMAIN = "lab.zt.example"


def wait_for(what: str, probe: Callable[[], Any], expected: Any, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    got = probe()
    while got != expected:
        assert time.monotonic() < deadline, f"{what}: {got!r}, still not {expected!r} after {timeout} s"
        time.sleep(0.05)  # the poll interval: each probe is a request to a member process
        got = probe()


def test_pushed_dns_reaches_the_members_resolver(netns: NetNs, our_node, tmp_path: Path) -> None:
    planet, ctl = start_world(netns, our_node, tmp_path, 29975)
    server = client = None
    try:
        nwid = managed_network(ctl, private=False)
        net = f"{nwid:016x}"
        server = SocketPeer(planet, nwid, prefix=netns.cmd_prefix)
        assert server.ipv4 is not None and server.ipv6 is not None
        server.call("dns_responder", name=NAME, ipv4=server.ipv4, ipv6=server.ipv6)

        # The REST API takes zerotier-one's shape and keeps it (in the database).
        record = ctl.api.ok("POST", f"/controller/network/{net}", {"dns": {"domain": DOMAIN, "servers": [server.ipv4]}})
        assert record["dns"] == {"domain": DOMAIN, "servers": [server.ipv4]}
        assert ctl.api.ok("GET", f"/controller/network/{net}")["dns"] == record["dns"]

        # A member already on the network gets the change pushed.
        wait_for("the server member's network DNS", lambda: server.call("network_dns", network=net),
                 {"domain": DOMAIN, "servers": [server.ipv4]})

        client = SocketPeer(planet, nwid, prefix=netns.cmd_prefix)
        assert client.call("network_dns", network=net) == {"domain": DOMAIN, "servers": [server.ipv4]}
        wait_for("the client's resolver", lambda: client.call("dns_servers")[0], server.ipv4)

        before = server.call("dns_queries")
        assert client.call("resolve", name=NAME) == [server.ipv4]
        assert client.call("resolve", name=NAME, version=6) == [server.ipv6]
        assert server.call("dns_queries") >= before + 2  # the answers came from the member
        with pytest.raises(PeerError, match="gaierror"):
            client.call("resolve", name="nothing." + DOMAIN)

        # getaddrinfo by name, then a connection to what it found.
        sink = server.start("tcp_sink", version=4)
        port = sink.early()["port"]
        assert client.call("tcp_send", host=NAME, port=port, size=100_000)["sent"] == 100_000
        assert sink.result()["received"] == 100_000

        # The application's own server wins; unset again, the pushed one is back.
        assert client.call("set_dns_server", index=0, ip="10.147.17.1") == 0
        assert client.call("dns_servers")[0] == "10.147.17.1"
        assert client.call("set_dns_server", index=0, ip="") == 0
        assert client.call("dns_servers")[0] == server.ipv4

        # The network stops pushing DNS (an empty domain and no servers, as zerotier-one's API clears
        # it): the member's resolver forgets it.
        none = {"domain": "", "servers": []}
        assert ctl.api.ok("POST", f"/controller/network/{net}", {"dns": none})["dns"] == none
        wait_for("the client's network DNS", lambda: client.call("network_dns", network=net),
                 {"domain": "", "servers": []})
        wait_for("the client's resolver", lambda: client.call("dns_servers")[0], "")
        with pytest.raises(PeerError, match="not a member"):
            client.call("network_dns", network="ffffffffffffff01")
        # The C call's refusals: not joined, and no place to write to.
        assert client.call("net_get_dns_rc", network="ffffffffffffff01") == lib.ZTS_ERR_NO_RESULT
        assert client.call("net_get_dns_rc", network=net, null=True) == lib.ZTS_ERR_ARG
        assert client.call("net_get_dns_rc", network=net) == lib.ZTS_ERR_OK
    finally:
        for peer in (client, server):
            if peer is not None:
                peer.close()
        ctl.stop()
