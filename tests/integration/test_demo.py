# SPDX-License-Identifier: Apache-2.0
"""The README's demo, as a user runs it (smaller): root, controller, network, two nodes, TCP."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path


def test_demo_moves_data_between_two_nodes(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "libzt", "demo", "--megabytes", "5", "--workdir", str(tmp_path)],
        capture_output=True, text=True, timeout=300,
    )
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    assert "demo: OK" in out
    assert re.search(r"MB/s", out), out
