# SPDX-License-Identifier: Apache-2.0
"""Connection churn and socket limits, between this process's node and a peer process (sockets_pair):

- a client that connects and closes over and over keeps working past the 16,384 ephemeral ports, all
  of which its own TIME_WAIT connections hold after as many cycles (lwIP refuses such ports; the glue
  recycles the oldest TIME_WAIT instead: csrc/net/ephemeral_port.hpp);
- 3,000 connections open at once in one process, each carrying data;
- at the socket table's limit, socket() and accept() fail with EMFILE (the per-process errno, with
  the limit in the message), in C (ZTS_ERR_SOCKET, zts_errno) and in Python (OSError).
"""
from __future__ import annotations

import errno
import os
import resource
import time
from typing import List

from libzt import socket
from libzt._bindings import lib
from libzt._bindings import sockets as _ll
from support.official import wait_until
from support.sockets_pair import Pair

# Ephemeral ports: lwIP's range, 49152-65535. Churn beyond them reuses ports.
EPHEMERAL_PORTS = 16_384
# Under AddressSanitizer (scripts/run-tests sets LIBZT_UNDER_SANITIZER) a cycle costs several times
# more: fewer cycles, still twice the ephemeral ports, so every port is used, left in TIME_WAIT and
# taken again.
CHURN_CYCLES = 2 * EPHEMERAL_PORTS + 1_000 if os.environ.get("LIBZT_UNDER_SANITIZER") else 100_000
CONCURRENT = 3_000
TIME_WAIT_S = 60  # 2 * TCP_MSL (csrc/lwip_port/include/lwipopts.h)


def connect(address: tuple, timeout: float = 30) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.settimeout(timeout)
        sock.connect(address)
    except BaseException:
        sock.close()
        raise
    return sock


def test_connect_close_churn_keeps_working_past_the_ephemeral_ports(zt_pair: Pair) -> None:
    """Each cycle leaves a TIME_WAIT connection on this side (the client closes first). Without
    recycling, connect failed after 16,383 cycles (ENOBUFS, 0.6 s per attempt) until TIME_WAIT ran out."""
    serving = zt_pair.peer.start("tcp_churn", count=CHURN_CYCLES)
    address = (zt_pair.address(4), serving.early()["port"])
    before = _ll.limits()
    began: List[float] = []
    slowest = 0.0
    for _ in range(CHURN_CYCLES):
        began.append(time.monotonic())
        connect(address).close()
        slowest = max(slowest, time.monotonic() - began[-1])
    ended = time.monotonic()
    elapsed = ended - began[0]
    served = serving.result(timeout=120)["served"]
    after = _ll.limits()
    recycled = after["time_wait_recycled"] - before["time_wait_recycled"]
    print(f"{CHURN_CYCLES} connect/close cycles in {elapsed:.1f} s ({CHURN_CYCLES / elapsed:.0f}/s), "
          f"slowest {slowest * 1000:.0f} ms, {recycled} TIME_WAIT connections recycled")
    assert served == CHURN_CYCLES
    # No stall: lwIP's TIME_WAIT lasts 60 s (2 * TCP_MSL); a cycle waiting for it would take that long.
    assert slowest < 10, f"a connect/close cycle took {slowest:.1f} s"
    # Ports were taken over from TIME_WAIT. A cycle got a port that no connection held only if no
    # TIME_WAIT of this run had held it yet (at most EPHEMERAL_PORTS times), or the TIME_WAIT
    # holding it expired, which takes 60 s from the cycle that made it (or was there before the run):
    # every other cycle recycled one.
    expired_at_most = sum(1 for t in began if t < ended - TIME_WAIT_S) + before["time_wait"]
    assert recycled >= CHURN_CYCLES - EPHEMERAL_PORTS - expired_at_most, (recycled, expired_at_most)
    assert after["time_wait"] <= EPHEMERAL_PORTS + before["time_wait"]  # bounded by the ports


