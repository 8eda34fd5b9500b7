# SPDX-License-Identifier: Apache-2.0
"""A node's identity.secret is never silently replaced.

Only a missing file makes a node generate a new identity. A file that is there but oversize,
truncated, unreadable, or whose private key does not belong to its public key stops the start with an
error naming the file, and the file is left byte for byte as it was (a controller's identity is what
its networks are named after: replacing it orphans them).
"""
from __future__ import annotations

import hashlib
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Tuple

import pytest

import libzt
from libzt import GeneralError, ZeroTierNode
from support.worlds import make_planet

# Nodes here never reach a root: the planet names a loopback port nothing listens on, so nothing
# they send leaves the machine (ZeroTier's own planet would send to the Internet).
UNREACHABLE_ROOT = "127.0.0.1/39979"
Pair = Tuple[libzt.Identity, libzt.Identity]


@pytest.fixture(scope="module")
def roots(tmp_path_factory: pytest.TempPathFactory) -> libzt.World:
    return make_planet(tmp_path_factory.mktemp("world"), [UNREACHABLE_ROOT]).world


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _refused(storage: Path, roots: libzt.World, *reason: str) -> None:
    """Starting on ``storage`` fails naming its identity.secret and each of ``reason``; nothing is written."""
    secret = storage / "identity.secret"
    before = _digest(secret)
    listing = sorted(p.name for p in storage.iterdir())
    node = ZeroTierNode(storage=storage, roots=roots)
    with pytest.raises(GeneralError) as caught:
        node.start()
    message = str(caught.value)
    assert str(secret) in message
    for part in reason:
        assert part in message
    assert not node.running
    assert _digest(secret) == before
    assert sorted(p.name for p in storage.iterdir()) == listing


@pytest.fixture(scope="module")
def identities() -> Pair:
    return libzt.Identity.generate(), libzt.Identity.generate()


def test_an_oversize_file_is_refused(tmp_path: Path, roots: libzt.World, identities: Pair) -> None:
    me, _ = identities
    # A valid identity padded with white space: small enough to be one, too large to be read as one.
    (tmp_path / "identity.secret").write_text(me.secret + " " * 5000)
    _refused(tmp_path, roots, "larger than 4096 bytes")


def test_a_truncated_file_is_refused(tmp_path: Path, roots: libzt.World, identities: Pair) -> None:
    me, _ = identities
    (tmp_path / "identity.secret").write_text(me.secret[: len(me.secret) // 2])
    _refused(tmp_path, roots, "not a valid secret identity")


def test_a_public_identity_in_the_secret_file_is_refused(
    tmp_path: Path, roots: libzt.World, identities: Pair
) -> None:
    me, _ = identities
    (tmp_path / "identity.secret").write_text(me.public + "\n")
    _refused(tmp_path, roots, "not a valid secret identity")


def test_a_private_key_of_another_identity_is_refused(
    tmp_path: Path, roots: libzt.World, identities: Pair
) -> None:
    me, other = identities
    mismatched = ":".join([*me.secret.split(":")[:3], other.secret.split(":")[3]])
    assert libzt.Identity.from_string(mismatched).validate() is False  # what `libzt identity validate` says
    (tmp_path / "identity.secret").write_text(mismatched + "\n")
    _refused(tmp_path, roots, "not a valid secret identity")


def test_a_read_error_is_refused(tmp_path: Path, roots: libzt.World) -> None:
    # A directory at the file's name: open succeeds, read fails (EISDIR) whoever runs the test.
    (tmp_path / "identity.secret").mkdir()
    node = ZeroTierNode(storage=tmp_path, roots=roots)
    with pytest.raises(GeneralError, match=r"identity\.secret: cannot be read \(Is a directory\)"):
        node.start()
    assert (tmp_path / "identity.secret").is_dir()
    assert not (tmp_path / "identity.public").exists()


_START_AS_OTHER_USER = """
import sys
from libzt import GeneralError, World, ZeroTierNode
try:
    ZeroTierNode(storage=sys.argv[1], roots=World.from_bytes(bytes.fromhex(sys.argv[2]))).start()
except GeneralError as exc:
    print(exc)
    sys.exit(3)
sys.exit(0)
"""


@pytest.mark.skipif(os.geteuid() != 0, reason="switching to an unprivileged user needs root, as CI has")
def test_a_file_its_user_may_not_read_is_refused(
    roots: libzt.World, identities: Pair
) -> None:
    """chmod 000 does not stop root, so the node runs as nobody over a file it may not open."""
    nobody = pwd.getpwnam("nobody")
    me, _ = identities
    storage = Path(tempfile.mkdtemp(prefix="libzt-idfile-"))
    try:
        os.chmod(storage, 0o755)
        secret = storage / "identity.secret"
        secret.write_text(me.secret + "\n")
        os.chmod(secret, 0o000)
        os.chown(storage, nobody.pw_uid, nobody.pw_gid)
        os.chown(secret, nobody.pw_uid, nobody.pw_gid)
        before = hashlib.sha256(secret.read_bytes()).hexdigest()  # root still reads it
        run = subprocess.run(
            [
                shutil.which("setpriv") or "setpriv",
                f"--reuid={nobody.pw_uid}",
                f"--regid={nobody.pw_gid}",
                "--clear-groups",
                sys.executable,
                "-c",
                _START_AS_OTHER_USER,
                str(storage),
                roots.to_bytes().hex(),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "HOME": str(storage)},
        )
        assert run.returncode == 3, run.stdout + run.stderr
        assert f"{secret}: cannot be read (Permission denied)" in run.stdout
        assert hashlib.sha256(secret.read_bytes()).hexdigest() == before
        assert not (storage / "identity.public").exists()
    finally:
        shutil.rmtree(storage, ignore_errors=True)


def test_a_missing_file_is_created_and_then_kept(tmp_path: Path, roots: libzt.World) -> None:
    """The one case where a node makes its own identity, and the next start uses it again."""
    storage = tmp_path / "node"
    first = ZeroTierNode(storage=storage, roots=roots)
    first.start()
    try:
        made = first.identity
    finally:
        first.stop()
    assert libzt.Identity.load(storage / "identity.secret") == made
    second = ZeroTierNode(storage=storage, roots=roots)
    second.start()
    try:
        assert second.identity == made
    finally:
        second.stop()
