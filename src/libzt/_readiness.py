# SPDX-License-Identifier: Apache-2.0
"""Waiting for a libzt socket in whatever async framework is running (asyncio or trio), through
its readiness descriptor (:meth:`libzt.socket.socket.fileno`)."""
from __future__ import annotations

import asyncio
from typing import Any, Optional


def _library() -> str:
    try:
        import sniffio
    except ImportError:  # pragma: no cover - sniffio comes with httpx/anyio/trio
        return "asyncio"
    try:
        return sniffio.current_async_library()
    except sniffio.AsyncLibraryNotFoundError:
        return "asyncio"


async def wait(sock: Any, write: bool, timeout: Optional[float] = None) -> None:
    """Until ``sock`` polls readable (or writable); raises :class:`TimeoutError` after ``timeout``."""
    if _library() == "trio":
        import trio

        waiter = trio.lowlevel.wait_writable if write else trio.lowlevel.wait_readable
        with trio.move_on_after(float("inf") if timeout is None else timeout) as scope:
            await waiter(sock.fileno())
        if scope.cancelled_caught:
            raise TimeoutError("timed out")
        return
    loop = asyncio.get_running_loop()
    fut = loop.create_future()
    fd = sock.fileno()
    (loop.add_writer if write else loop.add_reader)(fd, lambda: fut.done() or fut.set_result(None))
    try:
        if timeout is None:
            await fut
        else:
            try:
                await asyncio.wait_for(fut, timeout)
            except asyncio.TimeoutError:
                raise TimeoutError("timed out") from None
    finally:
        (loop.remove_writer if write else loop.remove_reader)(fd)
