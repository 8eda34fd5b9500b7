#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The pingable node of libzt's guide (part 1), in the guide's own calls.

    python examples/guide/pingable_node.py NETWORK_ID [--storage DIR] [--planet FILE] [--seconds N]

Starts a node, joins NETWORK_ID and prints its addresses; from another machine on the network (or
another libzt node) ping them: the node's TCP/IP stack answers. It stops after --seconds (default:
on Ctrl-C).
"""
import argparse
import os
import sys
import time

import libzt


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("net_id")
    parser.add_argument("--storage", help="keep the identity here (default: a new one each run)")
    parser.add_argument("--planet", default=os.environ.get("LIBZT_PLANET"))
    parser.add_argument("--seconds", type=float)
    args = parser.parse_args()
    net_id = int(args.net_id, 16)

    node = libzt.ZeroTierNode()
    if args.storage:
        node.init_from_storage(args.storage)
    if args.planet:
        with open(args.planet, "rb") as f:
            roots = f.read()
        node.init_set_roots(roots, len(roots))
    node.start()
    while not node.is_online():
        time.sleep(1)
    print("Node ID:", hex(node.get_id()), flush=True)
    node.net_join(net_id)
    while not node.net_transport_is_ready(net_id):
        time.sleep(1)
    print("IPv4 address:", node.addr_get_ipv4(net_id), flush=True)
    try:
        print("IPv6 address:", node.addr_get_ipv6(net_id), flush=True)
    except libzt.NoResultError:
        print("IPv6 address: none on this network", flush=True)
    print("Ready to be pinged", flush=True)
    try:
        deadline = None if args.seconds is None else time.monotonic() + args.seconds
        while deadline is None or time.monotonic() < deadline:
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    node.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
