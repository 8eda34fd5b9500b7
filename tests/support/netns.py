"""A throwaway network namespace for tests that need real, non-loopback addresses.

ZeroTier never uses loopback paths, so tests that run nodes (ours or the official
libzt) against each other do it inside a namespace made here::

    with NetNs() as ns:
        ns.run(["ip", "addr"])
        proc = ns.popen([sys.executable, "-c", "..."])

Inside: ``lo`` up, a veth pair with both ends in the namespace (``veth0`` with
10.200.0.1/24 and fd00:200::1/64, ``veth1`` with 10.200.0.2/24 and fd00:200::2/64).
There is no default route and no link to the host, so nothing sent in it can leave
the machine. ``close()`` kills every process still in the namespace (they were all
started by the tests) and deletes it; it runs even when a test fails.

Needs root and iproute2's ``ip``; ``unavailable_reason()`` says why not otherwise.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from typing import Any, Dict, List, Optional, Sequence

NAME_PREFIX = "libzt-test-"


def ip_binary() -> Optional[str]:
    for candidate in (shutil.which("ip"), "/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"):
        if candidate and os.path.exists(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def unavailable_reason() -> Optional[str]:
    """Why a namespace cannot be made here (not root, no ``ip``), or None."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return "network namespace tests need root (ip netns add); run them as root, as CI does"
    if ip_binary() is None:
        return "network namespace tests need iproute2's `ip` command (apt-get install iproute2)"
    return None


def _pid_alive(pid: int) -> bool:
    return os.path.exists(f"/proc/{pid}")


