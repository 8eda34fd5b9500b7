# SPDX-License-Identifier: Apache-2.0
"""Where lwIP's source comes from: upstream's release, never a copy in our repository.

The native core compiles lwIP's ``src/`` (core, api, netif/ethernet.c and the headers) with our own
port and options (``csrc/lwip_port/``). :func:`lwip_tree` returns an extracted release tree, looking in
this order:

1. ``LIBZT_LWIP_SOURCE``: a release archive (.tar.gz, .tar.xz, .zip) or an extracted tree;
2. an extraction this module made before, under ``build/lwip-src/``;
3. a release archive in the cache directory (``$XDG_CACHE_HOME/libzt/lwip``, else ``~/.cache/libzt/lwip``),
   which ``scripts/bootstrap`` fills on Debian with ``apt-get source --download-only lwip``;
4. a download of the pinned release (``LIBZT_LWIP_DOWNLOAD=0`` forbids it), into that cache.

Every archive is checked against :data:`PINNED` (SHA-256) before use: one lwIP version everywhere.
Debian's orig tarball of 2.1.3 is upstream's tree, repacked (``+dfsg1``: without the generated Doxygen
HTML, doc/doxygen/output), so it is pinned as a release. Only its ``src/`` is used; Debian's
``debian/`` and port files are not.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import tarfile
import tempfile
import urllib.request
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VERSION = "2.1.3"
# Archive file name -> SHA-256. Any of them may be used; each holds lwip-2.1.3/src/.
PINNED = {
    "lwip_2.1.3+dfsg1.orig.tar.xz": "0a8276d09fc4e97bbba2f953d74af2388fc2195ea156be9d7589e297a68fde24",
}
# Where the build downloads the pinned release when nothing local has it (e.g. a wheel build off
# Debian): Debian's archive, then its permanent snapshot.
DOWNLOADS = (
    ("lwip_2.1.3+dfsg1.orig.tar.xz", "https://deb.debian.org/debian/pool/main/l/lwip/lwip_2.1.3+dfsg1.orig.tar.xz"),
    ("lwip_2.1.3+dfsg1.orig.tar.xz",
     "https://snapshot.debian.org/archive/debian/20250520T000000Z/pool/main/l/lwip/lwip_2.1.3+dfsg1.orig.tar.xz"),
)
EXTRACTED = ROOT / "build" / "lwip-src"
# A file every usable tree has (relative to the tree's root).
MARKER = Path("src/include/lwip/init.h")


class LwipSourceError(RuntimeError):
    pass


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "libzt" / "lwip"


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _check_pinned(archive: Path) -> str:
    digest = sha256(archive)
    if digest not in PINNED.values():
        raise LwipSourceError(
            f"{archive}: SHA-256 {digest} is not a pinned lwIP {VERSION} release "
            f"(pinned: {', '.join(f'{n} {d}' for n, d in PINNED.items())})"
        )
    return digest


def _check_version(tree: Path) -> None:
    init_h = (tree / MARKER).read_text(errors="replace")
    major, minor, rev = VERSION.split(".")
    wanted = (f"LWIP_VERSION_MAJOR      {major}", f"LWIP_VERSION_MINOR      {minor}",
              f"LWIP_VERSION_REVISION   {rev}")
    if not all(w in init_h for w in wanted):
        raise LwipSourceError(f"{tree}: not lwIP {VERSION} (see {MARKER})")


def _tree_in(directory: Path) -> Path | None:
    """The lwIP tree at or one level below `directory` (archives hold one top directory)."""
    if (directory / MARKER).is_file():
        return directory
    for child in sorted(directory.iterdir()) if directory.is_dir() else ():
        if (child / MARKER).is_file():
            return child
    return None


def _safe_members(names: list[str]) -> None:
    for name in names:
        if name.startswith("/") or ".." in Path(name).parts:
            raise LwipSourceError(f"archive member with an unsafe path: {name}")


def _extract(archive: Path) -> Path:
    """Extracts a pinned archive once into build/lwip-src/<digest>/ and returns its tree."""
    digest = _check_pinned(archive)
    target = EXTRACTED / digest[:16]
    tree = _tree_in(target)
    if tree is not None:
        return tree
    EXTRACTED.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(dir=EXTRACTED, prefix=".extract-"))
    try:
        if archive.name.endswith(".zip"):
            with zipfile.ZipFile(archive) as z:
                _safe_members(z.namelist())
                z.extractall(scratch)
        else:
            with tarfile.open(archive) as t:
                _safe_members(t.getnames())
                if hasattr(tarfile, "data_filter"):
                    t.extractall(scratch, filter="data")
                else:
                    t.extractall(scratch)
        if _tree_in(scratch) is None:
            raise LwipSourceError(f"{archive}: no {MARKER} inside")
        shutil.rmtree(target, ignore_errors=True)
        scratch.rename(target)  # atomic: parallel builds see a whole tree or none
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    tree = _tree_in(target)
    assert tree is not None
    _check_version(tree)
    return tree


def _download(cache: Path) -> Path:
    cache.mkdir(parents=True, exist_ok=True)
    errors = []
    for name, url in DOWNLOADS:
        dest = cache / name
        part = dest.with_suffix(dest.suffix + ".part")
        try:
            with urllib.request.urlopen(url, timeout=60) as response, part.open("wb") as out:
                shutil.copyfileobj(response, out)
            if sha256(part) != PINNED[name]:
                raise LwipSourceError(f"SHA-256 mismatch (got {sha256(part)}, pinned {PINNED[name]})")
            part.rename(dest)
            return dest
        except (OSError, LwipSourceError) as exc:
            errors.append(f"{url}: {exc}")
            part.unlink(missing_ok=True)
    raise LwipSourceError("could not download lwIP:\n  " + "\n  ".join(errors))


def lwip_tree() -> Path:
    """An extracted lwIP release tree (holding src/), found or fetched as the module doc says."""
    looked = []
    given = os.environ.get("LIBZT_LWIP_SOURCE", "").strip()
    if given:
        path = Path(given).expanduser().resolve()
        if path.is_dir():
            tree = _tree_in(path)
            if tree is None:
                raise LwipSourceError(f"LIBZT_LWIP_SOURCE={given}: no {MARKER} in it or one level below")
            _check_version(tree)
            return tree
        if path.is_file():
            return _extract(path)
        raise LwipSourceError(f"LIBZT_LWIP_SOURCE={given}: no such file or directory")
    looked.append("LIBZT_LWIP_SOURCE (not set)")

    for digest in PINNED.values():
        tree = _tree_in(EXTRACTED / digest[:16])
        if tree is not None:
            return tree
    looked.append(f"an earlier extraction in {EXTRACTED}")

    cache = cache_dir()
    for name in PINNED:
        if (cache / name).is_file():
            return _extract(cache / name)
    looked.append(f"{' or '.join(PINNED)} in {cache} (scripts/bootstrap puts it there)")

    if os.environ.get("LIBZT_LWIP_DOWNLOAD", "1") == "0":
        looked.append("a download (LIBZT_LWIP_DOWNLOAD=0 forbids it)")
    else:
        try:
            return _extract(_download(cache))
        except LwipSourceError as exc:
            looked.append(f"a download of the pinned release: {exc}")
    raise LwipSourceError(
        f"lwIP {VERSION} source not found. Looked for:\n  - " + "\n  - ".join(looked)
        + "\nSet LIBZT_LWIP_SOURCE to an lwIP 2.1.3 release archive or tree, or run scripts/bootstrap (Debian)."
    )


if __name__ == "__main__":
    print(lwip_tree())
