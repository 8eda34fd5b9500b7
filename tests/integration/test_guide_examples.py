# SPDX-License-Identifier: Apache-2.0
"""examples/guide/: libzt's documented Python API (the "Sockets (libzt)" guide's calls, as the
official wheel has them) runs as written. Each example is its own process, its own node, in a
network namespace, on a private world served by our root; they meet on an ad-hoc network."""
from __future__ import annotations

import ast
import os
import re
import signal
import subprocess
import sys
from pathlib import Path
from typing import Callable, Iterator

import pytest

from support import frames
from support.clib import OutputLines
from support.controllers import NETWORK_READY_IP4, arp_answer, echo_reply, on
from support.netns import NetNs
from support.official import OurNode
from support.worlds import Planet, RootServer, make_planet, start_node

GUIDE = Path(__file__).resolve().parent.parent.parent / "examples" / "guide"
NETWORK = "ff1c000000000001"  # ad-hoc IPv4 network (28.x.y.z/8): no controller needed
ROOT_PORT = 29971
DEADLINE = 180  # a node comes online, joins and configures: seconds on an idle machine, more under ASan


# The calls libzt's guide teaches, as the examples must make them: node.<method>(...) and libzt.<name>(...).
GUIDE_NODE_CALLS = {
    "init_from_storage", "init_new_identity", "init_from_memory", "init_set_event_handler", "init_set_roots",
    "node_start", "start", "node_is_online", "is_online", "node_id", "get_id", "net_join",
    "net_transport_is_ready", "addr_get_ipv4", "addr_get_ipv6", "node_stop", "stop",
}
GUIDE_SOCKET_CALLS = {"setsockopt", "bind", "listen", "accept", "recv", "connect", "send", "close"}


def test_examples_make_every_call_of_the_guide() -> None:
    calls: set[tuple[str, str]] = set()
    for path in GUIDE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                    isinstance(node.func.value, ast.Name):
                calls.add((node.func.value.id, node.func.attr))
    assert {("node", name) for name in GUIDE_NODE_CALLS} <= calls
    assert {("libzt", "ZeroTierNode"), ("libzt", "socket"), ("libzt", "errno")} <= calls
    assert {name for receiver, name in calls if receiver in ("serv", "conn", "client")} >= GUIDE_SOCKET_CALLS


@pytest.fixture(scope="module")
def planet(netns: NetNs, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Planet]:
    world = make_planet(tmp_path_factory.mktemp("guide"), [f"{netns.ADDR1}/{ROOT_PORT}"])
    with RootServer(world, prefix=netns.cmd_prefix, port=ROOT_PORT):
        yield world


def guide(name: str, planet: Planet, *args: str) -> list[str]:
    return [sys.executable, str(GUIDE / name), *args, "--planet", str(planet.path)]


def test_server_and_client_exchange_the_guides_message(netns: NetNs, planet: Planet, tmp_path: Path) -> None:
    server = netns.popen(guide("server.py", planet, str(tmp_path / "server"), NETWORK, "8000"),
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out = OutputLines(server)
    node_id = out.wait_for("Node ID:", timeout=DEADLINE).split()[-1]
    # The event handler heard the node come online and the network become ready, with their IDs.
    assert out.wait_for("ZTS_EVENT_NODE_ONLINE:", timeout=DEADLINE).split()[-1] == node_id
    server_ip = out.wait_for("IP address:", timeout=DEADLINE).split()[-1]
    assert server_ip.startswith("28.")
    assert out.wait_for("ZTS_EVENT_NETWORK_READY_IP4:", timeout=DEADLINE).split()[-1] == hex(int(NETWORK, 16))
    out.wait_for("Listening on port 8000", timeout=DEADLINE)

    client = netns.run(guide("client.py", planet, NETWORK, server_ip, "8000"), timeout=DEADLINE, check=False)
    assert client.returncode == 0, client.stdout + client.stderr
    assert "TX: 15 bytes" in client.stdout, client.stdout
    client_ip = re.search(r"^IP address: (\S+)$", client.stdout, re.M)
    assert client_ip is not None, client.stdout

    accepted = out.wait_for("Accepted connection from:", timeout=30)
    assert f"('{client_ip.group(1)}', " in accepted
    assert out.wait_for("RX:", timeout=30) == "RX: b'Hello, network!'"
    assert server.wait(timeout=60) == 0, "\n".join(out.lines)


def test_events_example_reports_the_nodes_life(netns: NetNs, planet: Planet) -> None:
    run = netns.run(guide("events.py", planet, NETWORK), timeout=DEADLINE, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    names = [line.split()[0] for line in run.stdout.splitlines()]
    assert {"ZTS_EVENT_NODE_UP", "ZTS_EVENT_STACK_UP", "ZTS_EVENT_NODE_ONLINE"} <= set(names), run.stdout
    online = [line.split()[-1] for line in run.stdout.splitlines() if line.startswith("ZTS_EVENT_NODE_ONLINE ")]
    assert online and online[0] != "0x0"  # NODE_* events carry the node's ID
    assert f"ZTS_EVENT_NETWORK_READY_IP4 {hex(int(NETWORK, 16))}" in run.stdout.splitlines()
    assert re.search(r"^Network ready: 28\.\d+\.\d+\.\d+$", run.stdout, re.M), run.stdout


def test_identities_example_keeps_the_stored_identity(netns: NetNs, planet: Planet, tmp_path: Path) -> None:
    storage = tmp_path / "node"
    run = netns.run(guide("identities.py", planet, str(storage)), timeout=DEADLINE, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    ids = dict(re.findall(r"^(.+): node ID ([0-9a-f]{10})$", run.stdout, re.M))
    assert ids["from storage"] == ids["from memory"] != ids["new identity"]
    assert (storage / "identity.secret").read_text().startswith(ids["from storage"] + ":0:")
    assert "storage and memory agree: True" in run.stdout


def test_pingable_node_answers_arp_and_ping(netns: NetNs, planet: Planet, our_node: Callable[..., OurNode]) -> None:
    """Part 1 of the guide: another node on the network pings the address the example prints (raw
    ARP and ICMP echo from that node's tap; the example's TCP/IP stack answers)."""
    pingable = netns.popen(guide("pingable_node.py", planet, NETWORK),
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out = OutputLines(pingable)
    target_id = int(out.wait_for("Node ID:", timeout=DEADLINE).split()[-1], 16)
    target_ip = out.wait_for("IPv4 address:", timeout=DEADLINE).split()[-1]
    out.wait_for("Ready to be pinged", timeout=DEADLINE)

    nwid = int(NETWORK, 16)
    pinger = start_node(our_node, netns, planet, "pinger")
    pinger.wait_online(timeout=DEADLINE)
    pinger.net_join(nwid)
    pinger.wait_event(NETWORK_READY_IP4, timeout=DEADLINE, match=on(nwid))
    pinger_id = int(pinger.node_get_id(), 16)
    pinger_ip = pinger.addr_get_str(nwid, family=4)
    assert pinger_ip is not None
    pinger.tap_enable(nwid)
    target_mac, pinger_mac = frames.zt_mac(nwid, target_id), frames.zt_mac(nwid, pinger_id)
    assert arp_answer(pinger, nwid, pinger_id, pinger_ip, target_ip, timeout=60) == target_mac
    assert echo_reply(pinger, nwid, pinger_mac, target_mac, pinger_ip, target_ip, timeout=60) == \
        b"ping from libzt for python"

    os.killpg(pingable.pid, signal.SIGINT)  # Ctrl-C: the example stops its node and exits
    assert pingable.wait(timeout=60) == 0, "\n".join(out.lines)
