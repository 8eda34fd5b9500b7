# SPDX-License-Identifier: Apache-2.0
"""libzt.socket between two of our nodes on an ad-hoc network (IPv4 44.x.y.z/8 and 6PLANE IPv6):
this process's node against a peer process serving through libzt.socket too (socket_peer.py)."""
from __future__ import annotations

import errno
import functools
import gc
import hashlib
import pickle
import random
import select
import signal
import socket as stdlib_socket
import struct
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

import pytest

from libzt import socket
from libzt._bindings import sockets as _ll
from support.official import wait_until
from support.sockets_pair import Pair, exchange

MB = 1_000_000


def connect(pair: Pair, version: int, port: int, timeout: float = 10) -> socket.socket:
    return socket.create_connection((pair.address(version), port), timeout=timeout)


def recv_all(sock: socket.socket) -> bytes:
    chunks = []
    while True:
        data = sock.recv(65536)
        if not data:
            return b"".join(chunks)
        chunks.append(data)


@pytest.fixture(scope="module")
def echo_port(zt_pair: Pair) -> dict[int, int]:
    return {v: zt_pair.peer.call("tcp_echo", version=v)["port"] for v in (4, 6)}


def test_tcp_100_mb_each_way_at_once(zt_pair: Pair) -> None:
    """Full duplex: 100 MB up and 100 MB down on one connection, both hashed."""
    size = 100 * MB
    request = zt_pair.peer.start("tcp_exchange", version=4, send=size, seed=1)
    payload = random.Random(2).randbytes(size)
    expected_down = hashlib.sha256(random.Random(1).randbytes(size)).hexdigest()
    started = time.monotonic()
    with connect(zt_pair, 4, request.early()["port"], timeout=60) as sock:
        received, digest = exchange(sock, payload)
    elapsed = time.monotonic() - started
    result = request.result(timeout=120)
    print(f"\n100 MB each way at once: {elapsed:.2f} s, {2 * size / elapsed / MB:.1f} MB/s in total")
    assert (received, digest) == (size, expected_down)
    assert (result["received"], result["sha256"]) == (size, hashlib.sha256(payload).hexdigest())


@pytest.mark.parametrize("version", [4, 6])
def test_echo_and_addresses(zt_pair: Pair, echo_port: dict[int, int], version: int) -> None:
    data = random.Random(version).randbytes(2 * MB)
    with connect(zt_pair, version, echo_port[version]) as sock:
        assert sock.family == (socket.AF_INET6 if version == 6 else socket.AF_INET)
        assert sock.type == socket.SOCK_STREAM
        local, peer = sock.getsockname(), sock.getpeername()
        if version == 4:
            assert local[0] == zt_pair.ipv4 and peer == (zt_pair.peer.ipv4, echo_port[4])
        else:
            assert len(local) == 4 and len(peer) == 4  # (host, port, flowinfo, scope_id), as the stdlib's
            assert local[0] == zt_pair.ipv6 and peer[:2] == (zt_pair.peer.ipv6, echo_port[6])
        assert f"raddr={peer}" in repr(sock)
        sender = threading.Thread(target=lambda: (sock.sendall(data), sock.shutdown(socket.SHUT_WR)))
        sender.start()
        echoed = recv_all(sock)
        sender.join()
    assert echoed == data


def test_200_concurrent_connections_each_echo_64_kib(zt_pair: Pair, echo_port: dict[int, int]) -> None:
    """Also: sockets close while others are created, and lwIP hands socket numbers on. It must not
    hand on the closed socket's readiness too: a new TCP socket polls writable and hung up, as on
    Linux, and neither readable nor in error."""
    from libzt._bindings import sockets as _sockets_ll

    def one(i: int) -> tuple[bool, int]:
        data = random.Random(i).randbytes(64 * 1024)
        with connect(zt_pair, 4, echo_port[4], timeout=60) as sock:
            sock.sendall(data)
            sock.shutdown(socket.SHUT_WR)
            echoed = recv_all(sock) == data
        with socket.socket() as fresh:
            return echoed, _sockets_ll.poll_one(fresh.zts_fileno(), _sockets_ll.POLLIN | _sockets_ll.POLLOUT, 0)

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=200) as pool:
        results = list(pool.map(one, range(200)))
    print(f"\n200 connections x 64 KiB echoed in {time.monotonic() - started:.2f} s")
    assert all(echoed for echoed, _ in results)
    assert {events for _, events in results} == {_sockets_ll.POLLOUT | _sockets_ll.POLLHUP}


def test_half_close_then_read_the_rest(zt_pair: Pair) -> None:
    request = zt_pair.peer.start("tcp_half_close", version=4)
    with connect(zt_pair, 4, request.early()["port"]) as sock:
        sock.sendall(b"x" * 300_000)
        sock.shutdown(socket.SHUT_WR)  # the peer sees EOF, and can still answer
        with pytest.raises(BrokenPipeError):
            sock.send(b"more")  # EPIPE: our side is shut
        answer = recv_all(sock)
    assert answer == b"got 300000 bytes" + bytes(100_000)
    assert request.result() == {"received": 300_000}


def test_shut_write_after_the_peers_fin_then_read_the_end(zt_pair: Pair) -> None:
    """The peer closes first; we shut our side and only then read the end of the stream. lwIP 2.1.3 would
    free the connection under the socket when the peer acknowledges our FIN (a use after free that
    AddressSanitizer reported in `libzt proxy`); the socket must see the connection end instead."""
    for _ in range(5):  # each time, the peer's ACK races with our read of the end
        request = zt_pair.peer.start("tcp_goodbye", version=4)
        with connect(zt_pair, 4, request.early()["port"]) as sock:
            assert sock.recv(100) == b"bye"
            assert select.select([sock], [], [], 60)[0] == [sock]  # the peer's FIN is here, unread
            sock.shutdown(socket.SHUT_WR)
            assert sock.recv(100) == b""
            # Until the peer acknowledges our FIN: then the connection is gone, as on Linux (polled:
            # nothing signals the ACK's arrival).
            wait_until(lambda: connection_ended(sock), timeout=60, interval=0.005, what="the connection ends")
        assert request.result() == {"closed": True}


def connection_ended(sock: socket.socket) -> bool:
    """Whether the socket says its connection is over (getpeername: ENOTCONN)."""
    try:
        sock.getpeername()
    except OSError as exc:
        assert exc.errno == errno.ENOTCONN, exc
        return True
    return False


def answers_as_closed(sock: socket.socket) -> None:
    assert sock.recv(10) == b""
    with pytest.raises(BrokenPipeError):
        sock.send(b"x")
    assert select.select([sock], [sock], [], 10)[:2] == ([sock], [sock])


@pytest.mark.slow
def test_sockets_kept_after_their_connections_ended_in_time_wait(zt_pair: Pair, echo_port: dict[int, int]) -> None:
    """We shut our side first, the peer closes: the connection goes to TIME_WAIT, which lwIP 2.1.3 does
    without telling the socket, and frees 2*MSL (60 s) later without telling it either: a socket kept
    that long then touched freed memory (AddressSanitizer says so). A socket that read the end must see
    its connection end, as on Linux; one that has not read it yet must still read what is left and the
    end (not a reset) after the other's TIME_WAIT is over, and then see its connection end too."""
    with connect(zt_pair, 4, echo_port[4]) as read_at_once, connect(zt_pair, 4, echo_port[4]) as read_late:
        for sock in (read_at_once, read_late):
            sock.sendall(b"e")
            sock.shutdown(socket.SHUT_WR)
        assert recv_all(read_at_once) == b"e"  # the peer's FIN: this side is in TIME_WAIT now
        wait_until(lambda: connection_ended(read_at_once), timeout=30, what="the socket sees its connection end")
        answers_as_closed(read_at_once)
        # Every TIME_WAIT of this node ends but read_late's, which lwIP keeps while its end is unread.
        wait_until(lambda: _ll.limits()["time_wait"] == 1, timeout=180, what="every other TIME_WAIT ended")
        answers_as_closed(read_at_once)  # lwIP freed its connection
        assert recv_all(read_late) == b"e" and read_late.recv(10) == b""
        wait_until(lambda: connection_ended(read_late), timeout=30, what="the other socket sees its connection end")
        answers_as_closed(read_late)


@pytest.mark.slow
def test_close_lingers_as_the_stdlibs(zt_pair: Pair) -> None:
    """With SO_LINGER on and a time set, close() waits for the peer to acknowledge what was sent, up to
    that time, as Linux's close(2) does (then the connection goes on alone). lwIP cannot linger on a
    non-blocking socket (ours all are underneath): close failed with EAGAIN and kept the socket. On a
    listening socket SO_LINGER changes nothing (lwIP read fields its listening PCBs lack)."""
    linger_s = 1
    sink = zt_pair.peer.start("tcp_sink")
    with connect(zt_pair, 4, sink.early()["port"]) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 30))
        sock.sendall(bytes(1 << 20))
    assert sink.result(timeout=60)["received"] == 1 << 20  # all of it, then the end: no reset
    holding = zt_pair.peer.start("tcp_hold")  # accepts and never reads
    sock = connect(zt_pair, 4, holding.early()["port"])
    assert sock.recv(1) == b"k"
    sock.settimeout(5)  # 2 MiB is more than the peer's window and our send buffer take together (0.5)
    with pytest.raises(socket.timeout):
        sock.sendall(bytes(2 << 20))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, linger_s))
    started = time.monotonic()
    sock.close()  # what the peer never acknowledges keeps it for the linger time
    assert linger_s * 0.9 <= time.monotonic() - started < linger_s + 10
    for seconds in (0, 40000):  # lwIP's field holds 32767 at most: more turned lingering off
        with socket.create_server(("", 0)) as listening:
            listening.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, seconds))
            assert struct.unpack("ii", listening.getsockopt(socket.SOL_SOCKET, socket.SO_LINGER, 8)) == (
                1, min(seconds, 32767))


def test_close_with_unread_data_resets_the_connection(zt_pair: Pair) -> None:
    """The reset is the error of one call, the first to meet it, as on Linux (lwIP reports it to every
    send and to two receives): afterwards a receive returns the end and a send says EPIPE."""
    for first in ("recv", "send"):
        request = zt_pair.peer.start("tcp_close_unread", version=4)
        with connect(zt_pair, 4, request.early()["port"]) as sock:
            sock.sendall(b"the peer will not read this")
            request.result()
            assert select.select([sock], [], [], 60)[0] == [sock]  # the RST is here
            with pytest.raises(ConnectionResetError) as info:
                sock.recv(100) if first == "recv" else sock.send(b"x")
            assert info.value.errno == errno.ECONNRESET and info.value.strerror == "Connection reset by peer"
            assert sock.recv(100) == b"" and sock.recv(100) == b""
            for _ in range(2):
                with pytest.raises(BrokenPipeError):
                    sock.send(b"x")


def _connect_again_after_a_reset(sock: Any, address: Any, reset_arrives: Any) -> list[Any]:
    """What connect, recv and connect again say on a connected socket once its peer closed with
    unread data (a reset): an errno name or what the call returned."""
    def outcome(call: Any) -> Any:
        try:
            return call()
        except OSError as exc:
            return errno.errorcode[exc.errno]

    sock.sendall(b"the peer will not read this")
    reset_arrives()
    assert select.select([sock], [], [], 60)[0] == [sock]  # the RST is here
    return [outcome(lambda: sock.connect(address)), outcome(lambda: sock.recv(10)),
            outcome(lambda: sock.connect(address)), outcome(lambda: sock.recv(10))]


def test_connect_after_the_connection_ended_says_eisconn_as_the_stdlibs(zt_pair: Pair) -> None:
    """Linux keeps a socket whose blocking connect made a connection connected after the connection
    ended: connect says EISCONN and leaves the reset for the receive to report. lwIP had freed the
    PCB, so ours said ENOTCONN. (A connect Linux made non-blocking, as CPython's with a timeout, is
    another story there: the next connect reports the reset and connects anew. Ours answers as the
    blocking one whatever the mode.)"""
    with stdlib_socket.create_server(("127.0.0.1", 0)) as listening:
        address = listening.getsockname()
        with stdlib_socket.create_connection(address) as sock:
            conn, _ = listening.accept()

            def close_unread() -> None:
                assert select.select([conn], [], [], 60)[0] == [conn]
                conn.close()

            expected = _connect_again_after_a_reset(sock, address, close_unread)
    assert expected == ["EISCONN", "ECONNRESET", "EISCONN", b""]  # what Linux says, checked here
    request = zt_pair.peer.start("tcp_close_unread", version=4)
    address = (zt_pair.address(4), request.early()["port"])
    for timeout in (None, 10.0):
        if timeout:
            request = zt_pair.peer.start("tcp_close_unread", version=4)
            address = (zt_pair.address(4), request.early()["port"])
        with socket.create_connection(address, timeout=timeout) as sock:
            assert _connect_again_after_a_reset(sock, address, request.result) == expected, timeout


