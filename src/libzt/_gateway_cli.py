# SPDX-License-Identifier: Apache-2.0
"""``libzt proxy`` and ``libzt forward``: a node joined to a network, and local servers that carry
connections into it (libzt.proxy, libzt.forward), with live counters on a terminal."""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from typing import Any, Awaitable, Callable, Dict, List, Tuple

from libzt._relay import Counters, show_live


def add_node_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--network", required=True, metavar="NWID", help="the ZeroTier network to join (16 hex digits)")
    p.add_argument("--storage", help="keep the node's identity here (default: a new identity each run)")
    p.add_argument("--planet", "--world", dest="planet", help="planet file of your own roots (default: ZeroTier's)")
    p.add_argument("--port", type=int, default=0, help="UDP port of the node (default: random)")
    p.add_argument("--allow-loopback", action="store_true", help="accept peers on 127.0.0.1/::1 (tests)")
    p.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for the node and network")
    p.add_argument("--host", action="append", default=[], metavar="NAME=ADDRESS",
                   help="a name for a ZeroTier address (there is no DNS); repeat")


def endpoint(text: str) -> Tuple[str, int]:
    """HOST:PORT (IPv6 in brackets) to (host, port)."""
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r} is not HOST:PORT")
    return host.strip("[]") or "127.0.0.1", int(port)


def hosts_of(args: argparse.Namespace) -> Dict[str, str]:
    out = {}
    for item in args.host:
        name, sep, address = item.partition("=")
        if not sep:
            raise SystemExit(f"libzt: --host {item!r} is not NAME=ADDRESS")
        out[name] = address
    return out


def run(args: argparse.Namespace, what: str, start: Callable[[], Awaitable[List[Tuple[str, Any]]]],
        counters: Counters) -> int:
    """Starts the node, joins, runs ``start`` (which opens the servers and names them) and serves
    until interrupted. One line per server and a "ready" line go to stdout."""
    import libzt

    roots = libzt.World.load(args.planet) if args.planet else None
    node = libzt.ZeroTierNode(storage=args.storage, roots=roots, port=args.port, allow_loopback=args.allow_loopback)
    node.start()
    try:
        node.wait_online(timeout=args.timeout)
        network = node.join(args.network).wait_ready(timeout=args.timeout)
        addresses = " ".join(str(a.ip) for a in network.addresses)

        async def main() -> None:
            servers = await start()
            for label, server in servers:
                for sock in server.sockets:
                    name = sock.getsockname()
                    print(f"{what}: {label} on {name[0]}:{name[1]}", flush=True)
            print(f"{what}: ready, node {node.address} on {args.network} as {addresses}", flush=True)
            live = asyncio.ensure_future(show_live(counters))
            try:
                await asyncio.gather(*(s.serve_forever() for _, s in servers))
            finally:
                live.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await live

        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(main())
        print(f"{what}: {counters.line()}", file=sys.stderr)
        return 0
    finally:
        node.stop()


def cmd_proxy(args: argparse.Namespace) -> int:
    from libzt.proxy import Proxy

    if args.socks5 is None and args.http is None:
        args.socks5 = ("127.0.0.1", 1080)
    proxy = Proxy(hosts=hosts_of(args))

    async def start() -> List[Tuple[str, Any]]:
        servers: List[Tuple[str, Any]] = []
        if args.socks5 is not None:
            servers.append(("socks5", await proxy.serve_socks5(*args.socks5)))
        if args.http is not None:
            servers.append(("http", await proxy.serve_http(*args.http)))
        return servers

    return run(args, "libzt proxy", start, proxy.counters)


def cmd_forward(args: argparse.Namespace) -> int:
    from libzt.forward import Forwards

    if not args.forward and not args.expose:
        raise SystemExit("libzt forward: nothing to forward (give LOCAL=REMOTE or --expose)")
    forwards = Forwards()

    async def start() -> List[Tuple[str, Any]]:
        servers: List[Tuple[str, Any]] = []
        for (lhost, lport), (rhost, rport) in args.forward:
            servers.append((f"to {rhost}:{rport}", await forwards.to_network(lhost, lport, rhost, rport)))
        for zport, (thost, tport) in args.expose:
            servers.append((f"exposing {thost}:{tport}", await forwards.from_network(zport, thost, tport)))
        return servers

    return run(args, "libzt forward", start, forwards.counters)


def _pair(text: str) -> Tuple[Tuple[str, int], Tuple[str, int]]:
    left, sep, right = text.partition("=")
    if not sep:
        raise argparse.ArgumentTypeError(f"{text!r} is not LOCAL_HOST:PORT=ZT_ADDRESS:PORT")
    return endpoint(left), endpoint(right)


def _exposed(text: str) -> Tuple[int, Tuple[str, int]]:
    port, sep, target = text.partition("=")
    if not sep or not port.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r} is not ZT_PORT=LOCAL_HOST:PORT")
    return int(port), endpoint(target)


def add_commands(sub: Any) -> None:
    proxy = sub.add_parser("proxy", help="a local SOCKS5 / HTTP CONNECT proxy into a ZeroTier network")
    proxy.add_argument("--socks5", type=endpoint, metavar="HOST:PORT",
                       help="SOCKS5 (CONNECT, UDP ASSOCIATE) here (default 127.0.0.1:1080 when no --http)")
    proxy.add_argument("--http", type=endpoint, metavar="HOST:PORT", help="HTTP proxy (CONNECT and http:// URLs) here")
    add_node_arguments(proxy)
    proxy.set_defaults(func=cmd_proxy)

    forward = sub.add_parser("forward", help="TCP port forwards between this machine and a ZeroTier network")
    forward.add_argument("forward", nargs="*", type=_pair, metavar="LOCAL_HOST:PORT=ZT_ADDRESS:PORT",
                         help="listen on this machine, connect over ZeroTier")
    forward.add_argument("--expose", action="append", default=[], type=_exposed, metavar="ZT_PORT=LOCAL_HOST:PORT",
                         help="listen on the node's ZT_PORT, connect to a local service; repeat")
    add_node_arguments(forward)
    forward.set_defaults(func=cmd_forward)
