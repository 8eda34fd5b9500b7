#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The echo server and client again, with asyncio streams (libzt.aio).

    python examples/echo_asyncio.py NETWORK_ID server [--port 7777]
    python examples/echo_asyncio.py NETWORK_ID client HOST [--port 7777] [--count 10]

The server handles every connection in a task; the client opens ``--count`` connections at once
and checks each echo.
"""
from __future__ import annotations

import argparse
import asyncio
import sys

from _common import add_node_arguments, first_address, joined
from libzt import aio


async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    finally:
        writer.close()
        await writer.wait_closed()


async def serve(address: str, port: int) -> None:
    server = await aio.start_server(handle, "0.0.0.0", port)
    print(f"listening on {address} port {server.sockets[0].getsockname()[1]}", flush=True)
    async with server:
        await server.serve_forever()


async def one_client(host: str, port: int, i: int) -> bool:
    reader, writer = await aio.open_connection(host, port)
    message = f"message {i} over ZeroTier".encode()
    writer.write(message)
    writer.write_eof()
    echoed = await reader.read()
    writer.close()
    await writer.wait_closed()
    return echoed == message


async def clients(host: str, port: int, count: int) -> bool:
    results = await asyncio.gather(*(one_client(host, port, i) for i in range(count)))
    print(f"{sum(results)} of {count} connections echoed correctly")
    return all(results)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_node_arguments(parser)
    parser.add_argument("role", choices=["server", "client"])
    parser.add_argument("host", nargs="?", help="the server's address (client)")
    parser.add_argument("--port", type=int, default=7777)
    parser.add_argument("--count", type=int, default=10)
    args = parser.parse_args()
    with joined(args) as (_, network):
        if args.role == "server":
            try:
                asyncio.run(serve(first_address(network), args.port))
            except KeyboardInterrupt:
                pass
            return 0
        if not args.host:
            parser.error("the client needs the server's address")
        return 0 if asyncio.run(clients(args.host, args.port, args.count)) else 1


if __name__ == "__main__":
    sys.exit(main())