@pytest.mark.parametrize("version", [4, 6])
def test_connection_refused(zt_pair: Pair, version: int) -> None:
    address = (zt_pair.address(version), 9)  # nobody listens there
    with pytest.raises(ConnectionRefusedError) as info:
        socket.create_connection(address, timeout=10)
    assert info.value.errno == errno.ECONNREFUSED
    with socket.socket(socket.AF_INET6 if version == 6 else socket.AF_INET) as sock:
        assert sock.connect_ex(address) == errno.ECONNREFUSED


@pytest.mark.parametrize("timeout", [None, 10.0])
def test_a_refused_connect_leaves_the_socket_ready_to_connect_again(zt_pair: Pair, timeout: float | None) -> None:
    """As on Linux, a blocking connect that failed leaves the socket unconnected (ENOTCONN, not lwIP's
    reset) and ready for another connect: a loop that connects until its server is up works. (lwIP's
    socket had lost its PCB: every later connect said ENOTCONN.) Options set before the first attempt
    hold for the later ones, as they would on the one socket Linux keeps."""
    port = 40_000 + (0 if timeout is None else 1)
    address = (zt_pair.address(4), port)  # nobody listens there yet
    with socket.socket() as sock:
        sock.settimeout(timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        for _ in range(2):
            with pytest.raises(ConnectionRefusedError):
                sock.connect(address)
            for call in (lambda: sock.recv(1), sock.getpeername):
                with pytest.raises(OSError) as info:
                    call()
                assert info.value.errno == errno.ENOTCONN, info.value
        zt_pair.peer.call("tcp_echo", version=4, port=port)
        sock.connect(address)
        assert sock.getpeername() == address
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
        assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE) == 1
        sock.sendall(b"at last")
        assert sock.recv(16) == b"at last"


def test_sending_on_a_stream_without_a_connection_fails_as_the_stdlibs(zt_pair: Pair,
                                                                      echo_port: dict[int, int]) -> None:
    """A send of nothing meets the errors a send of data would (lwIP takes it as done at once); a
    connection shut down for writing says EPIPE (lwIP: ENOTCONN), BrokenPipeError as in the stdlib; a
    connect under way is waited for, or EAGAIN when non-blocking (lwIP: EINPROGRESS). A socket that
    never connected says ENOTCONN, as POSIX has it (Linux says EPIPE to a send there), to a receive
    too."""
    with socket.socket() as fresh, socket.create_server(("", 0)) as listening:
        for sock in (fresh, listening):
            for data in (b"", b"x"):
                for send in (sock.send, sock.sendall):
                    with pytest.raises(OSError) as info:
                        send(data)
                    assert info.value.errno == errno.ENOTCONN, (sock, send, data, info.value)
            with pytest.raises(OSError) as info:
                sock.recv(1)  # no connection will come to give it anything: no wait (lwIP waited forever)
            assert info.value.errno == errno.ENOTCONN, (sock, info.value)
    with socket.socket() as connecting:
        connecting.setblocking(False)
        assert connecting.connect_ex(("44.0.0.1", 80)) == errno.EINPROGRESS  # nothing answers there
        for data in (b"", b"x"):
            with pytest.raises(BlockingIOError) as blocked:
                connecting.send(data)
            assert blocked.value.errno == errno.EAGAIN, (data, blocked.value)
    with connect(zt_pair, 4, echo_port[4]) as sock:
        assert sock.send(b"") == 0 and sock.sendall(b"") is None and sock.sendmsg([]) == 0
        sock.sendall(b"e")
        sock.shutdown(socket.SHUT_WR)
        for data in (b"", b"x", bytearray(2)):
            for send in (sock.send, sock.sendall, lambda d: sock.sendmsg([d])):
                with pytest.raises(BrokenPipeError) as pipe:
                    send(data)
                assert pipe.value.errno == errno.EPIPE, (data, pipe.value)
        assert recv_all(sock) == b"e"  # receiving still works: only this side's sending is over


def test_the_end_of_the_stream_reads_again_as_the_stdlibs(zt_pair: Pair, echo_port: dict[int, int]) -> None:
    """After the end of the stream, every receive returns it again (lwIP said ENOTCONN from the
    second on, so a buffered reader's second read raised); shutdown(SHUT_RD) ends it as well."""
    with connect(zt_pair, 4, echo_port[4]) as sock:
        sock.sendall(b"e")
        sock.shutdown(socket.SHUT_WR)
        reader = sock.makefile("rb")
        assert reader.read() == b"e" and reader.read() == b"" and reader.read(1) == b""
        buf = bytearray(4)
        assert sock.recv(4) == b"" and sock.recv_into(buf) == 0 and sock.recvfrom(4)[0] == b""
        reader.close()
    with connect(zt_pair, 4, echo_port[4]) as sock:
        sock.shutdown(socket.SHUT_RD)
        assert sock.recv(4) == b"" and sock.recv(4) == b""


def test_timeouts_and_non_blocking_mode(zt_pair: Pair, echo_port: dict[int, int]) -> None:
    with connect(zt_pair, 4, echo_port[4]) as sock:
        sock.settimeout(0.3)
        assert sock.gettimeout() == 0.3 and sock.getblocking()
        started = time.monotonic()
        with pytest.raises(socket.timeout) as info:
            sock.recv(10)  # the echo server has nothing to say
        waited = time.monotonic() - started
        assert isinstance(info.value, TimeoutError) and str(info.value) == "timed out"
        assert 0.29 <= waited < 1.5
        sock.setblocking(False)
        assert sock.gettimeout() == 0.0 and not sock.getblocking()
        with pytest.raises(BlockingIOError):
            sock.recv(10)
        sock.setblocking(True)
        sock.sendall(b"ping")
        assert sock.recv(10, socket.MSG_PEEK) == b"ping"
        assert sock.recv(10) == b"ping"
        with pytest.raises(BlockingIOError):
            sock.recv(10, socket.MSG_DONTWAIT)
    # Connecting to an address nobody holds: nothing answers.
    silent = ("44.0.0.1", 80)
    started = time.monotonic()
    with pytest.raises(socket.timeout):
        socket.create_connection(silent, timeout=0.5)
    assert 0.45 <= time.monotonic() - started < 2.0
    with socket.socket() as sock:
        sock.setblocking(False)
        with pytest.raises(BlockingIOError) as exc:
            sock.connect(silent)
        assert exc.value.errno == errno.EINPROGRESS


@pytest.mark.slow
def test_a_connect_nobody_answers_times_out_as_the_stdlibs(zt_pair: Pair, echo_port: dict[int, int]) -> None:
    """Without a time limit, a connect whose SYNs go unanswered ends when lwIP gives up on them (six
    retransmissions, about 20 s): TimeoutError with ETIMEDOUT, what Linux says after its own retries
    (lwIP reports it as an abort, ECONNABORTED). Each socket can connect again afterwards, as on Linux,
    however its failure was seen: by the blocking connect, by SO_ERROR, or (a time limit having ended
    the first connect's wait) by the next connect, which reports it."""
    silent = ("44.0.0.1", 80)
    with socket.socket() as blocking, socket.socket() as non_blocking, socket.socket() as limited:
        non_blocking.setblocking(False)
        assert non_blocking.connect_ex(silent) == errno.EINPROGRESS  # all wait at once
        limited.settimeout(0.2)
        with pytest.raises(TimeoutError):
            limited.connect(silent)  # its SYNs go on
        started = time.monotonic()
        with pytest.raises(TimeoutError) as info:
            blocking.connect(silent)
        assert info.value.errno == errno.ETIMEDOUT, info.value
        assert time.monotonic() - started >= 15  # lwIP's retransmissions, not an early failure
        _, writable, _ = select.select([], [non_blocking], [], 120)
        assert writable == [non_blocking]
        assert non_blocking.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == errno.ETIMEDOUT
        with pytest.raises(TimeoutError) as info:
            limited.connect(silent)  # lwIP gave up on these SYNs too (the wait above outlasted them)
        assert info.value.errno == errno.ETIMEDOUT, info.value

        server = (zt_pair.address(4), echo_port[4])
        non_blocking.setblocking(True)
        limited.settimeout(30)
        for sock in (blocking, non_blocking, limited):
            sock.connect(server)
            sock.sendall(b"again")
            assert sock.recv(16) == b"again"


def test_waits_longer_than_a_slice_end_on_time(zt_pair: Pair, echo_port: dict[int, int]) -> None:
    """A blocking call comes back from libzt every slice (0.25 s) and calls again: a limit that is not
    a whole number of slices still ends when it says, for each way of setting one."""
    with connect(zt_pair, 4, echo_port[4]) as sock:
        sock.settimeout(0.6)  # two slices and a shortened last stretch
        started = time.monotonic()
        with pytest.raises(socket.timeout):
            sock.recv(10)
        assert 0.59 <= time.monotonic() - started < 2.0

        # SO_RCVTIMEO on a blocking socket: Linux's EAGAIN (BlockingIOError), not a timeout.
        sock.settimeout(None)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, struct.pack("@ll", 0, 400_000))
        assert struct.unpack("@ll", sock.getsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, 16)) == (0, 400_000)
        started = time.monotonic()
        with pytest.raises(BlockingIOError) as info:
            sock.recv(10)
        assert info.value.errno == errno.EAGAIN
        assert 0.39 <= time.monotonic() - started < 2.0
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, struct.pack("@ll", 0, 0))

        # MSG_WAITALL: one time limit for the whole call, however many receives it takes; the bytes
        # that came are returned when it runs out (as Linux does).
        sock.settimeout(0.6)
        sock.sendall(b"ab")
        started = time.monotonic()
        assert sock.recv(4, socket.MSG_WAITALL) == b"ab"
        assert 0.59 <= time.monotonic() - started < 2.0
        sock.sendall(b"abcd")
        assert sock.recv(4, socket.MSG_WAITALL) == b"abcd"  # all there: no waiting for the limit


def test_a_signal_interrupts_a_blocked_recv_and_the_socket_stays_usable(zt_pair: Pair,
                                                                       echo_port: dict[int, int]) -> None:
    """In the main thread a blocking call lets signal handlers run (Ctrl-C ends it), as the stdlib's."""
    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGALRM, interrupt)
    try:
        with connect(zt_pair, 4, echo_port[4]) as sock:
            sock.settimeout(None)
            started = time.monotonic()
            signal.setitimer(signal.ITIMER_REAL, 0.3)
            with pytest.raises(KeyboardInterrupt):
                sock.recv(10)  # nothing comes: only the signal ends it
            assert 0.29 <= time.monotonic() - started < 5.0
            sock.settimeout(10)
            sock.sendall(b"still here")
            assert sock.recv(10, socket.MSG_WAITALL) == b"still here"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_blocked_recv_and_accept_end_when_another_thread_closes_the_socket(zt_pair: Pair,
                                                                           echo_port: dict[int, int]) -> None:
    outcome: dict[str, Any] = {}

    def blocked(name: str, call: Any) -> threading.Thread:
        def run() -> None:
            started = time.monotonic()
            try:
                call()
                outcome[name] = "returned"
            except OSError as exc:
                outcome[name] = (exc.errno, time.monotonic() - started)

        t = threading.Thread(target=run)
        t.start()
        return t

    conn = connect(zt_pair, 4, echo_port[4])
    listener = socket.create_server(("0.0.0.0", 0))
    threads = [blocked("recv", lambda: conn.recv(10)), blocked("accept", listener.accept)]
    time.sleep(0.2)  # let both block (not a synchronisation: the assertions hold either way)
    conn.close()
    listener.close()
    for t in threads:
        t.join(5)
    assert not any(t.is_alive() for t in threads)
    for name in ("recv", "accept"):
        code, _ = outcome[name]
        assert code == errno.EBADF, outcome


