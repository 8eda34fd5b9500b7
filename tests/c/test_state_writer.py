# SPDX-License-Identifier: Apache-2.0
"""The node's state writer (csrc/osdep/state_writer.hpp) through tests/c/state_writer.cpp, with its
first case queued while the storage's disk is frozen: nothing reaches the disk until it thaws, and
then exactly the newest operation per file."""
from __future__ import annotations

import subprocess
from pathlib import Path

from support import stalled_disk
from support.clib import OutputLines, build_core_test

HERE = Path(__file__).resolve().parent
CASES = ("queued_while_the_disk_is_frozen", "a_write_that_fails_is_counted", "destruction_finishes_the_queue")


def test_state_writer_cases(tmp_path: Path) -> None:
    exe = build_core_test(HERE / "state_writer.cpp", also=("osdep/state_dir", "osdep/state_writer"))
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    with stalled_disk.own_filesystem(tmp_path) as disk:
        storage = disk / "node"
        with stalled_disk.frozen(disk):
            proc = subprocess.Popen([str(exe), str(storage), str(scratch)], stdin=subprocess.PIPE,
                                    stdout=subprocess.PIPE, text=True)
            try:
                out = OutputLines(proc)
                out.wait_for("QUEUED", timeout=60)
                assert not storage.exists()  # not even the directory: every write waits for the disk
            except BaseException:
                proc.kill()
                proc.wait()
                raise
        assert proc.stdin is not None
        proc.stdin.write("thawed\n")
        proc.stdin.close()
        code = proc.wait(timeout=60)
        report = out.text()
        for case in CASES:
            assert f"PASS {case}" in report.splitlines(), report
        assert code == 0, report
