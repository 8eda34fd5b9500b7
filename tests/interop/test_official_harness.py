"""Smoke tests of the official-libzt harness itself (no code of ours involved)."""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path
from typing import Any, Dict, List

import pytest

from support.netns import NetNs
from support.official import (
    ZTS_DEFAULT_PLANET_ID,
    ZTS_EVENT_ADDR_ADDED_IP6,
    ZTS_EVENT_NETWORK_READY_IP6,
    ZTS_EVENT_NODE_UP,
    ZTS_SOCK_DGRAM,
    OfficialNode,
    adhoc_net_id,
    expected_bytes,
    wait_until,
)

pytestmark = pytest.mark.interop

VECTORS = Path(__file__).resolve().parent.parent / "vectors"


def _identities() -> Dict[str, Any]:
    return json.loads((VECTORS / "identities.json").read_text())


def _keypair(secret: str) -> bytes:
    """pub (64 bytes) || priv (64 bytes) of an identity string addr:0:pub:priv."""
    _, _, pub, priv = secret.split(":")
    return bytes.fromhex(pub) + bytes.fromhex(priv)


def test_official_identity_validation(official_node: Any) -> None:
    node: OfficialNode = official_node(name="ids")
    new = node.id_new()
    secret = new["secret"]
    assert len(secret.split(":")) == 4 and secret.startswith(new["address"] + ":0:")
    assert node.id_pair_is_valid(secret) == 1

    # Change one hex digit of the public key: the address no longer derives from it.
    pos = len(new["address"]) + 3
    flipped = "1" if secret[pos] != "1" else "2"
    tampered = secret[:pos] + flipped + secret[pos + 1 :]
    assert node.id_pair_is_valid(tampered) == 0

    vectors = _identities()
    assert len(vectors["identities"]) >= 1
    for ident in vectors["identities"]:
        assert node.id_pair_is_valid(ident["secret"]) == 1, ident["address"]
    for bad in vectors["rejected"]:
        assert node.id_pair_is_valid(bad["secret"]) == 0, bad["why"]


def test_official_signs_world_vector(official_node: Any) -> None:
    """util_sign_root_set with known keys rebuilds the stored world byte for byte."""
    spec = json.loads((VECTORS / "world_two_roots.json").read_text())
    ids = _identities()["identities"]
    node: OfficialNode = official_node(name="world")
    out = node.util_sign_root_set(
        [{"identity": r["identity"], "endpoints": r["stable_endpoints"]} for r in spec["roots"]],
        world_id=spec["id"],
        ts=spec["timestamp_ms"],
        previous=_keypair(ids[0]["secret"]),
        current=_keypair(ids[1]["secret"]),
    )
    assert out["world"] == (VECTORS / spec["file"]).read_bytes()
    assert out["previous"] == _keypair(ids[0]["secret"])
    assert out["current"] == _keypair(ids[1]["secret"])


def _udp_ports(netns: NetNs) -> List[str]:
    """Local addresses of UDP sockets bound in the namespace, e.g. '10.200.0.1:29994'.

    ss prints sockets bound to a device as '10.200.0.1%veth0:29994'; the device is dropped.
    """
    out = netns.run(["ss", "-H", "-u", "-a", "-n"], timeout=10).stdout
    found = []
    for line in out.splitlines():
        fields = line.split()
        if len(fields) > 3:
            addr, _, port = fields[3].rpartition(":")
            found.append(f"{addr.split('%')[0]}:{port}")
    return found


@pytest.mark.netns
def test_official_nodes_online_in_netns(official_node: Any, netns: NetNs) -> None:
    started = time.monotonic()
    a: OfficialNode = official_node(netns.cmd_prefix, name="a")
    b: OfficialNode = official_node(netns.cmd_prefix, name="b")

    # A planet of our own naming a (not running) root in the namespace, so the nodes
    # never look for ZeroTier's public roots; the namespace has no way out anyway.
    root = a.id_new()
    world_id = 0x7E57_0001
    assert world_id != ZTS_DEFAULT_PLANET_ID
    world = a.util_sign_root_set(
        [{"identity": root["public"], "endpoints": [f"{netns.ADDR1}/29993"]}],
        world_id=world_id,
        ts=1_700_000_000_000,
    )["world"]

    ident_a = _identities()["identities"][4]
    port_a, port_b = 29994, 29995
    storage_b = b.workdir / "zt-home"

    a.init_from_memory(ident_a["secret"])
    b.init_from_storage(storage_b)
    for node, port in ((a, port_a), (b, port_b)):
        node.init_set_roots(world)
        node.init_set_port(port)
        node.init_allow_port_mapping(False)
        node.init_allow_secondary_port(False)
        node.node_start()

    up_a = a.wait_event(ZTS_EVENT_NODE_UP, timeout=10)
    up_b = b.wait_event(ZTS_EVENT_NODE_UP, timeout=10)
    # NODE_UP fires inside the core's constructor, before libzt knows the address:
    # its node_id is 0 in 1.8.4. The ports are right.
    assert up_a["node"]["port_primary"] == port_a
    assert up_b["node"]["port_primary"] == port_b

    assert a.node_get_port() == port_a
    assert b.node_get_port() == port_b
    assert a.node_get_id() == ident_a["address"]
    assert a.node_get_id_pair() == ident_a["secret"]

    # b made its identity and stored it in its home directory.
    id_b = b.node_get_id()
    secret_b = b.node_get_id_pair()
    assert secret_b.startswith(id_b + ":0:") and b.id_pair_is_valid(secret_b) == 1
    public_file = storage_b / "identity.public"
    wait_until(public_file.exists, timeout=10, what=f"{public_file} written")
    assert public_file.read_text().strip() == ":".join(secret_b.split(":")[:3])

    # The primary ports really are bound on the namespace's addresses.
    def bound() -> bool:
        ports = _udp_ports(netns)
        return f"{netns.ADDR1}:{port_a}" in ports and f"{netns.ADDR2}:{port_b}" in ports

    wait_until(bound, timeout=10, what="UDP ports bound in the namespace")
    assert time.monotonic() - started < 15


