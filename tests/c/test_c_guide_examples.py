# SPDX-License-Identifier: Apache-2.0
"""The C counterparts of libzt's Sockets guide (examples/c/pingable_node.c, server.c, client.c),
built against our header by ext/build_clib.py, run as separate nodes in a namespace on a private
world: each node's storage directory holds the world as its `planet` file, as a user would set it
up with zts_init_from_storage()."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from support.clib import OutputLines, build_programs
from support.netns import NetNs
from support.worlds import Planet, RootServer, make_planet

pytestmark = pytest.mark.netns

EXAMPLES = Path(__file__).resolve().parent.parent.parent / "examples" / "c"
NETWORK = "ff2e000000000001"  # ad-hoc: every member gets IPv4 46.x.y.z, no controller
PORT = 8000


def storage(tmp_path: Path, name: str, planet: Planet) -> Path:
    path = tmp_path / name
    path.mkdir()
    shutil.copy(planet.path, path / "planet")
    return path


def test_server_receives_the_clients_message(netns: NetNs, tmp_path: Path) -> None:
    programs = build_programs([EXAMPLES / "server.c", EXAMPLES / "client.c"])
    planet = make_planet(tmp_path, [f"{netns.ADDR1}/29975"])
    with RootServer(planet, prefix=netns.cmd_prefix):
        server = netns.popen([str(programs["server"]), str(storage(tmp_path, "server", planet)), NETWORK, str(PORT)],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            out = OutputLines(server)
            address = out.wait_for("IP address: ", timeout=90).split(": ")[1]
            assert address.startswith("46.")
            client = netns.run([str(programs["client"]), str(storage(tmp_path, "client", planet)), NETWORK, address,
                                str(PORT)], timeout=120, check=False)
            assert client.returncode == 0, client.stdout + client.stderr
            assert "TX: Hello, network!" in client.stdout
            assert out.wait_for("Accepted connection from 46.", timeout=30)
            assert out.wait_for("RX: ", timeout=30) == "RX: Hello, network!"
            assert server.wait(30) == 0, out.text()
        finally:
            server.kill()
            server.wait(10)


def test_pingable_node_keeps_its_identity_in_storage(netns: NetNs, tmp_path: Path) -> None:
    program = build_programs([EXAMPLES / "pingable_node.c"])["pingable_node"]
    planet = make_planet(tmp_path, [f"{netns.ADDR1}/29976"])
    path = storage(tmp_path, "node", planet)
    seen = []
    with RootServer(planet, prefix=netns.cmd_prefix):
        for _ in range(2):
            run = netns.run([str(program), str(path), NETWORK, "0"], timeout=120, check=False)
            assert run.returncode == 0, run.stdout + run.stderr
            lines = run.stdout.splitlines()
            node_id = next(line for line in lines if line.startswith("Node ID: ")).split(": ")[1]
            ipv4 = [line for line in lines if line.startswith("IP address: 46.")]
            assert len(ipv4) == 1, run.stdout
            seen.append((node_id, ipv4[0]))
    assert (path / "identity.secret").exists()
    assert seen[0] == seen[1]  # the second run found the first run's identity, hence the same address
