# SPDX-License-Identifier: Apache-2.0
"""A UDP socket inside the test namespace, driven over stdin/stdout by a test outside it.

Usage: udp_port.py HOST PORT. Each stdin line is a datagram in hex, sent to HOST:PORT; each datagram
received is printed as a line of hex. Ends when stdin closes.
"""
from __future__ import annotations

import socket
import sys
import threading


def main() -> int:
    host, port = sys.argv[1], int(sys.argv[2])
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("0.0.0.0", 0))

    def receive() -> None:
        while True:
            data = sock.recv(65535)
            sys.stdout.write(data.hex() + "\n")
            sys.stdout.flush()

    threading.Thread(target=receive, daemon=True).start()
    print("ready", flush=True)
    for line in sys.stdin:
        if line.strip():
            sock.sendto(bytes.fromhex(line.strip()), (host, port))
    return 0


if __name__ == "__main__":
    sys.exit(main())
