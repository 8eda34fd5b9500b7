# SPDX-License-Identifier: Apache-2.0
"""What bench/tcp.py and bench/rtt.py share: three pairs of TCP endpoints in one network namespace.

* ``ours``: two of our nodes, each in its own process (tests/integration/socket_peer.py), serving and
  connecting with ``libzt.socket`` over the 6PLANE addresses of an ad-hoc network.
* ``official``: two official libzt 1.8.4 nodes in the JSON workers of tests/interop (their calls made
  through ctypes, with the harness's workarounds), on the same kind of ad-hoc network.
* ``kernel``: the same peer script with ``--kernel``: the stdlib's sockets between the namespace's two
  veth addresses. Both addresses are local to the namespace, so the kernel carries this over its
  loopback path: a ceiling, not a peer.

One root (our ``libzt root``) serves both libraries. Everything lives in a throwaway namespace (no
traffic leaves the machine) and is killed on exit, Ctrl-C included.
"""
from __future__ import annotations

import contextlib
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional

HERE = Path(__file__).resolve().parent
TESTS = HERE.parent / "tests"
sys.path.insert(0, str(TESTS))

from support.netns import NetNs, unavailable_reason  # noqa: E402
from support.official import (  # noqa: E402
    ZTS_EVENT_ADDR_ADDED_IP6,
    ZTS_EVENT_NETWORK_READY_IP6,
    OfficialNode,
    OurNode,
    ensure_official,
)
from support.sockets_pair import SocketPeer  # noqa: E402
from support.worlds import RootServer, make_planet  # noqa: E402

ROOT_PORT = 29993
ADHOC_PORTS = (5000, 6000)
ADHOC = (0xFF << 56) | (ADHOC_PORTS[0] << 40) | (ADHOC_PORTS[1] << 24)  # ffSSSSEEEE000000: IPv6, TCP/UDP to those
PORT = 5555  # inside the ad-hoc network's port range
PERF_WARM_UP_S = 1.0  # bench/profile.py and bench/timeline.py: perf records from this long into the workload


def log(*args: Any) -> None:
    print(*args, file=sys.stderr, flush=True)


def pct(values: List[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))]


def summary(values: List[float]) -> Dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values),
            "p90": pct(values, 0.90), "p99": pct(values, 0.99), "n": len(values)}


_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: List[int]) -> float:
    """User + system CPU of these processes so far, all their threads (ended ones too), in seconds.
    ``ip netns exec`` execs its command, so a Popen's pid is the node's process itself."""
    total = 0
    for pid in pids:
        # Fields 14 and 15 (utime, stime) of /proc/PID/stat, counted after the ")" that ends the name.
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / _TICKS


@contextlib.contextmanager
def contended(enabled: bool) -> Iterator[None]:
    """With ``enabled``: one busy process per CPU beside the benchmark (as scripts/busy-load), the
    same for every side, stopped on the way out however the benchmark ends."""
    if not enabled:
        yield
        return
    procs = [subprocess.Popen(["sh", "-c", "while :; do :; done"], start_new_session=True)
             for _ in range(os.cpu_count() or 1)]
    try:
        yield
    finally:
        for proc in procs:
            proc.kill()
        for proc in procs:
            proc.wait()


@dataclass
class Endpoints:
    ns: NetNs
    ours_server: SocketPeer
    ours_client: SocketPeer
    kernel_server: SocketPeer
    kernel_client: SocketPeer
    official_server: OfficialNode
    official_client: OfficialNode
    official_server_ip: str
    # Our library driven exactly like the official one (same worker, same ctypes loops): tells the
    # native library's share from that of the Python socket layer.
    c_server: OurNode
    c_client: OurNode
    c_server_ip: str

    def pids(self, side: str) -> List[int]:
        """The two processes of a side ("ours", "ours_c_api", "official", "kernel"), for cpu_seconds."""
        pairs = {"ours": (self.ours_server, self.ours_client), "ours_c_api": (self.c_server, self.c_client),
                 "official": (self.official_server, self.official_client),
                 "kernel": (self.kernel_server, self.kernel_client)}
        return [p.proc.pid for p in pairs[side]]


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def _official(ns: NetNs, name: str, world: bytes, port: int) -> OfficialNode:
    node = OfficialNode(ensure_official(), prefix=ns.cmd_prefix, name=name)
    node.init_set_roots(world)
    node.init_set_port(port)
    node.init_allow_port_mapping(False)
    node.init_allow_secondary_port(False)
    node.node_start()
    return node


