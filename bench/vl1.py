#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""VL1 benchmark: our nodes against the official libzt 1.8.4, in a network namespace, same run.

Everything runs inside a throwaway network namespace (tests/support/netns.py: a veth pair, 10.200.0.1/.2,
no route out: no traffic leaves the machine) with our root (``libzt root``, tests/support/worlds.py) named in
a planet of the benchmark's own. One node per process, as libzt requires.

What is measured, and what compares with what
  A. start -> online: ``zts_node_start`` to the NODE_ONLINE event (its timestamp, taken in the worker
     when the event arrives), for OUR node and the OFFICIAL node, each in the JSON-lines worker of
     tests/support/official.py, several runs, median/min/max. LIKE FOR LIKE: same worker, same calls,
     same root; both generate a fresh identity inside node_start. An extra row gives ours with the
     identity passed in (``zts_init_from_memory``), which shows how much of ours is generation.
  B. through the worker harness, ours <-> ours only: ECHO round trips (``node_ping`` -> ECHO_REPLY;
     RTT from the client's send time to the event's timestamp, and the core's own rtt_ms) and
     USER_MESSAGE throughput (requests pipelined as fast as the worker takes them; arrivals counted by
     the receiver's events, first to last). The JSON round trip dominates these: they show what the
     test harness can do, not what the library can. There is no official figure (the official API has
     neither call).
  C. in-process (bench/_vl1_peer.py, a node in a process of its own with no harness in the loop):
       ours:     two ``libzt.ZeroTierNode``s, USER_MESSAGE over a direct VL1 path; a hook on B answers
                 every PING with a PONG; A measures ping-pong round trips (one in flight), then blasts
                 messages for a while and B counts arrivals (first to last).
       official: two official nodes on an ad-hoc network (no controller, 6PLANE IPv6 addresses) do the
                 same with UDP datagrams through libzt's sockets (zts_bsd_sendto/recvfrom).
     NOT LIKE FOR LIKE: the official path includes lwIP (IPv6/UDP), VL2 (Ethernet frames, the network's
     rules) and libzt's socket layer on top of VL1; ours is VL1 only (our sockets do not exist yet).
     The official figure is the baseline an application gets today; ours is the floor under ours.
     Also ours only: ECHO back to back from the same client to our serving node, whose core answers
     with no Python involved: VL1's round trip with Python on one side only.
  D. ECHO round trip, in-process: our node pings (VL1 ECHO, answered inside the responder's core)
     our other node and an official node, in turns, paced: the official 1.8.4 core answers one ECHO
     per peer per second (ZT_PEER_GENERAL_RATE_LIMIT) and silently drops the rest, so each peer gets a
     ping every 1.05 s (an idle system each time: slower than back to back). LIKE FOR LIKE for the
     responder: same pinger, same packet, same kind of path; only the core that answers differs.

How to read the output
  Times in ms (median, p99 = 99th percentile), rates per second. ``ours/official``: for times lower
  is better (< 1 means ours is faster); for rates higher is better (> 1 means ours does more). The
  last column says whether a row is like for like. ``--json`` prints everything as one JSON object.
  The machine is shared and has two CPUs: expect run-to-run noise of tens of percent on latencies.

Usage: python3 bench/vl1.py [--quick] [--runs N] [--json] [--keep-logs]
(as root; about 80 s, 20 s with --quick)
"""
from __future__ import annotations

import argparse
import json
import os
import queue
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import IO, Any, Dict, List, Optional

HERE = Path(__file__).resolve().parent
TESTS = HERE.parent / "tests"
PEER = HERE / "_vl1_peer.py"
sys.path.insert(0, str(TESTS))

from support.netns import NetNs, unavailable_reason  # noqa: E402
from support.official import (  # noqa: E402
    OfficialNode,
    OfficialPaths,
    OurNode,
    ensure_official,
)
from support.worlds import Planet, RootServer, make_planet  # noqa: E402

ROOT_PORT = 29993
USER_MESSAGE, ECHO_REPLY, PEER_DIRECT = 300, 301, 240
APP_TYPE = 0x61000

FULL = {"runs": 5, "worker_echo": 200, "worker_msgs": 2000, "pingpong": 3000, "blast_seconds": 1.5,
        "blast_max": 300_000, "echo_burst": 1000, "echo_count": 15, "warmup": 200}
QUICK = {"runs": 1, "worker_echo": 50, "worker_msgs": 300, "pingpong": 500, "blast_seconds": 0.5,
         "blast_max": 50_000, "echo_burst": 200, "echo_count": 4, "warmup": 50}
ECHO_INTERVAL = 1.05  # the official core answers one ECHO per peer per second (1.8.4)


def log(*args: Any) -> None:
    print(*args, file=sys.stderr, flush=True)


def pct(values: List[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))]


def stats_ms(ms: List[float]) -> Dict[str, Any]:
    if not ms:
        return {"n": 0}
    return {"n": len(ms), "median": statistics.median(ms), "p99": pct(ms, 0.99), "min": min(ms), "max": max(ms)}


# --- A: start -> online -------------------------------------------------------------------------------


def online_once(ns: NetNs, planet: Planet, paths: OfficialPaths, flavor: str, port: int,
                identity: Optional[str] = None) -> float:
    node = (OurNode(prefix=ns.cmd_prefix, name=f"ours-{port}") if flavor == "ours"
            else OfficialNode(paths, prefix=ns.cmd_prefix, name=f"official-{port}"))
    try:
        node.init_set_roots(planet.bytes)
        node.init_set_port(port)
        if identity:
            node.init_from_memory(identity)
        if flavor == "official":  # nothing to map in a namespace; ours has neither feature
            node.init_allow_port_mapping(False)
            node.init_allow_secondary_port(False)
        t0 = time.monotonic()  # CLOCK_MONOTONIC: the same clock as the worker's event timestamps
        node.node_start()
        ev = node.wait_online(timeout=60)
        return (float(ev["t"]) - t0) * 1000.0
    finally:
        node.close()


def measure_online(ns: NetNs, planet: Planet, paths: OfficialPaths, runs: int) -> Dict[str, Any]:
    import libzt

    out: Dict[str, List[float]] = {"ours": [], "official": [], "ours_identity_given": []}
    for i in range(runs):
        # Alternate the order so that drift favours neither side.
        for flavor in (("ours", "official") if i % 2 == 0 else ("official", "ours")):
            out[flavor].append(online_once(ns, planet, paths, flavor, 29910 + i))
            log(f"  A. {flavor:8} run {i + 1}/{runs}: {out[flavor][-1]:.0f} ms")
        ident = libzt.Identity.generate().secret
        out["ours_identity_given"].append(online_once(ns, planet, paths, "ours", 29950 + i, identity=ident))
    return {k: stats_ms(v) | {"all": [round(x, 1) for x in v]} for k, v in out.items()}


# --- B: through the worker harness ------------------------------------------------------------------------


def measure_workers(ns: NetNs, planet: Planet, cfg: Dict[str, Any]) -> Dict[str, Any]:
    a = OurNode(prefix=ns.cmd_prefix, name="wa")
    b = OurNode(prefix=ns.cmd_prefix, name="wb")
    try:
        for n in (a, b):
            n.init_set_roots(planet.bytes)
            n.node_start()
        for n in (a, b):
            n.wait_online(timeout=10)
        a_id, b_id = a.node_get_id(), b.node_get_id()
        a.node_send_user_message(b_id, APP_TYPE, b"hello")
        b.wait_event(USER_MESSAGE, timeout=10, match={"user_message.peer_id": a_id})
        a.wait_event(PEER_DIRECT, timeout=15, match={"peer.peer_id": b_id})
        b.wait_event(PEER_DIRECT, timeout=15, match={"peer.peer_id": a_id})

        # ECHO round trips, one at a time.
        to_event: List[float] = []
        observed: List[float] = []
        core: List[float] = []
        since = len(a.event_history())
        for i in range(cfg["worker_echo"]):
            data = i.to_bytes(8, "big")
            t0 = time.monotonic()
            a.node_ping(b_id, data)
            ev = a.wait_event(ECHO_REPLY, timeout=5, since=since, match={"echo.data": data.hex()})
            observed.append((time.monotonic() - t0) * 1000)
            to_event.append((float(ev["t"]) - t0) * 1000)
            core.append(float(ev["echo"]["rtt_ms"]))
            since = ev["seq"] + 1

        # USER_MESSAGE throughput: pipelined requests, arrivals counted by B's events.
        b.events()  # drain
        n = cfg["worker_msgs"]
        data = bytes(32).hex()
        t0 = time.monotonic()
        futs = [a.submit("node_send_user_message", peer_id=b_id, type=APP_TYPE + 1, data=data) for _ in range(n)]
        for f in futs:
            a.result(f, "node_send_user_message", timeout=60)
        send_s = time.monotonic() - t0
        arrivals: List[float] = []
        quiet_since = time.monotonic()
        while len(arrivals) < n and time.monotonic() - quiet_since < 3.0:
            new = [float(e["t"]) for e in b.events()
                   if e["code"] == USER_MESSAGE and e["user_message"]["type"] == APP_TYPE + 1]
            if new:
                arrivals += new
                quiet_since = time.monotonic()
            else:
                time.sleep(0.05)
        span = max(arrivals) - min(arrivals) if len(arrivals) > 1 else 0.0
        return {
            "echo_rtt_to_event_ms": stats_ms(to_event),
            "echo_rtt_observed_ms": stats_ms(observed),
            "echo_core_rtt_ms": stats_ms(core),
            "msgs": {"sent": n, "send_s": send_s, "sent_per_s": n / send_s, "received": len(arrivals),
                     "recv_per_s": (len(arrivals) - 1) / span if span > 0 else 0.0},
        }
    finally:
        a.close()
        b.close()


# --- C and D: in-process peers ----------------------------------------------------------------------------


class Peer:
    """bench/_vl1_peer.py in the namespace: JSON lines on stdin/stdout, stderr to a log file."""

    def __init__(self, ns: NetNs, role: str, planet_path: Path, paths: OfficialPaths, logdir: Path) -> None:
        self.role = role
        self.log_path = logdir / f"{role}.log"
        self._log: IO[bytes] = self.log_path.open("wb")
        argv = [sys.executable, str(PEER), role, "--planet", str(planet_path)]
        if role.startswith("official"):
            argv += ["--lib", str(paths.lib), "--stub", str(paths.stub)]
        self.proc = ns.popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._log, text=True)
        self._lines: queue.Queue[Optional[Dict[str, Any]]] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            try:
                self._lines.put(json.loads(line))
            except ValueError:
                continue
        self._lines.put(None)

    def expect(self, key: str, timeout: float) -> Dict[str, Any]:
        try:
            msg = self._lines.get(timeout=timeout)
        except queue.Empty:
            raise TimeoutError(f"{self.role}: no {key!r} within {timeout} s; log:\n{self.log_tail()}") from None
        if msg is None or key not in msg:
            raise RuntimeError(f"{self.role}: {(msg and msg.get('error')) or 'exited'}; log:\n{self.log_tail()}")
        return dict(msg[key])

    def send(self, obj: Dict[str, Any]) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(obj) + "\n")
        self.proc.stdin.flush()

    def log_tail(self) -> str:
        self._log.flush()
        return self.log_path.read_bytes()[-3000:].decode("utf-8", "replace")

    def close(self) -> None:
        try:
            if self.proc.stdin is not None:
                self.proc.stdin.close()
            self.proc.wait(3)
        except (OSError, subprocess.TimeoutExpired):
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            self.proc.wait(10)
        self._log.close()


ROLES = ("ours-serve", "official-serve", "ours-client", "official-client")


def start_peers(ns: NetNs, planet: Planet, paths: OfficialPaths, logdir: Path) -> Dict[str, Peer]:
    """Start the four in-process peers; they get online (and the official ones on their network) alone."""
    peers: Dict[str, Peer] = {}
    try:
        for role in ROLES:
            peers[role] = Peer(ns, role, planet.path, paths, logdir)
    except BaseException:
        close_peers(peers)
        raise
    return peers


def close_peers(peers: Dict[str, Peer]) -> None:
    for p in peers.values():
        p.close()


def measure_in_process(peers: Dict[str, Peer], cfg: Dict[str, Any]) -> Dict[str, Any]:
    ready = {role: peers[role].expect("ready", timeout=90) for role in ROLES}
    log("  C. in-process peers ready: " + ", ".join(f"{r}={v['address']}" for r, v in ready.items()))
    common = {k: cfg[k] for k in ("pingpong", "blast_seconds", "blast_max", "warmup")} | {"size": 32}
    # One client at a time, so that neither measurement loads the other.
    peers["official-client"].send(common | {"peer": ready["official-serve"]["address"],
                                            "peer_ip": ready["official-serve"]["ip"]})
    official = peers["official-client"].expect("result", timeout=180)
    log("  C. official done")
    peers["ours-client"].send(common | {
        "peer": ready["ours-serve"]["address"],
        "echo_peers": [ready["ours-serve"]["address"], ready["official-serve"]["address"]],
        "echo_burst": cfg["echo_burst"], "echo_count": cfg["echo_count"], "echo_interval": ECHO_INTERVAL})
    ours = peers["ours-client"].expect("result", timeout=180)
    log("  C/D. ours done")
    echo = ours.pop("echo")
    return {"ours": ours, "official": official,
            "echo": {"ours": echo[ready["ours-serve"]["address"]],
                     "official": echo[ready["official-serve"]["address"]]}}


# --- report -----------------------------------------------------------------------------------------------


def ratio(ours: Optional[float], official: Optional[float]) -> str:
    if not ours or not official:
        return "-"
    return f"{ours / official:.2f}"


def fmt(v: Optional[float], unit: str = "") -> str:
    if v is None:
        return "-"
    if isinstance(v, int):
        return f"{v:,}{unit}"
    if abs(v) >= 1000:
        return f"{v:,.0f}{unit}"
    if abs(v) >= 10:
        return f"{v:.1f}{unit}"
    return f"{v:.3f}{unit}"


def row(label: str, ours: Optional[float], official: Optional[float], better: str, like: str) -> str:
    return f"  {label:34} {fmt(ours):>12} {fmt(official):>12} {ratio(ours, official):>8}  {better:6} {like}"


def print_report(r: Dict[str, Any]) -> None:
    cfg = r["config"]
    head = f"  {'':34} {'ours':>12} {'official':>12} {'o/off':>8}  {'better':6} like for like?"
    print(f"\nVL1 benchmark: {r['cpus']} CPUs, namespace {r['namespace']}, root = our `libzt root`; "
          f"{'quick' if r['quick'] else 'full'} run; load average (1 min) before / after: "
          f"{r['load_before']:.2f} / {r['load_after']:.2f}")
    a = r["online"]
    print(f"\nA. start -> NODE_ONLINE, ms (JSON workers, {cfg['runs']} run(s) each; fresh identity generated "
          "in node_start)")
    print(head)
    for stat in ("median", "min", "max"):
        print(row(stat, a["ours"].get(stat), a["official"].get(stat), "lower", "yes"))
    print(row("ours, identity given: median", a["ours_identity_given"].get("median"), None, "lower",
              "ours only (no generation)"))

    b = r["workers"]
    print("\nB. through the JSON worker harness, ours <-> ours, direct path (no official figure: no such calls)")
    print(f"  ECHO rtt, send -> event timestamp: median {fmt(b['echo_rtt_to_event_ms']['median'])} ms, "
          f"p99 {fmt(b['echo_rtt_to_event_ms']['p99'])} ms (n={b['echo_rtt_to_event_ms']['n']})")
    print(f"  ECHO rtt, as the harness sees it (2 JSON round trips): median "
          f"{fmt(b['echo_rtt_observed_ms']['median'])} ms; core's rtt_ms (1 ms resolution): median "
          f"{fmt(b['echo_core_rtt_ms']['median'])}")
    m = b["msgs"]
    print(f"  USER_MESSAGE: {m['sent']} sent at {fmt(m['sent_per_s'])}/s (one JSON request each), "
          f"{m['received']} received at {fmt(m['recv_per_s'])}/s")

    c = r["in_process"]
    o, f = c["ours"], c["official"]
    print("\nC. in-process, direct path, 32-byte payloads: ours = VL1 USER_MESSAGE; official = UDP over its "
          "sockets (lwIP + VL2 + VL1)")
    print(head)
    nl = "no: official adds lwIP+VL2"
    print(row("ping-pong rtt median, ms", o["pingpong"]["median"], f["pingpong"]["median"], "lower", nl))
    print(row("ping-pong rtt p99, ms", o["pingpong"]["p99"], f["pingpong"]["p99"], "lower", nl))
    print(row("ping-pong round trips/s", o["pingpong"]["per_s"], f["pingpong"]["per_s"], "higher", nl))
    print(row("ping-pong lost", o["pingpong"]["lost"], f["pingpong"]["lost"], "lower", nl))
    print(row("blast: sent/s", o["blast"]["sent_per_s"], f["blast"]["sent_per_s"], "higher", nl))
    print(row("blast: received/s", o["blast"]["recv_per_s"], f["blast"]["recv_per_s"], "higher", nl))
    print(row("blast: loss, %", 100 * o["blast"]["loss"], 100 * f["blast"]["loss"], "lower", nl))
    print(row("blast: receiver peak RSS, MB", o["blast"].get("peer_maxrss_mb"), f["blast"].get("peer_maxrss_mb"),
              "lower", nl))
    eb = o["echo_burst"]
    print(row("ECHO back to back rtt median, ms", eb.get("median"), None, "lower", "ours only: core answers"))
    print(row("ECHO back to back rtt p99, ms", eb.get("p99"), None, "lower", "ours only: core answers"))
    print(f"  (blast: ours sent {o['blast']['sent']} in {fmt(o['blast']['send_s'])} s, "
          f"{o['blast']['received']} arrived; official sent {f['blast']['sent']} "
          f"({f['blast'].get('send_errors', 0)} send errors), {f['blast']['received']} arrived)")

    e = c["echo"]
    print(f"\nD. VL1 ECHO rtt, ms: our node pings, in turns, every {cfg['echo_interval']} s per peer "
          f"(in-process pinger; {cfg['echo_count']} each)")
    print(f"  {'responder':34} {'ours':>12} {'official':>12} {'o/off':>8}  {'better':6} like for like?")
    for stat in ("median", "min", "max"):  # too few samples for a p99
        print(row(f"rtt {stat}", e["ours"].get(stat), e["official"].get(stat), "lower", "yes: same pinger"))
    print(row("lost", e["ours"].get("lost"), e["official"].get("lost"), "lower", ""))
    print("\nNotes: ours is VL1 only until our sockets exist; the official UDP figures include lwIP, VL2 and "
          "libzt's socket layer,\nso C is the gap an application sees today, not a like-for-like core "
          "comparison. A and D are like for like.")


# --- main -------------------------------------------------------------------------------------------------


def _raise_interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="about 20 s: one online run each, short loops")
    parser.add_argument("--runs", type=int, help="start->online runs per library (default 5, quick 1)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the tables")
    parser.add_argument("--keep-logs", action="store_true", help="keep the in-process peers' logs (path printed)")
    opts = parser.parse_args(argv)
    reason = unavailable_reason()
    if reason:
        parser.error(reason)
    cfg = dict(QUICK if opts.quick else FULL)
    if opts.runs:
        cfg["runs"] = opts.runs
    cfg["echo_interval"] = ECHO_INTERVAL
    signal.signal(signal.SIGTERM, _raise_interrupt)  # cleanup runs on kill as on Ctrl-C
    paths = ensure_official()
    load_before = os.getloadavg()[0]
    started = time.monotonic()
    tmp = tempfile.mkdtemp(prefix="libzt-bench-vl1-")
    try:
        with NetNs() as ns:
            planet = make_planet(Path(tmp), [f"{ns.ADDR1}/{ROOT_PORT}"])
            root = RootServer(planet, prefix=ns.cmd_prefix, port=ROOT_PORT)
            peers: Dict[str, Peer] = {}
            try:
                root.wait_ready()
                # --quick starts the in-process peers first: the official ones need ~10 s to get online
                # and onto their network, time that A and B can use. A full run keeps them apart.
                if opts.quick:
                    peers = start_peers(ns, planet, paths, Path(tmp))
                log("A. start -> online ...")
                online = measure_online(ns, planet, paths, cfg["runs"])
                log("B. worker harness, ours <-> ours ...")
                workers = measure_workers(ns, planet, cfg)
                log("C/D. in-process peers ...")
                if not opts.quick:
                    peers = start_peers(ns, planet, paths, Path(tmp))
                in_process = measure_in_process(peers, cfg)
            finally:
                close_peers(peers)
                root.stop()
        results = {"cpus": os.cpu_count(), "namespace": ns.name, "quick": opts.quick, "config": cfg,
                   "load_before": load_before, "load_after": os.getloadavg()[0],
                   "online": online, "workers": workers, "in_process": in_process,
                   "seconds": round(time.monotonic() - started, 1)}
    finally:
        if opts.keep_logs:
            log(f"logs kept in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    if opts.json:
        print(json.dumps(results, indent=2))
    else:
        print_report(results)
        print(f"\n(total {results['seconds']} s)")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        log("interrupted: namespace, processes and files cleaned up")
        sys.exit(130)
