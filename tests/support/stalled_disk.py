# SPDX-License-Identifier: Apache-2.0
"""A filesystem of a test's own that can be frozen: while it is, every write to it (creating a file,
fsync, rename) blocks until it thaws, as on a stalled or saturated disk. An ext4 image on a loop
device, so freezing it touches nothing else on the machine (needs root, as the namespace tests do)."""
from __future__ import annotations

import subprocess
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

IMAGE_BYTES = 32 << 20


def _run(*argv: str) -> None:
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed ({proc.returncode}): {proc.stderr.strip()}")


@contextmanager
def own_filesystem(directory: Path) -> Iterator[Path]:
    """A fresh ext4 filesystem mounted at directory/mnt, unmounted (and its loop device freed) after."""
    image = directory / "disk.img"
    with open(image, "wb") as f:
        f.truncate(IMAGE_BYTES)
    _run("mkfs.ext4", "-q", "-F", str(image))
    mount = directory / "mnt"
    mount.mkdir()
    _run("mount", "-o", "loop", str(image), str(mount))
    try:
        yield mount
    finally:
        # A test that failed while frozen must not leave writers blocked for good.
        subprocess.run(["fsfreeze", "--unfreeze", str(mount)], capture_output=True, timeout=60)
        _run("umount", str(mount))


@contextmanager
def frozen(mount: Path) -> Iterator[None]:
    _run("fsfreeze", "--freeze", str(mount))
    try:
        yield
    finally:
        _run("fsfreeze", "--unfreeze", str(mount))
