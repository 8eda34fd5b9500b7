# SPDX-License-Identifier: Apache-2.0
"""What the socket examples share: a node on a network, from the command line.

Every example takes a network ID, and optionally a planet of your own (``libzt world`` makes one,
``libzt root`` serves it) and a storage directory for a stable identity. Without ``--planet`` the
node uses ZeroTier's public roots, like any ZeroTier client.
"""
from __future__ import annotations

import argparse
import contextlib
from typing import Iterator, Tuple

import libzt


def add_node_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("network", help="network ID, 16 hex digits (ad-hoc IDs, ffSSSSEEEE000000 or "
                                        "ffAA000000000001, need no controller)")
    parser.add_argument("--planet", help="planet file naming your own roots (default: ZeroTier's)")
    parser.add_argument("--storage", help="directory for the node's identity (default: a new one per run)")
    parser.add_argument("--allow-loopback", action="store_true",
                        help="reach roots and peers over 127.0.0.1 (everything on this machine)")


@contextlib.contextmanager
def joined(args: argparse.Namespace) -> Iterator[Tuple[libzt.ZeroTierNode, libzt.Network]]:
    """A running node, online and on ``args.network`` with an address; stopped on exit."""
    roots = libzt.World.load(args.planet) if args.planet else None
    with libzt.ZeroTierNode(storage=args.storage, roots=roots, allow_loopback=args.allow_loopback) as node:
        node.wait_online(timeout=60)
        network = node.join(args.network).wait_ready(timeout=60)
        yield node, network


def first_address(network: libzt.Network, version: int = 4) -> str:
    for interface in network.addresses:
        if interface.version == version:
            return str(interface.ip)
    raise LookupError(f"no IPv{version} address on {network.id_hex}")
