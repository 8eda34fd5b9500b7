# SPDX-License-Identifier: Apache-2.0
"""libzt.ZeroTierNode in this very process, against a root and a peer in other processes, all on
loopback (allowed explicitly: ZeroTier itself never uses loopback paths)."""
from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Iterator

import pytest
from libzt._native import ffi, lib

import libzt
from libzt import EventCode, ZeroTierNode
from support import stalled_disk
from support.official import OurNode, wait_until
from support.worlds import Planet, RootServer, free_udp_port, make_planet

APP_TYPE = 0x10000


@pytest.fixture(scope="module")
def loopback_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Planet]:
    planet = make_planet(tmp_path_factory.mktemp("world"), [f"127.0.0.1/{free_udp_port()}"])
    with RootServer(planet, extra=["--allow-loopback"]):
        yield planet


@pytest.fixture
def peer(our_node, loopback_world: Planet) -> OurNode:
    node = our_node(name="peer")
    node.init_set_roots(loopback_world.bytes)
    node.init_allow_loopback_paths(True)
    node.node_start()
    node.wait_online(timeout=30)
    return node


def start_local(planet: Planet, **kwargs: object) -> ZeroTierNode:
    node = ZeroTierNode(roots=planet.world, allow_loopback=True, **kwargs)
    node.start()
    return node


def test_lifecycle_properties_and_events(loopback_world: Planet, tmp_path: Path) -> None:
    storage = tmp_path / "node"
    port = free_udp_port()  # the machine's, shared with any other test run: not a fixed one
    with ZeroTierNode(storage=storage, roots=loopback_world.world, allow_loopback=True, port=port) as node:
        node.wait_online(timeout=30)  # milliseconds when idle; generous for a loaded machine
        assert node.online and node.running
        assert node.port == port
        ident = node.identity
        assert ident.has_secret and ident.validate() and ident.address == node.address
        assert node.id == ident.node_id
        codes = [ev.code for ev in node.events(timeout=0.2)]
        assert EventCode.NODE_UP in codes and EventCode.NODE_ONLINE in codes
        assert codes.index(EventCode.NODE_UP) < codes.index(EventCode.NODE_ONLINE)
        roots = [p for p in node.peers() if p.role is libzt.PeerRole.PLANET]
        assert [r.node_id for r in roots] == [loopback_world.root_id.node_id]
        assert roots[0].direct and roots[0].paths[0].address == "127.0.0.1"
        with pytest.raises(libzt.ServiceError, match="another ZeroTierNode"):
            ZeroTierNode(roots=loopback_world.world).start()
    assert not node.running and not node.online
    with pytest.raises(libzt.ServiceError):
        _ = node.port
    # ZeroTier's storage layout, with the secret readable by its owner only.
    secret = storage / "identity.secret"
    assert secret.read_text() == ident.secret
    assert (storage / "identity.public").read_text() == ident.public
    assert stat.S_IMODE(os.stat(secret).st_mode) == 0o600
    assert libzt.World.load(storage / "roots") == loopback_world.world
    # The same storage gives the same identity on the next start.
    with ZeroTierNode(storage=storage, roots=loopback_world.world, allow_loopback=True) as again:
        assert again.identity == ident


def test_messages_hooks_and_ping(loopback_world: Planet, peer: OurNode) -> None:
    node = start_local(loopback_world)
    try:
        node.wait_online(timeout=30)
        received = threading.Event()
        got: list[tuple[int, int, bytes]] = []

        @node.on_user_message
        def hook(peer_id: int, msg_type: int, data: bytes) -> None:
            got.append((peer_id, msg_type, data))
            received.set()

        peer_id = peer.node_get_id()
        node.send_user_message(peer_id, APP_TYPE, b"to the peer")
        ev = peer.wait_event(300, timeout=30, match={"user_message.peer_id": node.address})
        assert bytes.fromhex(ev["user_message"]["data"]) == b"to the peer"
        peer.node_send_user_message(node.address, APP_TYPE + 1, b"back")
        assert received.wait(30)
        assert got == [(int(peer_id, 16), APP_TYPE + 1, b"back")]
        rtt = node.ping(peer_id, timeout=30)
        assert 0 <= rtt < 1000
        info = node.peer(peer_id)
        assert info is not None and info.version == (1, 12, 0)
    finally:
        node.stop()


