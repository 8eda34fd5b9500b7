# SPDX-License-Identifier: Apache-2.0
"""Send hostile datagrams at a node: run inside the test namespace by test_vl1_bad_input.py.

Usage: flood.py HOST PORT VALID_HEX COUNT SEED. VALID_HEX is one genuine armored packet for the
target; the flood mixes random bytes, truncations and bit flips of it, replays, fragment-shaped
junk, packets from unknown sources and oversized datagrams. Prints a JSON summary of what was sent.
"""
from __future__ import annotations

import json
import random
import socket
import sys


def main() -> int:
    host, port, valid_hex, count, seed = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
    valid = bytes.fromhex(valid_hex)
    rng = random.Random(seed)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
    kinds: dict[str, int] = {}
    for i in range(count):
        kind = ("random", "truncated", "bitflip", "replay", "fragment", "unknown_source", "oversized")[i % 7]
        if kind == "random":
            data = rng.randbytes(rng.randrange(0, 1500))
        elif kind == "truncated":
            data = valid[: rng.randrange(0, len(valid))]
        elif kind == "bitflip":
            b = bytearray(valid)
            pos = rng.randrange(19, len(b))  # MAC or payload: the hop count would be legitimate
            b[pos] ^= 1 << rng.randrange(8)
            data = bytes(b)
        elif kind == "replay":
            data = valid
        elif kind == "fragment":
            b = bytearray(rng.randbytes(rng.randrange(17, 1500)))
            b[8:13] = valid[8:13]  # addressed to the target
            b[13] = 0xFF
            data = bytes(b)
        elif kind == "unknown_source":
            b = bytearray(valid)
            b[13:18] = rng.randbytes(5)
            data = bytes(b)
        else:
            data = rng.randbytes(rng.randrange(10025, 60000))
        kinds[kind] = kinds.get(kind, 0) + 1
        while True:
            try:
                sock.sendto(data, (host, port))
                break
            except BlockingIOError:
                continue
    print(json.dumps({"sent": count, "kinds": kinds}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
