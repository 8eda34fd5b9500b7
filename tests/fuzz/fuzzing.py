# SPDX-License-Identifier: Apache-2.0
"""Build and run the libFuzzer targets in this directory (clang with ASan + UBSan + libFuzzer).

Each ``fuzz_<name>.cpp`` is linked with the C++ core in ``csrc/zt`` and started on its seed corpus in
``corpus/<name>/``; new inputs go to a scratch directory so runs never modify the repository. Lines
near the top of a target can say more:
  ``// fuzz-link: PART ...``     also link these parts of the core; PART is one of ``LINKS``
                                 (``net``: the lwIP glue in ``csrc/net`` with our build of lwIP,
                                 compiled from its release source by ``ext/lwip_build.py``)
                                 (``tools``: the wire inspector, JSON in and out, rules as JSON: ``csrc/tools``)
  ``// fuzz-options: FLAG ...``  extra libFuzzer flags for its runs
"""
from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import lwip_build  # ext/, the build's own module (lwIP's sources, our port and options): on pytest's pythonpath

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
BUILD = ROOT / "build" / "fuzz"
CLANG_CANDIDATES = ("clang++-14", "clang++")
# What every target links: the protocol core and its libraries (pkg-config names).
BASE = (("zt",), ("libsodium", "libcrypto", "liblz4"))
# Extra parts a target can ask for: (directories under csrc/, pkg-config packages). The lwIP port's
# directory brings lwIP itself (its headers, and its archive compiled with the targets' sanitizers).
LWIP_PORT_DIR = "lwip_port"
LINKS = {"net": (("net", LWIP_PORT_DIR), ()), "tools": (("tools",), ())}


def clang() -> str:
    for name in CLANG_CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    raise RuntimeError("clang++ not found: the fuzz targets need clang with libFuzzer "
                       "(apt-get install clang-14 libclang-rt-14-dev)")


def targets() -> list[str]:
    return sorted(p.stem[len("fuzz_"):] for p in HERE.glob("fuzz_*.cpp"))


def declared(target: Path, key: str) -> list[str]:
    """The words of the target's ``// KEY:`` line near its top (none without one)."""
    for line in target.read_text().splitlines()[:10]:
        if line.startswith(f"// {key}:"):
            return line.split(":", 1)[1].split()
    return []


def links(target: Path) -> list[str]:
    """The parts named in the target's ``// fuzz-link:`` line."""
    parts = declared(target, "fuzz-link")
    unknown = [p for p in parts if p not in LINKS]
    if unknown:
        raise ValueError(f"{target.name}: unknown fuzz-link part(s) {unknown}; known: {sorted(LINKS)}")
    return parts


def parts_of(target: Path) -> tuple[list[str], list[str]]:
    """(directories under csrc/, pkg-config packages) the target links with."""
    dirs, packages = list(BASE[0]), list(BASE[1])
    for part in links(target):
        dirs += LINKS[part][0]
        packages += LINKS[part][1]
    return dirs, packages


def core_sources(dirs: list[str]) -> list[Path]:
    return sorted(p for d in dirs for p in (ROOT / "csrc" / d).glob("*.cpp"))


FLAGS = ["-std=c++17", "-g", "-O1", "-fsanitize=fuzzer,address,undefined", "-fno-sanitize-recover=undefined"]


def _compile_flags(packages: list[str], dirs: list[str]) -> list[str]:
    cflags = subprocess.run(["pkg-config", "--cflags", *packages], check=True, capture_output=True, text=True).stdout
    lwip = [f"-I{d}" for d in lwip_build.include_dirs()] if LWIP_PORT_DIR in dirs else []
    return ["-I", str(ROOT / "csrc"), "-I", str(ROOT / "csrc" / "include"), *lwip, *shlex.split(cflags)]


def lwip_archive() -> Path:
    """lwIP compiled as C by clang with the targets' sanitizers (coverage-instrumented too)."""
    cc = clang().replace("clang++", "clang")
    flags = [f.replace("fuzzer,", "fuzzer-no-link,") for f in FLAGS if f != "-std=c++17"]
    return lwip_build.build_archive(flags, cc=cc)


def core_objects(dirs: list[str], packages: list[str]) -> list[Path]:
    """The core compiled once for every target (each file again only when it or a header changed)."""
    headers = max(p.stat().st_mtime for p in (ROOT / "csrc").rglob("*.h*"))
    stale = []
    objects = []
    for src in core_sources(dirs):
        objdir = BUILD / "obj" / src.parent.name
        objdir.mkdir(parents=True, exist_ok=True)
        obj = objdir / (src.stem + ".o")
        objects.append(obj)
        if not obj.exists() or obj.stat().st_mtime < max(src.stat().st_mtime, headers):
            stale.append((src, obj))
    # (-fsanitize=fuzzer-no-link: instrumented for coverage, but main() comes with the target)
    flags = [f.replace("fuzzer,", "fuzzer-no-link,") for f in FLAGS] + _compile_flags(packages, dirs)
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        list(pool.map(lambda so: subprocess.run([clang(), *flags, "-c", str(so[0]), "-o", str(so[1])], check=True),
                      stale))
    return objects


def build(name: str) -> Path:
    BUILD.mkdir(parents=True, exist_ok=True)
    exe = BUILD / f"fuzz_{name}"
    target = HERE / f"fuzz_{name}.cpp"
    dirs, packages = parts_of(target)
    objects = core_objects(dirs, packages)
    if LWIP_PORT_DIR in dirs:
        objects.append(lwip_archive())
    newest = max(p.stat().st_mtime for p in [target, *objects, *(ROOT / "csrc").rglob("*.h*")])
    if exe.exists() and exe.stat().st_mtime >= newest:
        return exe
    libs = subprocess.run(["pkg-config", "--libs", *packages], check=True, capture_output=True, text=True).stdout
    cmd = [clang(), *FLAGS, *_compile_flags(packages, dirs), str(target), *map(str, objects), "-o", str(exe),
           *shlex.split(libs), "-pthread"]
    subprocess.run(cmd, check=True)
    return exe


def run(exe: Path, name: str, seconds: int, scratch: Path) -> subprocess.CompletedProcess[str]:
    """Runs target ``name`` as :func:`build` made it (nothing is compiled here, so runs at once never
    race on a build)."""
    scratch.mkdir(parents=True, exist_ok=True)
    seeds = HERE / "corpus" / name
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=1:abort_on_error=1",
               UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1")
    cmd = [str(exe), f"-max_total_time={seconds}", "-timeout=10", "-rss_limit_mb=2048",
           *declared(HERE / f"fuzz_{name}.cpp", "fuzz-options"), f"-artifact_prefix={scratch}/", str(scratch),
           str(seeds)]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=seconds + 120)
