# SPDX-License-Identifier: Apache-2.0
"""The TCP fallback relay: a node whose UDP is blocked entirely (nftables drop on its NAT) still
reaches its root and peers through `libzt relay`, moves TCP data over the virtual network with a
matching SHA-256, and goes back to UDP once UDP is allowed again."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import time
from pathlib import Path

import pytest

from support import nat_lab
from support.nat_lab import NatLab
from support.official import ZTS_EVENT_NETWORK_READY_IP4, expected_bytes, wait_until
from support.worlds import make_planet, start_root_node

pytestmark = [pytest.mark.netns, pytest.mark.slow]

NWID = 0xFF1E000000000001  # ad-hoc: every member gets 30.x.y.z/8 from its address
ROOT_PORT = 29971
PEER_PORT = 29972
RELAY_PORT = 4443
SIZE = 2_000_000
RELAY_AFTER_MS = 3000  # ZeroTier One waits 60 s without UDP from the internet; the test need not
BLOCK_TABLE = "libzt_block_udp"


def block_udp(lab: NatLab) -> None:
    rules = lab.workdir / "block-udp.nft"
    rules.write_text(f"table inet {BLOCK_TABLE} {{\n  chain forward {{\n"
                     "    type filter hook forward priority -10; policy accept;\n    meta l4proto udp drop;\n  }\n}\n")
    lab.run(lab.nat, ["nft", "-f", str(rules)])


def allow_udp(lab: NatLab) -> None:
    lab.run(lab.nat, ["nft", "delete", "table", "inet", BLOCK_TABLE])


@pytest.fixture
def lab(tmp_path: Path):
    reason = nat_lab.unavailable_reason(router=False)
    if reason:
        pytest.skip(reason)
    with NatLab(tmp_path, router=False) as lab:
        yield lab


def start_relay(lab: NatLab) -> subprocess.Popen:
    proc = lab.popen(lab.public, [sys.executable, "-m", "libzt", "relay", "--port", str(RELAY_PORT)],
                     stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert "relay listening" in line, line
    return proc


def test_blocked_udp_goes_through_the_tcp_relay_and_back(lab: NatLab, our_node, tmp_path: Path) -> None:
    start_relay(lab)
    planet = make_planet(tmp_path, [f"{nat_lab.PUBLIC_ADDR}/{ROOT_PORT}"])
    public = lab.prefix(lab.public)
    start_root_node(our_node, public, planet, ROOT_PORT)
    peer = our_node(prefix=public, name="peer")
    peer.init_set_roots(planet.bytes)
    peer.init_set_port(PEER_PORT)
    peer.init_allow_port_mapping(False)
    peer.node_start()

    block_udp(lab)
    home = our_node(prefix=lab.prefix(lab.home), name="home")
    home.init_set_roots(planet.bytes)
    home.init_allow_port_mapping(False)
    home.init_set_tcp_relay(nat_lab.PUBLIC_ADDR, RELAY_PORT)
    home.init_set_tcp_relay_after(RELAY_AFTER_MS)
    home.node_start()
    started = time.monotonic()
    home.wait_online(timeout=60)
    print(f"online through the TCP relay {time.monotonic() - started:.1f}s after start")
    assert home.node_tcp_relay_active() == 1

    for node in (home, peer):
        node.net_join(NWID)
    home.wait_event(ZTS_EVENT_NETWORK_READY_IP4, timeout=30)
    peer.wait_event(ZTS_EVENT_NETWORK_READY_IP4, timeout=30)
    home_ip, peer_ip = home.addr_get_str(NWID, family=4), peer.addr_get_str(NWID, family=4)

    serving = peer.submit("tcp_server", ip="0.0.0.0", port=7400)
    client = home.tcp_client(peer_ip, 7400)
    served = peer.result(serving, "tcp_server", timeout=60)
    assert served["fd"] >= 0 and served["ip"] == home_ip
    receiving = peer.submit("recv_all", fd=served["fd"], close=True)
    began = time.monotonic()
    sent = home.send_bytes(client, SIZE, seed=7, then="close", timeout=180)
    got = peer.result(receiving, "recv_all", timeout=180)
    took = time.monotonic() - began
    assert sent["sent"] == SIZE and sent["error"] is None
    assert (got["len"], got["sha256"]) == (SIZE, hashlib.sha256(expected_bytes(SIZE, 7)).hexdigest())
    print(f"{SIZE / 1e6:.0f} MB over the TCP relay in {took:.2f}s ({SIZE / took / 1e6:.2f} MB/s)")
    assert home.node_tcp_relay_active() == 1

    # UDP works again: the node hears the internet over UDP and leaves the relay.
    allow_udp(lab)
    wait_until(lambda: home.node_tcp_relay_active() == 0, 60, what="the node to leave the TCP relay")
    before = home.node_get_stats()["rx_datagrams"]
    home.node_send_user_message(peer.node_get_id(), 0x10000, b"over UDP again")
    peer.wait_event(300, timeout=20, match={"user_message.peer_id": home.node_get_id()})
    # A user message has no answer: the peer sends one back, and home must receive it (over UDP,
    # the relay still off), so home's datagram count grows for a reason the test controls.
    peer.node_send_user_message(home.node_get_id(), 0x10001, b"and back over UDP")
    back = {"user_message.peer_id": peer.node_get_id(), "user_message.type": 0x10001}
    ev = home.wait_event(300, timeout=20, match=back)
    assert bytes.fromhex(ev["user_message"]["data"]) == b"and back over UDP"
    assert home.node_tcp_relay_active() == 0
    assert home.node_get_stats()["rx_datagrams"] > before


def test_forced_tcp_relay_sends_no_udp(lab: NatLab, our_node, tmp_path: Path) -> None:
    start_relay(lab)
    planet = make_planet(tmp_path, [f"{nat_lab.PUBLIC_ADDR}/{ROOT_PORT}"])
    start_root_node(our_node, lab.prefix(lab.public), planet, ROOT_PORT)
    home = our_node(prefix=lab.prefix(lab.home), name="home")
    home.init_set_roots(planet.bytes)
    home.init_allow_port_mapping(False)
    home.init_set_tcp_relay(nat_lab.PUBLIC_ADDR, RELAY_PORT)
    home.init_force_tcp_relay(True)
    home.node_start()
    started = time.monotonic()
    home.wait_online(timeout=30)  # UDP is open, but a forced node does not use it
    print(f"online through the forced TCP relay {time.monotonic() - started:.2f}s after start")
    assert home.node_tcp_relay_active() == 1
    # The NAT never saw a UDP flow from the home node: everything went over the relay's TCP.
    flows = lab.run(lab.nat, ["cat", "/proc/net/nf_conntrack"]).stdout.splitlines()
    assert [f for f in flows if " tcp " in f and f"src={nat_lab.HOME_ADDR} " in f and f"dport={RELAY_PORT} " in f]
    assert not [f for f in flows if " udp " in f and f"src={nat_lab.HOME_ADDR} " in f], flows
