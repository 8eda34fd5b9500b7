# SPDX-License-Identifier: Apache-2.0
"""Time limits of blocking libzt.socket calls are libzt's deadlines (ztx_wait_t), not counted in
Python: a call never ends before its limit, whether it waits in one native call (other threads) or
comes back every wake period to let signal handlers run (the main thread). Only lower bounds are
checked: a busy machine may end any wait late, never early."""
from __future__ import annotations

import errno
import signal
import struct
import threading
import time
from typing import Any, Callable, Iterator

import pytest

import libzt
from libzt import socket
from libzt._bindings import sockets as ll
from support.sockets_pair import Pair


@pytest.fixture
def udp(zt_pair: Pair) -> Iterator[socket.socket]:
    """A UDP socket on the stack's loopback that nothing sends to."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock


@pytest.fixture
def listener(zt_pair: Pair) -> Iterator[socket.socket]:
    """A TCP listener on the stack's loopback that nobody connects to."""
    with socket.create_server(("127.0.0.1", 0)) as sock:
        yield sock


def took(call: Callable[[], Any], expected: type[BaseException]) -> float:
    """Seconds ``call`` took to raise ``expected``."""
    started = time.monotonic()
    with pytest.raises(expected):
        call()
    return time.monotonic() - started


def in_thread(call: Callable[[], float]) -> float:
    """``call()`` in another thread (no signal wakes there), its result back here."""
    out: list[Any] = []
    worker = threading.Thread(target=lambda: out.append(call()))
    worker.start()
    worker.join(60)
    assert out, "the worker thread did not finish"
    return out[0]


@pytest.mark.parametrize("limit", [0.3, 0.35, 1.05])
def test_settimeout_never_ends_a_recv_early(udp: socket.socket, limit: float) -> None:
    udp.settimeout(limit)
    assert took(lambda: udp.recv(10), socket.timeout) >= limit  # main thread: across signal wakes
    assert in_thread(lambda: took(lambda: udp.recvfrom(10), socket.timeout)) >= limit  # one native wait


def test_each_operation_of_a_thread_has_its_own_deadline(udp: socket.socket) -> None:
    """Another thread's calls share one ztx_wait_t, reset for each operation (ll.thread_wait): the
    second and third receive wait their own time, not what the first left of its deadline."""
    udp.settimeout(0.2)
    assert in_thread(lambda: min(took(lambda: udp.recv_into(bytearray(10)), socket.timeout),
                                 took(lambda: udp.recv(10), socket.timeout),
                                 took(lambda: udp.recvfrom(10), socket.timeout))) >= 0.2


def test_settimeout_never_ends_an_accept_early(listener: socket.socket) -> None:
    listener.settimeout(0.3)
    assert took(listener.accept, socket.timeout) >= 0.3
    assert in_thread(lambda: took(listener.accept, socket.timeout)) >= 0.3


def test_zts_so_rcvtimeo_never_ends_a_recv_early(zt_pair: Pair) -> None:
    """The guide's socket and ZTS_SO_RCVTIMEO on a blocking socket: EAGAIN at the limit, as on Linux."""
    with libzt.socket(libzt.ZTS_AF_INET, libzt.ZTS_SOCK_DGRAM, 0) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.setsockopt(libzt.ZTS_SOL_SOCKET, libzt.ZTS_SO_RCVTIMEO, struct.pack("@ll", 0, 300_000))
        started = time.monotonic()
        with pytest.raises(BlockingIOError) as info:
            sock.recv(10)
        assert time.monotonic() - started >= 0.3
        assert info.value.errno == errno.EAGAIN


def test_one_deadline_across_wakes(udp: socket.socket) -> None:
    """The binding tier: a wait's deadline is fixed by the first call and kept across the calls made
    again after each wake (InterruptedError), so the operation ends at its limit, not a wake later."""
    wait = ll.new_wait(ll.limit_ms(0.35), 50)
    wakes = 0
    started = time.monotonic()
    while True:
        try:
            result = ll.recv(udp.zts_fileno(), 10, 0, wait)
            break
        except InterruptedError:
            wakes += 1
    elapsed = time.monotonic() - started
    assert result is None  # would block: the time ran out
    assert elapsed >= 0.35
    assert wakes >= 1  # 350 ms at one wake per 50 ms


@pytest.mark.parametrize("what", ["recv", "accept"])
def test_a_signal_interrupts_a_blocked_call(udp: socket.socket, listener: socket.socket, what: str) -> None:
    """Ctrl-C (here SIGALRM raising KeyboardInterrupt) ends a blocking call without a time limit."""
    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    call = udp.recv if what == "recv" else listener.accept
    previous = signal.signal(signal.SIGALRM, interrupt)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.2)
        assert took(lambda: call(10) if what == "recv" else call(), KeyboardInterrupt) >= 0.2
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    udp.settimeout(0.05)  # the socket is still usable
    with pytest.raises(socket.timeout):
        udp.recv(10)
