# SPDX-License-Identifier: Apache-2.0
"""What the proxy and the port forwards share: copying a TCP connection both ways between two asyncio
stream pairs, counting what goes through, and showing the counters live on a terminal."""
from __future__ import annotations

import asyncio
import contextlib
import sys
import time
from dataclasses import dataclass
from typing import Optional, TextIO

_CHUNK = 256 * 1024


@dataclass
class Counters:
    """Connections and bytes through a proxy or forward (``up``: towards the target)."""

    active: int = 0
    total: int = 0
    failed: int = 0
    up: int = 0
    down: int = 0
    datagrams: int = 0

    def line(self) -> str:
        return (f"connections {self.active} open, {self.total} total, {self.failed} failed | "
                f"up {_size(self.up)} down {_size(self.down)}"
                + (f" | {self.datagrams} datagrams" if self.datagrams else ""))


def _size(n: float) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return ""  # pragma: no cover


async def _copy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, counters: Counters, up: bool) -> None:
    try:
        while True:
            data = await reader.read(_CHUNK)
            if not data:
                break
            writer.write(data)
            if up:
                counters.up += len(data)
            else:
                counters.down += len(data)
            await writer.drain()
        if writer.can_write_eof():
            writer.write_eof()  # half-close: the other direction may still be talking
    except (ConnectionError, OSError):
        writer.close()


async def splice(a: tuple[asyncio.StreamReader, asyncio.StreamWriter],
                 b: tuple[asyncio.StreamReader, asyncio.StreamWriter], counters: Counters) -> None:
    """Copies a -> b ("up") and b -> a until both directions have ended, then closes both."""
    try:
        await asyncio.gather(_copy(a[0], b[1], counters, True), _copy(b[0], a[1], counters, False))
    finally:
        for _, writer in (a, b):
            writer.close()
        for _, writer in (a, b):
            with contextlib.suppress(Exception):
                await writer.wait_closed()


async def show_live(counters: Counters, stream: Optional[TextIO] = None, every: float = 0.5) -> None:
    """Rewrites one status line on a terminal until cancelled (nothing when not a terminal)."""
    out = stream or sys.stderr
    if not out.isatty():
        return
    last = (0, 0.0)
    try:
        while True:
            now = time.monotonic()
            moved = counters.up + counters.down
            rate = (moved - last[0]) / (now - last[1]) if last[1] else 0.0
            last = (moved, now)
            out.write(f"\r\x1b[K{counters.line()} | {_size(rate)}/s")
            out.flush()
            await asyncio.sleep(every)
    finally:
        out.write("\n")
        out.flush()