def test_bad_arguments_raise_clear_errors(loopback_world: Planet) -> None:
    with pytest.raises(libzt.ArgumentError, match="port"):
        ZeroTierNode(port=70000)
    with pytest.raises(libzt.ArgumentError, match="secret"):
        ZeroTierNode(identity=libzt.Identity.generate().public)
    with pytest.raises(libzt.IdentityError):
        ZeroTierNode(identity="not an identity")
    node = start_local(loopback_world)
    try:
        for bad in ("xyz", "12345", 0, -1, 2**40, True):
            with pytest.raises(libzt.ArgumentError):
                node.send_user_message(bad, APP_TYPE, b"")  # type: ignore[arg-type]
        with pytest.raises(libzt.ArgumentError, match="ourselves"):
            node.send_user_message(node.address, APP_TYPE, b"")
        with pytest.raises(libzt.ArgumentError, match="16384"):
            node.send_user_message("0123456789", APP_TYPE, bytes(20000))
        with pytest.raises(TimeoutError):
            node.ping("0123456789", timeout=0.5)  # nobody has that address
    finally:
        node.stop()


def test_c_api_follows_libzts_rules(loopback_world: Planet) -> None:
    assert lib.zts_node_get_port() == lib.ZTS_ERR_SERVICE  # not running
    assert lib.zts_node_stop() == lib.ZTS_ERR_SERVICE
    assert lib.zts_node_is_online() == 0
    assert lib.zts_init_from_memory(b"garbage", 7) == lib.ZTS_ERR_ARG
    assert lib.zts_init_set_roots(b"\x01" + bytes(10), 11) == lib.ZTS_ERR_ARG
    assert lib.zts_init_set_random_port_range(2000, 1000) == lib.ZTS_ERR_ARG
    node = start_local(loopback_world)
    try:
        node.wait_online(timeout=30)
        # zts_init_* only while the node is stopped.
        assert lib.zts_init_set_port(1234) == lib.ZTS_ERR_SERVICE
        assert lib.zts_init_from_storage(b"/tmp") == lib.ZTS_ERR_SERVICE
        assert lib.zts_node_start() == lib.ZTS_ERR_SERVICE
        assert lib.zts_node_get_port() == node.port
        assert lib.zts_node_get_id() == node.id
        # One path to the root per bound local port: the primary, and the secondary and port-mapping
        # ports when the node bound them (a datagram to an endpoint leaves from every port).
        ports = ffi.new("unsigned short[3]")
        assert lib.ztx_node_get_ports(ports, ports + 1, ports + 2) == lib.ZTS_ERR_OK
        bound = {p for p in ports if p != 0}
        assert ports[0] == node.port and len(bound) == len([p for p in ports if p != 0])
        root = loopback_world.root_id.node_id
        # Online needs only the first answer; the other ports' OK(HELLO)s may still be on the way.
        wait_until(lambda: lib.zts_core_query_path_count(root) >= len(bound), 30, what="a root path per port")
        assert lib.zts_core_query_path_count(root) == len(bound)
        assert lib.zts_core_query_path_count(0x0123456789) == lib.ZTS_ERR_NO_RESULT
        # The MAC as text: C's zts_net_get_mac_str and Python's formatting of the number agree.
        nwid = lib.zts_net_compute_adhoc_id(11000, 11000)
        assert lib.zts_net_join(nwid) == lib.ZTS_ERR_OK
        text = ffi.new("char[]", lib.ZTS_MAC_ADDRSTRLEN)
        assert lib.zts_net_get_mac_str(nwid, text, lib.ZTS_MAC_ADDRSTRLEN - 1) == lib.ZTS_ERR_ARG
        assert lib.zts_net_get_mac_str(nwid, text, lib.ZTS_MAC_ADDRSTRLEN) == lib.ZTS_ERR_OK
        mac = ffi.string(text).decode()
        assert mac == node.network(nwid).mac and len(mac) == 17 and mac[:2] != "00"
    finally:
        node.stop()


