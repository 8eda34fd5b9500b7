# SPDX-License-Identifier: Apache-2.0
"""C programs against the plain C build of libzt (``ext/build_clib.py``), for tests.

``build_programs`` runs the build script as a C user would; under the sanitizer test run
(LIBZT_UNDER_SANITIZER set, see scripts/run-tests) the library and the programs are built with
AddressSanitizer and UBSan, in a directory of their own.
"""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Dict, Sequence

ROOT = Path(__file__).resolve().parents[2]
SANITIZE = "address,undefined"


def build_programs(sources: Sequence[Path], timeout: float = 900.0) -> Dict[str, Path]:
    """Builds libzt.so and each C source; returns {program name: executable}."""
    env = dict(os.environ)
    out = ROOT / "build" / "clib"
    if os.environ.get("LIBZT_UNDER_SANITIZER"):
        env["LIBZT_SANITIZE"] = SANITIZE
        out = ROOT / "build" / "clib-sanitized"
    env.pop("LD_PRELOAD", None)  # the compiler is not to run with the sanitizer runtimes
    proc = subprocess.run(
        [sys.executable, str(ROOT / "ext" / "build_clib.py"), "--out", str(out), *map(str, sources)],
        capture_output=True, text=True, env=env, timeout=timeout,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"ext/build_clib.py failed:\n{proc.stdout}\n{proc.stderr}")
    return {Path(line).name: Path(line) for line in proc.stdout.split()[1:]}


class OutputLines:
    """The stdout of a running program, read on a thread, so tests can wait for a line with a
    timeout instead of blocking on readline()."""

    def __init__(self, proc: subprocess.Popen) -> None:
        self.proc = proc
        self.lines: list[str] = []
        self._cond = threading.Condition()
        self._done = False
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            with self._cond:
                self.lines.append(line.rstrip("\n"))
                self._cond.notify_all()
        with self._cond:
            self._done = True
            self._cond.notify_all()

    def wait_for(self, prefix: str, timeout: float) -> str:
        """The first line starting with ``prefix``; raises if the program ends or time runs out."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for line in self.lines:
                    if line.startswith(prefix):
                        return line
                left = deadline - time.monotonic()
                if self._done or left <= 0:
                    raise AssertionError(f"no line starting {prefix!r}; output so far:\n" + "\n".join(self.lines))
                self._cond.wait(left)

    def text(self) -> str:
        with self._cond:
            return "\n".join(self.lines)
