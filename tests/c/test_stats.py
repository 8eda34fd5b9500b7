# SPDX-License-Identifier: Apache-2.0
"""zts_stats_get_all under traffic (tests/c/stats.c): TCP and UDP over IPv4, UDP over IPv6 between
two nodes on a private world, and the counters of every protocol used must move."""
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
NETWORK = "ff1d000000000001"  # ad-hoc: IPv4 29.x.y.z and a 6PLANE IPv6 address per member
PORT = 7300


def test_counters_move_under_traffic(netns: NetNs, tmp_path: Path) -> None:
    programs = build_programs([ROOT / "examples" / "c" / "echo.c", HERE / "stats.c"])
    planet = make_planet(tmp_path, [f"{netns.ADDR1}/29972"])
    with RootServer(planet, prefix=netns.cmd_prefix):
        echo = netns.popen([str(programs["echo"]), "server", str(planet.path), NETWORK, str(PORT)],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            out = OutputLines(echo)
            started = out.wait_for("echo server: node", timeout=60)  # "... node ID at IP on network ..."
            node_id, peer4 = started.split()[3], started.split(" at ")[1].split()[0]
            run = netns.run([str(programs["stats"]), str(planet.path), NETWORK, node_id, peer4, str(PORT)],
                            timeout=180, check=False)
        finally:
            echo.kill()
            echo.wait(10)
    lines = run.stdout.splitlines()
    report = "\n".join(lines) + f"\n{run.stderr}"
    assert lines and lines[-1] in ("PASSED", "FAILED"), report
    assert "PASS link_tx moved" in lines and "PASS link_rx moved" in lines, report
    assert run.returncode == 0 and lines[-1] == "PASSED", report
    assert "STATS-COMPILED" in lines, report  # our lwIP always counts (net/lwip_options_check.hpp)
    assert sum(line.startswith("PASS ") for line in lines) == 13, report

