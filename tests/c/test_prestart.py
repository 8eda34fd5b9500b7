# SPDX-License-Identifier: Apache-2.0
"""The C API's answers before zts_node_start() are libzt 1.8.4's (tests/c/prestart.c holds the
table), a refused zts_node_free() leaves the library startable, and zts_init_set_roots() takes
only a planet."""
from __future__ import annotations

from pathlib import Path

import pytest

from support.clib import build_programs
from support.netns import NetNs
from support.worlds import make_planet

pytestmark = pytest.mark.netns

HERE = Path(__file__).resolve().parent


def test_answers_before_start(netns: NetNs, tmp_path: Path) -> None:
    programs = build_programs([HERE / "prestart.c"])
    planet = make_planet(tmp_path, [f"{netns.ADDR2}/29991"])  # nobody serves it: no traffic needed
    run = netns.run([str(programs["prestart"]), str(planet.path), "29992"], timeout=180, check=False)
    lines = run.stdout.splitlines()
    failed = "\n".join(line for line in lines if line.startswith("FAIL"))
    report = f"{failed}\n\nwhole output:\n{run.stdout}\n{run.stderr}"
    assert run.returncode == 0 and lines and lines[-1].startswith("PASSED"), report
    assert sum(line.startswith("PASS ") for line in lines) >= 60, report
