# SPDX-License-Identifier: Apache-2.0
"""C programs against the plain C build of libzt (``ext/build_clib.py``), for tests, and C++ test
programs against the core's objects of that build (``build_core_test``).

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


def _build_env() -> tuple[Dict[str, str], Path]:
    """The environment for ext/build_clib.py and its output directory (sanitized builds apart)."""
    env = dict(os.environ)
    out = ROOT / "build" / "clib"
    if os.environ.get("LIBZT_UNDER_SANITIZER"):
        env["LIBZT_SANITIZE"] = SANITIZE
        out = ROOT / "build" / "clib-sanitized"
    env.pop("LD_PRELOAD", None)  # the compiler is not to run with the sanitizer runtimes
    return env, out


def build_programs(sources: Sequence[Path], timeout: float = 900.0) -> Dict[str, Path]:
    """Builds libzt.so and each C source; returns {program name: executable}."""
    env, out = _build_env()
    proc = subprocess.run(
        [sys.executable, str(ROOT / "ext" / "build_clib.py"), "--out", str(out), *map(str, sources)],
        capture_output=True, text=True, env=env, timeout=timeout,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"ext/build_clib.py failed:\n{proc.stdout}\n{proc.stderr}")
    return {Path(line).name: Path(line) for line in proc.stdout.split()[1:]}


def build_core_test(source: Path, timeout: float = 900.0, also: Sequence[str] = ()) -> Path:
    """A C++ test program linked with the protocol core's objects (csrc/zt, as ext/build_clib.py
    compiles them for libzt.so), so it can drive internal classes the C API does not expose.
    ``also``: objects from the other directories, by source path under csrc without ".cpp"
    ("osdep/state_dir")."""
    build_programs([], timeout=timeout)  # compiles the core's objects, incrementally
    env, out = _build_env()
    # Objects of sources that still exist: a build directory outlives renamed files.
    objects = [o for o in sorted((out / "obj" / "zt").glob("*.o")) if (ROOT / "csrc" / "zt" / f"{o.stem}.cpp").exists()]
    objects += [out / "obj" / f"{name}.o" for name in also]
    exe = out / "bin" / source.stem
    flags = ["-std=c++17", "-O2", "-g", "-Wall", "-Wextra", "-Wno-unused-parameter", "-pthread"]
    if os.environ.get("LIBZT_UNDER_SANITIZER"):
        flags += [f"-fsanitize={SANITIZE}", "-fno-omit-frame-pointer", "-fno-sanitize-recover=undefined"]
    libs = subprocess.run(["pkg-config", "--libs", "libsodium", "libcrypto", "liblz4"], check=True,
                          capture_output=True, text=True).stdout.split()
    cmd = ["g++", *flags, f"-I{ROOT / 'csrc'}", f"-I{ROOT / 'csrc' / 'include'}", str(source),
           *map(str, objects), "-o", str(exe), *libs]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"building {source.name} failed:\n{' '.join(cmd)}\n{proc.stdout}\n{proc.stderr}")
    return exe


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