@contextlib.contextmanager
def endpoints(logdir: Optional[Path] = None) -> Iterator[Endpoints]:
    """Start everything (about 15 s: the official nodes retry their root every 5 s)."""
    reason = unavailable_reason()
    if reason:
        raise SystemExit(reason)
    signal.signal(signal.SIGTERM, _interrupt)  # cleanup runs on kill as on Ctrl-C
    with tempfile.TemporaryDirectory(prefix="libzt-bench-sockets-") as tmp, NetNs() as ns, \
            contextlib.ExitStack() as stack:
        logs = logdir or Path(tmp)
        planet = make_planet(Path(tmp), [f"{ns.ADDR1}/{ROOT_PORT}"])
        root = RootServer(planet, prefix=ns.cmd_prefix, port=ROOT_PORT)
        stack.callback(root.stop)
        root.wait_ready()
        official = []
        for name, port in (("official-server", 29901), ("official-client", 29902)):
            node = _official(ns, name, planet.bytes, port)
            stack.callback(node.close)
            official.append(node)
        ours_c = []
        for name, port in (("ours-c-server", 29903), ("ours-c-client", 29904)):
            node = OurNode(prefix=ns.cmd_prefix, name=name)
            stack.callback(node.close)
            node.init_set_roots(planet.bytes)
            node.init_set_port(port)
            node.node_start()
            ours_c.append(node)
        peers = []
        for name in ("ours-server", "ours-client"):
            err = stack.enter_context((logs / f"{name}.log").open("wb"))
            peer = SocketPeer(planet, ADHOC, prefix=ns.cmd_prefix, stderr=err)
            stack.callback(peer.close)
            peers.append(peer)
        for _ in ("kernel-server", "kernel-client"):
            peer = SocketPeer(None, prefix=ns.cmd_prefix)
            stack.callback(peer.close)
            peers.append(peer)
        for node in official:
            node.wait_online(timeout=60)
            node.net_join(ADHOC)
        for node in official:
            node.wait_event(ZTS_EVENT_NETWORK_READY_IP6, timeout=60)
            added = node.wait_event(ZTS_EVENT_ADDR_ADDED_IP6, timeout=30)
            if added.get("ipv6_input_fixed") != 1:
                raise RuntimeError(f"{node.name}: the harness's IPv6 workaround is not in place")
        server_ip = official[0].addr_get_str(ADHOC, family=6)
        assert server_ip
        for node in ours_c:
            node.wait_online(timeout=30)
            node.net_join(ADHOC)
        for node in ours_c:
            node.wait_event(ZTS_EVENT_NETWORK_READY_IP6, timeout=30)
        c_server_ip = ours_c[0].addr_get_str(ADHOC, family=6)
        assert c_server_ip
        log(f"namespace {ns.name}: ours {peers[0].ipv6} <- {peers[1].ipv6}; official {server_ip}; kernel "
            f"{ns.ADDR1} <- {ns.ADDR2}")
        yield Endpoints(ns, peers[0], peers[1], peers[2], peers[3], official[0], official[1], server_ip, ours_c[0],
                        ours_c[1], c_server_ip)


def official_connection(e: Endpoints, timeout: float = 60, ours: bool = False) -> tuple[int, int, int]:
    """(listening fd on the server, accepted fd, client fd): a TCP connection between the official
    nodes (between our worker nodes with ``ours``)."""
    a, b = (e.c_server, e.c_client) if ours else (e.official_server, e.official_client)
    server_ip = e.c_server_ip if ours else e.official_server_ip
    server = official_listener(a)
    conn, client = official_connect(a, server, b, server_ip, timeout)
    return server, conn, client


def official_listener(node: OfficialNode, backlog: int = 8) -> int:
    """A listening IPv6 socket on PORT in a worker node."""
    server = node.bsd_socket(6)
    node.bind(server, "::", PORT)
    node.listen(server, backlog)
    return server


def official_connect(a: OfficialNode, server: int, b: OfficialNode, server_ip: str,
                     timeout: float = 60) -> tuple[int, int]:
    """(accepted fd in ``a``, client fd in ``b``): one more connection to ``a``'s listener."""
    accepting = a.submit("accept", fd=server)
    client = b.bsd_socket(6)
    deadline = time.monotonic() + timeout
    while True:  # the first SYNs can go before the path does
        if b.connect(client, server_ip, PORT, timeout_ms=5000, check=False) == 0:
            break
        if time.monotonic() > deadline:
            raise TimeoutError(f"{b.name} cannot connect to {a.name}")
        b.close_fd(client)
        client = b.bsd_socket(6)
    conn = a.result(accepting, "accept", timeout=30)
    return int(conn["fd"]), client


def load() -> float:
    return os.getloadavg()[0]


def add_common_options(parser: Any) -> None:
    parser.add_argument("--contended", action="store_true",
                        help="run with one busy process per CPU beside the benchmark (all sides alike)")
    parser.add_argument("--json", action="store_true")


def run_main(main: Callable[[], int]) -> None:
    """Runs a benchmark's main: its exit status, or 130 after Ctrl-C (everything cleaned up by then)."""
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        log("interrupted: namespace, processes and files cleaned up")
        sys.exit(130)
