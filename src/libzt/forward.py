# SPDX-License-Identifier: Apache-2.0
"""TCP port forwards between this machine and the node's ZeroTier networks, for services and
clients that cannot be changed.

* :meth:`Forwards.to_network`: a local port (loopback by default) whose connections go to a ZeroTier
  address and port (``ssh -L``-like: ``curl http://127.0.0.1:8080/`` reaches ``10.147.17.5:80``).
* :meth:`Forwards.from_network`: a port of the node on the ZeroTier network whose connections go to a
  local service (expose ``localhost:8000`` to the network).

``libzt forward 127.0.0.1:8080=10.147.17.5:80 --expose 80=127.0.0.1:8000 --network NWID``
does the same from the command line (``libzt forward -h``).
"""
from __future__ import annotations

import asyncio
from typing import Any, Awaitable, Optional

from libzt import aio
from libzt._relay import Counters, splice

__all__ = ["Forwards"]


class Forwards:
    """Forwards sharing one set of :class:`Counters` (connections, bytes; ``up`` is towards the target)."""

    def __init__(self, connect_timeout: float = 30.0) -> None:
        self.counters = Counters()
        self.connect_timeout = connect_timeout

    async def to_network(self, listen_host: str, listen_port: int, target_host: str,
                         target_port: int) -> asyncio.Server:
        """Listens on the machine's ``listen_host:listen_port``; connects to ``target`` over ZeroTier."""
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await self._carry((reader, writer), aio.open_connection(target_host, target_port))

        return await asyncio.start_server(handle, listen_host, listen_port)

    async def from_network(self, port: int, target_host: str, target_port: int,
                           listen_host: Optional[str] = None) -> aio.Server:
        """Listens on the node's ``port`` (every address, or ``listen_host``); connects to the local
        ``target_host:target_port`` with the machine's own sockets."""
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await self._carry((reader, writer), asyncio.open_connection(target_host, target_port))

        return await aio.start_server(handle, listen_host, port)

    async def _carry(self, client: tuple[asyncio.StreamReader, asyncio.StreamWriter], connecting: Awaitable[Any]
                     ) -> None:
        try:
            target = await asyncio.wait_for(connecting, self.connect_timeout)
        except (OSError, asyncio.TimeoutError):
            self.counters.failed += 1
            client[1].close()
            return
        self.counters.active += 1
        self.counters.total += 1
        try:
            await splice(client, target, self.counters)
        finally:
            self.counters.active -= 1