@pytest.mark.netns
@pytest.mark.slow
def test_official_tcp_and_udp_over_adhoc_network(official_node: Any, netns: NetNs) -> None:
    """Three official nodes, no code of ours: one listed in the planet acts as the root,
    the two others join an ad-hoc network (IPv6 only, no controller) and exchange 10 MB
    over TCP and a datagram over UDP. Proves the harness's socket commands end to end,
    and that its IPv6 workaround is in place (without it libzt 1.8.4 corrupts memory
    or stalls on IPv6 TCP; see official_worker.Worker.fix_ipv6_input)."""
    started = time.monotonic()
    root: OfficialNode = official_node(netns.cmd_prefix, name="root")
    a: OfficialNode = official_node(netns.cmd_prefix, name="a")
    b: OfficialNode = official_node(netns.cmd_prefix, name="b")

    root_id = root.id_new()
    root_port = 29993
    world = root.util_sign_root_set(
        [{"identity": root_id["public"], "endpoints": [f"{netns.ADDR1}/{root_port}"]}],
        world_id=0x7E57_0002,
        ts=1_700_000_000_000,
    )["world"]
    root.init_from_memory(root_id["secret"])
    for node, port in ((root, root_port), (a, 29996), (b, 29997)):
        node.init_set_roots(world)
        node.init_set_port(port)
        node.init_allow_port_mapping(False)
        node.init_allow_secondary_port(False)
    root.node_start()
    # Start the leaves once the root listens, or their first HELLO is lost and they
    # only retry on the next 5 s tick.
    wait_until(lambda: f"{netns.ADDR1}:{root_port}" in _udp_ports(netns), timeout=10, what="root port bound")
    a.node_start()
    b.node_start()
    for node in (a, b):
        node.wait_online(timeout=20)  # the official node retries its root every 5 s

    nwid = adhoc_net_id(5000, 6000)
    a.net_join(nwid)
    b.net_join(nwid)
    ready = [n.submit("wait_event", code=ZTS_EVENT_NETWORK_READY_IP6, seconds=20) for n in (a, b)]
    for node, fut in zip((a, b), ready):
        assert node.result(fut, "wait_event", timeout=30) is not None, f"{node.name}: no NETWORK_READY_IP6"
    for node in (a, b):
        added = node.wait_event(ZTS_EVENT_ADDR_ADDED_IP6, timeout=5)
        assert added.get("ipv6_input_fixed") == 1, f"{node.name}: IPv6 netif not patched: {added}"
    ip_a = a.addr_get_str(nwid, family=6)
    assert ip_a and ip_a.lower().startswith("fc"), ip_a  # 6PLANE address
    assert a.net_transport_is_ready(nwid) == 1

    # TCP: b sends 10 MB to a; both sides hash inside their workers.
    server = a.bsd_socket(6)
    a.bind(server, "::", 5555)
    a.listen(server)
    accepting = a.submit("accept", fd=server)
    client = b.bsd_socket(6)
    b.connect(client, ip_a, 5555, timeout_ms=15000)
    conn = a.result(accepting, "accept", timeout=20)
    assert conn["fd"] >= 0 and conn["ip"].lower() == str(b.addr_get_str(nwid, family=6)).lower()
    receiving = a.submit("recv_all", fd=conn["fd"], close=True)
    size, seed = 10_000_000, 7
    sent = b.send_bytes(client, size, seed=seed, then="close", timeout=60)
    got = a.result(receiving, "recv_all", timeout=60)
    want = hashlib.sha256(expected_bytes(size, seed)).hexdigest()
    assert sent["sent"] == size and sent["error"] is None
    assert (got["len"], got["sha256"]) == (size, want) and sent["sha256"] == want
    a.close_fd(server)

    # UDP: a datagram from b to a (retried: the first may race path setup).
    usock = a.bsd_socket(6, type=ZTS_SOCK_DGRAM)
    a.bind(usock, "::", 5556)
    a.set_recv_timeout(usock, 1)
    bsock = b.bsd_socket(6, type=ZTS_SOCK_DGRAM)
    for _ in range(5):
        b.bsd_sendto(bsock, b"ping over zt", ip_a, 5556)
        msg = a.bsd_recvfrom(usock, 1500, timeout=10)
        if msg["ret"] > 0:
            break
    assert msg["data"] == b"ping over zt"
    assert msg["ip"].lower() == str(b.addr_get_str(nwid, family=6)).lower()
    assert time.monotonic() - started < 40