def test_churn_against_a_server_that_closes_first(zt_pair: Pair) -> None:
    """The server (the peer) closes each connection first and keeps its TIME_WAIT. Having gone round
    its ephemeral ports, the client comes back on the same addresses and ports while that TIME_WAIT is
    still on: its SYN must open a new connection (RFC 1122 4.2.2.13), not meet the old one's ACK,
    which left the connection to SYN retransmissions until the TIME_WAIT expired."""
    cycles = 2 * EPHEMERAL_PORTS + 1_000
    serving = zt_pair.peer.start("tcp_churn", count=cycles, close_first=True)
    address = (zt_pair.address(4), serving.early()["port"])
    began: List[float] = []
    slowest = 0.0
    for _ in range(cycles):
        began.append(time.monotonic())
        with connect(address) as sock:
            assert sock.recv(1) == b""  # the server closed first
        slowest = max(slowest, time.monotonic() - began[-1])
    ended = time.monotonic()
    result = serving.result(timeout=120)
    print(f"{cycles} cycles against a server closing first in {ended - began[0]:.1f} s, slowest "
          f"{slowest * 1000:.0f} ms, {result['reopened']} of its TIME_WAIT connections reopened")
    assert result["served"] == cycles
    assert slowest < 10, f"a connect/close cycle took {slowest:.1f} s"
    # This side holds no TIME_WAIT, so its ports come round in order: a cycle's port is used again at
    # most EPHEMERAL_PORTS cycles later, and the server's TIME_WAIT from then is still on unless
    # 60 s passed.
    expired_at_most = sum(1 for t in began if t < ended - TIME_WAIT_S)
    assert result["reopened"] >= cycles - EPHEMERAL_PORTS - expired_at_most, (result, expired_at_most)


def test_no_port_is_taken_again_while_a_server_that_closed_first_may_hold_it(zt_pair: Pair) -> None:
    """Every port held by this side's TIME_WAITs (a churn), a connection that sent data to a server
    that then closed first gives its port back at once: this side keeps nothing, the server keeps the
    four-tuple in TIME_WAIT. A new connection to that server on that port would meet that TIME_WAIT
    (its SYN starts below the data sent: the sequence clock runs at 250 KB/s), get ACKs where it waits
    for a SYN-ACK, and fail with ETIMEDOUT within half a second (lwIP counts each of its answers as
    a SYN retransmission). The port chooser drops one of its own TIME_WAITs instead."""
    churn = zt_pair.peer.start("tcp_churn", count=EPHEMERAL_PORTS + 100)
    churn_address = (zt_pair.address(4), churn.early()["port"])
    began: List[float] = []
    for _ in range(EPHEMERAL_PORTS + 100):
        began.append(time.monotonic())
        connect(churn_address).close()
    assert churn.result(timeout=120)["served"] == EPHEMERAL_PORTS + 100
    # Every port is held, when the churn took less than a TIME_WAIT (under ASan it may not: then only
    # the TIME_WAITs of its last 60 s are certain, and the connections below must work all the same).
    # The last connection's TIME_WAIT begins when the server's FIN reaches this node, which may be
    # after the server reported its count.
    def held() -> bool:
        live = sum(1 for t in began if t >= time.monotonic() - TIME_WAIT_S)
        return _ll.limits()["time_wait"] >= min(EPHEMERAL_PORTS, live)

    wait_until(held, timeout=30, what="every port held by a TIME_WAIT")

    size, count = 1 << 20, 5  # 1 MiB: 4 s of the sequence clock
    serving = zt_pair.peer.start("tcp_read_then_close", count=count, size=size)
    address = (zt_pair.address(4), serving.early()["port"])
    ports = []
    for _ in range(count):
        with connect(address) as sock:
            ports.append(sock.getsockname()[1])
            sock.sendall(bytes(size))
            assert sock.recv(1) == b""  # the server closed first
    assert serving.result(timeout=120) == {"served": count}
    assert len(set(ports)) == count, ports