@pytest.fixture(scope="module")
def udp_echo_port(zt_pair: Pair) -> dict[int, int]:
    return {v: zt_pair.peer.call("udp_echo", version=v)["port"] for v in (4, 6)}


def test_udp_10000_datagrams_counted(zt_pair: Pair, udp_echo_port: dict[int, int]) -> None:
    # The receiving socket queues at most what its SO_RCVBUF says (about 260 of these datagrams), as a
    # kernel socket does: a sender faster than the receiving application loses datagrams there,
    # whatever the path did. So the sender keeps at most WINDOW datagrams beyond what the receiver
    # says it has (it tells every ACK_EVERY), and every datagram lost on the way is still counted.
    window, ack_every = 64, 16
    request = zt_pair.peer.start("udp_count", version=4, idle=2.0, ack_every=ack_every)
    port = request.early()["port"]
    total = 10_000
    stalls = 0
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        # First a round trip, so that the peer's MAC is known: while lwIP asks (ARP) it holds only
        # the last 10 datagrams for that address.
        sock.settimeout(5)
        sock.sendto(b"arp", (zt_pair.peer.ipv4, udp_echo_port[4]))
        assert sock.recv(10) == b"arp"
        target = (zt_pair.peer.ipv4, port)
        sock.settimeout(2)
        received = 0
        started = time.monotonic()
        for seq in range(total):
            while seq - received >= window:
                try:
                    received = max(received, int.from_bytes(sock.recv(8), "big"))
                except socket.timeout:  # datagrams (or a report) lost: go on, the count tells
                    stalls += 1
                    received = seq
            sock.sendto(seq.to_bytes(8, "big") + bytes(1000), target)
        elapsed = time.monotonic() - started
        sock.sendto((2**64 - 1).to_bytes(8, "big"), target)
    result = request.result(timeout=60)
    lost = total - result["count"]
    print(f"\nUDP: {total} datagrams of 1008 bytes in {elapsed:.2f} s, {lost} lost, {stalls} stalls")
    assert result["sizes"] == {"1008": result["count"]}
    assert lost == 0


def test_an_unread_udp_socket_queues_what_its_receive_buffer_holds(zt_pair: Pair) -> None:
    """SO_RCVBUF starts at a real size, and a datagram socket nobody reads queues that many bytes at
    most, dropping what comes after, a limit like Linux's: lwIP's default said 2 GB (INT_MAX) to a program
    sizing its buffers from it, and queued 1024 datagrams of up to 64 KB each (64 MB) for a sender
    to fill. TCP reports its window, what the option stands for there."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
        assert tcp.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF) == 96 * 2760  # TCP_WND, lwipopts.h
    payload = bytes(2000)  # one frame each (the network's MTU is 2800): no fragments to reassemble
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as unread, \
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as marker, \
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
        limit = unread.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)
        assert limit == 96 * 2760
        unread.bind((zt_pair.ipv4, 0))
        marker.bind((zt_pair.ipv4, 0))
        for _ in range(3 * limit // len(payload)):
            sender.sendto(payload, unread.getsockname())
        # Our own address: lwIP loops the datagrams back in the order they were sent, so once the
        # marker is in, so is every datagram before it that was kept.
        sender.sendto(b"marker", marker.getsockname())
        marker.settimeout(30)
        assert marker.recv(16) == b"marker"
        unread.setblocking(False)
        queued = 0
        with pytest.raises(BlockingIOError):
            while True:
                queued += len(unread.recv(65536))
        assert limit - len(payload) < queued <= limit
        # A smaller buffer holds less, as it did (lwIP applies the option to datagram sockets).
        unread.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 10 * len(payload))
        for _ in range(30):
            sender.sendto(payload, unread.getsockname())
        sender.sendto(b"marker", marker.getsockname())
        assert marker.recv(16) == b"marker"
        queued = 0
        with pytest.raises(BlockingIOError):
            while True:
                queued += len(unread.recv(65536))
        assert queued == 10 * len(payload)


def _echo(sock: socket.socket, payload: bytes, target: tuple) -> None:
    """Sends ``payload`` to a UDP echo until it comes back (up to three times: a datagram of many IP
    fragments is lost with any one of them), passing over late copies of earlier ones."""
    echoed = None
    for _ in range(3):
        sock.sendto(payload, target)
        try:
            while echoed != payload:
                echoed, sender = sock.recvfrom(70000)
                assert sender[:2] == target
            break
        except socket.timeout:
            continue
    assert echoed == payload, len(payload)


@pytest.mark.parametrize("version", [4, 6])
def test_udp_echo_and_the_largest_datagrams(zt_pair: Pair, udp_echo_port: dict[int, int], version: int) -> None:
    port = udp_echo_port[version]
    family = socket.AF_INET6 if version == 6 else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as sock:
        target = (zt_pair.address(version), port)
        # One full ZeroTier frame, then IP-fragmented ones up to the largest UDP carries (lwIP's IPv6
        # stops 40 bytes short of Linux's 65527: its packet length is 16 bits, headers included).
        # Reassembly held 10 fragments (lwIP's default): 28 kB and more never arrived.
        # A datagram of 24 fragments is lost with any one of them: each is sent up to three times, and
        # a late copy of an earlier one is passed over.
        largest = 65487 if version == 6 else 65507
        sock.settimeout(10)
        for size in (1, 1400, 2800 - (48 if version == 6 else 28), 8192, 16384, 32768, largest):
            _echo(sock, random.Random(size).randbytes(size), target)
        sock.settimeout(30)
        sock.sendto(b"into a buffer", target)
        buf = bytearray(100)
        n = 0
        while bytes(buf[:n]) != b"into a buffer":  # (past a late copy of a large one, cut to 100 bytes)
            n, sender = sock.recvfrom_into(buf)
            assert sender[:2] == target
        for size in (largest + 1, 65536):  # more than a datagram carries (lwIP said ENOBUFS for the first)
            with pytest.raises(OSError) as info:
                sock.sendto(bytes(size), target)
            assert info.value.errno == errno.EMSGSIZE, size


def test_a_dual_stack_socket_sends_the_largest_ipv4_datagram_to_a_mapped_address(
        zt_pair: Pair, udp_echo_port: dict[int, int]) -> None:
    """The IPv4 limit holds for an IPv4-mapped destination, not the IPv6 socket's own (40 bytes lower
    in lwIP): the datagram goes out over IPv4."""
    with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as sock:
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        sock.settimeout(10)
        target = ("::ffff:" + zt_pair.address(4), udp_echo_port[4])
        _echo(sock, random.Random(7).randbytes(65507), target)
        with pytest.raises(OSError) as info:
            sock.sendto(bytes(65508), target)
        assert info.value.errno == errno.EMSGSIZE


def test_empty_datagrams_are_sent_like_the_stdlibs(zt_pair: Pair) -> None:
    # The stdlib's send, sendall and sendto each send one empty datagram for b"" on a UDP socket
    # (sendall makes its first send whatever the length); a receiver gets (b"", sender).
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as a, socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as b:
        a.bind(("127.0.0.1", 0))
        b.bind(("127.0.0.1", 0))
        b.settimeout(30)
        a.connect(b.getsockname())
        assert a.send(b"") == 0
        assert a.sendall(b"") is None
        assert a.sendall(memoryview(b"")) is None
        assert a.sendto(b"", b.getsockname()) == 0
        a.send(b"end")
        got = [b.recvfrom(16) for _ in range(5)]
        sender = a.getsockname()
    assert got == [(b"", sender)] * 4 + [(b"end", sender)]
    with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as unconnected:  # no peer to send to
        for data in (b"", b"x"):
            for send in (unconnected.send, unconnected.sendall, lambda d: unconnected.sendmsg([d])):
                with pytest.raises(OSError) as info:
                    send(data)
                assert info.value.errno == errno.EDESTADDRREQ, (data, info.value)


def _datagrams_into_little_room(module: Any) -> list[Any]:
    """recvmsg of datagrams longer than its room, and of one into no room, over 127.0.0.1."""
    with module.socket(module.AF_INET, module.SOCK_DGRAM) as a, \
            module.socket(module.AF_INET, module.SOCK_DGRAM) as b:
        a.bind(("127.0.0.1", 0))
        b.bind(("127.0.0.1", 0))
        b.settimeout(30)
        for data in (b"0123456789", b"0123456789", b"abc", b"", b"end"):
            a.sendto(data, b.getsockname())
        got = [b.recvmsg(size) for size in (4, 0, 16, 0, 16)]
        sender = a.getsockname()
    return [(data, ancillary, bool(flags & module.MSG_TRUNC), address == sender)
            for data, ancillary, flags, address in got]


def test_a_datagram_longer_than_recvmsgs_room_is_cut_as_the_stdlibs(zt_pair: Pair) -> None:
    """recvmsg returns what fit and MSG_TRUNC; the rest of the datagram is gone, and no room at all
    takes a datagram too. lwIP answered the datagram's whole length, so the bytes past the buffer
    came from beyond it (a read past a heap allocation), and refused a recvmsg(0) with EINVAL."""
    expected = _datagrams_into_little_room(stdlib_socket)
    assert expected == [(b"0123", [], True, True), (b"", [], True, True), (b"abc", [], False, True),
                        (b"", [], False, True), (b"end", [], False, True)]  # what Linux says, checked here
    assert _datagrams_into_little_room(socket) == expected


def _datagram_lengths_asked_with_msg_trunc(module: Any) -> list[Any]:
    """Receives with MSG_TRUNC over 127.0.0.1: each answers the datagram's whole length however
    little fit; with MSG_PEEK too, the length of the next datagram, which stays queued."""
    trunc = module.MSG_TRUNC
    steps: list[Any] = []
    with module.socket(module.AF_INET, module.SOCK_DGRAM) as a, \
            module.socket(module.AF_INET, module.SOCK_DGRAM) as b:
        a.bind(("127.0.0.1", 0))
        b.bind(("127.0.0.1", 0))
        b.settimeout(30)
        for data in (b"0123456789", b"abcdefghijkl", b"short", b"0123456789", b"last one", b"waitall", b"oob"):
            a.sendto(data, b.getsockname())
        sender = a.getsockname()
        steps.append((b.recv(0), b.recv_into(bytearray(0), 0, trunc)))  # no room asked: nothing taken
        peek = bytearray(1)
        steps.append((b.recv_into(peek, 1, trunc | module.MSG_PEEK), bytes(peek)))  # sizing the next one
        room = bytearray(4)
        steps.append((b.recv_into(room, 4, trunc), bytes(room)))
        n, address = b.recvfrom_into(room, 0, trunc)
        steps.append((n, bytes(room), address == sender))
        steps.append(b.recv_into(bytearray(16), 16, trunc))  # one that fits: its length, as without
        data = b.recv(4, trunc)
        steps.append((len(data), data[:4]))  # the stdlib's bytes past the 4 are undefined: not compared
        data, ancillary, flags, address = b.recvmsg(4, 0, trunc)
        steps.append((data, ancillary, bool(flags & module.MSG_TRUNC), address == sender))
        data = b.recv(2, module.MSG_WAITALL | trunc)  # WAITALL means nothing to a datagram
        steps.append((len(data), data[:2]))
        steps.append(b.recvmsg(16, 0, module.MSG_OOB)[:3])  # nor OOB: received as without
    closed = module.socket(module.AF_INET, module.SOCK_DGRAM)
    closed.close()
    steps.append((closed.recv(0), closed.recv_into(bytearray(0))))  # no room: 0 without a call, closed or not
    return steps


def test_msg_trunc_asks_for_a_datagrams_whole_length_as_the_stdlibs(zt_pair: Pair) -> None:
    """MSG_TRUNC as a receive flag: a datagram's whole length (Linux's recv(2)), which a program asks
    for to size its buffer. It was refused (EOPNOTSUPP): lwIP has no such flag, and the number
    libzt's header gives MSG_TRUNC is a msg_flags bit that as a flag means MSG_OOB. A stream socket
    refuses it (Linux would discard the bytes; lwIP would copy them)."""
    expected = _datagram_lengths_asked_with_msg_trunc(stdlib_socket)
    assert expected == [(b"", 0), (10, b"0"), (10, b"0123"), (12, b"abcd", True), 5, (10, b"0123"),
                        (b"last", [], True, True), (7, b"wa"), (b"oob", [], 0), (b"", 0)]  # Linux's, checked here
    assert _datagram_lengths_asked_with_msg_trunc(socket) == expected
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as stream, pytest.raises(OSError) as refused:
        stream.recv(4, socket.MSG_TRUNC)
    assert refused.value.errno == errno.EOPNOTSUPP


def _out_of_band(module: Any, host: str, host6: str) -> list[Any]:
    """MSG_OOB where Linux and ours can agree: UDP sends (IPv4, IPv6), and a TCP receive with ordinary
    bytes waiting and no urgent byte (blocking sockets: CPython's timeout would wait for POLLIN first)."""
    steps: list[Any] = []
    with module.socket(module.AF_INET, module.SOCK_DGRAM) as udp:
        steps.append(attempt(lambda: udp.sendto(b"u", module.MSG_OOB, (host, 9))))
    with module.socket(module.AF_INET6, module.SOCK_DGRAM) as udp6:
        steps.append(attempt(lambda: udp6.sendto(b"u", module.MSG_OOB, (host6, 9))))
    with module.create_server((host, 0)) as server, module.create_connection(server.getsockname()) as client:
        accepted, _ = server.accept()
        with accepted:
            client.sendall(b"in band")
            steps.append(accepted.recv(3))
            steps.append(attempt(lambda: accepted.recv(10, module.MSG_OOB)))
            steps.append(accepted.recv(10))  # the ordinary bytes are still there
    return steps


def test_out_of_band_data_is_not_misdelivered(zt_pair: Pair) -> None:
    """lwIP has no urgent data: a receive with MSG_OOB took the next ordinary bytes as if they were
    the urgent byte. Now it is EINVAL, as Linux answers when no urgent byte waits (none ever does
    here: a peer's arrives in line, as with SO_OOBINLINE); UDP sends as Linux's (IPv4 refuses the
    flag, IPv6 ignores it). A TCP send with it sends the bytes in line (Linux: the last as urgent), so
    that ftplib's abort() still sends its ABOR."""
    expected = _out_of_band(stdlib_socket, "127.0.0.1", "::1")
    assert expected == [errno.errorcode[errno.EOPNOTSUPP], 1, b"in ", "EINVAL", b"band"]  # Linux's, checked here
    assert _out_of_band(socket, zt_pair.ipv4, zt_pair.peer.ipv6) == expected
    with socket.create_server((zt_pair.ipv4, 0)) as server, socket.create_connection(server.getsockname()) as client:
        assert client.send(b"!", socket.MSG_OOB) == 1
        client.sendall(b"after")
        client.shutdown(socket.SHUT_WR)
        accepted, _ = server.accept()
        with accepted:
            assert recv_all(accepted) == b"!after"


def test_msg_waitall_with_a_peek_or_through_recvmsg(zt_pair: Pair) -> None:
    """MSG_WAITALL with MSG_PEEK peeked again for the rest and repeated the bytes ("ping" asked for 10
    came back as b"pingpingpi"): a peek is one now, answering what is there (Linux would wait for all
    10). recvmsg with MSG_WAITALL or MSG_MORE on a stream was EOPNOTSUPP (lwIP's recvmsg refuses
    them); it answers what is there, as recvmsg_into did."""
    with socket.create_server((zt_pair.ipv4, 0)) as server, socket.create_connection(server.getsockname()) as client:
        accepted, _ = server.accept()
        with accepted:
            client.sendall(b"ping")
            assert select.select([accepted], [], [], 60)[0] == [accepted]
            assert accepted.recv(10, socket.MSG_PEEK | socket.MSG_WAITALL) == b"ping"
            buf = bytearray(10)
            assert accepted.recv_into(buf, 10, socket.MSG_PEEK | socket.MSG_WAITALL) == 4 and buf[:4] == b"ping"
            assert accepted.recvmsg(2, 0, socket.MSG_WAITALL)[0] == b"pi"
            assert accepted.recvmsg(10, 0, socket.MSG_MORE)[0] == b"ng"


def _poll_now(module: Any, sock: Any) -> set[str]:
    """What poll says at once for reading and writing, by name (the library numbers the events as
    lwIP does): through the library's own poll for ours (the readiness descriptor fileno() gives
    cannot say "hung up")."""
    if module is socket:
        revents = _ll.poll_one(sock.zts_fileno(), _ll.POLLIN | _ll.POLLOUT, 0)
        bits = {"in": _ll.POLLIN, "out": _ll.POLLOUT, "hup": _ll.POLLHUP, "err": _ll.POLLERR}
    else:
        p = select.poll()
        p.register(sock, select.POLLIN | select.POLLOUT)
        revents = p.poll(0)[0][1]
        bits = {"in": select.POLLIN, "out": select.POLLOUT, "hup": select.POLLHUP, "err": select.POLLERR}
    return {name for name, bit in bits.items() if revents & bit}


def attempt(call: Any) -> Any:
    """What a call returns, or the name of the errno it fails with."""
    try:
        return call()
    except OSError as exc:
        return errno.errorcode.get(exc.errno, exc.errno)


def _shut_down_under_a_reader(sock: Any, how: int) -> list[Any]:
    """shutdown(how) while another thread waits to receive on ``sock``: what the shutdown answers,
    then whether the reader still waits 30 s later and what it got. A waiting reader wakes with the
    end (had the shutdown come first, it finds the end)."""
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(sock.recv(10)))
    reader.start()
    answer = attempt(lambda: sock.shutdown(how))
    reader.join(30)
    return [answer, (reader.is_alive(), got)]


