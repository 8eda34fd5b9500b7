# SPDX-License-Identifier: Apache-2.0
"""How the native core in ``csrc/`` is compiled: its sources, compiler and linker flags, and the
system libraries it needs. One place for both builds of it: the Python extension
(``ext/build_native.py``) and the plain C library for C programs (``ext/build_clib.py``).
lwIP is not a system library: it is compiled from its release source into a static archive
(``ext/lwip_build.py``) with the same optimization and sanitizer flags, and linked into both.

Environment switches (both builds):
  LIBZT_SANITIZE=address,undefined   build the core with those sanitizers
  LIBZT_DEBUG=1                      -O0 -g3 instead of an optimized build
"""
from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path

import lwip_build

ROOT = Path(__file__).resolve().parent.parent
CSRC = ROOT / "csrc"
INCLUDE = CSRC / "include"
PUBLIC_HEADERS = ("ZeroTierSockets.h", "libzt_ext.h")
# The folders: the protocol (zt), tooling over it (tools: the wire inspector, JSON in and out,
# rules as JSON), the TCP/IP glue (net), the OS and the node's service (osdep, which drives net),
# the C API (api), and our lwIP port; docs/architecture.md draws the layers.
CORE_DIRS = ("zt", "tools", "osdep", "net", "api", "lwip_port")
PKG_CONFIG_PACKAGES = ("libsodium", "libcrypto", "liblz4", "miniupnpc")
# Linked without pkg-config: libnatpmp-dev ships no .pc file.
PLAIN_LIBRARIES = ("natpmp",)
# Every file of the public API declares itself with these (a C program sees the same).
DEFINES = (("ZTS_C_API_ONLY", "1"),)


def pkg_config(*args: str) -> list[str]:
    try:
        out = subprocess.run(
            ["pkg-config", *args, *PKG_CONFIG_PACKAGES], check=True, capture_output=True, text=True
        ).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        raise SystemExit(
            "pkg-config could not find the system libraries libzt builds against "
            f"({', '.join(PKG_CONFIG_PACKAGES)}); on Debian: "
            "apt-get install libsodium-dev libssl-dev liblz4-dev libminiupnpc-dev libnatpmp-dev pkg-config"
        ) from exc
    return shlex.split(out)


def pkg_config_values(prefix: str) -> list[str]:
    """The values of one kind of pkg-config flag ("-I", "-L", "-l"), prefix removed."""
    values = [f[len(prefix):] for f in pkg_config("--cflags", "--libs") if f.startswith(prefix)]
    return [*values, *PLAIN_LIBRARIES] if prefix == "-l" else values


def core_sources() -> list[Path]:
    return sorted(p for d in CORE_DIRS for p in (CSRC / d).glob("*.cpp"))


def core_headers() -> list[Path]:
    return sorted(CSRC.rglob("*.h*"))


def include_dirs() -> list[str]:
    return [str(INCLUDE), str(CSRC), *lwip_build.include_dirs(), *pkg_config_values("-I")]


def lwip_archive() -> Path:
    """lwIP compiled as C for this build (the same optimization and sanitizers as the core)."""
    return lwip_build.build_archive(optimization_args())


def _sanitize() -> str:
    return os.environ.get("LIBZT_SANITIZE", "").strip()


def compile_args() -> list[str]:
    """C++ flags for the core (include directories and defines apart)."""
    args = ["-std=c++17", "-fvisibility=hidden", "-Wall", "-Wextra", "-Wno-unused-parameter"]
    args += [f for f in pkg_config("--cflags") if not f.startswith("-I")]
    args += optimization_args()
    return args


def optimization_args() -> list[str]:
    """Optimization, debug information and sanitizers: for C programs built against the core too."""
    args = ["-O0", "-g3"] if os.environ.get("LIBZT_DEBUG") else ["-O2", "-g"]
    if _sanitize():
        args += [f"-fsanitize={_sanitize()}", "-fno-omit-frame-pointer", "-fno-sanitize-recover=undefined"]
    return args


def link_args() -> list[str]:
    args = [f for f in pkg_config("--libs") if not f.startswith(("-l", "-L"))]
    if _sanitize():
        args.append(f"-fsanitize={_sanitize()}")
    return args
