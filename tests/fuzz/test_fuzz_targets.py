# SPDX-License-Identifier: Apache-2.0
"""Every fuzz target builds and survives a short run (LIBZT_FUZZ_SECONDS each, default 10).

The runs are CPU-bound and one process each, so they go as many at a time as there are CPUs: each
still has a CPU for its seconds, and the suite waits for them once instead of once per target."""
from __future__ import annotations

import os
import subprocess
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Iterator

import pytest
from fuzzing import build, run, targets

Runs = dict[str, "Future[subprocess.CompletedProcess[str]]"]
SECONDS = int(os.environ.get("LIBZT_FUZZ_SECONDS", "10"))


@pytest.fixture(scope="module")
def fuzz_runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runs]:
    names = targets()
    for name in names:  # one at a time: the targets share the core's objects, which a build may renew
        build(name)
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        yield {name: pool.submit(run, name, SECONDS, tmp_path_factory.mktemp(f"fuzz_{name}")) for name in names}


@pytest.mark.parametrize("name", targets())
def test_fuzz_target_survives(name: str, fuzz_runs: Runs) -> None:
    result = fuzz_runs[name].result()
    tail = "\n".join((result.stderr or "").splitlines()[-40:])
    assert result.returncode == 0, f"fuzz_{name} failed:\n{tail}"
    assert "Done" in result.stderr, tail
