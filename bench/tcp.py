#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""TCP throughput of one stream: our nodes against two official libzt 1.8.4 nodes and kernel TCP.

All three in one run, in one network namespace (bench/_sockets.py): each sends ``--size`` MB over
one TCP connection, ``--runs`` times, and the receiver times it from its first byte to EOF. Per run:
MB/s, and the CPU time (user + system) both processes of the side spent on it, per GB moved.

* ours: ``libzt.socket`` (sendall of one buffer; recv_into a 256 KiB buffer), two processes, IPv6
  6PLANE over an ad-hoc network;
* official: the JSON worker's send_bytes / recv_all (zts_send of 64 KiB pieces and zts_recv through
  ctypes, zeros and no hashing, like ours), same kind of network;
* kernel: the same Python code as ours over the stdlib's sockets (a ceiling: the kernel's loopback).

``--contended`` runs everything with one busy process per CPU beside it. How to read the figures:
bench/README.md. Usage (as root): python3 bench/tcp.py [--size MB] [--runs N] [--contended] [--json]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from typing import Any, Callable, Dict, List, Tuple

from _sockets import (
    PORT,
    Endpoints,
    add_common_options,
    contended,
    cpu_seconds,
    endpoints,
    load,
    log,
    official_connection,
    run_main,
    summary,
)

MB = 1_000_000
GB = 1_000_000_000
SIDES = ("ours", "official", "kernel")


def ours_run(e: Endpoints, size: int) -> float:
    sink = e.ours_server.start("tcp_sink", version=6, port=PORT)
    sink.early()
    e.ours_client.call("tcp_send", timeout=300, host=e.ours_server.ipv6, port=PORT, size=size)
    got = sink.result(timeout=300)
    assert got["received"] == size, got
    return float(got["seconds"])


def kernel_run(e: Endpoints, size: int) -> float:
    sink = e.kernel_server.start("tcp_sink", version=4, port=PORT)
    sink.early()
    e.kernel_client.call("tcp_send", timeout=300, host=e.ns.ADDR1, port=PORT, size=size)
    got = sink.result(timeout=300)
    assert got["received"] == size, got
    return float(got["seconds"])


def official_run(e: Endpoints, size: int) -> float:
    a, b = e.official_server, e.official_client
    listener, conn, client = official_connection(e)
    try:
        receiving = a.submit("recv_all", fd=conn, close=True, digest=False)
        sent = b.send_bytes(client, size, then="close", timeout=600, digest=False)
        got = a.result(receiving, "recv_all", timeout=600)
    finally:
        a.close_fd(listener, check=False)
    assert sent["sent"] == size and got["len"] == size, (sent, got)
    return float(got["seconds_from_first_byte"])


RUNS: Dict[str, Callable[[Endpoints, int], float]] = {"ours": ours_run, "official": official_run,
                                                      "kernel": kernel_run}


def measured(e: Endpoints, side: str, size: int) -> Tuple[float, float]:
    """One run: (MB/s, CPU-seconds of both processes per GB)."""
    pids = e.pids(side)
    cpu_before = cpu_seconds(pids)
    seconds = RUNS[side](e, size)
    cpu = cpu_seconds(pids) - cpu_before
    return size / seconds / MB, cpu / (size / GB)


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=50, help="MB per run (default 50)")
    parser.add_argument("--runs", type=int, default=3, help="runs per side (default 3)")
    add_common_options(parser)
    opts = parser.parse_args(argv)
    size = opts.size * MB
    started = time.monotonic()
    rates: Dict[str, List[float]] = {side: [] for side in SIDES}
    cpu: Dict[str, List[float]] = {side: [] for side in SIDES}
    with endpoints() as e:
        ours_run(e, 2 * MB)  # warm up: paths, ARP/NDP, the first connection's handshake
        with contended(opts.contended):
            before = load()
            for i in range(opts.runs):
                # Interleaved, so that machine noise spreads over all three.
                for side in SIDES:
                    rate, per_gb = measured(e, side, size)
                    rates[side].append(rate)
                    cpu[side].append(per_gb)
                    log(f"  run {i + 1}/{opts.runs} {side:8} {rate:8.1f} MB/s {per_gb:6.2f} CPU s/GB  "
                        f"load {load():.2f}")
            after = load()
    out: Dict[str, Any] = {side: {"mb_s": summary(rates[side]), "cpu_s_per_gb": summary(cpu[side]),
                                  "runs_mb_s": rates[side], "runs_cpu_s_per_gb": cpu[side]} for side in SIDES}
    out |= {"size_mb": opts.size, "runs": opts.runs, "contended": opts.contended, "cpus": os.cpu_count(),
            "load_before": before, "load_after": after, "seconds": round(time.monotonic() - started, 1)}
    if opts.json:
        print(json.dumps(out, indent=2))
        return 0
    mode = "one busy process per CPU beside it" if opts.contended else "no added load"
    print(f"\nTCP, one stream, {opts.size} MB x {opts.runs} runs per side, receiver-timed, {mode}; "
          f"{out['cpus']} CPUs, load average {before:.2f} -> {after:.2f}")
    print(f"  {'':10} {'MB/s median':>12} {'min':>8} {'max':>8}   {'CPU s/GB median':>16} {'min':>7} {'max':>7}")
    for side in SIDES:
        r, c = out[side]["mb_s"], out[side]["cpu_s_per_gb"]
        print(f"  {side:10} {r['median']:12.1f} {r['min']:8.1f} {r['max']:8.1f}   "
              f"{c['median']:16.2f} {c['min']:7.2f} {c['max']:7.2f}")
    o, f = out["ours"], out["official"]
    print(f"\n  ours median / official best: {o['mb_s']['median'] / f['mb_s']['max']:.2f}x (target >= 1.5);  "
          f"ours slowest: {o['mb_s']['min']:.0f} MB/s (target >= 200), spread "
          f"{(o['mb_s']['max'] - o['mb_s']['min']) / statistics.median(rates['ours']):.0%} (target < 20%)")
    print(f"  CPU per GB, ours / official: {o['cpu_s_per_gb']['median'] / f['cpu_s_per_gb']['median']:.2f}x "
          f"(target <= 0.5)")
    print(f"  (total {out['seconds']} s)")
    return 0


if __name__ == "__main__":
    run_main(main)
