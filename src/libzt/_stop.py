# SPDX-License-Identifier: Apache-2.0
"""A server's request to stop (the root's, the controller's): made by SIGINT or SIGTERM, or by
``set()`` from any thread, and waited on by the server's main thread.

Two traps of signals in a threaded Python program, both met by ``libzt controller`` on a busy machine:

* The kernel gives a process's signal to any thread that does not block it: to the node's core
  thread, say. Python's C-level handler, run there, only notes the signal for the main thread, which
  runs the Python handler when it next executes bytecode; a main thread asleep in a system call
  (``Event.wait``, ``poll``) is not woken and sleeps on. Python's remedy is the wakeup fd
  (``signal.set_wakeup_fd``), into which that C-level handler writes the signal's number: ``wait()``
  sleeps on it and reads the number itself.
* A ``threading.Event`` set from a Python signal handler can wait forever for its own lock: the
  handler runs between two bytecodes of the main thread, maybe while that thread is inside
  ``Event.wait`` holding that lock. ``set()`` here takes no lock: a flag and one byte to a pipe.
"""
from __future__ import annotations

import math
import os
import select
import signal
import threading
import time
from typing import Any, Optional

_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _pipe() -> tuple[int, int]:
    read_fd, write_fd = os.pipe()
    os.set_blocking(read_fd, False)
    os.set_blocking(write_fd, False)
    return read_fd, write_fd


class StopRequest:
    def __init__(self) -> None:
        self._requested = False
        # A byte in the first pipe means "stop"; it is never read, so every waiter sees it. The
        # second, made by set_on_signals(), is Python's wakeup fd: signal numbers, read as they come.
        self._set_fds = _pipe()
        self._signal_fds = (-1, -1)
        self._poller = select.poll()  # not select(): a descriptor may be numbered past FD_SETSIZE
        self._poller.register(self._set_fds[0], select.POLLIN)
        self._previous_handlers: dict[int, Any] = {}
        self._previous_wakeup_fd: Optional[int] = None

    def set(self) -> None:
        """Asks the server to stop; safe from any thread and from a signal handler."""
        first = not self._requested
        self._requested = True
        if first:
            try:
                os.write(self._set_fds[1], b"\0")
            except OSError:
                pass  # closed, or full: nobody waits any more, or the pipe is readable already

    def is_set(self) -> bool:
        return self._requested

    def wait(self, timeout: Optional[float] = None) -> bool:
        """True once stopping was asked for; False if `timeout` seconds passed first."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self._requested:
            left_ms = None if deadline is None else max(0, math.ceil((deadline - time.monotonic()) * 1000))
            # Retried after a signal with what is left of the timeout (PEP 475).
            for fd, _ in self._poller.poll(left_ms):
                if fd == self._signal_fds[0]:
                    self._read_signal_numbers()
            if deadline is not None and time.monotonic() >= deadline:
                break
        return self._requested

    def _read_signal_numbers(self) -> None:
        try:
            numbers = os.read(self._signal_fds[0], 512)
        except BlockingIOError:  # another waiter read them
            return
        if any(n in _STOP_SIGNALS for n in numbers):
            self.set()

    def set_on_signals(self) -> StopRequest:
        """SIGINT and SIGTERM ask to stop (a clean exit, not death or KeyboardInterrupt), whichever
        thread the kernel hands them to. Python takes signal handlers and the wakeup fd in the main
        thread only: elsewhere this does nothing. close() puts back what it replaced."""
        if threading.current_thread() is not threading.main_thread():
            return self
        self._signal_fds = _pipe()
        self._poller.register(self._signal_fds[0], select.POLLIN)
        self._previous_wakeup_fd = signal.set_wakeup_fd(self._signal_fds[1], warn_on_full_buffer=False)
        for sig in _STOP_SIGNALS:
            self._previous_handlers[sig] = signal.signal(sig, lambda *_: self.set())
        return self

    def __enter__(self) -> StopRequest:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        for sig, handler in self._previous_handlers.items():
            signal.signal(sig, handler)
        self._previous_handlers.clear()
        if self._previous_wakeup_fd is not None:
            signal.set_wakeup_fd(self._previous_wakeup_fd)
            self._previous_wakeup_fd = None
        # Forgotten before closed: a signal that comes in between must not write to a descriptor
        # number another thread may already have been given again.
        fds = (*self._set_fds, *self._signal_fds)
        self._set_fds = self._signal_fds = (-1, -1)
        for fd in fds:
            if fd >= 0:
                os.close(fd)


__all__ = ["StopRequest"]
