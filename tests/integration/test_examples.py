# SPDX-License-Identifier: Apache-2.0
"""The examples run as documented (so they cannot rot)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from clib import OutputLines, build_programs
from netns import NetNs
from worlds import RootServer, make_planet

EXAMPLES = Path(__file__).resolve().parent.parent.parent / "examples"


def test_user_messages_example() -> None:
    out = subprocess.run([sys.executable, str(EXAMPLES / "user_messages.py")], capture_output=True, text=True,
                         timeout=120, check=True).stdout
    assert "got b'HELLO OVER ZEROTIER'" in out
    assert "round trip by ECHO" in out


@pytest.mark.netns
@pytest.mark.parametrize("network", ["ff1c000000000001", "ff1f401f40000000"], ids=["ipv4-adhoc", "ipv6-adhoc"])
def test_c_echo_example(network: str, netns: NetNs, tmp_path: Path) -> None:
    """examples/c/echo.c, built by ext/build_clib.py: a server and a client, each its own node, on an
    ad-hoc network (IPv4 28.x.y.z, or 6PLANE with port 8000 open), through a root of ours."""
    echo = build_programs([EXAMPLES / "c" / "echo.c"])["echo"]
    planet = make_planet(tmp_path, [f"{netns.ADDR1}/29970"])
    with RootServer(planet, prefix=netns.cmd_prefix):
        server = netns.popen([str(echo), "server", str(planet.path), network, "8000"],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            out = OutputLines(server)
            address = out.wait_for("echo server: node", timeout=30).split(" at ")[1].split()[0]
            client = netns.run([str(echo), "client", str(planet.path), network, address, "8000",
                                "hello over zerotier"], timeout=90, check=False)
            assert client.returncode == 0, client.stdout + client.stderr
            assert "got 'hello over zerotier'" in client.stdout
            assert out.wait_for("echo server: echoed 19 bytes", timeout=10)
        finally:
            server.kill()
            server.wait(10)
