# SPDX-License-Identifier: Apache-2.0
"""Vl2 driven through its seam with VL1 alone (tests/c/vl2_seam.cpp): a fake Vl1Link records the
packets VL2 would send. Cases that otherwise take several processes: config chunks out of order
with a forged one among them, a credential refused then accepted, a multicast waiting for gather
results."""
from __future__ import annotations

import subprocess
from pathlib import Path

from support.clib import build_core_test

HERE = Path(__file__).resolve().parent
CASES = ("config_chunks_out_of_order", "credential_refused_then_accepted", "multicast_waits_for_gather")


def test_vl2_through_a_fake_vl1() -> None:
    exe = build_core_test(HERE / "vl2_seam.cpp")
    run = subprocess.run([str(exe)], capture_output=True, text=True, timeout=300)
    report = f"{run.stdout}\n{run.stderr}"
    lines = run.stdout.splitlines()
    for case in CASES:
        assert f"PASS {case}" in lines, report
    assert run.returncode == 0, report
