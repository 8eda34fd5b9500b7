# SPDX-License-Identifier: Apache-2.0
"""The stop request of `libzt root` and `libzt controller`: set by SIGINT/SIGTERM or from any thread,
and safe to set at any point of its own wait (a signal handler runs between two bytecodes of the main
thread, wherever that thread is; a threading.Event set there can wait forever for its own lock)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

from libzt._stop import StopRequest


def test_wait_times_out_unset_and_returns_at_once_once_set() -> None:
    with StopRequest() as stop:
        assert stop.wait(0.01) is False
        assert not stop.is_set()
        stop.set()
        stop.set()  # again: no error, still set
        assert stop.is_set()
        assert stop.wait(0) is True
        assert stop.wait() is True  # every later wait sees it too


def test_set_from_another_thread_wakes_the_waiter() -> None:
    with StopRequest() as stop:
        setter = threading.Thread(target=stop.set)
        setter.start()
        assert stop.wait(60) is True
        setter.join()


def test_sigterm_asks_to_stop_and_close_puts_the_previous_handler_back() -> None:
    def previous(*_: object) -> None:
        raise AssertionError("the stop request's handler should have run")

    before = signal.signal(signal.SIGTERM, previous)
    try:
        with StopRequest().set_on_signals() as stop:
            os.kill(os.getpid(), signal.SIGTERM)
            assert stop.wait(60) is True
        assert signal.getsignal(signal.SIGTERM) is previous
    finally:
        signal.signal(signal.SIGTERM, before)


def test_set_at_any_point_before_wait_sleeps_wakes_it() -> None:
    # A profile hook calls set() at the n-th call inside wait(), for every call up to the one that
    # sleeps, as a signal handler may run at any of those points: wait() must not lose it (sleep the
    # whole timeout) nor hang in set(). In a child process: a hang would stop there, not in pytest.
    script = textwrap.dedent("""
        import sys, time
        from libzt._stop import StopRequest

        def wait_with_hook(stop, timeout, set_at=0):
            calls = []
            def hook(frame, event, arg):
                if event in ("call", "c_call"):
                    calls.append(arg)
                    if len(calls) == set_at:
                        stop.set()
            sys.setprofile(hook)
            woke = stop.wait(timeout)
            sys.setprofile(None)
            return woke, calls

        _, calls = wait_with_hook(StopRequest(), 0)  # nothing set: the path of a wait that sleeps
        points = next(i for i, c in enumerate(calls, 1) if getattr(c, '__name__', '') == 'poll')
        for n in range(1, points + 1):
            started = time.monotonic()
            woke, _ = wait_with_hook(StopRequest(), 30, set_at=n)
            assert woke and time.monotonic() - started < 25, f"set at call {n} of wait() was lost"
        print(points)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) >= 2  # wait() itself, then its sleep


def test_a_signal_the_kernel_hands_to_another_thread_wakes_the_sleeping_main_thread() -> None:
    # The controller's hang under load: SIGTERM went to one of its other threads while the main
    # thread slept in a system call, and nothing woke it. Here the main thread blocks SIGTERM, so the
    # kernel must hand it to the helper thread; it is sent once the main thread sleeps in wait().
    script = textwrap.dedent("""
        import os, signal, threading
        from libzt._stop import StopRequest

        stop = StopRequest().set_on_signals()
        parked = threading.Event()
        threading.Thread(target=parked.wait, daemon=True).start()  # a thread that takes signals
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
        print("waiting", flush=True)
        print(stop.wait(30), flush=True)
    """)
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
    try:
        assert child.stdout is not None and child.stdout.readline() == "waiting\n"
        main_thread_state = f"/proc/{child.pid}/task/{child.pid}/stat"
        deadline = time.monotonic() + 30
        while open(main_thread_state).read().rsplit(")", 1)[1].split()[0] != "S":  # asleep: in wait()
            assert time.monotonic() < deadline, "the child's main thread never went to sleep"
            time.sleep(0.001)
        started = time.monotonic()
        child.send_signal(signal.SIGTERM)
        out, err = child.communicate(timeout=60)
    finally:
        child.kill()
    assert child.returncode == 0 and out == "True\n", err
    assert time.monotonic() - started < 25, "woke only at the end of its 30 s wait"
