"""The test network namespace (tests/support/netns.py) itself."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from support.netns import NetNs, unavailable_reason
from support.official import wait_until

pytestmark = pytest.mark.netns

# Sends one datagram between every pair of local addresses, with and without
# SO_BINDTODEVICE on each side (libzt binds its UDP sockets to their device).
UDP_MATRIX = r"""
import itertools, json, socket, sys
ends = json.loads(sys.argv[1])
results = {}
for fam_name, pairs in ends.items():
    fam = socket.AF_INET if fam_name == "4" else socket.AF_INET6
    for (src_ip, src_dev), (dst_ip, dst_dev) in itertools.product(pairs, repeat=2):
        for bind_src, bind_dst in itertools.product((False, True), repeat=2):
            rx = socket.socket(fam, socket.SOCK_DGRAM)
            tx = socket.socket(fam, socket.SOCK_DGRAM)
            if bind_dst:
                rx.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, dst_dev.encode())
            if bind_src:
                tx.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, src_dev.encode())
            rx.bind((dst_ip, 0))
            tx.bind((src_ip, 0))
            rx.settimeout(2.0)
            tx.sendto(b"x", (dst_ip, rx.getsockname()[1]))
            try:
                ok = rx.recvfrom(16)[0] == b"x"
            except socket.timeout:
                ok = False
            key = f"{src_ip}{'%' + src_dev if bind_src else ''} -> {dst_ip}{'%' + dst_dev if bind_dst else ''}"
            results[key] = ok
            rx.close()
            tx.close()
print(json.dumps(results))
"""


def test_namespace_layout(netns: NetNs) -> None:
    links = {link["ifname"]: link for link in json.loads(netns.run([netns.ip, "-j", "addr", "show"]).stdout)}
    assert links["lo"]["operstate"] in ("UNKNOWN", "UP")
    for iface, a4, a6 in (
        (netns.IFACE1, netns.ADDR1, netns.ADDR1_V6),
        (netns.IFACE2, netns.ADDR2, netns.ADDR2_V6),
    ):
        link = links[iface]
        assert link["operstate"] == "UP"
        addrs = {(a["local"], a["prefixlen"]) for a in link["addr_info"] if not a.get("tentative")}
        assert (a4, netns.PREFIX4) in addrs and (a6, netns.PREFIX6) in addrs
    routes = netns.run([netns.ip, "route", "show", "default"]).stdout.strip()
    assert routes == "", "the namespace must have no way out"


def test_udp_between_all_local_addresses(netns: NetNs) -> None:
    ends = {
        "4": [[netns.ADDR1, netns.IFACE1], [netns.ADDR2, netns.IFACE2]],
        "6": [[netns.ADDR1_V6, netns.IFACE1], [netns.ADDR2_V6, netns.IFACE2]],
    }
    out = netns.run([sys.executable, "-c", UDP_MATRIX, json.dumps(ends)], timeout=60).stdout
    results = json.loads(out)
    assert len(results) == 2 * 4 * 4
    assert [k for k, ok in results.items() if not ok] == []


def test_close_kills_processes_and_deletes_namespace() -> None:
    reason = unavailable_reason()
    if reason:
        pytest.skip(reason)
    ns = NetNs()
    ns.create()
    try:
        proc = ns.popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
        # `ip netns exec` enters the namespace, then execs: poll until it has.
        wait_until(lambda: proc.pid in ns.pids(), timeout=10, what="process inside the namespace")
    finally:
        ns.close()
    assert proc.poll() is not None
    listed = subprocess.run([ns.ip, "netns", "list"], capture_output=True, text=True, timeout=30).stdout
    assert ns.name not in listed.split()
