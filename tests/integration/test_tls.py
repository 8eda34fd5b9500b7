# SPDX-License-Identifier: Apache-2.0
"""TLS 1.3 over libzt sockets, both ends ours on two nodes: libzt.tls (blocking) and libzt.aio with
ssl= / start_tls, against the peer's TLS servers. The certificate authority is made here (trustme)."""
from __future__ import annotations

import asyncio
import hashlib
import random
import ssl
import sys
import time
from typing import Any, Dict, Tuple

import pytest

from libzt import aio, tls
from libzt import socket as zsocket
from support.diagnostics import counters
from support.sockets_pair import Pair

trustme = pytest.importorskip("trustme")  # a test dependency (scripts/bootstrap, the "test" extra)

ROOT_PORT = 39976
HOSTNAME = "peer.zt.test"
DEADLINE = 120.0
BULK = 10 * 1024 * 1024


@pytest.fixture(scope="module")
def ca() -> Any:
    return trustme.CA()


@pytest.fixture(scope="module")
def servers(zt_pair: Pair, ca: Any, tmp_path_factory: pytest.TempPathFactory) -> Dict[str, int]:
    """The peer's TLS servers (sync and aio), with a certificate for HOSTNAME."""
    where = tmp_path_factory.mktemp("tls")
    cert = ca.issue_cert(HOSTNAME)
    certfile, keyfile = where / "cert.pem", where / "key.pem"
    cert.cert_chain_pems[0].write_to_path(str(certfile))
    for pem in cert.cert_chain_pems[1:]:
        pem.write_to_path(str(certfile), append=True)
    cert.private_key_pem.write_to_path(str(keyfile))
    return {mode: zt_pair.peer.call("tls_server", certfile=str(certfile), keyfile=str(keyfile), mode=mode)["port"]
            for mode in ("sync", "aio")}


def client_context(ca: Any) -> ssl.SSLContext:
    ctx = ssl.create_default_context()
    ca.configure_trust(ctx)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    return ctx


def connect(zt_pair: Pair, port: int, ca: Any, hostname: str = HOSTNAME) -> tls.TLSSocket:
    sock = zsocket.create_connection((zt_pair.address(4), port), timeout=DEADLINE)
    try:
        return tls.wrap_socket(sock, client_context(ca), server_hostname=hostname)
    except BaseException:
        sock.close()
        raise


def bulk_sync(t: tls.TLSSocket, seed: int) -> Tuple[bytes, bytes, bytes, bytes]:
    """Uploads BULK random bytes and downloads as many: (sent digest, peer's digest, expected, got)."""
    upload = random.Random(seed).randbytes(BULK)
    t.sendall(f"BULK {BULK} {seed + 1}\n".encode())
    t.sendall(upload)
    f = t.makefile("rb")
    theirs = f.read(32)
    download = hashlib.sha256()
    left = BULK
    while left:
        chunk = f.read1(min(left, 1 << 16))
        assert chunk, "the download ended early"
        download.update(chunk)
        left -= len(chunk)
    f.close()
    expected = hashlib.sha256(random.Random(seed + 1).randbytes(BULK)).digest()
    return hashlib.sha256(upload).digest(), theirs, expected, download.digest()


@pytest.mark.parametrize("mode", ["sync", "aio"])
def test_blocking_tls13_echo_with_verified_hostname(zt_pair: Pair, servers: Dict[str, int], ca: Any,
                                                    mode: str) -> None:
    with connect(zt_pair, servers[mode], ca) as t:
        assert t.version() == "TLSv1.3"
        assert ("DNS", HOSTNAME) in t.getpeercert()["subjectAltName"]
        assert t.server_hostname == HOSTNAME and not t.server_side
        t.sendall(b"ECHO\n")
        for size in (1, 100, 20000):
            message = random.Random(size).randbytes(size)
            t.sendall(message)
            got = b""
            while len(got) < size:
                chunk = t.recv(65536)
                assert chunk
                got += chunk
            assert got == message


