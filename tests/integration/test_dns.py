# SPDX-License-Identifier: Apache-2.0
"""Name resolution through libzt's own DNS client (lwIP's): a tiny DNS server on the peer node, on
libzt sockets (socket_peer.py's dns_responder), answers for one name; this node is told to ask it
(zts_dns_set_server) and resolves that name with libzt.socket, then connects to it by name."""
from __future__ import annotations

import asyncio
import socket as stdlib_socket
import threading
from typing import Iterator

import pytest

from libzt import _native, aio
from libzt import socket as zsocket
from support.sockets_pair import Pair

ROOT_PORT = 39976
NAME = "echo.zt.example"


@pytest.fixture(scope="module")
def dns_server(zt_pair: Pair) -> Iterator[str]:
    """The peer's IPv4 address, serving NAME; set as this node's first DNS server, and unset after
    (the stack, and its DNS client, outlive the node: later tests must not ask a peer that is gone)."""
    zt_pair.peer.call("dns_responder", name=NAME, ipv4=zt_pair.address(4), ipv6=zt_pair.address(6))
    server = _native.ffi.new("zts_ip_addr *")
    assert _native.lib.zts_ipaddr_aton(zt_pair.address(4).encode(), server) == 1
    assert _native.lib.zts_dns_set_server(0, server) == _native.lib.ZTS_ERR_OK
    got = _native.lib.zts_dns_get_server(0)
    assert _native.ffi.string(_native.lib.zts_ipaddr_ntoa(got)).decode() == zt_pair.address(4)
    yield zt_pair.address(4)
    assert _native.lib.zts_dns_set_server(0, _native.ffi.new("zts_ip_addr *")) == _native.lib.ZTS_ERR_OK  # none


def test_getaddrinfo_resolves_a_name_served_by_a_peer(zt_pair: Pair, dns_server: str) -> None:
    before = zt_pair.peer.call("dns_queries")
    v4 = zsocket.getaddrinfo(NAME, 8080, zsocket.AF_INET, zsocket.SOCK_STREAM)
    assert [info[4] for info in v4] == [(zt_pair.address(4), 8080)]
    v6 = zsocket.getaddrinfo(NAME, 8080, zsocket.AF_INET6, zsocket.SOCK_STREAM)
    assert [info[4][:2] for info in v6] == [(zt_pair.address(6), 8080)]
    assert zt_pair.peer.call("dns_queries") >= before + 2  # the answers came from the peer


def test_connect_by_name(zt_pair: Pair, dns_server: str) -> None:
    port = zt_pair.peer.call("tcp_echo", version=4)["port"]
    with zsocket.create_connection((NAME, port), timeout=30) as sock:
        assert sock.getpeername() == (zt_pair.address(4), port)
        sock.sendall(b"by name")
        sock.shutdown(zsocket.SHUT_WR)
        assert sock.recv(100) == b"by name"


def test_gethostbyname_in_python(zt_pair: Pair, dns_server: str) -> None:
    """The stdlib's names for a lookup (a program written for it calls socket.gethostbyname)."""
    assert zsocket.gethostbyname(NAME) == zt_pair.address(4)
    assert zsocket.gethostbyname_ex(NAME) == (NAME, [], [zt_pair.address(4)])


def test_gethostbyname_in_c(zt_pair: Pair, dns_server: str) -> None:
    host = _native.lib.zts_bsd_gethostbyname(NAME.encode())
    assert host != _native.ffi.NULL
    assert (host.h_addrtype, host.h_length) == (_native.lib.ZTS_AF_INET, 4)
    packed = bytes(_native.ffi.buffer(host.h_addr_list[0], 4))
    assert stdlib_socket.inet_ntop(stdlib_socket.AF_INET, packed) == zt_pair.address(4)


def test_unknown_name_is_a_gaierror(zt_pair: Pair, dns_server: str) -> None:
    with pytest.raises(zsocket.gaierror):
        zsocket.getaddrinfo("nothing.zt.example", 80, zsocket.AF_INET)
    assert _native.lib.zts_bsd_gethostbyname(b"nothing.zt.example") == _native.ffi.NULL
    assert _native.lib.zts_errno_location()[0] == _native.lib.ZTS_EHOSTUNREACH


def test_stack_counters_see_the_queries(zt_pair: Pair, dns_server: str) -> None:
    """zts_stats_get_all carries lwIP's protocol counters (LWIP_STATS): a query out, an answer in."""
    before = _native.ffi.new("zts_stats_counter_t *")
    after = _native.ffi.new("zts_stats_counter_t *")
    assert _native.lib.zts_stats_get_all(before) == _native.lib.ZTS_ERR_OK
    # A name lwIP has not cached: the peer answers NXDOMAIN.
    out = _native.ffi.new("zts_ip_addr *")
    lib = _native.lib
    assert lib.ztx_dns_resolve(b"counted.zt.example", lib.ZTS_AF_INET, out) == lib.ZTS_ERR_SOCKET
    assert _native.lib.zts_stats_get_all(after) == _native.lib.ZTS_ERR_OK
    assert after.udp_tx > before.udp_tx and after.udp_rx > before.udp_rx
    assert after.ip4_tx > before.ip4_tx and after.ip4_rx > before.ip4_rx
    assert after.link_tx > before.link_tx  # the node's own counters are still there


def test_aio_resolves_names_off_the_event_loop(zt_pair: Pair, dns_server: str,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """libzt.aio asks the resolver from the loop's executor (a lookup can take seconds), as asyncio
    does; numeric addresses are answered on the loop. Then a stream by name, through the real resolver."""
    real = zsocket.getaddrinfo
    threads: list = []

    def recording(*args: object, **kwargs: object) -> list:
        threads.append(threading.get_ident())
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(zsocket, "getaddrinfo", recording)
    port = zt_pair.peer.call("tcp_echo", version=4)["port"]

    async def main() -> tuple:
        loop_thread = threading.get_ident()
        by_name = await aio.getaddrinfo(NAME, port, zsocket.AF_INET, zsocket.SOCK_STREAM)
        numeric = await aio.getaddrinfo(zt_pair.address(4), port, zsocket.AF_INET, zsocket.SOCK_STREAM)
        reader, writer = await aio.open_connection(NAME, port)
        writer.write(b"async by name")
        writer.write_eof()
        echoed = await reader.read()
        writer.close()
        await writer.wait_closed()
        return loop_thread, by_name, numeric, echoed

    loop_thread, by_name, numeric, echoed = asyncio.run(main())
    assert [info[4] for info in by_name] == [(zt_pair.address(4), port)]
    assert [info[4] for info in numeric] == [(zt_pair.address(4), port)]
    assert echoed == b"async by name"
    assert len(threads) == 3 and threads[0] != loop_thread and threads[1] == loop_thread and threads[2] != loop_thread