def _datagram_shutdown(module: Any) -> list[Any]:
    """shutdown() of UDP sockets over 127.0.0.1, step by step: what each call answers."""
    steps: list[Any] = []
    with module.socket(module.AF_INET, module.SOCK_DGRAM) as a, \
            module.socket(module.AF_INET, module.SOCK_DGRAM) as b, \
            module.socket(module.AF_INET, module.SOCK_DGRAM) as waiting, \
            module.socket(module.AF_INET, module.SOCK_DGRAM) as connected:
        for sock in (a, b, waiting):
            sock.bind(("127.0.0.1", 0))  # blocking, without a time limit (see the test)
        a.sendto(b"queued", b.getsockname())
        steps.append(select.select([b], [], [], 30)[0] == [b])
        steps.append(attempt(lambda: b.shutdown(module.SHUT_RD)))  # no peer: ENOTCONN, and shut all the same
        steps.append(b.recv(10))  # what was queued first
        steps.append(b.recv(10))  # then the end, at once
        steps.append(select.select([b], [], [], 0)[0] == [b])
        b.setblocking(False)
        steps.append(attempt(lambda: b.recv(10)))  # a non-blocking one: nothing to read yet (EAGAIN)
        b.setblocking(True)
        a.sendto(b"after", b.getsockname())  # datagrams still arrive
        deadline = time.monotonic() + 30
        late = b""
        while not late and time.monotonic() < deadline:
            late = b.recv(10)
        steps.append(late)
        steps.append(attempt(lambda: b.shutdown(module.SHUT_WR)))
        steps.append(attempt(lambda: b.sendto(b"no", a.getsockname())))
        steps.append(attempt(lambda: b.send(b"no")))  # no peer: EDESTADDRREQ, judged before the shutdown
        steps.append(attempt(lambda: b.send(bytes(65_508))))  # ... and before the length
        steps.append(attempt(lambda: b.sendto(bytes(65_508), a.getsockname())))  # too long: EMSGSIZE, also
        with module.socket(module.AF_INET6, module.SOCK_DGRAM) as dual:
            steps.append(attempt(lambda: dual.shutdown(module.SHUT_WR)))
            to_a = ("::ffff:127.0.0.1", a.getsockname()[1])
            steps.append(attempt(lambda: dual.sendto(bytes(65_490), to_a)))  # IPv4's limit, not IPv6's: EPIPE
        steps.append(_poll_now(module, b))  # readable, writable, and hung up

        steps.extend(_shut_down_under_a_reader(waiting, module.SHUT_RDWR))

        connected.connect(b.getsockname())
        steps.append(attempt(lambda: connected.shutdown(module.SHUT_WR)))  # with a peer: done, no error
        steps.append(attempt(lambda: connected.send(b"no")))
        steps.append(attempt(lambda: connected.send(bytes(65_508))))
        steps.append(attempt(lambda: connected.shutdown(module.SHUT_RD)))
        steps.append(connected.recv(10))
    return steps


def test_shutting_a_udp_socket_down_as_the_stdlibs(zt_pair: Pair) -> None:
    """lwIP refused (EOPNOTSUPP), so a thread blocked receiving on a UDP socket could not be woken
    that way. Blocking sockets without a time limit, as a C program's: with one, the stdlib polls a
    non-blocking socket, which Linux answers EAGAIN after the shutdown while poll says readable, so
    its recv spins until the time is up (ours returns the end, as the kernel does for a blocking
    call with SO_RCVTIMEO). Run on a thread: a receive that never returned would hang the test."""
    results = _steps_of_each_module_on_a_thread(_datagram_shutdown)
    assert results["ours"] == results["stdlib"]


def _steps_of_each_module_on_a_thread(steps: Callable[[Any], list[Any]]) -> dict[str, list[Any]]:
    """``steps`` of the stdlib's socket module and of ours, each run on a thread: a call that never
    returned would hang the test."""
    results: dict[str, list[Any]] = {}

    def run(name: str, module: Any) -> None:
        results[name] = steps(module)

    for name, module in (("stdlib", stdlib_socket), ("ours", socket)):
        runner = threading.Thread(target=run, args=(name, module), daemon=True)
        runner.start()
        runner.join(120)
        assert not runner.is_alive(), f"{name}: a call never returned; steps so far unknown"
    return results


def _stream_shutdown(module: Any) -> list[Any]:
    """shutdown() of TCP sockets over 127.0.0.1, step by step: what each call answers. Blocking
    sockets without a time limit, as in _datagram_shutdown."""
    steps: list[Any] = []
    with module.socket(module.AF_INET) as listener, module.socket(module.AF_INET) as unconnected:
        steps.append(attempt(lambda: unconnected.shutdown(module.SHUT_RDWR)))  # no connection: ENOTCONN
        unconnected.setsockopt(module.IPPROTO_TCP, module.TCP_NODELAY, 1)  # ... and the socket is still whole
        steps.append(unconnected.getsockopt(module.IPPROTO_TCP, module.TCP_NODELAY) != 0)
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        steps.append(attempt(lambda: unconnected.connect(listener.getsockname())))
        steps.append(unconnected.getpeername() == listener.getsockname())
        listener.accept()[0].close()

        client = module.create_connection(listener.getsockname())
        server, _ = listener.accept()
        with client, server:
            steps.append(attempt(lambda: client.shutdown(module.SHUT_RD)))
            steps.append(client.recv(10))  # the end, at once
            client.setblocking(False)
            steps.append(attempt(lambda: client.recv(10)))  # the end too, not EAGAIN
            client.setblocking(True)
            server.sendall(b"after")  # still taken in, not answered with a reset
            deadline = time.monotonic() + 30
            late = b""
            while not late and time.monotonic() < deadline:
                late = client.recv(10)
            steps.append(late)
            steps.append(_poll_now(module, client))  # readable and writable
            client.sendall(b"still")  # the other way is open
            steps.append(server.recv(10))
            steps.append(attempt(lambda: client.shutdown(module.SHUT_WR)))
            steps.append(attempt(lambda: client.shutdown(module.SHUT_WR)))  # again: no error
            steps.append(server.recv(10))  # the end
            steps.append(client.getpeername() == server.getsockname())  # connected still (FIN_WAIT_2)
            steps.append(_poll_now(module, client))  # hung up
            steps.append(attempt(lambda: client.send(b"no")))
            steps.append(attempt(lambda: client.shutdown(module.SHUT_RD)))

        client = module.create_connection(listener.getsockname())
        server, _ = listener.accept()
        with client, server:
            steps.extend(_shut_down_under_a_reader(client, module.SHUT_RDWR))
            steps.append(server.recv(10))  # the end
            steps.append(client.getpeername() == server.getsockname())  # not closed: shut both ways
            steps.append(_poll_now(module, client))
            server.close()
            # Its end read (here: the end after the shutdown's), the connection is over once the peer's FIN is in.
            wait_until(lambda: client.recv(10) == b"" and attempt(client.getpeername) == "ENOTCONN", timeout=30,
                       what="the connection ends")
            steps.append(attempt(lambda: client.shutdown(module.SHUT_RDWR)))  # over: ENOTCONN
    return steps