@pytest.mark.parametrize("mode", ["sync", "aio"])
def test_blocking_wrong_hostname_is_refused(zt_pair: Pair, servers: Dict[str, int], ca: Any, mode: str) -> None:
    with pytest.raises(ssl.SSLCertVerificationError, match=r"Hostname mismatch|doesn't match"):
        connect(zt_pair, servers[mode], ca, hostname="someone-else.zt.test")


def test_blocking_untrusted_certificate_is_refused(zt_pair: Pair, servers: Dict[str, int]) -> None:
    sock = zsocket.create_connection((zt_pair.address(4), servers["sync"]), timeout=DEADLINE)
    with sock, pytest.raises(ssl.SSLCertVerificationError, match="unable to get local issuer"):
        tls.wrap_socket(sock, ssl.create_default_context(), server_hostname=HOSTNAME)


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["sync", "aio"])
def test_blocking_10_mb_both_ways_sha256(zt_pair: Pair, servers: Dict[str, int], ca: Any, mode: str) -> None:
    with connect(zt_pair, servers[mode], ca) as t:
        sent, theirs, expected, got = bulk_sync(t, seed=7)
    assert theirs == sent
    assert got == expected


def test_blocking_timeout_and_unwrap(zt_pair: Pair, servers: Dict[str, int], ca: Any) -> None:
    t = connect(zt_pair, servers["sync"], ca)
    try:
        t.settimeout(0.2)
        t.sendall(b"ECHO\n")
        with pytest.raises(TimeoutError):
            t.recv(10)  # the echo server has nothing to say
        t.settimeout(DEADLINE)
        t.sendall(b"ping")
        assert t.recv(10) == b"ping"
        t.setblocking(False)
        with pytest.raises(ssl.SSLWantReadError):
            t.recv(10)
        t.setblocking(True)
        plain = t.unwrap()  # close_notify: the server's echo loop ends and it answers with its own
        assert isinstance(plain, zsocket.socket)
        plain.close()
    finally:
        t.close()


def test_nonblocking_tls_driven_by_a_selector(zt_pair: Pair, servers: Dict[str, int], ca: Any) -> None:
    """SSLWantRead/WriteError and the readiness descriptor, as non-blocking SSLSocket code uses them."""
    import selectors

    data = random.Random(5).randbytes(2_000_000)
    with connect(zt_pair, servers["sync"], ca) as t:
        t.sendall(b"ECHO\n")
        t.setblocking(False)
        sel = selectors.DefaultSelector()
        sel.register(t, selectors.EVENT_READ | selectors.EVENT_WRITE)
        view, echoed, sending = memoryview(data), bytearray(), True
        while len(echoed) < len(data):
            assert sel.select(DEADLINE), "the TLS socket never became ready"
            if sending:
                try:
                    view = view[t.send(view[:65536]) :]
                    if not view:  # everything accepted; an empty send succeeds once the last record is out
                        t.send(b"")
                        sending = False
                        sel.modify(t, selectors.EVENT_READ)
                except (ssl.SSLWantReadError, ssl.SSLWantWriteError):
                    pass
            while True:
                try:
                    chunk = t.recv(65536)
                except (ssl.SSLWantReadError, ssl.SSLWantWriteError):
                    break
                assert chunk, "the echo ended early"
                echoed += chunk
        sel.close()
        assert bytes(echoed) == data


# ---- asyncio ----------------------------------------------------------------------------------------


def run(zt_pair: Pair, coro: Any) -> Any:
    """asyncio.run with the deadline. A connection that fails below TLS says how long it took and
    what both nodes counted: lwIP ends a connect in ETIMEDOUT after ~20 s of unanswered SYNs (the
    counters say which side lost them), or within half a second when it gets ACKs instead of a SYN-ACK
    (a TIME_WAIT on the same four-tuple: csrc/net/ephemeral_port.hpp)."""
    started = time.monotonic()
    try:
        return asyncio.run(asyncio.wait_for(coro, DEADLINE))
    except OSError as exc:
        if isinstance(exc, ssl.SSLError):
            raise
        took = time.monotonic() - started
        seen = counters({"ours": zt_pair.node.stats, "peer": lambda: zt_pair.peer.call("stats")})
        raise AssertionError(f"{exc!r} after {took:.2f} s; counters: {seen}") from exc


