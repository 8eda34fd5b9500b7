#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Where a round trip's time goes, in order: the system calls of the threads that run bench/rtt.py's
ping-pong in our two node processes, how long each spends inside each call and how long it runs in
user space between two calls (medians, µs).

A ping-pong thread of ours makes three calls per round trip (``epoll_wait`` asleep, ``recvmmsg``,
``sendmmsg``), so the stretches between them split a round trip into: reading and decrypting the
datagram, lwIP and the application until its answer leaves (``recvmmsg -> sendmmsg``), and the
application's way back into the next wait (``sendmmsg -> epoll_wait``). Unlike profile.py's shares,
these are times, one process at a time, and they barely move between runs (a change of 0.2 µs shows).

Where a thread sleeps tells how the two sides share the CPUs: a side whose ``sendmmsg`` lasts a
whole half round trip while its ``epoll_wait`` returns at once was preempted by the peer it woke,
which then ran on the same CPU; the round trip is then the sum of both threads' CPU time.

With ``--sched`` it records the scheduler's switches and wake-ups instead, and prints per thread
how long it runs per wake-up, how long a wake-up waits for the CPU, and the time from one wake-up
to the next (a round trip), as p10 / p50 / p90: whether a slow round trip is a thread that waited
for a CPU or one whose work took longer (bench/README.md).

