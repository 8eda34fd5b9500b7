# SPDX-License-Identifier: Apache-2.0
"""cffi build script for ``libzt._native``.

The C API is declared in plain C files under ``ext/cdef/`` (one per API area) and compiled in API mode
against our public headers, so constant values and struct layouts come from the real headers, never from
copies typed in here. The C++17 core in ``csrc/`` is compiled into the same extension module.

Environment switches:
  LIBZT_SANITIZE=address,undefined   build the core with those sanitizers (run Python with the ASan
                                     runtime preloaded, see tests/README.md)
  LIBZT_DEBUG=1                      -O0 -g3 instead of an optimized build
"""
from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path

from cffi import FFI

ROOT = Path(__file__).resolve().parent.parent
CSRC = ROOT / "csrc"
CORE_DIRS = ("zt", "osdep", "net", "api")
PKG_CONFIG_PACKAGES = ("lwip", "libsodium", "libcrypto", "liblz4")


def _pkg_config(*args: str) -> list[str]:
    try:
        out = subprocess.run(
            ["pkg-config", *args, *PKG_CONFIG_PACKAGES], check=True, capture_output=True, text=True
        ).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        raise SystemExit(
            "pkg-config could not find the system libraries libzt builds against "
            f"({', '.join(PKG_CONFIG_PACKAGES)}); on Debian: "
            "apt-get install liblwip-dev libsodium-dev libssl-dev liblz4-dev pkg-config"
        ) from exc
    return shlex.split(out)


def _relative(path: Path) -> str:
    # setuptools wants sources relative to the project root.
    return str(path.relative_to(ROOT))


def core_sources() -> list[str]:
    return sorted(_relative(p) for d in CORE_DIRS for p in (CSRC / d).glob("*.cpp"))


def compile_args() -> list[str]:
    args = ["-std=c++17", "-fvisibility=hidden", "-Wall", "-Wextra", "-Wno-unused-parameter"]
    args += [f for f in _pkg_config("--cflags") if not f.startswith("-I")]
    if os.environ.get("LIBZT_DEBUG"):
        args += ["-O0", "-g3"]
    else:
        args += ["-O2", "-g"]
    sanitize = os.environ.get("LIBZT_SANITIZE", "").strip()
    if sanitize:
        args += [f"-fsanitize={sanitize}", "-fno-omit-frame-pointer", "-fno-sanitize-recover=undefined"]
    return args


def link_args() -> list[str]:
    args = [f for f in _pkg_config("--libs") if not f.startswith(("-l", "-L"))]
    sanitize = os.environ.get("LIBZT_SANITIZE", "").strip()
    if sanitize:
        args.append(f"-fsanitize={sanitize}")
    return args


def _flags(prefix: str) -> list[str]:
    return [f[len(prefix):] for f in _pkg_config("--cflags", "--libs") if f.startswith(prefix)]


ffibuilder = FFI()
for cdef in sorted((ROOT / "ext" / "cdef").glob("*.h")):
    ffibuilder.cdef(cdef.read_text(), override=False)

ffibuilder.set_source(
    "libzt._native",
    '#include "ZeroTierSockets.h"\n#include "libzt_ext.h"\n',
    sources=core_sources(),
    source_extension=".cpp",
    include_dirs=[str(CSRC / "include"), str(CSRC), *_flags("-I")],
    library_dirs=_flags("-L"),
    libraries=[*_flags("-l"), "stdc++"],
    extra_compile_args=compile_args(),
    extra_link_args=link_args(),
    define_macros=[("ZTS_C_API_ONLY", "1")],
)

if __name__ == "__main__":
    ffibuilder.compile(verbose=True)