@pytest.mark.parametrize("mode", ["sync", "aio"])
def test_asyncio_tls13_echo(zt_pair: Pair, servers: Dict[str, int], ca: Any, mode: str) -> None:
    async def main() -> None:
        reader, writer = await aio.open_connection(zt_pair.address(4), servers[mode], ssl=client_context(ca),
                                                   server_hostname=HOSTNAME)
        ssl_object = writer.get_extra_info("ssl_object")
        assert ssl_object.version() == "TLSv1.3"
        assert ("DNS", HOSTNAME) in writer.get_extra_info("peercert")["subjectAltName"]
        writer.write(b"ECHO\n")
        for size in (1, 100, 20000):
            message = random.Random(size).randbytes(size)
            writer.write(message)
            assert await reader.readexactly(size) == message
        writer.close()
        await writer.wait_closed()

    run(zt_pair, main())


def test_asyncio_wrong_hostname_is_refused(zt_pair: Pair, servers: Dict[str, int], ca: Any) -> None:
    async def main() -> None:
        await aio.open_connection(zt_pair.address(4), servers["aio"], ssl=client_context(ca),
                                  server_hostname="someone-else.zt.test")

    with pytest.raises(ssl.SSLCertVerificationError, match=r"Hostname mismatch|doesn't match"):
        run(zt_pair, main())


@pytest.mark.slow
def test_asyncio_10_mb_both_ways_sha256(zt_pair: Pair, servers: Dict[str, int], ca: Any) -> None:
    async def main() -> Tuple[bytes, bytes, bytes, bytes]:
        reader, writer = await aio.open_connection(zt_pair.address(4), servers["aio"], ssl=client_context(ca),
                                                   server_hostname=HOSTNAME)
        upload = random.Random(11).randbytes(BULK)
        writer.write(f"BULK {BULK} 12\n".encode())
        for at in range(0, BULK, 1 << 18):
            writer.write(upload[at : at + (1 << 18)])
            await writer.drain()
        theirs = await reader.readexactly(32)
        download = hashlib.sha256()
        left = BULK
        while left:
            chunk = await reader.read(min(left, 1 << 16))
            assert chunk
            download.update(chunk)
            left -= len(chunk)
        writer.close()
        await writer.wait_closed()
        expected = hashlib.sha256(random.Random(12).randbytes(BULK)).digest()
        return hashlib.sha256(upload).digest(), theirs, expected, download.digest()

    sent, theirs, expected, got = run(zt_pair, main())
    assert theirs == sent
    assert got == expected


@pytest.mark.skipif(sys.version_info < (3, 11), reason="StreamWriter.start_tls is Python 3.11+")
def test_asyncio_start_tls_on_our_transport(zt_pair: Pair, ca: Any) -> None:
    """STARTTLS between two streams of this node: plain text first, then TLS on the same transport."""
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert(HOSTNAME).configure_cert(server_ctx)

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        assert await reader.readline() == b"STARTTLS\n"
        writer.write(b"GO\n")
        await writer.drain()
        await writer.start_tls(server_ctx)
        line = await reader.readline()
        writer.write(line.upper())
        await writer.drain()
        writer.close()

    async def main() -> Tuple[bytes, str]:
        server = await aio.start_server(handle, zt_pair.ipv4, 0)
        async with server:
            port = server.sockets[0].getsockname()[1]
            reader, writer = await aio.open_connection(zt_pair.ipv4, port)
            writer.write(b"STARTTLS\n")
            assert await reader.readline() == b"GO\n"
            await writer.start_tls(client_context(ca), server_hostname=HOSTNAME)
            writer.write(b"secret\n")
            answer = await reader.readline()
            version = writer.get_extra_info("ssl_object").version()
            writer.close()
            await writer.wait_closed()
            return answer, version

    assert run(zt_pair, main()) == (b"SECRET\n", "TLSv1.3")