def test_3000_connections_open_at_once(zt_pair: Pair) -> None:
    serving = zt_pair.peer.start("tcp_hold")
    address = (zt_pair.address(4), serving.early()["port"])
    socks: List[socket.socket] = []
    try:
        for _ in range(CONCURRENT):
            socks.append(connect(address))
        assert _ll.limits()["open_sockets"] >= CONCURRENT
        for sock in socks:  # the peer sent one byte on each connection it accepted
            assert sock.recv(1) == b"k"
        assert len({sock.getsockname() for sock in socks}) == CONCURRENT
    finally:
        for sock in socks:
            sock.close()
        zt_pair.peer.call("stop_servers")
    assert serving.result(timeout=120) == {"held": CONCURRENT}


def test_emfile_at_the_socket_limit(zt_pair: Pair) -> None:
    limit = _ll.limits()["max_sockets"]
    assert limit >= 4 * CONCURRENT
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("0.0.0.0", 0))
    listener.listen(8)
    fds: List[int] = []
    try:
        # Fill the table with sockets straight from the C API (what libzt.socket.socket() calls).
        while True:
            fd = lib.zts_bsd_socket(lib.ZTS_AF_INET, lib.ZTS_SOCK_DGRAM, 0)
            if fd < 0:
                break
            fds.append(fd)
            assert len(fds) <= limit
        assert fd == lib.ZTS_ERR_SOCKET and lib.zts_errno_location()[0] == lib.ZTS_EMFILE
        assert _ll.limits()["open_sockets"] == limit

        # Python: OSError(EMFILE) naming the limit, for socket() and accept().
        try:
            socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        except OSError as exc:
            assert exc.errno == errno.EMFILE and f"{limit} libzt sockets" in str(exc), exc
        else:
            raise AssertionError("socket() succeeded beyond the limit")

        # A connection waiting to be accepted: accept fails with EMFILE and leaves it queued, as
        # Linux does; once a descriptor is free, accept takes it.
        client_fd = fds.pop()
        lib.zts_bsd_close(client_fd)
        client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)  # the last free descriptor
        client.settimeout(30)
        client.connect(("127.0.0.1", listener.getsockname()[1]))
        listener.settimeout(30)
        try:
            listener.accept()
        except OSError as exc:
            assert exc.errno == errno.EMFILE and f"{limit} libzt sockets" in str(exc), exc
        else:
            raise AssertionError("accept() succeeded beyond the limit")
        lowest = fds.pop(0)
        assert lib.zts_bsd_close(lowest) == 0
        conn, _ = listener.accept()
        with conn, client:
            assert conn.zts_fileno() == lowest  # the lowest free descriptor, as POSIX gives
            client.sendall(b"after the limit")
            assert conn.recv(64) == b"after the limit"
    finally:
        for fd in fds:
            lib.zts_bsd_close(fd)
        listener.close()
    assert _ll.limits()["open_sockets"] < CONCURRENT  # everything above was closed


def test_readiness_descriptor_beyond_rlimit_nofile_names_the_limit(zt_pair: Pair) -> None:
    """fileno() costs two OS descriptors (a socket pair): past RLIMIT_NOFILE it fails with EMFILE and a
    message that says so, not a bare "Too many open files"."""
    socks = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(2)]
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    fillers: List[int] = []
    try:
        # Room for one pair only: the limit just above the descriptors open now (they stay open), the
        # free ones below it filled, then two more allowed.
        top = max(int(name) for name in os.listdir("/proc/self/fd")) + 1
        resource.setrlimit(resource.RLIMIT_NOFILE, (top, hard))
        while True:
            try:
                fillers.append(os.open(os.devnull, os.O_RDONLY))
            except OSError:
                break
        resource.setrlimit(resource.RLIMIT_NOFILE, (top + 2, hard))
        try:
            socks[0].fileno()
            socks[1].fileno()
        except OSError as exc:
            failure = exc
        else:
            raise AssertionError("two readiness descriptors fitted in room for one")
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
        for fd in fillers:
            os.close(fd)
        for sock in socks:
            sock.close()
    assert failure.errno == errno.EMFILE and "RLIMIT_NOFILE" in str(failure), failure