perf records the raw_syscalls (or sched) tracepoints of both processes for ``--seconds``, a second
after the workload starts. Needs root, the official wheel (bench/_sockets.py) and perf (Debian:
linux-perf). Usage: python3 bench/timeline.py [--c-api] [--contended] [--sched] [--seconds N]
"""
from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Callable, Dict, List, Tuple

import rtt
from _sockets import PERF_WARM_UP_S, Endpoints, contended, endpoints, run_main

# x86-64 numbers of the calls worth a name here; others print as their number.
SYSCALLS = {0: "read", 1: "write", 7: "poll", 202: "futex", 232: "epoll_wait", 233: "epoll_ctl",
            281: "epoll_pwait", 299: "recvmmsg", 307: "sendmmsg", 318: "getrandom"}
EVENT = re.compile(r"\s*(\d+)/(\d+)\s+([\d.]+):\s+raw_syscalls:sys_(enter|exit):\s+NR (\d+)")
SYSCALL_EVENTS = "raw_syscalls:sys_enter,raw_syscalls:sys_exit"
SCHED_EVENTS = "sched:sched_switch,sched:sched_wakeup"
SWITCH = re.compile(r"\s*(\d+)/(\d+)\s+([\d.]+):\s+sched:sched_switch:.* prev_pid=(\d+) .*prev_state=(\S+) ==> "
                    r".* next_pid=(\d+) ")
WAKEUP = re.compile(r"\s*(\d+)/(\d+)\s+([\d.]+):\s+sched:sched_wakeup:.* pid=(\d+) ")

Call = Tuple[float, float, str]  # entered, left (seconds), name


def record(seconds: float, data: str, events: str, failures: List[str]) -> None:
    time.sleep(PERF_WARM_UP_S)
    # The whole machine (-a), filtered afterwards: with -p, perf fails now and then when one of the
    # processes' threads (one per worker command) ends while it attaches.
    done = subprocess.run(["perf", "record", "-q", "-a", "-e", events, "-o", data, "--", "sleep", str(seconds)],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        failures.append(done.stderr.strip())


def script_of(data: str) -> str:
    done = subprocess.run(["perf", "script", "-i", data, "-F", "pid,tid,time,event,trace", "--ns"],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"perf script failed: {done.stderr.strip()}")
    return done.stdout


def calls_by_thread(data: str, pids: List[int]) -> Tuple[Dict[int, List[Call]], Dict[int, int]]:
    """Each thread's calls in order, and each thread's process, for the threads of ``pids``."""
    script = script_of(data)
    entered: Dict[int, Tuple[float, int]] = {}
    calls: Dict[int, List[Call]] = defaultdict(list)
    process: Dict[int, int] = {}
    for line in script.splitlines():
        m = EVENT.match(line)
        if m is None:
            continue
        pid, tid, at, kind, nr = int(m.group(1)), int(m.group(2)), float(m.group(3)), m.group(4), int(m.group(5))
        if pid not in pids:
            continue
        process[tid] = pid
        if kind == "enter":
            entered[tid] = (at, nr)
        elif tid in entered:
            began, nr = entered.pop(tid)
            calls[tid].append((began, at, SYSCALLS.get(nr, str(nr))))
    return calls, process


@dataclass
class Turn:
    """A thread's stretch from a wake-up to its next sleep: its time on a CPU, and its waits for one
    (after the wake-up, and after each preemption), in seconds."""
    woken: float
    running: float = 0.0
    waiting: float = 0.0


def turns_by_thread(data: str, pids: List[int]) -> Tuple[Dict[int, List[Turn]], Dict[int, int]]:
    """Each thread's turns that began with a wake-up and ended in a sleep, and each thread's process,
    for the threads of ``pids``."""
    process: Dict[int, int] = {}
    open_turns: Dict[int, Turn] = {}
    on_cpu_since: Dict[int, float] = {}
    off_cpu_since: Dict[int, float] = {}  # woken or preempted: runnable, not running
    turns: Dict[int, List[Turn]] = defaultdict(list)
    for line in script_of(data).splitlines():
        m = WAKEUP.match(line)
        if m is not None:
            tid, at = int(m.group(4)), float(m.group(3))
            if tid in on_cpu_since:
                continue  # woken before it got to sleep: the turn goes on
            open_turns[tid] = Turn(woken=at)
            off_cpu_since[tid] = at
            continue
        m = SWITCH.match(line)
        if m is None:
            continue
        pid, tid, at, prev, state, nxt = (int(m.group(1)), int(m.group(2)), float(m.group(3)), int(m.group(4)),
                                          m.group(5), int(m.group(6)))
        process[tid] = pid
        turn = open_turns.get(prev)
        if turn is not None and prev in on_cpu_since:
            turn.running += at - on_cpu_since.pop(prev)
            if state.startswith(("S", "D")):  # asleep: the turn is over
                turns[prev].append(open_turns.pop(prev))
            else:  # preempted: the turn goes on after a wait for the CPU
                off_cpu_since[prev] = at
        turn = open_turns.get(nxt)
        if turn is not None and nxt in off_cpu_since:
            turn.waiting += at - off_cpu_since.pop(nxt)
            on_cpu_since[nxt] = at
    # Three turns at least: the time between wake-ups needs two values for its deciles.
    return {tid: t for tid, t in turns.items() if process.get(tid) in pids and len(t) >= 3}, process


def deciles(values: List[float]) -> str:
    q = statistics.quantiles(values, n=10)
    return f"{q[0]:6.1f} {statistics.median(values):6.1f} {q[8]:6.1f}"


def sched_table(turns: List[Turn]) -> str:
    running = [t.running * 1e6 for t in turns]
    waiting = [t.waiting * 1e6 for t in turns]
    apart = [(b.woken - a.woken) * 1e6 for a, b in zip(turns, turns[1:])]
    return (f"    runs per wake-up         {deciles(running)}\n"
            f"    waits for the CPU        {deciles(waiting)}\n"
            f"    wake-up to wake-up       {deciles(apart)}")


def table(calls: List[Call], rows: int) -> str:
    inside: Dict[str, List[float]] = defaultdict(list)
    between: Dict[Tuple[str, str], List[float]] = defaultdict(list)
    for began, left, name in calls:
        inside[name].append((left - began) * 1e6)
    for (_, left, a), (began, _, b) in zip(calls, calls[1:]):
        between[(a, b)].append((began - left) * 1e6)
    lines = []
    for name, v in sorted(inside.items(), key=lambda kv: -len(kv[1]))[:rows]:
        lines.append(f"    in {name:28} {len(v):8} x   {statistics.median(v):8.2f}")
    for (a, b), v in sorted(between.items(), key=lambda kv: -len(kv[1]))[:rows]:
        lines.append(f"    {a + ' -> ' + b:31} {len(v):8} x   {statistics.median(v):8.2f}")
    return "\n".join(lines)


def busiest_per_process(counts: Dict[int, int], process: Dict[int, int]) -> List[Tuple[int, int]]:
    """(thread, count) of each process's busiest thread: the ping-pong's, as the workload runs one
    connection after another, each in a new thread, the recording may hold two of one process."""
    best: Dict[int, Tuple[int, int]] = {}
    for tid, count in Counter(counts).most_common():
        best.setdefault(process[tid], (tid, count))
    return list(best.values())


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--c-api", action="store_true", help="through ctypes, as the official library is driven")
    parser.add_argument("--contended", action="store_true", help="one busy process per CPU beside it")
    parser.add_argument("--sched", action="store_true", help="the scheduler's switches instead of system calls")
    parser.add_argument("--seconds", type=float, default=1.0, help="how long to record (default 1)")
    parser.add_argument("--rows", type=int, default=6, help="rows per table (default 6)")
    opts = parser.parse_args(argv)
    if shutil.which("perf") is None:
        raise SystemExit("timeline.py needs perf (Debian: apt-get install linux-perf)")
    run: Callable[[Endpoints], object] = rtt.workload_piece(opts.c_api)  # again until the recording ends
    with tempfile.TemporaryDirectory() as tmp, endpoints() as e:
        data = f"{tmp}/perf.data"
        rtt.ours(e, 200)  # warm up: paths, NDP, the first handshake
        pids = e.pids("ours_c_api" if opts.c_api else "ours")
        with contended(opts.contended):
            failures: List[str] = []
            events = SCHED_EVENTS if opts.sched else SYSCALL_EVENTS
            recorder = threading.Thread(target=record, args=(opts.seconds, data, events, failures))
            recorder.start()
            while recorder.is_alive():
                run(e)
            recorder.join()
        if failures:
            raise SystemExit(f"perf record failed: {failures[0]}")
        if opts.sched:
            turns, process = turns_by_thread(data, pids)
            if not turns:
                raise SystemExit("no wake-up of the ping-pong's threads in perf's sched events (perf script's "
                                 "sched output format not understood?)")
        else:
            by_thread, process = calls_by_thread(data, pids)
    role = dict(zip(pids, ("echo server", "client")))
    mode = "one busy process per CPU beside it" if opts.contended else "no added load"
    if opts.sched:
        print(f"\nping-pong{' (ctypes)' if opts.c_api else ''}, {mode}: the scheduler, {opts.seconds} s; "
              f"per thread p10 / p50 / p90 in µs")
        for tid, count in busiest_per_process({tid: len(t) for tid, t in turns.items()}, process):
            print(f"\n  {role.get(process[tid], 'process ' + str(process[tid]))}, thread {tid} ({count} wake-ups)\n"
                  f"{sched_table(turns[tid])}")
        return 0
    busiest = busiest_per_process({tid: len(calls) for tid, calls in by_thread.items()}, process)
    print(f"\nping-pong{' (ctypes)' if opts.c_api else ''}, {mode}: system calls of the two busiest threads, "
          f"{opts.seconds} s; median µs inside each call and between two calls")
    for tid, count in busiest:
        print(f"\n  {role.get(process[tid], 'process ' + str(process[tid]))}, thread {tid} ({count} calls)\n"
              f"{table(by_thread[tid], opts.rows)}")
    return 0


if __name__ == "__main__":
    run_main(main)
