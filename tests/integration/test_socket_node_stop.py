# SPDX-License-Identifier: Apache-2.0
"""Stopping the node ends every blocked socket call with ENETDOWN: blocking calls in threads and
asyncio streams alike (the poller thread ends and fails what it was waiting for), and selectors
waiting on readiness descriptors wake up."""
from __future__ import annotations

import asyncio
import errno
import selectors
import threading
import time
from pathlib import Path
from typing import Any, Callable

from libzt import ZeroTierNode, aio, socket
from support.worlds import RootServer, free_udp_port, make_planet


def test_node_stop_interrupts_blocked_calls(tmp_path: Path) -> None:
    port = free_udp_port()
    planet = make_planet(tmp_path, [f"127.0.0.1/{port}"])
    with RootServer(planet, extra=["--allow-loopback"], port=port):
        node = ZeroTierNode(roots=planet.world, allow_loopback=True).start()
        try:
            node.wait_online(timeout=10)
            outcome: dict[str, Any] = {}
            threads = []

            def blocked(name: str, call: Callable[[], object]) -> None:
                def run() -> None:
                    try:
                        call()
                        outcome[name] = "returned"
                    except OSError as exc:
                        outcome[name] = exc.errno

                threads.append(threading.Thread(target=run))
                threads[-1].start()

            udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            udp.bind(("0.0.0.0", 0))
            listener = socket.create_server(("127.0.0.1", 0))
            client = socket.create_connection(listener.getsockname())
            server_side, _ = listener.accept()
            blocked("udp recvfrom", lambda: udp.recvfrom(100))
            blocked("tcp recv", lambda: client.recv(100))
            blocked("accept", listener.accept)
            watch = selectors.DefaultSelector()  # on the readiness descriptor: node stop must wake it too
            watch.register(server_side, selectors.EVENT_READ)
            blocked("selector", lambda: (watch.select(), server_side.recv(100)))

            async def stream_read() -> None:
                server = await aio.start_server(lambda r, w: None, "127.0.0.1", 0)
                reader, writer = await aio.open_connection("127.0.0.1", server.sockets[0].getsockname()[1])
                ready.set()
                try:
                    await reader.read(100)
                    outcome["stream read"] = "returned"
                except OSError as exc:
                    outcome["stream read"] = exc.errno
                writer.close()
                server.close()

            ready = threading.Event()
            loop_thread = threading.Thread(target=asyncio.run, args=(stream_read(),))
            loop_thread.start()
            assert ready.wait(10)
            time.sleep(0.2)  # let the calls block (not a synchronisation: the outcome is the same either way)
            started = time.monotonic()
            node.stop()
            for t in [*threads, loop_thread]:
                t.join(5)
            elapsed = time.monotonic() - started
            assert not any(t.is_alive() for t in [*threads, loop_thread])
            assert outcome == {name: errno.ENETDOWN for name in
                               ("udp recvfrom", "tcp recv", "accept", "stream read", "selector")}, outcome
            assert elapsed < 2
            watch.close()
            for s in (udp, listener, client, server_side):
                s.close()  # still possible: the stack outlives the node
        finally:
            node.stop()