def test_shutting_a_tcp_connection_down_as_the_stdlibs(zt_pair: Pair) -> None:
    """lwIP's shutdown for reading drained what had arrived and answered later data with a reset
    (Linux goes on taking it in: a receive reads it, then the end); its shutdown both ways closed
    the socket (the peer's address gone, later data reset); a second SHUT_WR said ENOTCONN; and on a
    socket without a connection it said nothing and freed the socket's PCB, so every option and a
    later connect failed (Linux: ENOTCONN, the socket as it was). Run on a thread, as the UDP test."""
    results = _steps_of_each_module_on_a_thread(_stream_shutdown)
    assert results["stdlib"][:2] == ["ENOTCONN", True]  # Linux's, checked here
    assert results["ours"] == results["stdlib"]


def _listen_unbound(mod: Any, family: Any, hosts: tuple[str, ...]) -> list[Any]:
    """listen() on a socket never bound: its port, its address, and connections to it from each host."""
    seen: list[Any] = []
    with mod.socket(family) as server:
        server.settimeout(30)
        server.listen()
        host, port = server.getsockname()[:2]
        seen.append((host, port != 0))
        for client_host in hosts:
            with mod.create_connection((client_host, port), timeout=30) as client:
                accepted, _ = server.accept()
                with accepted:
                    client.sendall(b"hello")
                    seen.append(accepted.recv(10))
    return seen


@pytest.mark.parametrize("version", [4, 6])
def test_listen_without_bind_takes_a_port_as_the_stdlibs(zt_pair: Pair, version: int) -> None:
    """Linux binds an unbound socket to an ephemeral port when it listens; lwIP listened on port 0
    (getsockname said 0, so a program that listens and then tells its port had nothing to tell)."""
    hosts = ("::1", "127.0.0.1") if version == 6 else ("127.0.0.1",)  # an IPv6 one takes IPv4 too
    family = stdlib_socket.AF_INET6 if version == 6 else stdlib_socket.AF_INET
    expected = _listen_unbound(stdlib_socket, family, hosts)
    assert expected == [("::" if version == 6 else "0.0.0.0", True)] + [b"hello"] * len(hosts)  # Linux's
    assert _listen_unbound(socket, socket.AF_INET6 if version == 6 else socket.AF_INET, hosts) == expected


def _poll_for_reading(module: Any, sock: Any, timeout: float) -> set[str]:
    """What poll says, by name, once the socket is readable or in error (POLLERR is always reported),
    or after `timeout` seconds."""
    if module is socket:
        revents = _ll.poll_one(sock.zts_fileno(), _ll.POLLIN, int(timeout * 1000))
        bits = {"in": _ll.POLLIN, "err": _ll.POLLERR}
    else:
        p = select.poll()
        p.register(sock, select.POLLIN)
        ready = p.poll(int(timeout * 1000))
        revents = ready[0][1] if ready else 0
        bits = {"in": select.POLLIN, "err": select.POLLERR}
    return {name for name, bit in bits.items() if revents & bit}


def _refused_datagrams(module: Any, family: Any, peer: str, closed_port: int) -> list[Any]:
    """A connected UDP socket sending to a port nobody listens on: what each call says once the
    peer's ICMP port unreachable is back."""
    steps: list[Any] = []

    def outcome(call: Callable[[], Any]) -> str:
        try:
            call()
            return "ok"
        except OSError as exc:
            return errno.errorcode[exc.errno]

    with module.socket(family, module.SOCK_DGRAM) as sock:
        sock.settimeout(30)
        sock.connect((peer, closed_port))
        sock.send(b"anyone there?")
        steps.append(outcome(lambda: sock.recv(100)))  # a blocked receive wakes with the refusal
        steps.append(sorted(_poll_now(module, sock)))
        sock.setblocking(False)
        steps.append(outcome(lambda: sock.recv(100)))  # said once
        sock.send(b"still nobody?")
        steps.append(sorted(_poll_for_reading(module, sock, 30)))
        steps.append(sock.getsockopt(module.SOL_SOCKET, module.SO_ERROR))
        steps.append(sock.getsockopt(module.SOL_SOCKET, module.SO_ERROR))
        sock.send(b"and now?")
        steps.append(sorted(_poll_for_reading(module, sock, 30)))
        steps.append(outcome(lambda: sock.send(b"hello?")))  # a send reports it too
        steps.append(sorted(_poll_now(module, sock)))
    return steps


@pytest.mark.parametrize("version", [4, 6])
def test_a_refused_udp_datagram_is_reported_as_the_stdlibs(zt_pair: Pair, udp_echo_port: dict[int, int],
                                                          version: int) -> None:
    """A peer with no socket on the port answers a datagram with an ICMP port unreachable; Linux
    gives it to the connected UDP socket that sent it: ECONNREFUSED from the next receive or send, or
    SO_ERROR, once, and POLLERR until then. lwIP ignored it: a receive waited for its time limit. The
    same for a port of our own address, or of the loopback one. A socket that did not connect is not
    told (as on Linux): its next answer is the echo's."""
    family = socket.AF_INET6 if version == 6 else socket.AF_INET
    stdlib_family = stdlib_socket.AF_INET6 if version == 6 else stdlib_socket.AF_INET
    loopback = "::1" if version == 6 else "127.0.0.1"
    with stdlib_socket.socket(stdlib_family, stdlib_socket.SOCK_DGRAM) as probe:
        probe.bind((loopback, 0))
        closed = probe.getsockname()[1]
    expected = _refused_datagrams(stdlib_socket, stdlib_family, loopback, closed)
    assert expected[0] == "ECONNREFUSED"  # what Linux says, checked here
    assert _refused_datagrams(socket, family, zt_pair.address(version), 9) == expected
    ours = zt_pair.ipv6 if version == 6 else zt_pair.ipv4
    for own in (ours, loopback):  # ours through lwIP's loopback interface
        assert _refused_datagrams(socket, family, own, 9) == expected, own

    with socket.socket(family, socket.SOCK_DGRAM) as unconnected:
        unconnected.settimeout(30)
        unconnected.sendto(b"anyone there?", (zt_pair.address(version), 9))
        unconnected.sendto(b"echo", (zt_pair.address(version), udp_echo_port[version]))
        assert unconnected.recvfrom(100)[0] == b"echo"  # the refusal came first, and was not for it


def _bind_again(module: Any) -> list[Any]:
    """What a second bind of a UDP socket says: one bound explicitly, one bound by its first send."""
    outcomes = []
    with module.socket(module.AF_INET, module.SOCK_DGRAM) as bound, \
            module.socket(module.AF_INET, module.SOCK_DGRAM) as sent:
        bound.bind(("127.0.0.1", 0))
        sent.sendto(b"x", ("127.0.0.1", 9))
        for sock in (bound, sent):
            port = sock.getsockname()[1]
            try:
                sock.bind(("127.0.0.1", 0))
                outcomes.append("bound")
            except OSError as exc:
                outcomes.append(errno.errorcode[exc.errno])
            outcomes.append(sock.getsockname()[1] == port)
    return outcomes


def test_a_udp_socket_is_bound_once_as_the_stdlibs(zt_pair: Pair) -> None:
    """lwIP moved a bound UDP socket to the new port, where Linux says EINVAL and keeps it."""
    expected = _bind_again(stdlib_socket)
    assert expected == ["EINVAL", True, "EINVAL", True]  # what Linux says, checked here
    assert _bind_again(socket) == expected


@pytest.mark.parametrize("version", [4, 6])
def test_a_connected_udp_socket_is_named_by_the_address_it_sends_from(zt_pair: Pair,
                                                                      udp_echo_port: dict[int, int],
                                                                      version: int) -> None:
    """Linux gives a UDP socket its source address when it connects: getsockname() then says the
    address peers see (a common way to learn one's own). lwIP's connect takes only a port: ours said
    0.0.0.0 / ::."""
    family = socket.AF_INET6 if version == 6 else socket.AF_INET
    with stdlib_socket.socket(stdlib_socket.AF_INET6 if version == 6 else stdlib_socket.AF_INET,
                              stdlib_socket.SOCK_DGRAM) as kernel:
        loopback = "::1" if version == 6 else "127.0.0.1"
        kernel.connect((loopback, 9))
        assert kernel.getsockname()[0] == loopback  # what Linux says, checked here
    ours = zt_pair.ipv6 if version == 6 else zt_pair.ipv4
    with socket.socket(family, socket.SOCK_DGRAM) as sock:
        sock.settimeout(30)
        sock.connect((zt_pair.address(version), udp_echo_port[version]))
        name = sock.getsockname()
        assert name[0] == ours and name[1] != 0, name
        sock.send(b"still connected")
        assert sock.recv(100) == b"still connected"
        assert sock.getsockname() == name
    with socket.socket(family, socket.SOCK_DGRAM) as unconnected:
        unconnected.bind(("::" if version == 6 else "0.0.0.0", 0))
        assert unconnected.getsockname()[0] == ("::" if version == 6 else "0.0.0.0")


def _send_to_group_until_answered(sock: socket.socket, payload: bytes, group: tuple[str, int]) -> tuple[bytes, Any]:
    """Sends ``payload`` to a multicast group again each second until a member answers (UDP, and the
    first copies may leave before the node has learnt the group's members): the answer and its sender."""
    sock.settimeout(1)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        sock.sendto(payload, group)
        try:
            return sock.recvfrom(100)
        except socket.timeout:
            continue
    raise AssertionError(f"no member of {group[0]} answered")


@pytest.mark.parametrize("version", [4, 6])
def test_multicast_sent_without_naming_an_interface_reaches_a_member(zt_pair: Pair, version: int) -> None:
    """A datagram to a multicast group, with no IP_MULTICAST_IF or scope ID, goes out on the ZeroTier
    interface and reaches the peer that joined the group (through the root's LIKE/GATHER). lwIP had no
    interface for it: EHOSTUNREACH."""
    group = "ff02::1:5e" if version == 6 else "239.1.2.3"
    port = 41_000 + version
    zt_pair.peer.call("udp_multicast_echo", version=version, group=group, port=port)
    family = socket.AF_INET6 if version == 6 else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as sock:
        heard = _send_to_group_until_answered(sock, b"anyone?", (group, port))
        assert heard[0] == b"heard: anyone?"
        assert heard[1][0] == zt_pair.address(version) or (version == 6 and heard[1][0].startswith("fe80:"))


def test_broadcast_only_from_a_socket_that_asks_for_it(zt_pair: Pair) -> None:
    """As Linux: a datagram to a broadcast address (the network's, or "<broadcast>") needs
    SO_BROADCAST; without it, sendto and connect raise PermissionError (EACCES). A dual-stack socket
    sending to the v4-mapped address is held to the same rule. A stream socket cannot connect to one
    (ENETUNREACH)."""
    network_broadcast = "44.255.255.255"  # the pair's ad-hoc network is 44.0.0.0/8
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST) == 0
        for host in (network_broadcast, "<broadcast>"):
            with pytest.raises(PermissionError) as refused:
                sock.sendto(b"everyone?", (host, 9))
            assert refused.value.errno == errno.EACCES
            with pytest.raises(PermissionError):
                sock.connect((host, 9))
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
        for host in (network_broadcast, "<broadcast>"):
            assert sock.sendto(b"everyone?", (host, 9)) == 9
        sock.connect((network_broadcast, 9))
        assert sock.send(b"everyone?") == 9
    with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as dual:
        with pytest.raises(PermissionError):
            dual.sendto(b"everyone?", ("::ffff:" + network_broadcast, 9))
        dual.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
        assert dual.sendto(b"everyone?", ("::ffff:" + network_broadcast, 9)) == 9
    # A TCP connect to everyone fails at once (lwIP sent a SYN to the broadcast address and waited).
    for host in (network_broadcast, "<broadcast>"):
        with socket.socket() as stream:
            stream.settimeout(60)
            with pytest.raises(OSError) as unreachable:
                stream.connect((host, 80))
            assert unreachable.value.errno == errno.ENETUNREACH, host


