# SPDX-License-Identifier: Apache-2.0
"""Binary compatibility with libzt 1.8.4: a C program built against a header with 1.8.4's
declarations (tests/c/zts_184_layout.h: `extern int zts_errno;` and the documented struct layouts)
links against our build/clib/libzt.so and runs a node; and every public struct of our header has
1.8.4's size and member offsets."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from support.clib import build_programs
from support.netns import NetNs
from support.worlds import make_planet

pytestmark = pytest.mark.netns

HERE = Path(__file__).resolve().parent


def layout_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith(("sizeof(", "offsetof("))]


def test_zts_errno_is_an_exported_data_symbol() -> None:
    programs = build_programs([HERE / "abi_ours.c"])
    lib = programs["abi_ours"].parent.parent / "libzt.so"
    symbols = subprocess.run(["nm", "-D", "--defined-only", str(lib)], capture_output=True, text=True, check=True)
    kinds = {line.split()[-1]: line.split()[-2] for line in symbols.stdout.splitlines() if len(line.split()) >= 2}
    assert kinds.get("zts_errno") in {"B", "D"}, "zts_errno must be a data symbol (bss or data)"
    assert kinds.get("zts_errno_location") == "T"


def test_program_built_against_184_layout_runs(netns: NetNs, tmp_path: Path) -> None:
    programs = build_programs([HERE / "abi_184.c", HERE / "abi_ours.c"])
    planet = make_planet(tmp_path, [f"{netns.ADDR2}/29981"])  # a root nobody runs: the node stays offline
    ours = subprocess.run([str(programs["abi_ours"])], capture_output=True, text=True, timeout=60, check=True)
    run = netns.run([str(programs["abi_184"]), str(planet.path), "29982"], timeout=180, check=False)
    lines = run.stdout.splitlines()
    failed = "\n".join(line for line in lines if line.startswith("FAIL"))
    report = f"{failed}\n\nwhole output:\n{run.stdout}\n{run.stderr}"
    assert run.returncode == 0 and lines and lines[-1].startswith("PASSED"), report
    # Every struct member listed in abi_layout_table.h was checked against 1.8.4's numbers there;
    # our header must lay them out identically.
    theirs = layout_lines(run.stdout)
    assert len(theirs) > 150
    assert layout_lines(ours.stdout) == theirs
