# SPDX-License-Identifier: Apache-2.0
"""A small simulated internet in three network namespaces, for NAT and port mapping tests::

    [public] wan 44.44.44.1/24 <--> wan0 44.44.44.2/24 [nat] lan0 192.168.77.1/24 <--> lan 192.168.77.2/24 [home]

``public`` is "the internet" (a root and outside peers run there), ``nat`` a home router that
masquerades ``home`` behind its WAN address with nftables (letting in from the WAN only answers
to flows started inside, and what a port mapping opens), and optionally runs Debian's
``miniupnpd`` (UPnP IGD and NAT-PMP) listening on its LAN side only. 44.44.44.0/24 stands for
the internet because miniupnpd refuses private or reserved WAN addresses and ZeroTier only uses
its TCP relay for global ones (it counts 11/8 and other DoD blocks as pseudo-private); nothing
here is routed anywhere else: the namespaces have no link to the host. ``masquerade`` chooses the NAT's port behaviour:
``"fully-random"`` gives every flow a fresh random port (a symmetric NAT: hole punching fails,
only a mapping lets the outside in), ``""`` the kernel's default (port-preserving, as home
routers do: a flow from inside keeps its port when it is free).

Needs root, iproute2, nftables (``nft``) and, for the router, ``miniupnpd`` (package
miniupnpd-nftables).
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import time
from pathlib import Path
from typing import List, Optional, Sequence

from netns import NAME_PREFIX, _kill_group, ip_binary, remove_stale_namespaces

PUBLIC_ADDR = "44.44.44.1"
NAT_WAN_ADDR = "44.44.44.2"
NAT_LAN_ADDR = "192.168.77.1"
HOME_ADDR = "192.168.77.2"
MINIUPNPD = "/usr/sbin/miniupnpd"
TABLE = "libzt_nat"


def unavailable_reason(router: bool = False) -> Optional[str]:
    if os.geteuid() != 0:
        return "NAT tests need root (network namespaces, nftables)"
    if ip_binary() is None:
        return "NAT tests need iproute2's `ip`"
    if shutil.which("nft") is None:
        return "NAT tests need nftables (apt-get install nftables)"
    if router and not os.access(MINIUPNPD, os.X_OK):
        return "the port mapping test needs miniupnpd (apt-get install miniupnpd-nftables)"
    return None


def _ruleset(masquerade: str) -> str:
    # The base chains jump to the (initially empty) chains miniupnpd fills with its mappings. From
    # the WAN only answers to flows the home started, and what a mapping opens, come in.
    return f"""
