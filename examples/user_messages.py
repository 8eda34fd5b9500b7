# SPDX-License-Identifier: Apache-2.0
"""Two ZeroTier nodes exchanging USER_MESSAGEs through a root of your own, all on this machine.

Each node runs in its own process (libzt runs one node per process). Loopback paths are allowed
explicitly here; across real machines leave them off.

    python examples/user_messages.py
"""
from __future__ import annotations

import multiprocessing as mp
import subprocess
import sys
import tempfile
from pathlib import Path

import libzt

MESSAGE_TYPE = 0x10000  # ZeroTier reserves 0..65535


def peer(world_bytes: bytes, addresses: mp.Queue, replies: mp.Queue) -> None:
    with libzt.ZeroTierNode(roots=world_bytes, allow_loopback=True) as node:
        node.wait_online(timeout=10)
        addresses.put(node.address)
        for event in node.events(timeout=10):
            if event.code is libzt.EventCode.USER_MESSAGE and event.peer is not None:
                node.send_user_message(event.peer.node_id, MESSAGE_TYPE, event.data.upper())
                replies.put(event.data)
                return


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        root_id = libzt.Identity.generate()
        root_id.save(Path(tmp) / "root")
        world = libzt.World.create(
            [libzt.Root(root_id.public_identity(), ("127.0.0.1/39990",))], signing_key=libzt.KeyPair.generate(), id=42
        )
        world.save(Path(tmp) / "planet")
        root = subprocess.Popen([sys.executable, "-m", "libzt", "root", "--world", f"{tmp}/planet",
                                 "--identity", f"{tmp}/root", "--allow-loopback"], stdout=subprocess.DEVNULL)
        try:
            ctx = mp.get_context("spawn")  # a fresh process: never fork a process that runs a node
            addresses: mp.Queue = ctx.Queue()
            replies: mp.Queue = ctx.Queue()
            other = ctx.Process(target=peer, args=(world.to_bytes(), addresses, replies))
            other.start()
            with libzt.ZeroTierNode(roots=world, allow_loopback=True) as node:
                node.wait_online(timeout=10)
                target = addresses.get(timeout=15)
                print(f"round trip by ECHO: {node.ping(target)} ms", flush=True)
                node.send_user_message(target, MESSAGE_TYPE, b"hello over zerotier")
                answer = node.wait_for(libzt.EventCode.USER_MESSAGE, timeout=10)
                print(f"{node.address} -> {target}: sent 'hello over zerotier', got {answer.data!r}")
            other.join(10)
        finally:
            root.terminate()
            root.wait(10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
