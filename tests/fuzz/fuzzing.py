# SPDX-License-Identifier: Apache-2.0
"""Build and run the libFuzzer targets in this directory (clang with ASan + UBSan + libFuzzer).

Each ``fuzz_<name>.cpp`` is linked with the C++ core in ``csrc/zt`` and started on its seed corpus in
``corpus/<name>/``; new inputs go to a scratch directory so runs never modify the repository.
"""
from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
BUILD = ROOT / "build" / "fuzz"
CLANG_CANDIDATES = ("clang++-14", "clang++")


def clang() -> str:
    for name in CLANG_CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    raise RuntimeError("clang++ not found: the fuzz targets need clang with libFuzzer "
                       "(apt-get install clang-14 libclang-rt-14-dev)")


def targets() -> list[str]:
    return sorted(p.stem[len("fuzz_"):] for p in HERE.glob("fuzz_*.cpp"))


def core_sources() -> list[Path]:
    return sorted((ROOT / "csrc" / "zt").glob("*.cpp"))


FLAGS = ["-std=c++17", "-g", "-O1", "-fsanitize=fuzzer,address,undefined", "-fno-sanitize-recover=undefined"]


def _includes() -> list[str]:
    return ["-I", str(ROOT / "csrc"), "-I", str(ROOT / "csrc" / "include")]


def core_objects() -> list[Path]:
    """The core compiled once for every target (each file again only when it or a header changed)."""
    objdir = BUILD / "obj"
    objdir.mkdir(parents=True, exist_ok=True)
    headers = max(p.stat().st_mtime for p in (ROOT / "csrc").rglob("*.hpp"))
    stale = []
    objects = []
    for src in core_sources():
        obj = objdir / (src.stem + ".o")
        objects.append(obj)
        if not obj.exists() or obj.stat().st_mtime < max(src.stat().st_mtime, headers):
            stale.append((src, obj))
    # (-fsanitize=fuzzer-no-link: instrumented for coverage, but main() comes with the target)
    flags = [f.replace("fuzzer,", "fuzzer-no-link,") for f in FLAGS]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        list(pool.map(lambda so: subprocess.run([clang(), *flags, *_includes(), "-c", str(so[0]), "-o", str(so[1])],
                                               check=True), stale))
    return objects


def build(name: str) -> Path:
    BUILD.mkdir(parents=True, exist_ok=True)
    exe = BUILD / f"fuzz_{name}"
    objects = core_objects()
    target = HERE / f"fuzz_{name}.cpp"
    newest = max(p.stat().st_mtime for p in [target, *objects, *(ROOT / "csrc").rglob("*.hpp")])
    if exe.exists() and exe.stat().st_mtime >= newest:
        return exe
    libs = subprocess.run(["pkg-config", "--libs", "libsodium", "libcrypto", "liblz4"], check=True,
                          capture_output=True, text=True).stdout
    cmd = [clang(), *FLAGS, *_includes(), str(target), *map(str, objects), "-o", str(exe), *shlex.split(libs)]
    subprocess.run(cmd, check=True)
    return exe


def run(name: str, seconds: int, scratch: Path) -> subprocess.CompletedProcess[str]:
    exe = build(name)
    scratch.mkdir(parents=True, exist_ok=True)
    seeds = HERE / "corpus" / name
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=1:abort_on_error=1",
               UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1")
    cmd = [str(exe), f"-max_total_time={seconds}", "-timeout=10", "-rss_limit_mb=2048",
           f"-artifact_prefix={scratch}/", str(scratch), str(seeds)]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=seconds + 120)
