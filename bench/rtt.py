#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Small-message round trips over TCP: our nodes against two official libzt 1.8.4 nodes and kernel TCP.

All three in one run, in one network namespace (bench/_sockets.py): 32-byte ping-pong over one TCP
connection with TCP_NODELAY at both ends, one message in flight, ``--count`` round trips per side
after 100 of warm-up, timed by the client around send + receive; in ``--rounds`` connections per
side, the sides interleaved.

* ours: ``libzt.socket`` (sendall, recv_into), two processes, IPv6 6PLANE over an ad-hoc network;
* ours_c_api: our library driven exactly like the official one (the same worker and ctypes loop):
  the native library's share, without the Python socket layer;
* official: the same loop in the JSON worker through ctypes (zts_send / zts_recv), same network type;
* kernel: the same Python code as ours over the stdlib's sockets.

``--contended`` runs everything with one busy process per CPU beside it (the same for every side).
How to read the figures: bench/README.md. Targets: median <= 0.8x official; p99 <= 1 ms idle, no
worse than official's contended. Usage (as root): python3 bench/rtt.py [--count N] [--contended] [--json]
"""
from __future__ import annotations

import argparse
import json
import os
import time
from typing import Any, Callable, Dict, List

from _sockets import (
    PORT,
    Endpoints,
    add_common_options,
    contended,
    cpu_seconds,
    endpoints,
    load,
    official_connection,
    run_main,
    summary,
)

SIZE = 32


def ours(e: Endpoints, count: int) -> List[float]:
    echo = e.ours_server.start("tcp_echo_nodelay", version=6, port=PORT)
    echo.early()
    rtts = e.ours_client.call("tcp_pingpong", timeout=600, host=e.ours_server.ipv6, port=PORT, count=count,
                              size=SIZE)["rtt_us"]
    echo.result(timeout=30)
    return rtts


def kernel(e: Endpoints, count: int) -> List[float]:
    echo = e.kernel_server.start("tcp_echo_nodelay", version=4, port=PORT)
    echo.early()
    rtts = e.kernel_client.call("tcp_pingpong", timeout=600, host=e.ns.ADDR1, port=PORT, count=count,
                                size=SIZE)["rtt_us"]
    echo.result(timeout=30)
    return rtts


def official(e: Endpoints, count: int, ours: bool = False) -> List[float]:
    a, b = (e.c_server, e.c_client) if ours else (e.official_server, e.official_client)
    listener, conn, client = official_connection(e, ours=ours)
    try:
        a.set_no_delay(conn)
        b.set_no_delay(client)
        echo = a.submit("tcp_echo_loop", fd=conn)
        rtts = b.call("tcp_pingpong", timeout=600, fd=client, count=count, size=SIZE)["rtt_us"]
        b.close_fd(client)
        a.result(echo, "tcp_echo_loop", timeout=30)
        a.close_fd(conn, check=False)
    finally:
        a.close_fd(listener, check=False)
    return rtts


def workload_piece(c_api: bool = False) -> Callable[[Endpoints], object]:
    """About a second of our ping-pong (through ctypes like the official library's with ``c_api``), for
    bench/profile.py and bench/timeline.py to run again and again while perf records."""
    if c_api:
        return lambda e: official(e, 20_000, ours=True)
    return lambda e: ours(e, 20_000)


def over_1ms_pct(rtts: List[float]) -> float:
    """The share of round trips over 1 ms, in percent: p99 says only whether it is above or below 1%."""
    return 100 * sum(1 for v in rtts if v > 1000) / len(rtts)


SIDES: Dict[str, Callable[[Endpoints, int], List[float]]] = {
    "ours": ours, "ours_c_api": lambda e, count: official(e, count, ours=True), "official": official, "kernel": kernel}


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=2000, help="round trips per side (default 2000)")
    parser.add_argument("--rounds", type=int, default=4, help="connections per side, interleaved (default 4)")
    add_common_options(parser)
    opts = parser.parse_args(argv)
    started = time.monotonic()
    with endpoints() as e:
        ours(e, 200)  # warm up: paths, NDP, the first handshake
        with contended(opts.contended):
            before = load()
            results: Dict[str, List[float]] = {side: [] for side in SIDES}
            cpu: Dict[str, float] = {side: 0.0 for side in SIDES}
            # In rounds, the sides interleaved, so that a burst of load elsewhere on the machine
            # falls on all of them rather than on whichever side was running.
            for _ in range(opts.rounds):
                for side, run in SIDES.items():
                    cpu_before = cpu_seconds(e.pids(side))
                    results[side] += run(e, opts.count // opts.rounds)
                    cpu[side] += cpu_seconds(e.pids(side)) - cpu_before
            per_side = opts.count // opts.rounds * opts.rounds + 100 * opts.rounds  # warm-up round trips too
            cpu_us = {side: cpu[side] / per_side * 1e6 for side in SIDES}
            after = load()
    out: Dict[str, Any] = {side: summary(v) | {"cpu_us_per_rtt": cpu_us[side], "over_1ms_pct": over_1ms_pct(v)}
                           for side, v in results.items()}
    out |= {"count": opts.count, "size": SIZE, "contended": opts.contended, "cpus": os.cpu_count(),
            "load_before": before, "load_after": after, "seconds": round(time.monotonic() - started, 1)}
    if opts.json:
        print(json.dumps(out, indent=2))
        return 0
    mode = "one busy process per CPU beside it" if opts.contended else "no added load"
    print(f"\nTCP ping-pong, {SIZE} B, TCP_NODELAY, {opts.count} round trips per side, {mode}; "
          f"{out['cpus']} CPUs, load average {before:.2f} -> {after:.2f}")
    print(f"  {'µs':10} {'p50':>8} {'p90':>8} {'p99':>8} {'max':>8} {'min':>8}   {'CPU µs per round trip':>21}"
          f"   {'> 1 ms':>7}")
    for side in SIDES:
        s = out[side]
        print(f"  {side:10} {s['median']:8.0f} {s['p90']:8.0f} {s['p99']:8.0f} {s['max']:8.0f} {s['min']:8.0f}   "
              f"{s['cpu_us_per_rtt']:21.0f}   {s['over_1ms_pct']:6.2f}%")
    o, c, f, k = (out[side]["median"] for side in ("ours", "ours_c_api", "official", "kernel"))
    print(f"\n  ours / official (p50): {o / f:.2f}x (target <= 0.8)   ours / kernel: {o / k:.1f}x")
    print(f"  p99 ours / official: {out['ours']['p99'] / out['official']['p99']:.2f}x   "
          f"same ctypes loop, our library / official (p50): {c / f:.2f}x")
    print(f"  (total {out['seconds']} s)")
    return 0


if __name__ == "__main__":
    run_main(main)