def _ip_defaults(module: Any) -> list[Any]:
    answers = []
    for family, kind in ((module.AF_INET, module.SOCK_DGRAM), (module.AF_INET, module.SOCK_STREAM),
                         (module.AF_INET6, module.SOCK_DGRAM), (module.AF_INET6, module.SOCK_STREAM)):
        with module.socket(family, kind) as sock:
            if family == module.AF_INET:
                options = [(module.IPPROTO_IP, module.IP_TTL)]
                if kind == module.SOCK_DGRAM:
                    options += [(module.IPPROTO_IP, module.IP_MULTICAST_TTL),
                                (module.IPPROTO_IP, module.IP_MULTICAST_LOOP)]
            else:
                options = [(module.IPPROTO_IPV6, module.IPV6_UNICAST_HOPS)]
                if kind == module.SOCK_DGRAM:
                    options += [(module.IPPROTO_IPV6, module.IPV6_MULTICAST_HOPS),
                                (module.IPPROTO_IPV6, module.IPV6_MULTICAST_LOOP)]
            answers.append([sock.getsockopt(level, name) for level, name in options])
    return answers


def _hop_options(module: Any) -> dict[str, list[Any]]:
    """Setting TTLs (IPv6: hop limits) and the multicast loop: what each value does, or the error it
    gets, by option and socket; an IPv4 one also as a single byte, the multicast TTL on TCP too; last
    in each list, a read into one byte."""
    answers: dict[str, list[Any]] = {}

    def set_and_read(label: str, sock: Any, level: int, name: int, values: Any, short_read: Any = None) -> None:
        def set_then_get(value: Any, buflen: int = 0) -> Any:
            sock.setsockopt(level, name, value)
            return sock.getsockopt(level, name, buflen)

        got = answers.setdefault(label, [])
        got.extend(attempt(functools.partial(set_then_get, value)) for value in values)
        if short_read is not None:
            got.append(attempt(functools.partial(set_then_get, short_read, 1)))

    with module.socket(module.AF_INET6, module.SOCK_DGRAM) as sock:
        set_and_read("unicast hops", sock, module.IPPROTO_IPV6, module.IPV6_UNICAST_HOPS, (7, 255, 0, -1, 256, -2), 33)
        set_and_read("multicast hops", sock, module.IPPROTO_IPV6, module.IPV6_MULTICAST_HOPS, (5, 255, 0, -1, 256, -2))
        set_and_read("ipv6 multicast loop", sock, module.IPPROTO_IPV6, module.IPV6_MULTICAST_LOOP, (0, 1, 2, -1))
    for kind, label in ((module.SOCK_DGRAM, "udp"), (module.SOCK_STREAM, "tcp")):
        with module.socket(module.AF_INET, kind) as sock:
            set_and_read(f"ttl {label}", sock, module.IPPROTO_IP, module.IP_TTL,
                         (7, 255, 1, 0, -1, 256, 300, -2, b"\x09"), 33)
            if kind == module.SOCK_STREAM:
                set_and_read("multicast ttl tcp", sock, module.IPPROTO_IP, module.IP_MULTICAST_TTL, (5,))
                continue
            set_and_read("multicast ttl", sock, module.IPPROTO_IP, module.IP_MULTICAST_TTL,
                         (5, 255, 0, -1, 256, 300, -2, b"\x06"), 44)
            set_and_read("multicast loop", sock, module.IPPROTO_IP, module.IP_MULTICAST_LOOP,
                         (0, 1, 2, 256, -1, b"\x00", b"\x01"), 0)
    return answers


def test_hop_limits_and_loop_are_set_as_the_stdlibs(zt_pair: Pair) -> None:
    """lwIP has none of the IPv6 options (ENOPROTOOPT: an IPv6 socket's hop limits could not be
    changed; mDNS over IPv6 sets 255), and it kept the IPv4 ones as bytes without a check: IP_TTL 256
    became 0 and 300 became 44, a multicast loop of 256 turned it off."""
    ours, linux = _hop_options(socket), _hop_options(stdlib_socket)
    assert ours == linux
    # Linux's, checked here (-1: net.ipv4.ip_default_ttl, 64 unless the machine changed it)
    assert linux["ttl udp"] == [7, 255, 1, "EINVAL", 64, "EINVAL", "EINVAL", "EINVAL", 9, b"!"]
    assert linux["unicast hops"][-1] == (33).to_bytes(4, sys.byteorder)[:1]  # the int's first byte


def _v6only_around_bind(module: Any, peer: str) -> list[Any]:
    """IPV6_V6ONLY before and after a socket binds: explicitly, or (UDP) by its first send."""
    answers: list[Any] = []
    for kind, binds in ((module.SOCK_STREAM, "bind"), (module.SOCK_DGRAM, "bind"), (module.SOCK_DGRAM, "send")):
        with module.socket(module.AF_INET6, kind) as sock:
            answers.append(attempt(lambda: sock.setsockopt(module.IPPROTO_IPV6, module.IPV6_V6ONLY, 1)))
            if binds == "bind":
                sock.bind(("::", 0))
            else:
                sock.sendto(b"x", (peer, 9))
            answers.append(attempt(lambda: sock.setsockopt(module.IPPROTO_IPV6, module.IPV6_V6ONLY, 0)))
            answers.append(sock.getsockopt(module.IPPROTO_IPV6, module.IPV6_V6ONLY))
    return answers


def test_ipv6_v6only_is_decided_when_a_socket_binds_as_the_stdlibs(zt_pair: Pair) -> None:
    """Linux fixes the families an IPv6 socket takes when it binds: IPV6_V6ONLY afterwards is EINVAL
    (lwIP took it on a bound UDP socket; TCP already refused it)."""
    ours, linux = _v6only_around_bind(socket, zt_pair.peer.ipv6), _v6only_around_bind(stdlib_socket, "::1")
    assert ours == linux == [None, "EINVAL", 1] * 3


def test_new_sockets_start_with_the_stdlibs_ttls_and_multicast_loop(zt_pair: Pair) -> None:
    """TTL (IPv6: hop limit) 64, multicast TTL (hop limit) 1 and multicast looped back to the host, as a
    Linux socket starts (lwIP: 255, 255, no loop, and no IPv6 options to ask)."""
    assert _ip_defaults(socket) == _ip_defaults(stdlib_socket)


@pytest.mark.parametrize("version", [4, 6])
def test_multicast_reaches_the_senders_own_members_of_the_group(zt_pair: Pair, version: int) -> None:
    """With IP_MULTICAST_LOOP on (the default), a socket of this node that joined the group hears what
    another socket of the same node sends to it; with it off, only other hosts do."""
    group = "ff12::1:77" if version == 6 else "239.1.2.77"
    family = socket.AF_INET6 if version == 6 else socket.AF_INET
    packed = stdlib_socket.inet_pton(family, group)
    with socket.socket(family, socket.SOCK_DGRAM) as member, socket.socket(family, socket.SOCK_DGRAM) as sender:
        member.bind(("::" if version == 6 else "0.0.0.0", 0))
        if version == 6:
            member.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP, packed + struct.pack("@I", 0))
        else:
            member.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, packed + bytes(4))
        member.settimeout(30)
        port = member.getsockname()[1]
        sender.sendto(b"to the group", (group, port))
        data, source = member.recvfrom(100)
        assert data == b"to the group"
        ours = zt_pair.ipv6 if version == 6 else zt_pair.ipv4
        assert source[0] == ours or (version == 6 and source[0].startswith("fe80:"))
        if version == 4:
            sender.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 0)
            sender.sendto(b"not to us", (group, port))
            sender.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 1)
            sender.sendto(b"to us again", (group, port))
            assert member.recvfrom(100)[0] == b"to us again"  # in order: the one between never came


def test_all_nodes_reach_a_member(zt_pair: Pair) -> None:
    """A datagram to ff02::1 (all-nodes, which every IPv6 host receives) reaches the peer's socket
    bound to the port. lwIP takes all-nodes as received without asking for it, so our nodes never
    subscribed to it on ZeroTier, and nothing sent there arrived."""
    port = zt_pair.peer.call("udp_echo", version=6)["port"]
    with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as sock:
        assert _send_to_group_until_answered(sock, b"all of you?", ("ff02::1", port))[0] == b"all of you?"


def test_joining_an_ipv6_group_on_interfaces_by_number(zt_pair: Pair) -> None:
    """IPV6_JOIN_GROUP with interface 0 (most programs' way of asking for the usual one) joins on the
    ZeroTier interface; a number no interface has says ENODEV, as on Linux. lwIP knew no interface 0
    (EADDRNOTAVAIL) and asserted that the number fits in a byte: 256 and more aborted the process."""
    group = stdlib_socket.inet_pton(stdlib_socket.AF_INET6, "ff02::1:3")
    with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as sock:
        for interface in (256, 300, 0xFFFFFFFF, 200):
            with pytest.raises(OSError) as info:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP, group + struct.pack("@I", interface))
            assert info.value.errno == errno.ENODEV, (interface, info.value)
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP, group + struct.pack("@I", 0))
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_LEAVE_GROUP, group + struct.pack("@I", 0))


def test_makefile_binary_and_text(zt_pair: Pair, echo_port: dict[int, int]) -> None:
    with connect(zt_pair, 4, echo_port[4]) as sock:
        with sock.makefile("rwb") as f:
            f.write(b"line one\nline two\n")
            f.flush()
            assert f.readline() == b"line one\n"
            assert f.readline() == b"line two\n"
        text = sock.makefile("rw", encoding="utf-8", newline="")
        text.write("über\r\n")
        text.flush()
        assert text.readline() == "über\r\n"
        sock.close()  # the file keeps the socket open until it is closed too
        assert sock.fileno() >= 0
        text.close()
        assert sock.fileno() == -1


def test_options(zt_pair: Pair, echo_port: dict[int, int]) -> None:
    with connect(zt_pair, 4, echo_port[4]) as sock:
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 0
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
        assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE) == socket.SOCK_STREAM
        assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE) == 1  # lwIP's answer was its flag bit, 8
        with pytest.raises(OSError) as info:
            sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED)
        assert info.value.errno == errno.ENOPROTOOPT


def _listener_set_up(mod: Any, listener: Any, address: Any) -> None:
    """Options before and after listen(), as a server sets them up (``mod``: ours or the stdlib)."""
    listener.setsockopt(mod.SOL_SOCKET, mod.SO_LINGER, struct.pack("ii", 1, 7))
    listener.setsockopt(mod.SOL_SOCKET, mod.SO_RCVTIMEO, struct.pack("ll", 60, 0))
    listener.setsockopt(mod.IPPROTO_IP, mod.IP_TOS, 0x10)
    listener.setsockopt(mod.IPPROTO_TCP, mod.TCP_KEEPINTVL, 33)
    listener.bind(address)
    listener.listen()
    listener.setsockopt(mod.IPPROTO_TCP, mod.TCP_NODELAY, 1)  # lwIP refuses TCP options on a listener
    listener.setsockopt(mod.IPPROTO_TCP, mod.TCP_KEEPIDLE, 77)
    listener.setsockopt(mod.SOL_SOCKET, mod.SO_KEEPALIVE, 1)


def _inheritable_options(mod: Any, sock: Any) -> tuple:
    return (sock.getsockopt(mod.IPPROTO_TCP, mod.TCP_NODELAY), sock.getsockopt(mod.IPPROTO_TCP, mod.TCP_KEEPIDLE),
            sock.getsockopt(mod.IPPROTO_TCP, mod.TCP_KEEPINTVL), sock.getsockopt(mod.SOL_SOCKET, mod.SO_KEEPALIVE),
            struct.unpack("ii", sock.getsockopt(mod.SOL_SOCKET, mod.SO_LINGER, 8)),
            struct.unpack("ll", sock.getsockopt(mod.SOL_SOCKET, mod.SO_RCVTIMEO, 16)),
            sock.getsockopt(mod.IPPROTO_IP, mod.IP_TOS))


