# SPDX-License-Identifier: Apache-2.0
"""A small simulated internet in three network namespaces, for NAT and port mapping tests::

    [public] br0 44.44.44.1/24 <--> wan0 44.44.44.2/24 [nat] lan0 192.168.77.1/24 <--> lan 192.168.77.2/24 [home]

(``homes=2``: a second NAT and home, 44.44.44.3 and 192.168.78.0/24, on the same public bridge.)

``public`` is "the internet" (a root and outside peers run there), ``nat`` a home router that
masquerades ``home`` behind its WAN address with nftables (letting in from the WAN only answers
to flows started inside, what a port mapping opens, and for a full cone whatever its mappings
admit), and optionally runs Debian's
``miniupnpd`` (UPnP IGD and NAT-PMP) listening on its LAN side only. 44.44.44.0/24 stands for
the internet because miniupnpd refuses private or reserved WAN addresses and ZeroTier only uses
its TCP relay for global ones (it counts 11/8 and other DoD blocks as pseudo-private); nothing
here is routed anywhere else: the namespaces have no link to the host.

``kind`` chooses the NATs' behaviour (RFC 4787 terms):
- ``"port-restricted"``: Linux's masquerade as home routers use it: a flow keeps its source port
  when free, and only answers from the exact address and port a flow went to come back in;
- ``"full-cone"``: the same mapping, but anything sent to a mapped port comes in, from anyone;
- ``"symmetric"``: every flow gets a fresh random port (``masquerade fully-random``), so a port
  learned through one flow is useless to anyone else: hole punching fails.

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

from support.netns import NAME_PREFIX, _kill_group, ip_binary, remove_stale_namespaces

PUBLIC_ADDR = "44.44.44.1"
NAT_WAN_ADDR = "44.44.44.2"
NAT_LAN_ADDR = "192.168.77.1"
HOME_ADDR = "192.168.77.2"
MINIUPNPD = "/usr/sbin/miniupnpd"
TABLE = "libzt_nat"


def wan_addr(i: int) -> str:
    return f"44.44.44.{2 + i}"


def lan_gateway(i: int) -> str:
    return f"192.168.{77 + i}.1"


def home_addr(i: int) -> str:
    return f"192.168.{77 + i}.2"


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


KINDS = ("port-restricted", "full-cone", "symmetric")


def _ruleset(kind: str, home: str) -> str:
    masquerade = "fully-random" if kind == "symmetric" else ""
    # Full cone: a new flow from the WAN to a port goes to the home host at that port (the
    # masquerade kept the home's ports), whoever sends it.
    cone = f'iifname "wan0" meta l4proto udp dnat ip to {home};' if kind == "full-cone" else ""
    cone_forward = "ct status dnat accept;" if kind == "full-cone" else ""
    # The base chains jump to the (initially empty) chains miniupnpd fills with its mappings. From
    # the WAN only answers to flows the home started, and what a mapping opens, come in. Like a
    # home router's firewall, the router itself drops unsolicited UDP from the WAN: a dropped
    # packet leaves no conntrack entry behind, which would otherwise take the very port mapping
    # a hole punch from inside needs (Linux then masquerades that flow to another port).
    return f"""
table inet {TABLE} {{
  chain forward {{
    type filter hook forward priority 0; policy accept;
    ct state established,related accept;
    jump forward_upnp;
    {cone_forward}
    iifname "wan0" drop;
  }}
  chain forward_upnp {{ }}
  chain input {{
    type filter hook input priority 0; policy accept;
    iifname "wan0" ct state new meta l4proto udp drop;
  }}
  chain prerouting {{ type nat hook prerouting priority -100; policy accept; jump prerouting_upnp; {cone} }}
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

    def __init__(self, workdir: Path, kind: str = "port-restricted", router: bool = True, homes: int = 1) -> None:
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}")
        ip = ip_binary()
        if ip is None:
            raise RuntimeError("iproute2's `ip` is not installed")
        self.ip = ip
        self.workdir = workdir
        self.kind = kind
        self.router = router
        tag = f"{os.getpid()}-{secrets.token_hex(2)}"
        self.public = f"{NAME_PREFIX}{tag}-pub"
        # Home i sits behind nats[i] (WAN 44.44.44.2+i, LAN 192.168.77+i.0/24); nat/home are the first.
        self.nats = [f"{NAME_PREFIX}{tag}-nat{i}" for i in range(homes)]
        self.homes = [f"{NAME_PREFIX}{tag}-home{i}" for i in range(homes)]
        self.nat, self.home = self.nats[0], self.homes[0]
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
            for ns in (self.public, *self.nats, *self.homes):
                self._ip("netns", "add", ns)
                self._made.append(ns)
                self._ip("-n", ns, "link", "set", "lo", "up")
            # "The internet": a bridge in public that every NAT's WAN side plugs into.
            self._ip("-n", self.public, "link", "add", "br0", "type", "bridge")
            self._ip("-n", self.public, "addr", "add", f"{PUBLIC_ADDR}/24", "dev", "br0")
            self._ip("-n", self.public, "link", "set", "br0", "up")
            for i, (nat, home) in enumerate(zip(self.nats, self.homes)):
                self._ip("-n", self.public, "link", "add", f"wan{i}", "type", "veth", "peer", "name", "wan0",
                         "netns", nat)
                self._ip("-n", self.public, "link", "set", f"wan{i}", "master", "br0")
                self._ip("-n", self.public, "link", "set", f"wan{i}", "up")
                self._ip("-n", nat, "link", "add", "lan0", "type", "veth", "peer", "name", "lan", "netns", home)
                for ns, dev, addr in (
                    (nat, "wan0", wan_addr(i)),
                    (nat, "lan0", lan_gateway(i)),
                    (home, "lan", home_addr(i)),
                ):
                    self._ip("-n", ns, "addr", "add", f"{addr}/24", "dev", dev)
                    self._ip("-n", ns, "link", "set", dev, "up")
                self._ip("-n", home, "route", "add", "default", "via", lan_gateway(i))
                self.run(nat, ["sysctl", "-q", "-w", "net.ipv4.ip_forward=1"])
                rules = self.workdir / f"nat{i}.nft"
                rules.write_text(_ruleset(self.kind, home_addr(i)))
                self.run(nat, ["nft", "-f", str(rules)])
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
