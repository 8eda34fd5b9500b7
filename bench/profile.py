#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Where our data path's time goes: ``perf record`` on our two node processes while they run one
workload of the benchmarks, then perf's split of their CPU time by thread, by library and by function.

* ``rtt``: bench/rtt.py's ping-pong (``libzt.socket`` from Python, 32 bytes, TCP_NODELAY), or with
  ``--c-api`` the same ping-pong driven through ctypes like the official library's (the native share
  without our socket layer);
* ``tcp``: one long bench/tcp.py stream.

perf samples a CPU clock in the two processes only (every thread, the node's own included), from a
second after the workload starts for ``--seconds``, the workload repeated until then: only what runs
on a CPU is seen, so for the ping-pong it says where the work of a round trip goes, not how long the
wake-ups take. Shares of the CPU time sampled, not of wall time. ``--dwarf`` records call chains
(larger files, slower to read) for a look with ``perf report -i FILE -G``; without it each function
stands alone.

Needs root, the official wheel (bench/_sockets.py starts every side) and perf (Debian: linux-perf).
Usage: python3 bench/profile.py rtt|tcp [--c-api] [--seconds N] [--dwarf] [--out FILE]
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import threading
import time
from typing import Callable, List

import rtt
import tcp
from _sockets import PERF_WARM_UP_S, Endpoints, endpoints, log, run_main

MB = 1_000_000
PERF_ATTEMPTS = 3


def report(data: str, sort: str, limit: int) -> str:
    """perf report's table for ``sort``, its first ``limit`` rows."""
    out = subprocess.run(["perf", "report", "-i", data, "--no-children", "--sort", sort, "-g", "none", "--stdio"],
                         capture_output=True, text=True, check=True).stdout
    rows = [line for line in out.splitlines() if line.strip() and not line.startswith("#")]
    return "\n".join(rows[:limit])


def record(pids: List[int], seconds: float, data: str, dwarf: bool, failures: List[str]) -> None:
    time.sleep(PERF_WARM_UP_S)
    graph = ["--call-graph", "dwarf,16384", "-F", "1500"] if dwarf else ["-F", "10000"]
    # perf attaches to each thread of the processes (-p): now and then one of them (one per worker
    # command) ends while it does, and perf gives up at once. Attaching again is then enough.
    # (bench/timeline.py records the whole machine instead; here that would leave the kernel's
    # samples out of perf report's table by library.)
    command = ["perf", "record", "-e", "cpu-clock", *graph, "-o", data, "-p", ",".join(map(str, pids)),
               "--", "sleep", str(seconds)]
    for _ in range(PERF_ATTEMPTS):
        done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if done.returncode == 0:
            return
    failures.append(f"{PERF_ATTEMPTS} times; the last: {done.stderr.strip()}")


def workload(name: str, c_api: bool) -> Callable[[Endpoints], object]:
    """One piece of the workload (about a second); it is run again until the recording ends."""
    if name == "rtt":
        return rtt.workload_piece(c_api)
    return lambda e: tcp.ours_run(e, 500 * MB)


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("workload", choices=("rtt", "tcp"))
    parser.add_argument("--c-api", action="store_true", help="rtt through ctypes, as the official library is driven")
    parser.add_argument("--seconds", type=float, default=5.0, help="how long to record (default 5)")
    parser.add_argument("--dwarf", action="store_true", help="record call chains (DWARF unwinding)")
    parser.add_argument("--out", default="perf-libzt.data", help="perf's data file (default perf-libzt.data)")
    opts = parser.parse_args(argv)
    if shutil.which("perf") is None:
        raise SystemExit("profile.py needs perf (Debian: apt-get install linux-perf)")
    if opts.c_api and opts.workload != "rtt":
        raise SystemExit("--c-api is for the rtt workload")
    run = workload(opts.workload, opts.c_api)
    with endpoints() as e:
        rtt.ours(e, 200)  # warm up: paths, NDP, the first handshake
        pids = e.pids("ours_c_api" if opts.c_api else "ours")
        failures: List[str] = []
        recorder = threading.Thread(target=record, args=(pids, opts.seconds, opts.out, opts.dwarf, failures))
        recorder.start()
        pieces = 0
        while recorder.is_alive():
            run(e)
            pieces += 1
        recorder.join()
        if failures:
            raise SystemExit(f"perf record failed {failures[0]}")
        log(f"{pieces} pieces of the workload; {opts.seconds} s of them recorded in {opts.out}")
    print(f"\n{opts.workload}{' (ctypes)' if opts.c_api else ''}: CPU time of our two node processes, by thread")
    print(report(opts.out, "pid,comm", 12))
    print("\nby library")
    print(report(opts.out, "dso", 12))
    print("\nby function")
    print(report(opts.out, "dso,sym", 40))
    return 0


if __name__ == "__main__":
    run_main(main)