def ping_until_answered(node: ZeroTierNode, peer_id: str, within: float = 30) -> int:
    """ECHO every 5 s until one is answered: ping sends one ECHO, and a datagram can be lost (a
    root relays only over a path it has confirmed, which can lag a moment behind a node coming
    online, as in ZeroTier One), so a single ECHO passes or fails with the machine's load."""
    deadline = time.monotonic() + within
    while True:
        try:
            return node.ping(peer_id, timeout=min(5.0, max(0.1, deadline - time.monotonic())))
        except TimeoutError:
            if time.monotonic() >= deadline:
                raise


def test_peer_cache_survives_a_restart(loopback_world: Planet, peer: OurNode, tmp_path: Path) -> None:
    storage = tmp_path / "cached"
    peer_id = peer.node_get_id()
    with ZeroTierNode(storage=storage, roots=loopback_world.world, allow_loopback=True, peer_cache=True) as node:
        node.wait_online(timeout=30)
        ping_until_answered(node, peer_id)
        node.wait_for(EventCode.PEER_DIRECT, timeout=10, predicate=lambda e: e.peer.address == peer_id)
        store = node.wait_for(EventCode.STORE_PEER, timeout=30)
        assert store.data[:5] == bytes.fromhex(peer_id)
    record = storage / "peers.d" / f"{peer_id}.peer"
    assert record.is_file() and stat.S_IMODE(os.stat(record).st_mode) == 0o600
    # Restarted, the node knows the peer from its cache: no WHOIS needed to reach it.
    with ZeroTierNode(storage=storage, roots=loopback_world.world, allow_loopback=True, peer_cache=True) as node:
        assert node.peer(peer_id) is not None
        node.wait_online(timeout=30)
        assert ping_until_answered(node, peer_id) >= 0



def test_a_stalled_disk_stalls_no_packet(loopback_world: Planet, peer: OurNode, tmp_path: Path) -> None:
    """The node learns a peer worth caching while its storage's disk is frozen (every write blocks
    until it thaws). Writing the cache must not hold up the thread that learnt it: the node goes on
    answering and reaching the peer, and the record reaches the disk once it thaws."""
    peer_id = peer.node_get_id()
    with stalled_disk.own_filesystem(tmp_path) as disk:
        storage = disk / "node"
        record = storage / "peers.d" / f"{peer_id}.peer"
        with ZeroTierNode(storage=storage, roots=loopback_world.world, allow_loopback=True, peer_cache=True) as node:
            node.wait_online(timeout=30)
            with stalled_disk.frozen(disk):
                # Through the peer and events only until the record is queued: were the thread that
                # learnt the path stuck in the write, with the node lock, a call into the node would
                # wait for it, and a test of this would hang instead of failing.
                peer.ping_until_answered(node.address, b"there")
                node.wait_for(EventCode.PEER_DIRECT, timeout=30, predicate=lambda e: e.peer.address == peer_id)
                store = node.wait_for(EventCode.STORE_PEER, timeout=30)
                assert store.data[:5] == bytes.fromhex(peer_id)
                assert not record.exists()  # queued, not written: the disk really is stalled
                for _ in range(3):
                    peer.ping_until_answered(node.address, b"still there")
                    assert ping_until_answered(node, peer_id) >= 0
            # Thawed, the node stops, which waits for what was queued.
        assert record.is_file() and stat.S_IMODE(os.stat(record).st_mode) == 0o600
        assert record.read_bytes()[:5] == bytes.fromhex(peer_id)


