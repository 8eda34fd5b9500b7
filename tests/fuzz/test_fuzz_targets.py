# SPDX-License-Identifier: Apache-2.0
"""Every fuzz target builds and survives a short run (LIBZT_FUZZ_SECONDS each, default 10)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from fuzzing import run, targets

SECONDS = int(os.environ.get("LIBZT_FUZZ_SECONDS", "10"))


@pytest.mark.parametrize("name", targets())
def test_fuzz_target_survives(name: str, tmp_path: Path) -> None:
    result = run(name, SECONDS, tmp_path)
    tail = "\n".join((result.stderr or "").splitlines()[-40:])
    assert result.returncode == 0, f"fuzz_{name} failed:\n{tail}"
    assert "Done" in result.stderr, tail