class NetNs:
    """One uniquely named namespace with a veth pair; a context manager."""

    IFACE1 = "veth0"
    IFACE2 = "veth1"
    ADDR1 = "10.200.0.1"
    ADDR2 = "10.200.0.2"
    PREFIX4 = 24
    ADDR1_V6 = "fd00:200::1"
    ADDR2_V6 = "fd00:200::2"
    PREFIX6 = 64

    def __init__(self, name: Optional[str] = None, setup_timeout: float = 10.0) -> None:
        ip = ip_binary()
        if ip is None:
            raise RuntimeError("iproute2's `ip` is not installed")
        self.ip = ip
        self.name = name or f"{NAME_PREFIX}{os.getpid()}-{secrets.token_hex(3)}"
        self.setup_timeout = setup_timeout
        self._procs: List[subprocess.Popen] = []
        self._created = False

    # --- addresses ------------------------------------------------------------------

    @property
    def addrs4(self) -> List[str]:
        return [self.ADDR1, self.ADDR2]

    @property
    def addrs6(self) -> List[str]:
        return [self.ADDR1_V6, self.ADDR2_V6]

    @property
    def cmd_prefix(self) -> List[str]:
        """Prepend to an argv to run it inside the namespace."""
        return [self.ip, "netns", "exec", self.name]

    # --- lifecycle ------------------------------------------------------------------

    def __enter__(self) -> NetNs:
        self.create()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _ip(self, *args: str, timeout: float = 30.0) -> subprocess.CompletedProcess:
        proc = subprocess.run([self.ip, *args], capture_output=True, text=True, timeout=timeout)
        if proc.returncode != 0:
            raise RuntimeError(f"ip {' '.join(args)} failed ({proc.returncode}): {proc.stderr.strip()}")
        return proc

    def create(self) -> None:
        remove_stale_namespaces(self.ip)
        self._ip("netns", "add", self.name)
        self._created = True
        try:
            n = ["-n", self.name]
            self._ip(*n, "link", "set", "lo", "up")
            self._ip(*n, "link", "add", self.IFACE1, "type", "veth", "peer", "name", self.IFACE2)
            self._allow_local_sources()
            for iface, a4, a6 in (
                (self.IFACE1, self.ADDR1, self.ADDR1_V6),
                (self.IFACE2, self.ADDR2, self.ADDR2_V6),
            ):
                self._ip(*n, "addr", "add", f"{a4}/{self.PREFIX4}", "dev", iface)
                self._ip(*n, "-6", "addr", "add", f"{a6}/{self.PREFIX6}", "dev", iface, "nodad")
                self._ip(*n, "link", "set", iface, "up")
            self._wait_ready()
        except BaseException:
            self.close()
            raise

    def _allow_local_sources(self) -> None:
        """Set net.ipv4.conf.*.accept_local=1 inside the namespace.

        Both veth ends live here, so every source address is local. A socket bound
        to one device (libzt binds each UDP socket with SO_BINDTODEVICE) that sends
        to the other end's IPv4 address puts the packet on the wire; it arrives on
        the other end with a local source address and is dropped as a martian
        unless accept_local is set. IPv6 has no such check.
        """
        knobs = [
            f"/proc/sys/net/ipv4/conf/{iface}/accept_local" for iface in ("all", "default", self.IFACE1, self.IFACE2)
        ]
        script = "import sys\nfor p in sys.argv[1:]:\n    open(p, 'w').write('1')\n"
        self.run([sys.executable, "-c", script, *knobs], timeout=30)

    def _state(self) -> List[Dict[str, Any]]:
        out = self._ip("-n", self.name, "-j", "addr", "show").stdout
        return json.loads(out or "[]")

    def _ready(self) -> bool:
        want = {
            self.IFACE1: {self.ADDR1, self.ADDR1_V6},
            self.IFACE2: {self.ADDR2, self.ADDR2_V6},
        }
        links = {link.get("ifname"): link for link in self._state()}
        for iface, addrs in want.items():
            link = links.get(iface)
            if link is None or link.get("operstate") != "UP":
                return False
            usable = {
                a.get("local") for a in link.get("addr_info", []) if not a.get("tentative") and not a.get("dadfailed")
            }
            if not addrs <= usable:
                return False
        return True

    def _wait_ready(self) -> None:
        """Poll until both links are UP and all four addresses are usable (not tentative)."""
        deadline = time.monotonic() + self.setup_timeout
        while not self._ready():
            if time.monotonic() >= deadline:
                raise RuntimeError(f"namespace {self.name} not ready after {self.setup_timeout}s: {self._state()}")
            time.sleep(0.01)

    def pids(self) -> List[int]:
        """Processes currently inside the namespace."""
        proc = subprocess.run([self.ip, "netns", "pids", self.name], capture_output=True, text=True, timeout=30)
        return [int(p) for p in proc.stdout.split() if p.isdigit()]

    def close(self) -> None:
        """Kill what runs in the namespace, then delete it. Idempotent."""
        for proc in self._procs:
            _kill_group(proc)
        self._procs.clear()
        if not self._created:
            return
        # Everything inside was started by the tests; kill leftovers so the
        # namespace really goes away.
        for _ in range(3):
            pids = self.pids()
            if not pids:
                break
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            deadline = time.monotonic() + 5.0
            while any(_pid_alive(p) for p in pids) and time.monotonic() < deadline:
                time.sleep(0.01)
        subprocess.run([self.ip, "netns", "del", self.name], capture_output=True, timeout=30)
        self._created = False

    # --- running things -------------------------------------------------------------

    def run(
        self, argv: Sequence[str], timeout: float = 30.0, check: bool = True, **kwargs: Any
    ) -> subprocess.CompletedProcess:
        """Run argv inside the namespace and wait (text output captured by default)."""
        kwargs.setdefault("capture_output", True)
        kwargs.setdefault("text", True)
        return subprocess.run([*self.cmd_prefix, *argv], timeout=timeout, check=check, **kwargs)

    def popen(self, argv: Sequence[str], **kwargs: Any) -> subprocess.Popen:
        """Start argv inside the namespace in its own process group, with SIGINT at its default (a
        shell ignores it for background commands, such as a CI step started with ``&``, and the
        program would inherit that: Ctrl-C sent by a test would do nothing); killed by close()."""
        kwargs.setdefault("start_new_session", True)
        kwargs.setdefault("preexec_fn", _default_sigint)
        proc = subprocess.Popen([*self.cmd_prefix, *argv], **kwargs)
        self._procs.append(proc)
        return proc


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _kill_group(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            proc.kill()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        pass
    for stream in (proc.stdin, proc.stdout, proc.stderr):
        if stream is not None:
            stream.close()


def remove_stale_namespaces(ip: Optional[str] = None) -> List[str]:
    """Delete namespaces this module made for a test process that no longer exists."""
    ip = ip or ip_binary()
    if ip is None:
        return []
    proc = subprocess.run([ip, "netns", "list"], capture_output=True, text=True, timeout=30)
    removed = []
    for line in proc.stdout.splitlines():
        name = line.split()[0] if line.strip() else ""
        if not name.startswith(NAME_PREFIX):
            continue
        pid = name[len(NAME_PREFIX) :].split("-")[0]
        if pid.isdigit() and not _pid_alive(int(pid)):
            subprocess.run([ip, "netns", "del", name], capture_output=True, timeout=30)
            removed.append(name)
    return removed