# A process that stops its node (or leaves it running) and exits at once, with an event callback
# still busy with the stop's last event: the exit must not meet a delivery into an interpreter that
# is shutting down (it hung now and then before stop() waited for the delivery).
EXITING = """
import sys, threading, time
import libzt
node = libzt.ZeroTierNode(roots=libzt.World.load(sys.argv[1]), allow_loopback=True)
def slow(event):
    if event.code is libzt.EventCode.NODE_DOWN:
        time.sleep(0.3)
        print("handled", event.code.name, flush=True)
node.add_event_callback(slow)
node.start()
node.wait_online(timeout=30)
if sys.argv[2] == "stop":
    node.stop()
    down = [e.code.name for e in node.events(timeout=0) if e.code is libzt.EventCode.NODE_DOWN]
    print("after stop", down, flush=True)
"""


@pytest.mark.parametrize("how", ["stop", "exit"])
def test_a_process_exits_at_once_after_its_node(loopback_world: Planet, tmp_path: Path, how: str) -> None:
    script = tmp_path / "exiting.py"
    script.write_text(EXITING)
    proc = subprocess.run([sys.executable, str(script), str(loopback_world.path), how],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert "handled NODE_DOWN" in lines, proc.stdout  # delivered before the interpreter went
    if how == "stop":
        assert lines.index("handled NODE_DOWN") < lines.index("after stop ['NODE_DOWN']"), proc.stdout


THREAD_MASKS = """
import signal, subprocess, sys, threading, time
from pathlib import Path
import libzt

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def blocks_stop_signals(status_text):
    status = dict(line.split(":\\t", 1) for line in status_text.splitlines() if ":\\t" in line)
    return status["Name"], all(int(status["SigBlk"], 16) >> (s - 1) & 1 for s in STOP_SIGNALS)


in_handler = threading.Event()
seen = {}


def on_event(ev):
    if not in_handler.is_set():  # the event thread, running the application's handler
        seen["inside-handler"] = blocks_stop_signals(Path("/proc/thread-self/status").read_text())[1]
        out = subprocess.run(["cat", "/proc/self/status"], capture_output=True, text=True, check=True).stdout
        seen["child-of-handler"] = blocks_stop_signals(out)[1]
        in_handler.set()


node = libzt.ZeroTierNode(roots=libzt.World.load(sys.argv[1]), allow_loopback=True)
node.add_event_callback(on_event)
with node:
    node.wait_online(timeout=60)
    assert in_handler.wait(60)
    for what, blocks in seen.items():
        print(what, blocks)
    python_threads = {t.native_id for t in threading.enumerate()}
    for task in sorted(Path("/proc/self/task").iterdir()):
        if int(task.name) in python_threads:
            continue
        name, blocks = blocks_stop_signals((task / "status").read_text())
        # The event thread has the application's mask while it runs a handler (above): look again
        # until it is between two events.
        deadline = time.monotonic() + 30
        while name == "zt-events" and not blocks and time.monotonic() < deadline:
            time.sleep(0.01)
            name, blocks = blocks_stop_signals((task / "status").read_text())
        print(name, blocks)
"""


def test_the_librarys_own_threads_leave_signals_to_the_applications(loopback_world: Planet, tmp_path: Path) -> None:
    # The kernel hands a signal sent to the process to any thread that does not block it; Python runs
    # handlers in the main thread and is not woken when another thread took it (Ctrl-C unanswered).
    script = tmp_path / "masks.py"
    script.write_text(THREAD_MASKS)
    proc = subprocess.run([sys.executable, str(script), str(loopback_world.path)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    (_, inside_handler), (_, child_of_handler), *threads = [line.rsplit(" ", 1) for line in proc.stdout.splitlines()]
    assert {"zt-core", "zt-events"} <= {name for name, _ in threads}, proc.stdout
    assert all(blocks == "True" for _, blocks in threads), proc.stdout
    # While it runs the application's handler, the event thread has the application's mask, and a
    # process started there gets it too (with SIGTERM blocked it would outlive terminate()).
    assert inside_handler == "False" and child_of_handler == "False", proc.stdout
