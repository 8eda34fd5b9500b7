# SPDX-License-Identifier: Apache-2.0
"""Compiles lwIP's C sources (from ``ext/lwip_source.py``) with our port and options
(``csrc/lwip_port/``) into a static archive that both builds of the core link in: the Python
extension and ``build/clib/libzt.so`` (and the fuzz targets that need the stack).

lwIP is C: it is compiled here with the C compiler, apart from the core's C++ flags, as
position-independent code with hidden visibility (none of its symbols leave our libraries). The
archive lives in ``build/lwip/<key>/liblwip_zt.a``, keyed by compiler, flags, source tree and port
headers, so a sanitizer or debug build never mixes with an optimized one. Only what lwipopts.h
enables is compiled in: the rest of each file preprocesses to nothing, and PPP, SLIP, 6LoWPAN and
the applications (src/netif/ppp, src/apps, ...) are not compiled at all.
"""
from __future__ import annotations

import hashlib
import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from lwip_source import lwip_tree

ROOT = Path(__file__).resolve().parent.parent
PORT = ROOT / "csrc" / "lwip_port"
PORT_INCLUDE = PORT / "include"
OUT = ROOT / "build" / "lwip"
# lwIP's parts we compile, relative to its src/.
SOURCE_GLOBS = ("core/*.c", "core/ipv4/*.c", "core/ipv6/*.c", "api/*.c", "netif/ethernet.c")
C_FLAGS = ("-std=gnu99", "-fPIC", "-fvisibility=hidden", "-fno-strict-aliasing")


def include_dirs() -> list[str]:
    """What code using lwIP's headers needs on its include path: our port first, then lwIP's."""
    return [str(PORT_INCLUDE), str(lwip_tree() / "src" / "include")]


def sources() -> list[Path]:
    src = lwip_tree() / "src"
    return sorted(p for pattern in SOURCE_GLOBS for p in src.glob(pattern))


def _key(cc: str, flags: list[str]) -> str:
    h = hashlib.sha256()
    h.update("\0".join([cc, *flags, str(lwip_tree())]).encode())
    for header in sorted(PORT_INCLUDE.rglob("*.h")):
        h.update(header.read_bytes())
    return h.hexdigest()[:16]


def _compile(cmd: list[str]) -> None:
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"lwip_build: failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stdout}{proc.stderr}")


def build_archive(flags: list[str], cc: str | None = None, jobs: int | None = None) -> Path:
    """Builds (once per key) and returns the static archive of lwIP compiled with `flags`
    (optimization, debug information, sanitizers: those of the code it is linked into)."""
    cc = cc or os.environ.get("CC", "gcc")
    all_flags = [*C_FLAGS, *flags, *(f"-I{d}" for d in include_dirs())]
    out = OUT / _key(cc, all_flags)
    archive = out / "liblwip_zt.a"
    if archive.exists():
        return archive
    obj_dir = out / "obj"
    obj_dir.mkdir(parents=True, exist_ok=True)
    src_root = lwip_tree() / "src"
    work = []
    objects = []
    for source in sources():
        obj = obj_dir / (str(source.relative_to(src_root).with_suffix(".o")).replace("/", "_"))
        objects.append(obj)
        work.append([cc, *all_flags, "-c", str(source), "-o", str(obj)])
    with ThreadPoolExecutor(max_workers=jobs or os.cpu_count() or 1) as pool:
        list(pool.map(_compile, work))  # list(): raise the first failure
    partial = out / "liblwip_zt.a.part"
    partial.unlink(missing_ok=True)
    _compile([os.environ.get("AR", "ar"), "rcs", str(partial), *map(str, objects)])
    partial.rename(archive)  # whole or absent: a parallel build never links half an archive
    return archive


if __name__ == "__main__":
    print(build_archive(["-O2", "-g"]))
