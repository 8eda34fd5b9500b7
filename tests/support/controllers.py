# SPDX-License-Identifier: Apache-2.0
"""``libzt controller`` as a real process for tests, inside a namespace when a prefix is given, and
what tests do with the networks it issues (members, addresses, TCP, ARP on a raw tap).

A controller in a namespace listens for its REST API on that namespace's loopback, which the test
process cannot reach; ``ApiClient`` therefore runs a small request relay in the same namespace (one
long-lived process fed JSON lines, so a call costs a pipe round trip, not a Python start-up).
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable, Optional, Sequence

from support import frames
from support.netns import NetNs
from support.official import OurNode, expected_bytes
from support.worlds import Planet, make_planet, start_node, start_root_node, stop_process

# The relay: one JSON request per line in, one JSON answer per line out.
_RELAY = r"""
import json, sys, urllib.error, urllib.request
for line in sys.stdin:
    r = json.loads(line)
    data = None if r["body"] is None else json.dumps(r["body"]).encode()
    req = urllib.request.Request(r["url"], data=data, method=r["method"],
                                 headers={"X-ZT1-Auth": r["token"], "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            out = [resp.status, json.loads(resp.read() or b"null")]
    except urllib.error.HTTPError as exc:
        out = [exc.code, json.loads(exc.read() or b"null")]
    except Exception as exc:
        out = [0, {"error": repr(exc)}]
    print(json.dumps(out), flush=True)
"""


class ApiClient:
    """HTTP requests to a controller's API, made from inside ``prefix``'s namespace."""

    def __init__(self, url: str, token: str, prefix: Sequence[str] = ()) -> None:
        self.url, self.token = url.rstrip("/"), token
        self._lock = threading.Lock()
        self._proc = subprocess.Popen(
            [*prefix, sys.executable, "-c", _RELAY], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )

    def request(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        assert self._proc.stdin is not None and self._proc.stdout is not None
        with self._lock:
            self._proc.stdin.write(
                json.dumps({"url": self.url + path, "token": self.token, "method": method, "body": body}) + "\n"
            )
            self._proc.stdin.flush()
            line = self._proc.stdout.readline()
        if not line:
            raise ConnectionError(f"API relay exited ({self._proc.poll()})")
        status, value = json.loads(line)
        return int(status), value

    def ok(self, method: str, path: str, body: Any = None) -> Any:
        """The answer of a request that must succeed."""
        status, value = self.request(method, path, body)
        if status != 200:
            raise AssertionError(f"{method} {path}: HTTP {status} {value}")
        return value

    def close(self) -> None:
        if self._proc.poll() is None:
            assert self._proc.stdin is not None
            self._proc.stdin.close()
            try:
                self._proc.wait(10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()


class ControllerServer:
    """``libzt controller --dir DIR --roots PLANET`` with its node on a fixed UDP port."""

    def __init__(
        self, directory: Path, planet: Path, prefix: Sequence[str] = (), port: int = 0, extra: Sequence[str] = ()
    ) -> None:
        self.directory, self.prefix = directory, tuple(prefix)
        argv = [
            *prefix,
            sys.executable,
            "-m",
            "libzt",
            "controller",
            "--dir",
            str(directory),
            "--roots",
            str(planet),
            "--http",
            "127.0.0.1:0",
            "--port",
            str(port),
            *extra,
        ]
        self._lines: list[str] = []
        self._started = threading.Event()
        self.proc = subprocess.Popen(
            argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.api: Optional[ApiClient] = None
        self.address = ""

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._lines.append(line)
            if " API at " in line:
                self._started.set()
        self._started.set()

    def wait_ready(self, timeout: float = 60.0) -> ControllerServer:
        if not self._started.wait(timeout):
            raise TimeoutError(f"libzt controller not serving after {timeout} s:\n{self.log()}")
        banner = next((ln for ln in self._lines if " API at " in ln), None)
        if banner is None:
            raise RuntimeError(f"libzt controller exited with {self.proc.poll()}:\n{self.log()}")
        self.address = banner.split()[1].rstrip(":")
        url = banner.split(" API at ")[1].split()[0]
        token = (self.directory / "authtoken.secret").read_text().strip()
        self.api = ApiClient(url, token, self.prefix)
        return self

    def log(self) -> str:
        return "".join(self._lines)

    def create_network(self, **body: Any) -> str:
        assert self.api is not None
        return str(self.api.ok("POST", "/controller/network", body)["id"])

    def member(self, nwid: str, member: str, **body: Any) -> dict[str, Any]:
        assert self.api is not None
        if body:
            return dict(self.api.ok("POST", f"/controller/network/{nwid}/member/{member}", body))
        return dict(self.api.ok("GET", f"/controller/network/{nwid}/member/{member}"))

    def stop(self, kill: bool = False, timeout: float = 20.0) -> Optional[int]:
        if self.api is not None:
            self.api.close()
            self.api = None
        return stop_process(self.proc, self._reader, timeout, kill=kill)

    def __enter__(self) -> ControllerServer:
        return self.wait_ready()

    def __exit__(self, *exc: object) -> None:
        self.stop()


# ---- members of a controlled network ----------------------------------------------------------------

NETWORK_ACCESS_DENIED = 214
NETWORK_READY_IP4 = 215
NETWORK_READY_IP6 = 216
ADDR_ADDED_IP6 = 262
ZTS_AF_INET6 = 10

POOL = {"ipRangeStart": "10.147.17.10", "ipRangeEnd": "10.147.17.250"}
ROUTE = {"target": "10.147.17.0/24", "via": None}


def managed_network(ctl: ControllerServer, private: bool) -> int:
    return int(
        ctl.create_network(
            name="lab",
            private=private,
            ipAssignmentPools=[POOL],
            routes=[ROUTE],
            v4AssignMode={"zt": True},
            v6AssignMode={"rfc4193": True, "6plane": True},
        ),
        16,
    )


def start_world(
    netns: NetNs, our_node: Callable[..., OurNode], tmp_path: Path, port: int, db: str = ""
) -> tuple[Planet, ControllerServer]:
    planet = make_planet(tmp_path, [f"{netns.ADDR1}/{port}"])
    start_root_node(our_node, netns, planet, port)
    extra = ["--db", db] if db else []
    ctl = ControllerServer(tmp_path / "ctl", planet.path, netns.cmd_prefix, port=port + 1, extra=extra)
    return planet, ctl.wait_ready()


def member(our_node: Callable[..., OurNode], netns: NetNs, planet: Planet, name: str) -> tuple[OurNode, int]:
    node = start_node(our_node, netns, planet, name)
    node.wait_online(timeout=5)
    return node, int(node.node_get_id(), 16)


def on(nwid: int) -> dict[str, str]:
    return {"network.net_id": f"{nwid:016x}"}


def ipv6_pair(
    our_node: Callable[..., OurNode], netns: NetNs, planet: Planet, ctl: ControllerServer
) -> tuple[int, tuple[OurNode, int], tuple[OurNode, int]]:
    """Two members, "a" and "b", of a new public network, both with their IPv6 addresses: the
    network's ID and each (node, ZeroTier address)."""
    nwid = managed_network(ctl, private=False)
    pair = member(our_node, netns, planet, "a"), member(our_node, netns, planet, "b")
    for node, _ in pair:
        node.net_join(nwid)
    for node, _ in pair:
        node.wait_event(NETWORK_READY_IP6, timeout=30, match=on(nwid))
    return nwid, pair[0], pair[1]


def ipv6_addresses(node: OurNode, nwid: int) -> set[ipaddress.IPv6Address]:
    return {
        ipaddress.IPv6Address(e["addr"]["addr"]["ip"])
        for e in node.event_history()
        if e["code"] == ADDR_ADDED_IP6 and e["addr"]["net_id"] == f"{nwid:016x}"
    }


def tcp_transfer(sender: OurNode, receiver: OurNode, ip: str, port: int, size: int, family: int = 4) -> None:
    """`size` bytes from `sender` to `receiver`'s listener on ip:port, compared by SHA-256."""
    server = receiver.bsd_socket(family=family)
    receiver.bind(server, "::" if family == 6 else "0.0.0.0", port)
    receiver.listen(server)
    accepted = receiver.submit("accept", fd=server)
    client = sender.bsd_socket(family=family)
    sender.connect(client, ip, port, timeout_ms=10000)
    conn = receiver.result(accepted, "accept", timeout=30)["fd"]
    assert conn >= 0
    received = receiver.submit("recv_all", fd=conn, close=True)
    sender.send_bytes(client, size, seed=port, then="close", timeout=120)
    got = receiver.result(received, "recv_all", timeout=120)
    assert got["len"] == size and got["sha256"] == hashlib.sha256(expected_bytes(size, seed=port)).hexdigest()
    receiver.close_fd(server)


def arp_answer(asker: OurNode, nwid: int, asker_id: int, asker_ip: str, target_ip: str, timeout: float) -> bytes | None:
    """Ask for `target_ip` on `asker`'s raw tap, once a second as a real stack does (a member whose
    credentials the other has not seen yet loses its first frame and triggers their exchange); the
    MAC that answered, or None within `timeout`."""
    asker_mac = frames.zt_mac(nwid, asker_id)
    request = frames.ethernet(
        frames.BROADCAST, asker_mac, frames.ETH_ARP, frames.arp(1, asker_mac, asker_ip, bytes(6), target_ip)
    )
    deadline = time.monotonic() + timeout
    resend_at = 0.0
    while (left := deadline - time.monotonic()) > 0:
        if time.monotonic() >= resend_at:
            asker.tap_write(nwid, request)
            resend_at = time.monotonic() + 1.0
        frame = asker.tap_read(nwid, timeout=min(left, max(0.0, resend_at - time.monotonic())))
        if frame is None:
            continue
        dst, src, ethertype, payload = frames.parse_ethernet(frame)
        if (
            ethertype == frames.ETH_ARP
            and payload[6:8] == b"\x00\x02"
            and payload[14:18] == ipaddress.IPv4Address(target_ip).packed
            and dst == asker_mac
        ):
            return src
    return None


def echo_reply(
    node: OurNode, nwid: int, src_mac: bytes, dst_mac: bytes, src_ip: str, dst_ip: str, timeout: float
) -> bytes | None:
    """Send ICMP echo requests once a second until one is answered; the reply's payload."""
    deadline = time.monotonic() + timeout
    seq = 0
    while time.monotonic() < deadline:
        seq += 1
        request = frames.icmp4_echo(src_ip, dst_ip, 0x4242, seq, b"ping from libzt for python")
        node.tap_write(nwid, frames.ethernet(dst_mac, src_mac, frames.ETH_IPV4, request))
        until = min(deadline, time.monotonic() + 1.0)
        while (left := until - time.monotonic()) > 0:
            frame = node.tap_read(nwid, timeout=left)
            if frame is None:
                break
            _, _, ethertype, packet = frames.parse_ethernet(frame)
            if (
                ethertype == frames.ETH_IPV4
                and packet[9] == 1
                and packet[20] == 0
                and packet[12:16] == ipaddress.IPv4Address(dst_ip).packed
            ):
                return packet[28:]
    return None
