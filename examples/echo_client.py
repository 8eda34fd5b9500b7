#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Send a message to examples/echo_server.py over a ZeroTier network and print what comes back.

    python examples/echo_client.py NETWORK_ID HOST [--port 7777] [MESSAGE ...]
"""
from __future__ import annotations

import argparse
import sys

from _common import add_node_arguments, joined
from libzt import socket


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_node_arguments(parser)
    parser.add_argument("host", help="the server's address on the network")
    parser.add_argument("--port", type=int, default=7777)
    parser.add_argument("message", nargs="*", default=["hello", "over", "ZeroTier"])
    args = parser.parse_args()
    message = " ".join(args.message).encode()
    with joined(args):
        with socket.create_connection((args.host, args.port), timeout=30) as sock:
            sock.sendall(message)
            sock.shutdown(socket.SHUT_WR)  # no more from us: the server echoes, then closes
            with sock.makefile("rb") as replies:
                echoed = replies.read()
    print(f"sent {message!r}, got back {echoed!r}")
    return 0 if echoed == message else 1


if __name__ == "__main__":
    sys.exit(main())
