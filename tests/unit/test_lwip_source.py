# SPDX-License-Identifier: Apache-2.0
"""ext/lwip_source.py: where the build takes lwIP's release source from, and what it refuses."""
from __future__ import annotations

import tarfile
from pathlib import Path

import pytest

import lwip_source  # ext/ is on pytest's pythonpath (pyproject.toml)

BUILD_CACHE = lwip_source.cache_dir()  # before a test points it elsewhere


@pytest.fixture
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No earlier extraction, an empty cache, no download: only what a test hands over."""
    monkeypatch.setattr(lwip_source, "EXTRACTED", tmp_path / "extracted")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("LIBZT_LWIP_DOWNLOAD", "0")
    monkeypatch.delenv("LIBZT_LWIP_SOURCE", raising=False)
    return tmp_path


def pinned_archive() -> Path:
    """The archive this build used (scripts/bootstrap or a download put it in the cache)."""
    name = next(iter(lwip_source.PINNED))
    path = BUILD_CACHE / name
    assert path.is_file(), f"{path} missing: run scripts/bootstrap"
    return path


def test_says_what_it_looked_for_when_it_finds_nothing(isolated: Path) -> None:
    with pytest.raises(lwip_source.LwipSourceError) as err:
        lwip_source.lwip_tree()
    text = str(err.value)
    assert "LIBZT_LWIP_SOURCE (not set)" in text
    assert str(isolated / "cache" / "libzt" / "lwip") in text
    assert "LIBZT_LWIP_DOWNLOAD=0" in text


def test_an_archive_or_tree_given_is_used_and_checked(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive = pinned_archive()
    monkeypatch.setenv("LIBZT_LWIP_SOURCE", str(archive))
    tree = lwip_source.lwip_tree()
    assert (tree / "src" / "core" / "tcp.c").is_file() and tree.is_relative_to(isolated / "extracted")
    monkeypatch.setenv("LIBZT_LWIP_SOURCE", str(tree))
    assert lwip_source.lwip_tree() == tree


def test_an_archive_that_is_not_pinned_is_refused(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = isolated / "lwip-2.1.3.tar.gz"
    (isolated / "lwip-2.1.3" / "src" / "include" / "lwip").mkdir(parents=True)
    (isolated / "lwip-2.1.3" / "src" / "include" / "lwip" / "init.h").write_text("#define LWIP_VERSION_MAJOR 2\n")
    with tarfile.open(fake, "w:gz") as t:
        t.add(isolated / "lwip-2.1.3", arcname="lwip-2.1.3")
    monkeypatch.setenv("LIBZT_LWIP_SOURCE", str(fake))
    with pytest.raises(lwip_source.LwipSourceError, match=r"not a pinned lwIP 2\.1\.3 release"):
        lwip_source.lwip_tree()
    monkeypatch.setenv("LIBZT_LWIP_SOURCE", str(isolated / "lwip-2.1.3"))  # a tree of another version
    with pytest.raises(lwip_source.LwipSourceError, match=r"not lwIP 2\.1\.3"):
        lwip_source.lwip_tree()