def test_accepted_connections_inherit_the_listeners_options_as_the_stdlibs(zt_pair: Pair) -> None:
    """A server that sets TCP_NODELAY (or keepalive, SO_LINGER, a receive time limit) on its listening
    socket has it on every connection it accepts, on Linux; lwIP passed on SO_KEEPALIVE and
    SO_REUSEADDR only, and refused TCP options on a listener (EINVAL)."""
    expected = (1, 77, 33, 1, (1, 7), (60, 0), 0x10)
    with stdlib_socket.socket() as listener:
        _listener_set_up(stdlib_socket, listener, ("127.0.0.1", 0))
        with stdlib_socket.create_connection(listener.getsockname()):
            accepted, _ = listener.accept()
            with accepted:
                assert _inheritable_options(stdlib_socket, listener) == expected
                assert _inheritable_options(stdlib_socket, accepted) == expected  # what this test holds ours to

    with socket.socket() as listener:
        _listener_set_up(socket, listener, (zt_pair.ipv4, 0))
        assert _inheritable_options(socket, listener) == expected
        sender = zt_pair.peer.start("tcp_send", host=zt_pair.ipv4, port=listener.getsockname()[1], size=1000)
        accepted, _ = listener.accept()
        with accepted:
            assert _inheritable_options(socket, accepted) == expected
            assert accepted.gettimeout() is None  # the default timeout, as the stdlib's accept gives
            assert len(recv_all(accepted)) == 1000
        assert sender.result(timeout=60)["sent"] == 1000


def _to_the_unspecified_address(mod: Any, family: Any) -> list[Any]:
    """TCP and UDP to the unspecified address: to its own server's getsockname(), as a program does
    whose server is bound to "" or "::". What each end sees as the other's address."""
    host = "::" if family == mod.AF_INET6 else "0.0.0.0"
    seen: list[Any] = []
    with mod.socket(family) as server:
        server.bind((host, 0))
        server.listen()
        with mod.create_connection(server.getsockname()[:2], timeout=30) as client:
            accepted, peer = server.accept()
            with accepted:
                client.sendall(b"to myself")
                seen.append((client.getpeername()[0], peer[0], accepted.recv(16)))
    with mod.socket(family, mod.SOCK_DGRAM) as receiver, mod.socket(family, mod.SOCK_DGRAM) as sender:
        receiver.bind((host, 0))
        receiver.settimeout(30)
        sender.sendto(b"to myself", (host, receiver.getsockname()[1]))
        data, source = receiver.recvfrom(16)
        seen.append((source[0], data))
        sender.connect((host, receiver.getsockname()[1]))
        sender.send(b"connected")
        seen.append((sender.getpeername()[0], receiver.recv(16)))
    return seen


@pytest.mark.parametrize("version", [4, 6])
def test_the_unspecified_address_as_a_destination_is_this_host_as_the_stdlibs(zt_pair: Pair, version: int) -> None:
    """0.0.0.0 (or ::) as a destination means this host, as on Linux: a client connects to the
    getsockname() of a server bound to all addresses. lwIP had no route for 0.0.0.0 (EHOSTUNREACH)
    and sent its SYN for :: nowhere (the connect timed out)."""
    expected = _to_the_unspecified_address(stdlib_socket, stdlib_socket.AF_INET6 if version == 6 else
                                           stdlib_socket.AF_INET)
    loopback = "::1" if version == 6 else "127.0.0.1"
    assert expected == [(loopback, loopback, b"to myself"), (loopback, b"to myself"),
                        (loopback, b"connected")]  # Linux's, checked here
    assert _to_the_unspecified_address(socket, socket.AF_INET6 if version == 6 else socket.AF_INET) == expected


def _to_the_unspecified_address_from_a_mapped_one(mod: Any) -> Any:
    """A datagram to :: from an IPv6 socket bound to an IPv4-mapped address: where it comes from."""
    with mod.socket(mod.AF_INET6, mod.SOCK_DGRAM) as receiver, mod.socket(mod.AF_INET6, mod.SOCK_DGRAM) as sender:
        receiver.bind(("::", 0))
        receiver.settimeout(30)
        sender.bind(("::ffff:127.0.0.1", 0))
        sender.sendto(b"to ::", ("::", receiver.getsockname()[1]))
        data, source = receiver.recvfrom(16)
        return data, source[0]


def test_the_unspecified_address_from_an_ipv4_mapped_socket_as_the_stdlibs(zt_pair: Pair) -> None:
    """:: from a socket bound to an IPv4-mapped address is ::ffff:127.0.0.1 on Linux, not ::1 (which
    such a socket, IPv4 underneath, cannot reach)."""
    expected = _to_the_unspecified_address_from_a_mapped_one(stdlib_socket)
    assert expected == (b"to ::", "::ffff:127.0.0.1")  # Linux's, checked here
    assert _to_the_unspecified_address_from_a_mapped_one(socket) == expected


