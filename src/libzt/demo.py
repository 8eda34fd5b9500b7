# SPDX-License-Identifier: Apache-2.0
"""``libzt demo``: a whole self-hosted ZeroTier deployment on this machine, step by step.

It makes a root identity and a planet that names it on 127.0.0.1, starts the root (``libzt root``)
and a network controller (``libzt controller``, SQLite, REST API on 127.0.0.1), creates a network
through the REST API, then brings up two nodes, each in a process of its own, that join the network,
get their addresses from the controller, and move data over TCP through ``libzt.socket``. It prints
what happened and the throughput, and checks the data arrived intact (SHA-256). Nothing leaves this
machine: every endpoint is on the loopback interface.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Callable, Optional, Sequence

from libzt.identity import Identity, KeyPair
from libzt.world import Root, World

DEMO_WORLD_ID = 0x6C69627A74  # "libzt"
POOL = ("10.147.17.10", "10.147.17.250")


def _step(text: str) -> None:
    print(f"==> {text}", flush=True)


def _free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Child:
    """A process of the demo; its output lines are read on a thread and queued for the demo."""

    def __init__(self, name: str, argv: Sequence[str], cwd: Path) -> None:
        self.name = name
        self.lines: queue.Queue[Optional[str]] = queue.Queue()
        self.log: list[str] = []
        self.proc = subprocess.Popen(list(argv), cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True, start_new_session=True)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.log.append(line)
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def wait_line(self, wanted: Callable[[str], bool], timeout: float) -> str:
        """The first output line for which `wanted` holds; RuntimeError if the process ends first or
        time runs out."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                break
            if line is None:
                raise RuntimeError(f"{self.name} exited ({self.proc.wait()}):\n{''.join(self.log[-20:])}")
            if wanted(line):
                return line
        raise RuntimeError(f"{self.name}: nothing expected within {timeout} s:\n{''.join(self.log[-20:])}")

    def wait_event(self, event: str, timeout: float) -> dict[str, Any]:
        """The next JSON report with this event name (see libzt._demo_node)."""
        line = self.wait_line(lambda ln: ln.startswith("{") and json.loads(ln).get("event") == event, timeout)
        return dict(json.loads(line))

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)


def _print_ready(name: str, ready: dict[str, Any]) -> None:
    print(f"    {name}: ready in {1000 * ready['seconds']:.0f} ms, addresses {', '.join(ready['addresses'])}")


def _libzt(*args: str) -> list[str]:
    return [sys.executable, "-m", "libzt", *args]


def _node(role: str, work: Path, planet: Path, nwid: str, *extra: str) -> list[str]:
    return [sys.executable, "-m", "libzt._demo_node", role, str(work / role), str(planet), nwid, *extra]


def run_demo(args: argparse.Namespace) -> int:
    size = int(args.megabytes * 1_000_000)
    children: list[Child] = []
    with tempfile.TemporaryDirectory(prefix="libzt-demo-") as tmp:
        work = Path(args.workdir) if args.workdir else Path(tmp)
        work.mkdir(parents=True, exist_ok=True)

        def start(name: str, argv: Sequence[str]) -> Child:
            child = Child(name, argv, work)
            children.append(child)
            return child

        try:
            _step("a root identity and a planet naming it at 127.0.0.1 (our own world, not ZeroTier's)")
            started = time.perf_counter()
            root_id = Identity.generate(threads=0)
            root_id.save(work / "root")
            port = _free_udp_port()
            key = KeyPair.generate()
            planet = World.create([Root(root_id.public_identity(), (f"127.0.0.1/{port}",))], signing_key=key,
                                  id=DEMO_WORLD_ID)
            planet.save(work / "planet")
            print(f"    root {root_id.address} (identity in {1000 * (time.perf_counter() - started):.0f} ms), "
                  f"planet {len(planet.to_bytes())} bytes, signature valid: {planet.verify(key)}")

            _step("starting the root server: libzt root")
            root = start("root", _libzt("root", "--world", "planet", "--identity", "root", "--allow-loopback"))
            print("    " + root.wait_line(lambda ln: " serving world " in ln, 30))

            _step("starting the network controller: libzt controller (SQLite, REST API on 127.0.0.1)")
            ctl = start("controller", _libzt("controller", "--dir", "ctl", "--roots", "planet", "--http",
                                             "127.0.0.1:0", "--allow-loopback"))
            print("    " + ctl.wait_line(lambda ln: " API at " in ln, 60))
            print("    " + ctl.wait_line(lambda ln: ln.endswith(": node online"), 60))

            _step("creating a network through the REST API (POST /controller/network)")
            from libzt.controller.client import ControllerClient

            api = ControllerClient.from_options(str(work / "ctl"), None, None)
            network = api.create_network({
                "name": "demo", "private": False,
                "ipAssignmentPools": [{"ipRangeStart": POOL[0], "ipRangeEnd": POOL[1]}],
                "routes": [{"target": "10.147.17.0/24", "via": None}],
                "v4AssignMode": {"zt": True}, "v6AssignMode": {"rfc4193": True},
            })
            nwid = network["id"]
            print(f"    network {nwid} '{network['name']}': public, IPv4 pool {POOL[0]}-{POOL[1]}, RFC4193 IPv6")

            _step("two nodes, each in its own process, join the network")
            server = start("node B", _node("serve", work, work / "planet", nwid))
            print(f"    node B: node {server.wait_event('online', 60)['node']} online")
            ready_b = server.wait_event("ready", 60)
            _print_ready("node B", ready_b)
            server.wait_event("listening", 30)
            print(f"    node B: listening on {ready_b['ip']}:7000 (libzt.socket, TCP over lwIP)")
            client = start("node A", _node("send", work, work / "planet", nwid, ready_b["ip"], str(size)))
            online = client.wait_event("online", 60)
            print(f"    node A: node {online['node']} online")
            _print_ready("node A", client.wait_event("ready", 60))

            _step(f"node A sends {size / 1e6:.0f} MB to node B over TCP; B answers with their SHA-256")
            sent = client.wait_event("sent", 300)
            received = server.wait_event("received", 60)
            mbps = sent["bytes"] / sent["seconds"] / 1e6
            print(f"    connected in {1000 * sent['connect_seconds']:.1f} ms; {sent['bytes']:,} bytes in "
                  f"{sent['seconds']:.2f} s: {mbps:.1f} MB/s ({8 * mbps:.0f} Mbit/s)")
            print(f"    B received {received['bytes']:,} bytes from {received['peer']}")
            intact = sent["sha256"] == sent["peer_sha256"] == received["sha256"] and received["bytes"] == size
            print(f"    SHA-256 sent     {sent['sha256']}")
            print(f"    SHA-256 received {received['sha256']}  {'match' if intact else 'MISMATCH'}")

            _step("the controller's view (GET /unstable/controller/network/{nwid}/member)")
            for member in api.members(nwid):
                print(f"    member {member['id']}: authorized={member['authorized']}, "
                      f"ipAssignments={member['ipAssignments']}")
            print("demo: " + ("OK" if intact else "FAILED"))
            return 0 if intact else 1
        except RuntimeError as exc:
            print(f"demo: FAILED: {exc}", file=sys.stderr)
            return 1
        finally:
            for child in reversed(children):
                child.stop()
