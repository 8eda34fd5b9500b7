# SPDX-License-Identifier: Apache-2.0
"""The peer lifetime settings are checked where they are given: ZeroTierNode(peer_timeout=...,
max_peers=...) and `libzt root --peer-timeout/--max-peers` (which hands them to the node)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import libzt
from libzt.errors import ArgumentError


@pytest.mark.parametrize("kwargs", [{"peer_timeout": 0}, {"peer_timeout": -1}, {"peer_timeout": "30"},
                                    {"max_peers": 0}, {"max_peers": 1.5}])
def test_bad_peer_limits_are_refused(kwargs: dict) -> None:
    with pytest.raises(ArgumentError, match=r"peer_timeout|max_peers"):
        libzt.ZeroTierNode(**kwargs)


def test_good_peer_limits_are_taken() -> None:
    libzt.ZeroTierNode(peer_timeout=2.5, max_peers=10)


def test_root_cli_hands_the_peer_timeout_to_the_node(tmp_path: Path) -> None:
    ident = libzt.Identity.generate()
    ident.save(tmp_path / "root")
    world = libzt.World.create([libzt.Root(ident.public_identity(), ("127.0.0.1/29911",))],
                               signing_key=libzt.KeyPair.generate(), id=0x7E57_0000_0002)
    world.save(tmp_path / "planet")
    proc = subprocess.run([sys.executable, "-m", "libzt", "root", "--world", str(tmp_path / "planet"), "--identity",
                           str(tmp_path / "root"), "--peer-timeout", "0"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2, proc
    assert "peer_timeout must be" in proc.stderr + proc.stdout
