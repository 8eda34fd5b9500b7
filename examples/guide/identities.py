#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Identities, as in libzt's guide: a new one, one kept in storage, one given from memory.

    python examples/guide/identities.py STORAGE_PATH [--planet FILE]

Runs a node three times, one way each: init_new_identity() (a new address every time),
init_from_storage() (made on first use, then the same), and init_from_memory() with the secret
identity read from storage (so the same address again). Keep identity.secret private: whoever has
it can be your node.
"""
import argparse
import os
import sys
import time

import libzt


def run_node(how, configure, planet):
    node = libzt.ZeroTierNode()
    configure(node)
    if planet:
        node.init_set_roots(planet, len(planet))
    node.start()
    while not node.is_online():
        time.sleep(1)
    node_id = node.get_id()
    print(f"{how}: node ID {node_id:010x}", flush=True)
    node.stop()
    return node_id


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("storage_path")
    parser.add_argument("--planet", default=os.environ.get("LIBZT_PLANET"))
    args = parser.parse_args()
    planet = None
    if args.planet:
        with open(args.planet, "rb") as f:
            planet = f.read()

    # Generate a new identity
    run_node("new identity", lambda node: node.init_new_identity(), planet)
    # (or) Load from storage (a new identity is made there if it has none)
    stored = run_node("from storage", lambda node: node.init_from_storage(args.storage_path), planet)
    # (or) Load from memory
    with open(os.path.join(args.storage_path, "identity.secret")) as f:
        key = f.read().strip()
    again = run_node("from memory", lambda node: node.init_from_memory(key, len(key)), planet)
    print("storage and memory agree:", stored == again, flush=True)
    return 0 if stored == again else 1


if __name__ == "__main__":
    sys.exit(main())