def test_the_unspecified_address_is_a_bound_sockets_own_address(zt_pair: Pair) -> None:
    """From a socket bound to an IPv4 address, 0.0.0.0 is that address (Linux's route lookup takes
    the source address for a destination of 0, loopback only without one)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as receiver, \
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
        receiver.bind((zt_pair.ipv4, 0))
        receiver.settimeout(30)
        sender.bind((zt_pair.ipv4, 0))
        sender.sendto(b"to my address", ("0.0.0.0", receiver.getsockname()[1]))
        assert receiver.recvfrom(16) == (b"to my address", sender.getsockname())


def _dual_stack_addresses(mod: Any) -> list[Any]:
    """The addresses IPv6 sockets bound to :: give for IPv4 peers: a TCP server's accept(), its
    connection's getpeername() and getsockname(), and a UDP socket's recvfrom()."""
    seen: list[Any] = []
    with mod.create_server(("", 0), family=mod.AF_INET6, dualstack_ipv6=True) as server:
        server.settimeout(30)
        with mod.create_connection(("127.0.0.1", server.getsockname()[1]), timeout=30) as client:
            accepted, peer = server.accept()
            with accepted:
                seen.append((peer == accepted.getpeername(), peer[0], len(peer), accepted.getsockname()[0],
                             peer[1] == client.getsockname()[1]))
    with mod.socket(mod.AF_INET6, mod.SOCK_DGRAM) as receiver, mod.socket(mod.AF_INET, mod.SOCK_DGRAM) as sender:
        receiver.bind(("::", 0))
        receiver.settimeout(30)
        sender.sendto(b"over IPv4", ("127.0.0.1", receiver.getsockname()[1]))
        data, source = receiver.recvfrom(16)
        seen.append((data, source[0], len(source)))
    return seen


def test_a_dual_stack_socket_names_ipv4_peers_as_ipv4_mapped_addresses_as_the_stdlibs(zt_pair: Pair) -> None:
    """An IPv6 socket speaking to an IPv4 peer names it ::ffff:a.b.c.d, in a 4-tuple, as on Linux.
    lwIP's accept() gave the IPv4 address in a 2-tuple (its getpeername() mapped it): a server that
    unpacks (host, port, flowinfo, scope_id) from accept() failed."""
    expected = _dual_stack_addresses(stdlib_socket)
    assert expected == [(True, "::ffff:127.0.0.1", 4, "::ffff:127.0.0.1", True),
                        (b"over IPv4", "::ffff:127.0.0.1", 4)]  # Linux's, checked here
    assert _dual_stack_addresses(socket) == expected


def _hop_limits_accepted(mod: Any, family: Any, host: str, connect: Callable[[Any], Any]) -> list[int]:
    """IP_TTL / IPV6_UNICAST_HOPS of connections accepted by listeners that set it before listen()
    (9) and after (11), each followed by the bytes received and those the peer says it sent:
    ``connect(address)`` starts a peer's connection and returns what waits for the peer's count."""
    level, name = (mod.IPPROTO_IPV6, mod.IPV6_UNICAST_HOPS) if family == mod.AF_INET6 else (mod.IPPROTO_IP,
                                                                                                mod.IP_TTL)
    got = []
    for hops, before in ((9, True), (11, False)):
        with mod.socket(family) as listener:
            listener.settimeout(60)  # a peer that never comes fails the test instead of hanging it
            if before:
                listener.setsockopt(level, name, hops)
            listener.bind((host, 0))
            listener.listen()
            if not before:
                listener.setsockopt(level, name, hops)
            waiter = connect(listener.getsockname()[:2])
            accepted, _ = listener.accept()
            with accepted:
                accepted.settimeout(60)
                got.append(accepted.getsockopt(level, name))
                got.append(len(recv_all(accepted)))
            got.append(waiter())
    return got


@pytest.mark.parametrize("version", [4, 6])
def test_accepted_connections_inherit_the_listeners_hop_limit_as_the_stdlibs(zt_pair: Pair, version: int) -> None:
    """The unicast TTL (IPv4) or hop limit (IPv6) a listener sets, before or after listen(), is its
    accepted connections', as on Linux (net/accept_inherit.hpp keeps it across lwIP's listener)."""
    family = stdlib_socket.AF_INET6 if version == 6 else stdlib_socket.AF_INET
    loopback = "::1" if version == 6 else "127.0.0.1"

    def local(address: Any) -> Callable[[], int]:
        with stdlib_socket.create_connection(address, timeout=30) as client:
            client.sendall(bytes(1000))  # then EOF: accepted all the same
        return lambda: 1000

    expected = _hop_limits_accepted(stdlib_socket, family, loopback, local)
    assert expected == [9, 1000, 1000, 11, 1000, 1000]  # Linux's hop limits, checked here

    def from_peer(address: Any) -> Callable[[], int]:
        sender = zt_pair.peer.start("tcp_send", host=address[0], port=address[1], size=1000)
        return lambda: sender.result(timeout=60)["sent"]

    ours = (socket.AF_INET6, zt_pair.ipv6) if version == 6 else (socket.AF_INET, zt_pair.ipv4)
    assert _hop_limits_accepted(socket, *ours, from_peer) == expected


def test_poll_answers_at_once_for_a_socket_without_a_connection_as_the_stdlibs(zt_pair: Pair) -> None:
    """A TCP socket that never connected (new or bound) polls writable and hung up at once on Linux; a
    listening one not at all; one whose connect was refused, readable, writable, hung up and in error.
    select() counts a hang-up as readable. lwIP reported nothing for the first: a poll or select on it
    waited for its whole time limit. Asked through libzt's poll (whose ZTS_POLL* numbers are lwIP's,
    not Linux's: each side is asked in its own) and through select() on fileno() (libzt's readiness
    descriptor)."""
    def stdlib_poll(sock: stdlib_socket.socket, events: int, timeout_ms: int) -> int:
        poller = select.poll()
        poller.register(sock, events)
        return sum(revents for _, revents in poller.poll(timeout_ms))

    def our_poll(sock: socket.socket, events: int, timeout_ms: int) -> int:
        return _ll.poll_one(sock.zts_fileno(), events, timeout_ms)

    def answers(mod: Any, poll: Any, flags: Any, host: str, refusing_port: int) -> list[Any]:
        def ask(sock: Any, timeout_ms: int = 5000) -> int:
            return poll(sock, flags.POLLIN | flags.POLLOUT, timeout_ms)

        def selected(sock: Any, timeout: float = 5.0) -> tuple[bool, bool]:
            readable, writable, _ = select.select([sock], [sock], [], timeout)
            return bool(readable), bool(writable)

        with mod.socket() as new, mod.socket() as bound, mod.socket() as listening, mod.socket() as refused:
            seen_new = selected(new)  # the readiness descriptor made before the socket does anything
            seen_before_listening = selected(listening)  # and one that must stop saying so once it listens
            bound.bind((host, 0))
            listening.bind((host, 0))
            listening.listen()
            refused.setblocking(False)
            assert refused.connect_ex((host, refusing_port)) == errno.EINPROGRESS
            wait_until(lambda: ask(refused) & flags.POLLERR, 30, what="the refusal")
            hung_up = flags.POLLOUT | flags.POLLHUP
            return [ask(new) == hung_up, ask(bound) == hung_up, ask(listening, 200) == 0,
                    ask(refused) == hung_up | flags.POLLIN | flags.POLLERR,
                    seen_new, selected(bound), seen_before_listening, selected(listening, 0.2), selected(refused)]

    expected = [True] * 4 + [(True, True), (True, True), (True, True), (False, False), (True, True)]
    with stdlib_socket.socket() as closed_port:  # bound, not listening: connecting to it is refused
        closed_port.bind(("127.0.0.1", 0))
        assert answers(stdlib_socket, stdlib_poll, select, "127.0.0.1", closed_port.getsockname()[1]) == expected
    assert answers(socket, our_poll, _ll, zt_pair.ipv4, 9) == expected  # nobody listens on port 9 there

    # A connect under way is neither (Linux's SYN_SENT), also for a descriptor made before it began:
    # to an address of the network that no member has, whose ARP request nobody answers.
    octets = zt_pair.ipv4.split(".")
    nobody = ".".join([*octets[:3], str(1 + (int(octets[3]) + 100) % 250)])
    assert nobody not in (zt_pair.ipv4, zt_pair.peer.ipv4)
    with socket.socket() as connecting:
        assert select.select([connecting], [connecting], [], 5.0)[:2] == ([connecting], [connecting])
        connecting.setblocking(False)
        assert connecting.connect_ex((nobody, 80)) == errno.EINPROGRESS
        assert select.select([connecting], [connecting], [], 0.2)[:2] == ([], [])
        assert our_poll(connecting, _ll.POLLIN | _ll.POLLOUT, 200) == 0


def test_zero_window_ack_storm_is_broken(zt_pair: Pair) -> None:
    """Both ends send without reading until both receive windows are full: lwIP alone would trade
    zero-window ACKs at hundreds of packets a second for as long as that lasts."""
    request = zt_pair.peer.start("tcp_stuck", version=4, send=2 * MB)
    sock = connect(zt_pair, 4, request.early()["port"])
    try:
        sock.settimeout(1.0)
        with pytest.raises(socket.timeout):
            sock.sendall(bytes(2 * MB))  # stuck: nobody reads
        before = zt_pair.node.stats()["tx_packets"]
        time.sleep(1.0)  # measuring a rate over a second, not waiting for an event
        sent = zt_pair.node.stats()["tx_packets"] - before
    finally:
        sock.close()  # with unread data: an RST ends the peer's send
    assert request.result()["error"] == errno.ECONNRESET
    assert sent < 60, f"{sent} packets in a second while both ends were stuck"


def test_socket_object_behaves_like_the_stdlibs(zt_pair: Pair) -> None:
    sock = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    assert isinstance(sock.family, socket.AddressFamily) and sock.family == stdlib_socket.AF_INET6
    assert isinstance(sock.type, socket.SocketKind) and sock.type == stdlib_socket.SOCK_DGRAM
    with pytest.raises(TypeError):
        pickle.dumps(sock)
    with sock:
        assert sock.fileno() >= 0
    assert sock.fileno() == -1 and "[closed]" in repr(sock)
    with pytest.raises(OSError) as info:
        sock.sendto(b"x", ("::1", 9))
    assert info.value.errno == errno.EBADF
    for data in (b"", b"x", bytearray(b"x")):  # the stdlib's sendall says EBADF even with nothing to send
        with pytest.raises(OSError) as info:
            sock.sendall(data)
        assert info.value.errno == errno.EBADF
    with pytest.raises(OSError) as info:
        socket.socket(socket.AF_UNIX)
    assert info.value.errno == errno.EAFNOSUPPORT
    with pytest.raises(OSError) as info:
        socket.socket().dup()
    assert info.value.errno == errno.EOPNOTSUPP
    with pytest.warns(ResourceWarning):
        leaked = socket.socket()
        del leaked
        gc.collect()
    assert socket.getaddrinfo("44.1.2.3", 80, type=socket.SOCK_STREAM) == [
        (socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", ("44.1.2.3", 80))]
    assert socket.getaddrinfo("fc00::1", "80", socket.AF_INET6, socket.SOCK_DGRAM)[0][4] == ("fc00::1", 80, 0, 0)
    with pytest.raises(socket.gaierror):
        socket.getaddrinfo("example.com", 80)
    with pytest.raises(TypeError):
        socket.socket().connect("44.1.2.3:80")
    server = socket.create_server(("", 0), family=socket.AF_INET6, dualstack_ipv6=socket.has_dualstack_ipv6())
    with server:
        assert server.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR) == 1
        assert server.getsockname()[0] == "::"


def failure_named(call: Any) -> Any:
    """What a call returns, or its error's class and errno (gaierror or OSError: the class is part of
    the answer)."""
    try:
        return call()
    except OSError as exc:
        return type(exc).__name__, exc.errno


def _literals_of_the_other_family(mod: Any) -> list[Any]:
    """getaddrinfo, bind and connect given a numeric address of the family not asked for."""
    seen: list[Any] = []
    for host, family in (("::1", mod.AF_INET), ("fe80::1%1", mod.AF_INET), ("127.0.0.1", mod.AF_INET6),
                         ("::ffff:44.1.2.3", mod.AF_INET)):
        seen.append(failure_named(lambda h=host, f=family: [i[4] for i in mod.getaddrinfo(h, 80, f, mod.SOCK_STREAM)]))
    with mod.socket(mod.AF_INET6) as six, mod.socket(mod.AF_INET) as four:
        seen.append(failure_named(lambda: six.bind(("127.0.0.1", 0))))
        seen.append(failure_named(lambda: four.connect(("::1", 80))))
    for host in ("::1", "::ffff:44.1.2.3", "44.1.2.3"):  # any family: only the literal's own
        seen.append(failure_named(lambda h=host: [info[4][0] for info in mod.getaddrinfo(h, 80, type=mod.SOCK_STREAM)]))
    return seen


def test_a_numeric_address_of_the_other_family_as_the_stdlibs(zt_pair: Pair) -> None:
    """"::1" for an IPv4 socket is EAI_ADDRFAMILY, as glibc says, not a name to look up (ours asked
    the DNS servers for it, then said EAI_NONAME); an IPv4-mapped one is its IPv4 address."""
    expected = _literals_of_the_other_family(stdlib_socket)
    assert expected[0] == ("gaierror", stdlib_socket.EAI_ADDRFAMILY)  # Linux's, checked here
    assert expected[3] == [("44.1.2.3", 80)]
    assert _literals_of_the_other_family(socket) == expected


def _scattered_receives(mod: Any) -> list[Any]:
    """recvmsg_into over 127.0.0.1: a stream's bytes and a datagram spread over several buffers."""
    seen: list[Any] = []
    with mod.create_server(("127.0.0.1", 0)) as server:
        server.settimeout(30)
        with mod.create_connection(server.getsockname(), timeout=30) as client:
            accepted, _ = server.accept()
            with accepted:
                client.sendall(b"0123456789")
                first, second = bytearray(3), bytearray(4)
                got = 0
                while got < 7:  # a stream may come in pieces
                    n, ancdata, flags, address = accepted.recvmsg_into(
                        [memoryview(first)[got:], second] if got < 3 else [memoryview(second)[got - 3:]])
                    assert n > 0 and (ancdata, flags, address) == ([], 0, None)  # no sender for a stream
                    got += n
                seen.append((bytes(first), bytes(second), accepted.recv(10)))
    with mod.socket(mod.AF_INET, mod.SOCK_DGRAM) as receiver, mod.socket(mod.AF_INET, mod.SOCK_DGRAM) as sender:
        receiver.bind(("127.0.0.1", 0))
        receiver.settimeout(30)
        sender.bind(("127.0.0.1", 0))
        for payload in (b"abcdefgh", b"too long for the room"):
            sender.sendmsg([payload[:4], b"", payload[4:]], [], 0, receiver.getsockname())  # an empty piece
            parts = [bytearray(2), bytearray(0), bytearray(6)]  # and an empty buffer, skipped
            n, ancdata, flags, address = receiver.recvmsg_into(parts)
            seen.append((n, [bytes(p) for p in parts], ancdata, flags & mod.MSG_TRUNC != 0,
                         address == sender.getsockname()))
        sender.sendto(b"whole length", receiver.getsockname())
        seen.append(receiver.recvmsg_into([bytearray(4)], 0, mod.MSG_TRUNC)[0])
        with pytest.raises(ValueError):
            receiver.recvmsg_into([bytearray(4)], -1)
        for read_only in (b"read-only", memoryview(b"read-only")):
            with pytest.raises(TypeError):
                receiver.recvmsg_into([read_only])
            with pytest.raises(TypeError):
                receiver.recv_into(read_only)
    return seen


def test_recvmsg_into_scatters_as_the_stdlibs(zt_pair: Pair) -> None:
    """A scattered receive needs no OS descriptor: it raised EOPNOTSUPP (and lwIP's recvmsg refused
    an empty buffer among the others: EINVAL)."""
    expected = _scattered_receives(stdlib_socket)
    assert expected[-4:] == [(b"012", b"3456", b"789"), (8, [b"ab", b"", b"cdefgh"], [], False, True),
                             (8, [b"to", b"", b"o long"], [], True, True), 12]  # Linux's, checked here
    assert _scattered_receives(socket) == expected


def _sockets_of_types_and_protocols(mod: Any) -> list[Any]:
    """socket() with types and protocols IP does or does not have: the error, or the socket's type."""
    seen: list[Any] = []
    for kind, proto in ((99, 0), (-1 & 0xFF, 0), (mod.SOCK_SEQPACKET, 0), (mod.SOCK_STREAM, mod.IPPROTO_UDP),
                        (mod.SOCK_DGRAM, mod.IPPROTO_TCP), (mod.SOCK_STREAM, mod.IPPROTO_TCP),
                        (mod.SOCK_DGRAM, mod.IPPROTO_UDP), (mod.SOCK_DGRAM, 0)):
        try:
            with mod.socket(mod.AF_INET, kind, proto) as sock:
                seen.append((sock.type, sock.proto))
        except OSError as exc:
            seen.append(errno.errorcode.get(exc.errno, exc.errno))
    return seen


def test_socket_refuses_types_and_protocols_ip_has_not_as_the_stdlibs(zt_pair: Pair) -> None:
    """lwIP made a UDP socket of SOCK_DGRAM with IPPROTO_TCP (and TCP of SOCK_STREAM with UDP's)."""
    expected = _sockets_of_types_and_protocols(stdlib_socket)
    assert expected[:5] == ["EINVAL", "EINVAL", "ESOCKTNOSUPPORT", "EPROTONOSUPPORT", "EPROTONOSUPPORT"]  # Linux's
    assert _sockets_of_types_and_protocols(socket) == expected


def _module_lookups(mod: Any) -> list[Any]:
    """The module's lookups that need no name server: addresses as text, this host's name, services
    and protocols by name and number."""
    seen: list[Any] = [mod.gethostname()]
    for host in ("127.0.0.1", b"44.1.2.3", "localhost", "", "::1"):
        seen.append(failure_named(lambda h=host: mod.gethostbyname(h)))
    seen.append(failure_named(lambda: mod.gethostbyname_ex("44.1.2.3")))
    seen.append((mod.getservbyname("http", "tcp"), mod.getservbyport(443), mod.getprotobyname("udp")))
    return seen


def test_module_lookups_as_the_stdlibs(zt_pair: Pair) -> None:
    """gethostbyname, gethostbyname_ex (through libzt's resolver; a name served by a peer: test_dns),
    gethostname, getservbyname, getservbyport, getprotobyname: a program written for the stdlib
    calls them on the module it imported (AttributeError before)."""
    expected = _module_lookups(stdlib_socket)
    assert expected[1:7] == ["127.0.0.1", "44.1.2.3", "127.0.0.1", "0.0.0.0",
                             ("gaierror", stdlib_socket.EAI_ADDRFAMILY), ("44.1.2.3", [], ["44.1.2.3"])]  # Linux's
    assert _module_lookups(socket) == expected


def _datagrams_to_port_zero(mod: Any) -> list[Any]:
    """sendto and sendmsg of UDP datagrams to port 0, IPv4 and IPv6: what each answers."""
    seen: list[Any] = []
    for family, host in ((mod.AF_INET, "127.0.0.1"), (mod.AF_INET6, "::1")):
        with mod.socket(family, mod.SOCK_DGRAM) as sock:
            seen.append(failure_named(lambda s=sock, h=host: s.sendto(b"to nobody", (h, 0))))
            seen.append(failure_named(lambda s=sock, h=host: s.sendmsg([b"to nobody"], [], 0, (h, 0))))
    return seen


def test_a_datagram_to_port_zero_is_refused_as_the_stdlibs(zt_pair: Pair) -> None:
    """lwIP sent it (to port 0 of the destination, where nothing can listen)."""
    expected = _datagrams_to_port_zero(stdlib_socket)
    assert expected == [("OSError", errno.EINVAL)] * 4  # Linux's, checked here
    assert _datagrams_to_port_zero(socket) == expected