table inet {TABLE} {{
  chain forward {{
    type filter hook forward priority 0; policy accept;
    ct state established,related accept;
    jump forward_upnp;
    iifname "wan0" drop;
  }}
  chain forward_upnp {{ }}
  chain prerouting {{ type nat hook prerouting priority -100; policy accept; jump prerouting_upnp; }}
  chain prerouting_upnp {{ }}
  chain postrouting {{
    type nat hook postrouting priority 100; policy accept;
    jump postrouting_upnp;
    oifname "wan0" masquerade {masquerade};
  }}
  chain postrouting_upnp {{ }}
}}
"""


def _miniupnpd_conf() -> str:
    return "\n".join(
        [
            "ext_ifname=wan0",
            "listening_ip=lan0",
            "enable_natpmp=yes",
            "enable_upnp=yes",
            "secure_mode=yes",
            "system_uptime=yes",
            f"uuid=6c69627a-7400-4000-8000-{secrets.token_hex(6)}",
            f"upnp_table_name={TABLE}",
            f"upnp_nat_table_name={TABLE}",
            "upnp_forward_chain=forward_upnp",
            "upnp_nat_chain=prerouting_upnp",
            "upnp_nat_postrouting_chain=postrouting_upnp",
            "allow 1024-65535 192.168.77.0/24 1024-65535",
            "deny 0-65535 0.0.0.0/0 0-65535",
            "",
        ]
    )


class NatLab:
    """The three namespaces; a context manager. ``router=True`` starts miniupnpd in ``nat``."""

    def __init__(self, workdir: Path, masquerade: str = "", router: bool = True) -> None:
        ip = ip_binary()
        if ip is None:
            raise RuntimeError("iproute2's `ip` is not installed")
        self.ip = ip
        self.workdir = workdir
        self.masquerade = masquerade
        self.router = router
        tag = f"{os.getpid()}-{secrets.token_hex(2)}"
        self.public, self.nat, self.home = (f"{NAME_PREFIX}{tag}-{n}" for n in ("pub", "nat", "home"))
        self._procs: List[subprocess.Popen] = []
        self._made: List[str] = []
        self.miniupnpd: Optional[subprocess.Popen] = None

    def prefix(self, ns: str) -> List[str]:
        return [self.ip, "netns", "exec", ns]

    def _ip(self, *args: str) -> None:
        proc = subprocess.run([self.ip, *args], capture_output=True, text=True, timeout=30)
        if proc.returncode != 0:
            raise RuntimeError(f"ip {' '.join(args)} failed: {proc.stderr.strip()}")

    def run(self, ns: str, argv: Sequence[str], check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run([*self.prefix(ns), *argv], capture_output=True, text=True, timeout=60, check=check)

    def __enter__(self) -> NatLab:
        remove_stale_namespaces(self.ip)
        try:
            for ns in (self.public, self.nat, self.home):
                self._ip("netns", "add", ns)
                self._made.append(ns)
                self._ip("-n", ns, "link", "set", "lo", "up")
            self._ip("-n", self.public, "link", "add", "wan", "type", "veth", "peer", "name", "wan0", "netns", self.nat)
            self._ip("-n", self.nat, "link", "add", "lan0", "type", "veth", "peer", "name", "lan", "netns", self.home)
            for ns, dev, addr in (
                (self.public, "wan", PUBLIC_ADDR),
                (self.nat, "wan0", NAT_WAN_ADDR),
                (self.nat, "lan0", NAT_LAN_ADDR),
                (self.home, "lan", HOME_ADDR),
            ):
                self._ip("-n", ns, "addr", "add", f"{addr}/24", "dev", dev)
                self._ip("-n", ns, "link", "set", dev, "up")
            self._ip("-n", self.home, "route", "add", "default", "via", NAT_LAN_ADDR)
            self.run(self.nat, ["sysctl", "-q", "-w", "net.ipv4.ip_forward=1"])
            rules = self.workdir / "nat.nft"
            rules.write_text(_ruleset(self.masquerade))
            self.run(self.nat, ["nft", "-f", str(rules)])
            if self.router:
                self._start_miniupnpd()
        except BaseException:
            self.close()
            raise
        return self

    def _start_miniupnpd(self) -> None:
        conf = self.workdir / "miniupnpd.conf"
        conf.write_text(_miniupnpd_conf())
        self.miniupnpd_log = self.workdir / "miniupnpd.log"
        with open(self.miniupnpd_log, "w") as log:
            self.miniupnpd = subprocess.Popen(
                [*self.prefix(self.nat), MINIUPNPD, "-d", "-f", str(conf), "-P", str(self.workdir / "miniupnpd.pid")],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        self._procs.append(self.miniupnpd)
        # Ready once it answers NAT-PMP on the LAN side.
        deadline = time.monotonic() + 20
        while "Listening for NAT-PMP" not in self.miniupnpd_log.read_text():
            if self.miniupnpd.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"miniupnpd did not start: {self.miniupnpd_log.read_text()}")
            time.sleep(0.05)

    def mappings(self) -> str:
        """The router's UDP forwarding rules (what miniupnpd added to its nftables chain)."""
        return self.run(self.nat, ["nft", "list", "chain", "inet", TABLE, "prerouting_upnp"]).stdout

    def popen(self, ns: str, argv: Sequence[str], **kwargs: object) -> subprocess.Popen:
        proc = subprocess.Popen([*self.prefix(ns), *argv], start_new_session=True, **kwargs)  # type: ignore[call-overload]
        self._procs.append(proc)
        return proc

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        for proc in self._procs:
            _kill_group(proc)
        self._procs.clear()
        for ns in self._made:
            pids = subprocess.run([self.ip, "netns", "pids", ns], capture_output=True, text=True).stdout.split()
            for pid in pids:
                try:
                    os.kill(int(pid), 9)
                except (ProcessLookupError, ValueError):
                    pass
            subprocess.run([self.ip, "netns", "del", ns], capture_output=True, timeout=30)
        self._made.clear()
