# SPDX-License-Identifier: Apache-2.0
"""Say HELLO to a root from many identities: run inside the test namespace by test_peer_expiry.py.

Usage (from tests/): python -m support.hello_flood HOST PORT ROOT_IDENTITY IDENTITIES_JSON SOURCE_IP...
Identity i always speaks from SOURCE_IP[i % n] (one path each). Strangers are introduced as fast as
the root admits them: at most WINDOW HELLOs from identities the root has not answered yet are in
flight (the root proves each new identity, a memory-hard hash, at a bounded rate; flooding it beyond
that only fills its socket buffer). Identities it answered say HELLO again every KEEPALIVE seconds,
so they stay alive until this script stops. Runs until stdin closes; then prints what it did.
"""
from __future__ import annotations

import json
import select
import socket
import sys
import time
from pathlib import Path

import libzt
from support import rawpeer

WINDOW = 16
RETRY = 1.0  # s before a stranger's unanswered HELLO is sent again
KEEPALIVE = 1.5  # s (the test forgets peers after 5 s of silence)


def main() -> int:
    host, port, root_text, ids_path, sources = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5:]
    root = libzt.Identity.from_string(root_text)
    identities = [libzt.Identity.from_string(s) for s in json.loads(Path(ids_path).read_text())["identities"]]
    keys = [ident.agree(root) for ident in identities]
    index = {ident.node_id: i for i, ident in enumerate(identities)}
    socks = []
    for ip in sources:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((ip, 0))
        s.setblocking(False)
        socks.append(s)
    answered = [False] * len(identities)
    last_sent = [-1e9] * len(identities)
    next_stranger = 0
    sent = 0

    def say_hello(i: int, now: float) -> None:
        nonlocal sent
        packet = rawpeer.hello(identities[i], root.node_id, keys[i], int(time.time() * 1000))
        try:
            socks[i % len(socks)].sendto(packet, (host, port))
            sent += 1
        except BlockingIOError:
            pass
        last_sent[i] = now

    print("ready", flush=True)
    while True:
        readable, _, _ = select.select([sys.stdin, *socks], [], [], 0.02)
        if sys.stdin in readable:
            break
        for s in readable:
            while True:
                try:
                    data = s.recv(65535)
                except BlockingIOError:
                    break
                if len(data) >= 28 and data[13] != 0xFF:  # a packet (not a fragment): to whom?
                    i = index.get(int.from_bytes(data[8:13], "big"))
                    if i is not None:
                        answered[i] = True
        now = time.monotonic()
        in_flight = 0
        for i in range(next_stranger):
            if answered[i]:
                if now - last_sent[i] >= KEEPALIVE:
                    say_hello(i, now)
            elif now - last_sent[i] < RETRY:
                in_flight += 1
            elif in_flight < WINDOW:
                say_hello(i, now)
                in_flight += 1
        while in_flight < WINDOW and next_stranger < len(identities):
            say_hello(next_stranger, now)
            next_stranger += 1
            in_flight += 1
    print(json.dumps({"sent": sent, "answered": sum(answered)}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
