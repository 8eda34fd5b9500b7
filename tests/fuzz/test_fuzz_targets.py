# SPDX-License-Identifier: Apache-2.0
"""Every fuzz target builds and survives a short run (LIBZT_FUZZ_SECONDS each, default 10).

The runs are CPU-bound, so they go as many at a time as this process may use CPUs: the suite waits
for them about once instead of once per target. Only the selected targets run (``-k``)."""
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
def fuzz_runs(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runs]:
    names = sorted({item.callspec.params["name"] for item in request.session.items
                    if item.module is request.module and hasattr(item, "callspec")})
    # One build at a time, before any run: the targets share the core's objects.
    built = {name: build(name) for name in names}
    with ThreadPoolExecutor(max_workers=len(os.sched_getaffinity(0))) as pool:
        yield {name: pool.submit(run, exe, name, SECONDS, tmp_path_factory.mktemp(f"fuzz_{name}"))
               for name, exe in built.items()}


@pytest.mark.parametrize("name", targets())
def test_fuzz_target_survives(name: str, fuzz_runs: Runs) -> None:
    result = fuzz_runs[name].result()
    tail = "\n".join((result.stderr or "").splitlines()[-40:])
    assert result.returncode == 0, f"fuzz_{name} failed:\n{tail}"
    assert "Done" in result.stderr, tail
