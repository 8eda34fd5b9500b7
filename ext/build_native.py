# SPDX-License-Identifier: Apache-2.0
"""cffi build script for ``libzt._native``.

The C API is declared in plain C files under ``ext/cdef/`` (one per API area) and compiled in API mode
against our public headers, so constant values and struct layouts come from the real headers, never from
copies typed in here. The C++17 core in ``csrc/`` is compiled into the same extension module.

The sources, flags and libraries of the core, and the environment switches that change them
(LIBZT_SANITIZE, LIBZT_DEBUG), are in ``ext/csrc_build.py``, shared with ``ext/build_clib.py``.
lwIP's archive is linked in by setup.py's build_ext, when the extension is built.
Under LIBZT_SANITIZE, run Python with the sanitizer runtimes preloaded (see scripts/run-tests).
"""
from __future__ import annotations

import sys
from pathlib import Path

from cffi import FFI

# cffi runs this file without putting its directory on sys.path.
sys.path.insert(0, str(Path(__file__).resolve().parent))
from csrc_build import (
    DEFINES,
    ROOT,
    compile_args,
    core_sources,
    include_dirs,
    link_args,
    pkg_config_values,
)


def _relative(path: Path) -> str:
    # setuptools wants sources relative to the project root.
    return str(path.relative_to(ROOT))


ffibuilder = FFI()
for cdef in sorted((ROOT / "ext" / "cdef").glob("*.h")):
    ffibuilder.cdef(cdef.read_text(), override=False)

ffibuilder.set_source(
    "libzt._native",
    '#include "ZeroTierSockets.h"\n#include "libzt_ext.h"\n',
    sources=[_relative(p) for p in core_sources()],
    source_extension=".cpp",
    include_dirs=include_dirs(),
    library_dirs=pkg_config_values("-L"),
    libraries=[*pkg_config_values("-l"), "stdc++"],
    extra_compile_args=compile_args(),
    extra_link_args=link_args(),
    define_macros=list(DEFINES),
)
