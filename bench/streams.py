#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""TCP with several streams at once: N parallel streams one way, and one stream each way together.

bench/tcp.py measures one stream; this asks what happens when streams share a node:

* ``parallel``: the client opens ``--streams`` connections to the server and sends ``--size`` MB on
  each at the same time. Reported: the aggregate (all bytes over the time from the first stream's first
  byte to the last stream's end) and the slowest and fastest stream's own rate.
* ``bidir``: one connection each way, both sending ``--size`` MB at once: the two directions' rates.

Fairness is the slowest stream's rate over the fastest's (1.0: equal shares; near 0: a stream starves).
Each receiver stamps its streams with time.monotonic(), one clock for the whole machine, so streams
received by two processes share one time line. CPU-seconds are those of both processes of a side.
Sides and setup as bench/tcp.py (bench/_sockets.py): ours, the official libzt 1.8.4, kernel TCP,
interleaved run by run. Usage (as root):
python3 bench/streams.py [--streams N] [--size MB] [--runs N] [--contended] [--json]
"""
from __future__ import annotations

import argparse
import json
import os
import time
from typing import Any, Callable, Dict, List

from _sockets import (
    ADHOC,
    PORT,
    Endpoints,
    SocketPeer,
    add_common_options,
    contended,
    cpu_seconds,
    endpoints,
    load,
    log,
    official_connect,
    official_listener,
    run_main,
    summary,
)

MB = 1_000_000
GB = 1_000_000_000
SIDES = ("ours", "official", "kernel")
MODES = ("parallel", "bidir")
TIMEOUT = 600

Stream = Dict[str, float]  # received, first_byte_at, ended_at


def _peers(e: Endpoints, side: str) -> tuple[SocketPeer, SocketPeer, str, str, int]:
    """(server, client, server address, client address, IP version) of a peer-script side."""
    if side == "ours":
        return e.ours_server, e.ours_client, e.ours_server.ipv6, e.ours_client.ipv6, 6
    return e.kernel_server, e.kernel_client, e.ns.ADDR1, e.ns.ADDR2, 4


def peer_parallel(e: Endpoints, side: str, size: int, count: int) -> List[Stream]:
    server, client, server_ip, _, version = _peers(e, side)
    sink = server.start("tcp_sink_many", count=count, version=version, port=PORT)
    sink.early()
    client.call("tcp_send_many", timeout=TIMEOUT, host=server_ip, port=PORT, size=size, count=count)
    return list(sink.result(timeout=TIMEOUT)["streams"])


def peer_bidir(e: Endpoints, side: str, size: int, count: int) -> List[Stream]:
    server, client, server_ip, client_ip, version = _peers(e, side)
    # Two ports: the kernel side's two processes share one namespace, so one port each.
    sinks = [peer.start("tcp_sink_many", count=1, version=version, port=port)
             for peer, port in ((server, PORT), (client, PORT + 1))]
    for sink in sinks:
        sink.early()
    sends = [client.start("tcp_send_many", host=server_ip, port=PORT, size=size, count=1),
             server.start("tcp_send_many", host=client_ip, port=PORT + 1, size=size, count=1)]
    for send in sends:
        send.result(timeout=TIMEOUT)
    return [stream for sink in sinks for stream in sink.result(timeout=TIMEOUT)["streams"]]


def _official_streams(pairs: List[tuple[Any, int, Any, int]], size: int) -> List[Stream]:
    """Send ``size`` bytes over each (receiver node, accepted fd, sender node, client fd) at once."""
    receiving = [(rx, rx.submit("recv_all", fd=conn, close=True, digest=False)) for rx, conn, _, _ in pairs]
    sending = [(tx, tx.submit("send_bytes", fd=client, n=size, then="close", digest=False))
               for _, _, tx, client in pairs]
    for tx, fut in sending:
        sent = tx.result(fut, "send_bytes", timeout=TIMEOUT)
        assert sent["sent"] == size, sent
    streams = []
    for rx, fut in receiving:
        got = rx.result(fut, "recv_all", timeout=TIMEOUT)
        streams.append({"received": got["len"], "first_byte_at": got["first_byte_at"], "ended_at": got["ended_at"]})
    return streams


def official_parallel(e: Endpoints, side: str, size: int, count: int) -> List[Stream]:
    a, b = e.official_server, e.official_client
    listener = official_listener(a, backlog=count)
    try:
        pairs = []
        for _ in range(count):
            conn, client = official_connect(a, listener, b, e.official_server_ip)
            pairs.append((a, conn, b, client))
        return _official_streams(pairs, size)
    finally:
        a.close_fd(listener, check=False)


def official_bidir(e: Endpoints, side: str, size: int, count: int) -> List[Stream]:
    a, b = e.official_server, e.official_client
    b_ip = b.addr_get_str(ADHOC, family=6)
    assert b_ip
    listeners = [(a, official_listener(a)), (b, official_listener(b))]
    try:
        conn_a, client_b = official_connect(a, listeners[0][1], b, e.official_server_ip)
        conn_b, client_a = official_connect(b, listeners[1][1], a, b_ip)
        return _official_streams([(a, conn_a, b, client_b), (b, conn_b, a, client_a)], size)
    finally:
        for node, fd in listeners:
            node.close_fd(fd, check=False)


RUNS: Dict[str, Dict[str, Callable[[Endpoints, str, int, int], List[Stream]]]] = {
    "parallel": {"ours": peer_parallel, "official": official_parallel, "kernel": peer_parallel},
    "bidir": {"ours": peer_bidir, "official": official_bidir, "kernel": peer_bidir},
}


def measured(e: Endpoints, mode: str, side: str, size: int, count: int) -> Dict[str, float]:
    """One run: aggregate MB/s, the slowest and fastest stream's MB/s, fairness, CPU s/GB."""
    pids = e.pids(side)
    cpu_before = cpu_seconds(pids)
    streams = RUNS[mode][side](e, side, size, count)
    cpu = cpu_seconds(pids) - cpu_before
    expected = count if mode == "parallel" else 2
    assert len(streams) == expected and all(s["received"] == size for s in streams), streams
    total = sum(s["received"] for s in streams)
    span = max(s["ended_at"] for s in streams) - min(s["first_byte_at"] for s in streams)
    rates = [s["received"] / (s["ended_at"] - s["first_byte_at"]) / MB for s in streams]
    return {"mb_s": total / span / MB, "slowest": min(rates), "fastest": max(rates),
            "fairness": min(rates) / max(rates), "cpu_s_per_gb": cpu / (total / GB)}


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--streams", type=int, default=4, help="parallel streams (default 4)")
    parser.add_argument("--size", type=int, default=25, help="MB per stream per run (default 25)")
    parser.add_argument("--runs", type=int, default=3, help="runs per side and mode (default 3)")
    parser.add_argument("--mode", choices=MODES, action="append", help="default: both")
    add_common_options(parser)
    opts = parser.parse_args(argv)
    modes = opts.mode or list(MODES)
    size = opts.size * MB
    started = time.monotonic()
    runs: Dict[str, Dict[str, List[Dict[str, float]]]] = {m: {side: [] for side in SIDES} for m in modes}
    with endpoints() as e:
        peer_parallel(e, "ours", 2 * MB, 1)  # warm up: paths, ARP/NDP, the first connection's handshake
        with contended(opts.contended):
            before = load()
            for i in range(opts.runs):
                for mode in modes:
                    for side in SIDES:  # interleaved, so that machine noise spreads over all three
                        got = measured(e, mode, side, size, opts.streams)
                        runs[mode][side].append(got)
                        log(f"  run {i + 1}/{opts.runs} {mode:8} {side:8} {got['mb_s']:8.1f} MB/s  streams "
                            f"{got['slowest']:.1f}-{got['fastest']:.1f}  {got['cpu_s_per_gb']:5.2f} CPU s/GB  "
                            f"load {load():.2f}")
            after = load()
    out: Dict[str, Any] = {
        mode: {side: {key: summary([r[key] for r in runs[mode][side]])
                      for key in ("mb_s", "slowest", "fastest", "fairness", "cpu_s_per_gb")}
               for side in SIDES}
        for mode in modes}
    out |= {"streams": opts.streams, "size_mb": opts.size, "runs": opts.runs, "contended": opts.contended,
            "cpus": os.cpu_count(), "load_before": before, "load_after": after,
            "seconds": round(time.monotonic() - started, 1)}
    if opts.json:
        print(json.dumps(out, indent=2))
        return 0
    what = "one busy process per CPU beside it" if opts.contended else "no added load"
    print(f"\nTCP streams at once, {opts.size} MB per stream, {opts.runs} runs per side, {what}; "
          f"{out['cpus']} CPUs, load average {before:.2f} -> {after:.2f}")
    for mode in modes:
        title = (f"{opts.streams} parallel streams, one way" if mode == "parallel"
                 else "one stream each way at once")
        print(f"\n  {title}: medians over runs (min-max of the aggregate)")
        print(f"  {'':10} {'MB/s together':>14} {'min-max':>15} {'slowest':>9} {'fastest':>9} "
              f"{'fairness':>9} {'CPU s/GB':>9}")
        for side in SIDES:
            r = out[mode][side]
            print(f"  {side:10} {r['mb_s']['median']:14.1f} {r['mb_s']['min']:7.1f}-{r['mb_s']['max']:<7.1f} "
                  f"{r['slowest']['median']:9.1f} {r['fastest']['median']:9.1f} "
                  f"{r['fairness']['median']:9.2f} {r['cpu_s_per_gb']['median']:9.2f}")
    if "parallel" in modes:
        print(f"\n  ours, {opts.streams} streams together: {out['parallel']['ours']['mb_s']['median']:.0f} MB/s "
              f"median (target >= 300)")
    if "bidir" in modes:
        print(f"  ours, both directions: worst fairness {out['bidir']['ours']['fairness']['min']:.2f} "
              f"(no stream starves)")
    print(f"  (total {out['seconds']} s)")
    return 0


if __name__ == "__main__":
    run_main(main)
