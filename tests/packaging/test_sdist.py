# SPDX-License-Identifier: Apache-2.0
"""The source distribution is complete: a wheel can be built from it alone.

It builds the sdist of this checkout with setuptools' own PEP 517 hook (no isolation: the venv's
setuptools and cffi, as scripts/bootstrap installs them) and compares its file list with what git
tracks. It lives apart from tests/unit because it needs the source tree and git; tests/unit also runs
against an installed wheel (scripts/check-wheel, cibuildwheel), where neither exists.
"""

from __future__ import annotations

import subprocess
import sys
import tarfile
from pathlib import Path, PurePosixPath

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Everything under these is needed to build or test a wheel from the sdist, so all of it must ship.
SHIPPED_TREES = ("csrc", "ext", "src", "tests", "examples")
# scripts/wheel-deps: cibuildwheel builds the release wheels from the sdist and runs it first.
SHIPPED_FILES = (
    "LICENSE", "THIRD_PARTY_NOTICES", "README.md", "pyproject.toml", "setup.py", "setup.cfg", "scripts/wheel-deps"
)
# Directories of a working tree that never belong in an sdist.
FORBIDDEN_DIRS = {"build", "dist", ".venv", ".venv-asan", "__pycache__", ".git", ".pytest_cache", ".ruff_cache"}
FORBIDDEN_SUFFIXES = (".so", ".o", ".a", ".pyc")


def _git_files() -> set[str]:
    proc = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True)
    return {name for name in proc.stdout.decode().split("\0") if name}


@pytest.fixture(scope="module")
def sdist(tmp_path_factory: pytest.TempPathFactory) -> tarfile.TarFile:
    out = tmp_path_factory.mktemp("sdist")
    hook = f"from setuptools import build_meta; print(build_meta.build_sdist({str(out)!r}))"
    proc = subprocess.run([sys.executable, "-c", hook], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, f"building the sdist failed:\n{proc.stdout}\n{proc.stderr}"
    name = proc.stdout.strip().splitlines()[-1]
    return tarfile.open(out / name)


@pytest.fixture(scope="module")
def sdist_files(sdist: tarfile.TarFile) -> dict[str, tarfile.TarInfo]:
    """Regular files of the sdist by path relative to its top directory (``pylibzt-VERSION/``)."""
    members = {}
    tops = set()
    for member in sdist.getmembers():
        top, _, rest = member.name.partition("/")
        tops.add(top)
        if member.isfile():
            members[rest] = member
    assert len(tops) == 1 and tops.pop().startswith("pylibzt-"), f"not one top directory pylibzt-VERSION: {tops}"
    return members


def test_ships_every_tracked_file_of_the_build_and_tests(sdist_files: dict[str, tarfile.TarInfo]) -> None:
    tracked = _git_files()
    wanted = {f for f in tracked if f.split("/")[0] in SHIPPED_TREES} | set(SHIPPED_FILES)
    assert any(f.startswith("ext/cdef/") and f.endswith(".h") for f in wanted)
    assert any(f.startswith("csrc/") and f.endswith(".h") for f in wanted)
    missing = sorted(wanted - set(sdist_files))
    assert not missing, f"the sdist lacks {len(missing)} file(s): {missing[:20]}"


def test_ships_nothing_untracked_but_its_metadata(sdist_files: dict[str, tarfile.TarInfo]) -> None:
    """Build products, caches and stray files of a working tree stay out; only what setuptools writes
    (PKG-INFO, the egg-info) is not in git."""
    tracked = _git_files()
    generated = {f for f in sdist_files if f == "PKG-INFO" or ".egg-info/" in f}
    extra = sorted(set(sdist_files) - tracked - generated)
    assert not extra, f"the sdist carries files git does not track: {extra[:20]}"
    for name in sdist_files:
        parts = PurePosixPath(name).parts
        assert not FORBIDDEN_DIRS.intersection(parts), name
        assert not name.endswith(FORBIDDEN_SUFFIXES), name


def test_declares_its_licence(sdist: tarfile.TarFile, sdist_files: dict[str, tarfile.TarInfo]) -> None:
    pkg_info = sdist.extractfile(sdist_files["PKG-INFO"])
    assert pkg_info is not None
    headers = pkg_info.read().decode()
    assert "Name: pylibzt\n" in headers
    assert "License-Expression: Apache-2.0\n" in headers
    assert "License-File: LICENSE\n" in headers
    assert "License-File: THIRD_PARTY_NOTICES\n" in headers
    licence = sdist.extractfile(sdist_files["LICENSE"])
    assert licence is not None and b"Apache License\n" in licence.read()
    notices = sdist.extractfile(sdist_files["THIRD_PARTY_NOTICES"])
    assert notices is not None
    text = notices.read().decode()
    for project in ("lwIP", "libsodium", "OpenSSL", "LZ4"):
        assert f"\n{project}" in text, f"THIRD_PARTY_NOTICES names no {project}"
