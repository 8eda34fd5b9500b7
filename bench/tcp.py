#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""TCP throughput of one stream: our nodes against two official libzt 1.8.4 nodes and kernel TCP.

All three in one run, in one network namespace (bench/_sockets.py): each sends ``--size`` MB over
one TCP connection, ``--runs`` times, and the receiver times it from its first byte to EOF.

* ours: ``libzt.socket`` (sendall of one buffer; recv_into a 256 KiB buffer), two processes, IPv6
  6PLANE over an ad-hoc network;
* official: the JSON worker's send_bytes / recv_all (zts_send of 64 KiB pieces and zts_recv through
  ctypes), same kind of network;
* kernel: the same Python code as ours over the stdlib's sockets (a ceiling: the kernel's loopback).

Targets: ours >= 1.5x official. Usage (as root): python3 bench/tcp.py [--size MB] [--runs N] [--json]
"""
from __future__ import annotations

import argparse
import json
import os
import time
from typing import Any, Dict, List

from _sockets import PORT, Endpoints, endpoints, load, log, official_connection, run_main, summary

MB = 1_000_000


def ours_run(e: Endpoints, size: int) -> float:
    sink = e.ours_server.start("tcp_sink", version=6, port=PORT)
    sink.early()
    e.ours_client.call("tcp_send", timeout=300, host=e.ours_server.ipv6, port=PORT, size=size)
    got = sink.result(timeout=300)
    assert got["received"] == size, got
    return size / got["seconds"] / MB


def kernel_run(e: Endpoints, size: int) -> float:
    sink = e.kernel_server.start("tcp_sink", version=4, port=PORT)
    sink.early()
    e.kernel_client.call("tcp_send", timeout=300, host=e.ns.ADDR1, port=PORT, size=size)
    got = sink.result(timeout=300)
    assert got["received"] == size, got
    return size / got["seconds"] / MB


def official_run(e: Endpoints, size: int) -> float:
    a, b = e.official_server, e.official_client
    listener, conn, client = official_connection(e)
    try:
        receiving = a.submit("recv_all", fd=conn, close=True)
        sent = b.send_bytes(client, size, then="close", timeout=600)
        got = a.result(receiving, "recv_all", timeout=600)
    finally:
        a.close_fd(listener, check=False)
    assert sent["sent"] == size and got["len"] == size, (sent, got)
    return size / got["seconds_from_first_byte"] / MB


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=50, help="MB per run (default 50)")
    parser.add_argument("--runs", type=int, default=3, help="runs per side (default 3)")
    parser.add_argument("--json", action="store_true")
    opts = parser.parse_args(argv)
    size = opts.size * MB
    before = load()
    started = time.monotonic()
    results: Dict[str, List[float]] = {"kernel": [], "ours": [], "official": []}
    with endpoints() as e:
        ours_run(e, 2 * MB)  # warm up: paths, ARP/NDP, the first connection's handshake
        for i in range(opts.runs):
            # Interleaved, so that machine noise spreads over all three.
            for side, run in (("ours", ours_run), ("official", official_run), ("kernel", kernel_run)):
                results[side].append(run(e, size))
                log(f"  run {i + 1}/{opts.runs} {side:8} {results[side][-1]:8.1f} MB/s")
    out: Dict[str, Any] = {side: summary(v) for side, v in results.items()}
    out |= {"size_mb": opts.size, "runs": opts.runs, "cpus": os.cpu_count(), "load_before": before,
            "load_after": load(), "seconds": round(time.monotonic() - started, 1)}
    if opts.json:
        print(json.dumps(out, indent=2))
        return 0
    print(f"\nTCP, one stream, {opts.size} MB x {opts.runs} runs per side, receiver-timed; {out['cpus']} CPUs, "
          f"load {before:.2f} -> {out['load_after']:.2f}")
    print(f"  {'MB/s':10} {'median':>9} {'min':>9} {'max':>9}")
    for side in ("ours", "official", "kernel"):
        s = out[side]
        print(f"  {side:10} {s['median']:9.1f} {s['min']:9.1f} {s['max']:9.1f}")
    o, f, k = out["ours"]["median"], out["official"]["median"], out["kernel"]["median"]
    print(f"\n  ours / official: {o / f:.2f}x (target >= 1.5)   ours / kernel: {o / k:.3f}x")
    print(f"  (total {out['seconds']} s)")
    return 0


if __name__ == "__main__":
    run_main(main)
