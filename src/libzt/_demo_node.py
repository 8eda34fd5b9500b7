# SPDX-License-Identifier: Apache-2.0
"""One node of ``libzt demo``, in a process of its own (libzt runs one node per process).

``python -m libzt._demo_node serve|send DIR PLANET NWID [PEER_IP SIZE]``: start a node whose state
lives in DIR, join network NWID, then either serve (accept one TCP connection, read until EOF, answer
with the SHA-256 of what arrived) or send (connect to PEER_IP, send SIZE pseudo-random bytes, read
the answer). Progress goes to stdout as JSON lines, which the demo prints as it sees them.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from typing import Any

PORT = 7000
CHUNK = 1 << 16


def report(**fields: Any) -> None:
    print(json.dumps(fields), flush=True)


def serve(listener: Any) -> None:
    conn, peer = listener.accept()
    with conn:
        digest, total = hashlib.sha256(), 0
        started = time.monotonic()
        while chunk := conn.recv(CHUNK):
            digest.update(chunk)
            total += len(chunk)
        seconds = time.monotonic() - started
        conn.sendall(digest.hexdigest().encode("ascii"))
    report(event="received", peer=peer[0], bytes=total, sha256=digest.hexdigest(), seconds=seconds)


def send(peer_ip: str, size: int) -> None:
    from libzt import socket

    pattern = hashlib.sha256(b"libzt demo").digest() * (CHUNK // 32)
    digest = hashlib.sha256()
    started = time.monotonic()
    with socket.create_connection((peer_ip, PORT), timeout=30) as conn:
        connected = time.monotonic() - started
        sent = 0
        while sent < size:
            piece = pattern[: min(CHUNK, size - sent)]
            conn.sendall(piece)
            digest.update(piece)
            sent += len(piece)
        conn.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := conn.recv(128):
            answer += chunk
    seconds = time.monotonic() - started
    report(event="sent", bytes=sent, sha256=digest.hexdigest(), peer_sha256=answer.decode("ascii", "replace"),
           seconds=seconds, connect_seconds=connected)


def main(argv: list[str]) -> int:
    import libzt

    role, directory, planet, nwid = argv[:4]
    node = libzt.ZeroTierNode(storage=directory, roots=libzt.World.load(planet), allow_loopback=True)
    with node:
        node.wait_online(timeout=30)
        report(event="online", node=node.address)
        started = time.monotonic()
        network = node.join(nwid).wait_ready(timeout=30)
        ipv4 = next(str(a.ip) for a in network.addresses if a.version == 4)
        report(event="ready", node=node.address, ip=ipv4, seconds=time.monotonic() - started,
               addresses=[str(a) for a in network.addresses])
        if role == "serve":
            from libzt import socket

            with socket.create_server(("0.0.0.0", PORT)) as listener:
                report(event="listening", ip=ipv4, port=PORT)
                serve(listener)
        else:
            send(argv[4], int(argv[5]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
