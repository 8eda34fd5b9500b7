# SPDX-License-Identifier: Apache-2.0
"""Build libzt as a plain C library, for C programs: ``OUT/libzt.so`` from the core in ``csrc/``,
its public headers in ``OUT/include/``, and C programs linked against it in ``OUT/bin/``.

    python ext/build_clib.py                      # the library and examples/c/*.c
    python ext/build_clib.py tests/c/conformance.c --out build/clib

The core is compiled exactly as for the Python extension (``ext/csrc_build.py``: same sources,
flags, and LIBZT_SANITIZE / LIBZT_DEBUG switches); programs get the same optimization and
sanitizer flags. Builds are incremental: an object is rebuilt when its source or any header of the
core is newer, and everything is rebuilt when the flags change. Prints the paths it built.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from csrc_build import (
    CSRC,
    DEFINES,
    INCLUDE,
    PUBLIC_HEADERS,
    ROOT,
    compile_args,
    core_headers,
    core_sources,
    include_dirs,
    link_args,
    lwip_archive,
    optimization_args,
    pkg_config_values,
)

DEFAULT_OUT = ROOT / "build" / "clib"
DEFAULT_PROGRAMS = sorted((ROOT / "examples" / "c").glob("*.c"))
C_FLAGS = ["-std=c11", "-Wall", "-Wextra", "-Werror", "-pthread"]


def _run(cmd: list[str]) -> None:
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"build_clib: failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stdout}{proc.stderr}")


def _stale(target: Path, inputs: list[Path]) -> bool:
    if not target.exists():
        return True
    built = target.stat().st_mtime
    return any(p.stat().st_mtime > built for p in inputs)


def _cxx() -> str:
    return os.environ.get("CXX", "g++")


def _cc() -> str:
    return os.environ.get("CC", "gcc")


def _reset_if_flags_changed(out: Path, flags: list[str]) -> None:
    """Objects built with other flags (say, without sanitizers) must not be mixed in."""
    stamp = out / "flags.txt"
    text = "\n".join(flags) + "\n"
    if stamp.exists() and stamp.read_text() == text:
        return
    shutil.rmtree(out / "obj", ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    stamp.write_text(text)


def build_library(out: Path, jobs: int) -> Path:
    cxxflags = [
        *compile_args(),
        "-fPIC",
        *(f"-I{d}" for d in include_dirs()),
        *(f"-D{name}={value}" for name, value in DEFINES),
    ]
    _reset_if_flags_changed(out, [_cxx(), *cxxflags, *link_args()])
    headers = core_headers()
    objects = []
    work = []
    for source in core_sources():
        obj = out / "obj" / source.relative_to(CSRC).with_suffix(".o")
        objects.append(obj)
        if _stale(obj, [source, *headers]):
            obj.parent.mkdir(parents=True, exist_ok=True)
            work.append([_cxx(), *cxxflags, "-c", str(source), "-o", str(obj)])
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(_run, work))  # list(): raise the first failure

    archive = lwip_archive()
    lib = out / "libzt.so"
    if _stale(lib, [*objects, archive]):
        _run([
            _cxx(), "-shared", "-Wl,-soname,libzt.so", "-o", str(lib), *map(str, objects), str(archive), *link_args(),
            *(f"-L{d}" for d in pkg_config_values("-L")), *(f"-l{name}" for name in pkg_config_values("-l")),
            "-pthread",
        ])
    include = out / "include"
    include.mkdir(exist_ok=True)
    for name in PUBLIC_HEADERS:
        if _stale(include / name, [INCLUDE / name]):
            shutil.copy2(INCLUDE / name, include / name)
    return lib


def build_program(out: Path, source: Path) -> Path:
    exe = out / "bin" / source.stem
    # Headers next to the program (its own, included with "...") count as its inputs too.
    inputs = [source, *source.parent.glob("*.h"), out / "libzt.so", *(out / "include" / h for h in PUBLIC_HEADERS)]
    if _stale(exe, inputs):
        exe.parent.mkdir(exist_ok=True)
        _run([
            _cc(), *C_FLAGS, *optimization_args(), f"-I{out / 'include'}", str(source), "-o", str(exe),
            f"-L{out}", "-lzt", "-Wl,-rpath,$ORIGIN/..",
        ])
    return exe


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("programs", nargs="*", type=Path, help="C programs to build (default: examples/c/*.c)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory (default: build/clib)")
    parser.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1)
    opts = parser.parse_args(argv)
    out = opts.out.resolve()
    print(build_library(out, max(1, opts.jobs)))
    for source in opts.programs or DEFAULT_PROGRAMS:
        print(build_program(out, source.resolve()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
