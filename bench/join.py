#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Join -> ready: how long a node takes from ``zts_net_join`` to an IPv4 address it can use, on a
network of OUR controller, for OUR node and the OFFICIAL libzt 1.8.4 node, in the same run.

What is measured
  A root (``libzt root``) and a controller (``libzt controller``, SQLite) run in a throwaway network
  namespace (tests/support/netns.py: no route out); the controller issues one public network with an IPv4
  pool. Each run starts a fresh node of each flavor (alternating, so machine noise hits both), waits
  until it is online (not timed), then times ``zts_net_join`` -> the ZTS_EVENT_NETWORK_READY_IP4
  event (the event's CLOCK_MONOTONIC timestamp, taken in the node's worker process as it arrives,
  minus the time just before the join command was sent; the command's pipe round trip, well under a
  millisecond, is included for both). LIKE FOR LIKE: same worker harness, same calls, same root,
  controller and network; only the node's library differs.

  Both flavors ask the controller, which answers through our core (a signed config and certificate
  of membership); the official node then configures its lwIP interface, ours its own. Where the
  official time goes: libzt 1.8.4 does not ask at join; its first NETWORK_CONFIG_REQUEST leaves with
  the next 5 s background tick (tests/vectors/capture shows the same against zerotier-one's own
  controller: the request goes out with a periodic HELLO, and the config comes back in 2 ms). Ours
  asks at once and the answer takes a few milliseconds.

How to read the output
  Milliseconds, median / min / max over the runs; ``ours/official`` < 1 means ours is ready sooner.
  ``--json`` prints one JSON object.

Usage: python3 bench/join.py [--runs 5] [--json]   (as root; about 40 s for 5 runs)
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from support.controllers import NETWORK_READY_IP4, ControllerServer, managed_network, on  # noqa: E402
from support.netns import NetNs, unavailable_reason  # noqa: E402
from support.official import OfficialNode, OurNode, ensure_official  # noqa: E402
from support.worlds import RootServer, make_planet  # noqa: E402

ROOT_PORT, CONTROLLER_PORT, NODE_PORT = 29941, 29942, 29943


def time_join(node: OfficialNode, nwid: int) -> float:
    """Seconds from just before zts_net_join to the READY_IP4 event, for a node already online."""
    started = time.monotonic()
    node.net_join(nwid)
    event = node.wait_event(NETWORK_READY_IP4, timeout=60, match=on(nwid))
    return float(event["t"]) - started


def one_run(flavor: str, netns: NetNs, planet_bytes: bytes, nwid: int, official_paths: Any) -> float:
    if flavor == "ours":
        node: OfficialNode = OurNode(prefix=netns.cmd_prefix, name="ours")
    else:
        node = OfficialNode(official_paths, prefix=netns.cmd_prefix, name="official")
    try:
        node.init_set_roots(planet_bytes)
        node.init_set_port(NODE_PORT)
        node.node_start()
        node.wait_online(timeout=60)
        return time_join(node, nwid)
    finally:
        node.close()


def summary(values: list[float]) -> dict[str, float]:
    ms = [v * 1000 for v in values]
    return {"median_ms": statistics.median(ms), "min_ms": min(ms), "max_ms": max(ms)}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    reason = unavailable_reason()
    if reason:
        print(f"join: {reason}", file=sys.stderr)
        return 2
    official_paths = ensure_official()
    times: dict[str, list[float]] = {"ours": [], "official": []}
    with tempfile.TemporaryDirectory(prefix="libzt-bench-join-") as tmp, NetNs() as netns:
        planet = make_planet(Path(tmp), [f"{netns.ADDR1}/{ROOT_PORT}"])
        with RootServer(planet, prefix=netns.cmd_prefix, port=ROOT_PORT):
            with ControllerServer(Path(tmp) / "ctl", planet.path, netns.cmd_prefix, port=CONTROLLER_PORT) as ctl:
                nwid = managed_network(ctl, private=False)
                for _ in range(args.runs):
                    for flavor in ("ours", "official"):
                        times[flavor].append(one_run(flavor, netns, planet.bytes, nwid, official_paths))
    result = {flavor: summary(values) for flavor, values in times.items()}
    result["ours/official"] = result["ours"]["median_ms"] / result["official"]["median_ms"]
    result["runs"] = args.runs
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"join -> READY_IP4 on our controller's network, {args.runs} runs (ms)")
    print(f"{'':10} {'median':>9} {'min':>9} {'max':>9}")
    for flavor in ("ours", "official"):
        r = result[flavor]
        print(f"{flavor:10} {r['median_ms']:9.1f} {r['min_ms']:9.1f} {r['max_ms']:9.1f}")
    print(f"ours/official (median): {result['ours/official']:.3f}  (< 1: ours is ready sooner; like for like)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
