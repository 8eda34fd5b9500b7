# SPDX-License-Identifier: Apache-2.0
"""``libzt demo``: what works today, end to end, printed step by step.

Today that is the identity layer: identities are generated and validated, a planet naming two roots
is created, signed, written, read back and verified, and an update signed by the wrong key is refused.
Later parts (roots, controller, nodes, sockets) extend this demo as they land.
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from libzt.identity import Identity, KeyPair
from libzt.world import Root, World


def _step(text: str) -> None:
    print(f"==> {text}", flush=True)


def run_demo(args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory(prefix="libzt-demo-") as tmp:
        work = Path(args.workdir) if args.workdir else Path(tmp)
        work.mkdir(parents=True, exist_ok=True)

        _step("generating two root identities (memory-hard address derivation)")
        roots = []
        for i in range(2):
            t0 = time.perf_counter()
            ident = Identity.generate(threads=0)
            ident.save(work / f"root{i}")
            print(f"    root{i}: {ident.address} in {1000 * (time.perf_counter() - t0):.0f} ms, "
                  f"valid={ident.validate()}")
            roots.append(Root(ident.public_identity(), (f"10.200.0.{i + 1}/9993",)))

        _step("creating and signing a planet that names them")
        key = KeyPair.generate()
        planet = World.create(roots, signing_key=key, id=0x6C69627A74)
        planet.save(work / "planet")
        key.save(work / "planet.key")
        print("    " + planet.describe().replace("\n", "\n    "))

        _step("reading the planet back and verifying it")
        loaded = World.load(work / "planet")
        print(f"    {len(loaded.to_bytes())} bytes, identical={loaded == planet}, signature valid={loaded.verify(key)}")

        _step("an update must be signed by the current update key")
        impostor = World.create(roots[:1], signing_key=KeyPair.generate(), id=planet.id,
                                timestamp=planet.timestamp + 1)
        genuine = World.create(roots[:1], signing_key=key, id=planet.id, timestamp=planet.timestamp + 1)
        print(f"    update signed by another key accepted: {planet.should_be_replaced_by(impostor)}")
        print(f"    update signed by the update key accepted: {planet.should_be_replaced_by(genuine)}")
        ok = loaded.verify(key) and planet.should_be_replaced_by(genuine) and not planet.should_be_replaced_by(impostor)
        print("demo: " + ("OK" if ok else "FAILED"))
        return 0 if ok else 1
