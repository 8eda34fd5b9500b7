#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A TCP echo server on a ZeroTier network, written exactly as with the stdlib's socket module.

    python examples/echo_server.py NETWORK_ID [--port 7777]

It prints the address it listens on; run examples/echo_client.py against it from another machine
(or another process: one node per process). Ctrl-C stops it.
"""
from __future__ import annotations

import argparse
import sys
import threading

from _common import add_node_arguments, first_address, joined
from libzt import socket


def echo(conn: socket.socket, address: tuple) -> None:
    with conn:
        while True:
            data = conn.recv(65536)
            if not data:
                break
            conn.sendall(data)
    print(f"{address[0]} done", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_node_arguments(parser)
    parser.add_argument("--port", type=int, default=7777)
    args = parser.parse_args()
    with joined(args) as (_, network):
        with socket.create_server(("0.0.0.0", args.port)) as server:
            print(f"listening on {first_address(network)} port {server.getsockname()[1]}", flush=True)
            try:
                while True:
                    conn, address = server.accept()
                    threading.Thread(target=echo, args=(conn, address), daemon=True).start()
            except KeyboardInterrupt:
                pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
