# SPDX-License-Identifier: Apache-2.0
"""Packets from made-up senders: run inside the test namespace by test_whois_flood.py.

Usage: whois_flood.py HOST PORT GENUINE_HEX[,GENUINE_HEX...] COUNT SEED SOURCE_IP...
Sends the genuine packets first, then COUNT packets addressed to the target that each claim a
different random sender (so the target knows none of them and would have to ask a root), from the
source addresses in turn. Prints a JSON summary.
"""
from __future__ import annotations

import json
import random
import socket
import sys
import time


def main() -> int:
    host, port, genuine_hex = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    count, seed, sources = int(sys.argv[4]), int(sys.argv[5]), sys.argv[6:]
    genuine = [bytes.fromhex(h) for h in genuine_hex.split(",")]
    target = genuine[0][8:13]
    rng = random.Random(seed)
    socks = []
    for ip in sources:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
        s.bind((ip, 0))
        socks.append(s)
    started = time.monotonic()
    for g in genuine:
        socks[0].sendto(g, (host, port))
    for i in range(count):
        claimed = bytes([rng.randrange(0x01, 0xFF)]) + rng.randbytes(4)  # never 0xff: that marks a fragment
        # packet ID | destination | claimed source | flags (AES suite, no hops) | MAC | verb and payload
        packet = rng.randbytes(8) + target + claimed + b"\x18" + rng.randbytes(8 + rng.randrange(1, 200))
        while True:
            try:
                socks[i % len(socks)].sendto(packet, (host, port))
                break
            except BlockingIOError:
                continue
    print(json.dumps({"sent": count, "genuine": len(genuine), "seconds": round(time.monotonic() - started, 2)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
