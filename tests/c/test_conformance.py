# SPDX-License-Identifier: Apache-2.0
"""The C API conformance program (tests/c/conformance.c), built with ext/build_clib.py and run as a
node of its own in a namespace, with a root of ours and the C echo example as the other node."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from support.clib import OutputLines, build_programs
from support.netns import NetNs
from support.worlds import RootServer, make_planet

pytestmark = pytest.mark.netns

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
NETWORK = "ff1c000000000001"  # ad-hoc: IPv4 28.x.y.z (and 6PLANE IPv6) for every member, no controller
ECHO_PORT = 7200


def test_c_api_conformance(netns: NetNs, tmp_path: Path) -> None:
    programs = build_programs([ROOT / "examples" / "c" / "echo.c", HERE / "conformance.c"])
    planet = make_planet(tmp_path, [f"{netns.ADDR1}/29971"])
    with RootServer(planet, prefix=netns.cmd_prefix):
        echo = netns.popen([str(programs["echo"]), "server", str(planet.path), NETWORK, str(ECHO_PORT)],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            echo_out = OutputLines(echo)
            peer_ip = echo_out.wait_for("echo server: node", timeout=30).split(" at ")[1].split()[0]
            run = netns.run([str(programs["conformance"]), str(planet.path), NETWORK, peer_ip, str(ECHO_PORT)],
                            timeout=300, check=False)
        finally:
            echo.kill()
            echo.wait(10)
    lines = run.stdout.splitlines()
    failed = [line for line in lines if line.startswith("FAIL")]
    report = "\n".join(failed) + f"\n\nwhole output:\n{run.stdout}\n{run.stderr}"
    assert run.returncode == 0 and not failed, report
    assert lines and lines[-1].startswith("PASSED"), report
    assert sum(line.startswith("PASS ") for line in lines) > 300, report  # every section ran
