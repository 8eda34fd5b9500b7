# SPDX-License-Identifier: Apache-2.0
"""The ``libzt`` command: identities, worlds, roots, network controllers and their networks, demos."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Callable, Optional, Sequence

from libzt.errors import ZeroTierError
from libzt.identity import Identity, KeyPair
from libzt.world import World, WorldType, roots_from_specs

# A world ID of our own by default: nodes prefer ZeroTier's Earth (149604618) when both are known, so a
# private world must not reuse it.
DEFAULT_WORLD_ID = 0x6C69627A74  # "libzt"


def _cmd_identity_new(args: argparse.Namespace) -> int:
    ident = Identity.generate(threads=args.threads)
    if args.dir:
        ident.save(args.dir)
        print(f"wrote {Path(args.dir) / 'identity.secret'} and identity.public for {ident.address}")
    else:
        print(ident.secret)
    return 0


def _cmd_identity_validate(args: argparse.Namespace) -> int:
    ident = Identity.from_string_or_file(args.identity)
    ok = ident.validate()
    print(f"{ident.address}: {'valid' if ok else 'INVALID'}")
    return 0 if ok else 1


def _cmd_world_new(args: argparse.Namespace) -> int:
    out = Path(args.output)
    key_path = Path(args.key_out) if args.key_out else out.with_name(out.name + ".key")
    signing = KeyPair.load(args.signing_key) if args.signing_key else KeyPair.generate()
    update = KeyPair.load(args.update_key) if args.update_key else signing
    world = World.create(
        roots_from_specs(args.root),
        signing_key=signing,
        update_key=update,
        id=args.id,
        timestamp=args.timestamp,
        type=WorldType.MOON if args.moon else WorldType.PLANET,
    )
    world.save(out)
    if not args.update_key:
        signing.save(key_path)
        print(f"wrote {out} ({len(world.to_bytes())} bytes) and its update key {key_path} (keep it secret)")
    else:
        print(f"wrote {out} ({len(world.to_bytes())} bytes), signed for the update key in {args.update_key}")
    print(world.describe())
    return 0


def _cmd_world_show(args: argparse.Namespace) -> int:
    world = World.load(args.world)
    print(world.describe())
    if args.key:
        ok = world.verify(KeyPair.load(args.key).public)
        print(f"signature by {args.key}: {'valid' if ok else 'INVALID'}")
        return 0 if ok else 1
    return 0


def _cmd_root(args: argparse.Namespace) -> int:
    from libzt.root import run_root

    return run_root(args.world, args.identity, args.port, allow_loopback=args.allow_loopback, planet_path=args.planet,
                    peer_timeout=args.peer_timeout, max_peers=args.max_peers, ready_file=args.ready_file)


def _cmd_relay(args: argparse.Namespace) -> int:
    import asyncio

    from libzt.relay import Relay

    async def run() -> None:
        relay = Relay(args.host, args.port)
        port = await relay.start()
        print(f"relay listening on {args.host}:{port} (TCP)", flush=True)
        await relay.serve_forever()

    try:
        asyncio.run(run())
    except KeyboardInterrupt:
        pass
    return 0


def _cmd_controller(args: argparse.Namespace) -> int:
    from libzt.controller.run import ControllerOptions, run_controller

    return run_controller(ControllerOptions(
        directory=args.dir, db=args.db, http=args.http, roots=args.roots, port=args.port,
        allow_loopback=args.allow_loopback, api_only=args.api_only, workers=args.workers,
        http_idle_timeout=args.http_idle_timeout, http_max_connections=args.http_max_connections,
    ))


def _client(args: argparse.Namespace) -> Any:
    from libzt.controller.client import ControllerClient

    return ControllerClient.from_options(args.dir, args.url, args.token)


def _cmd_network_create(args: argparse.Namespace) -> int:
    from libzt.controller.client import network_body

    public = True if args.public else (False if args.private else None)
    body = network_body(args.name, public, args.pool or [], args.route or [], args.rfc4193, args.sixplane, args.json,
                        args.dns_domain, args.dns_server)
    network = _client(args).create_network(body)
    print(network["id"])
    return 0


def _cmd_network_list(args: argparse.Namespace) -> int:
    networks = _client(args).networks()
    print(f"{'NETWORK':<16}  {'NAME':<20} {'TYPE':<7} {'MEMBERS':>7} {'AUTHORIZED':>10}")
    for n in networks:
        meta = n.get("meta", {})
        kind = "private" if n.get("private", True) else "public"
        print(f"{n['id']:<16}  {n.get('name', ''):<20} {kind:<7} {meta.get('totalMemberCount', 0):>7} "
              f"{meta.get('authorizedMemberCount', 0):>10}")
    return 0


def _cmd_network_show(args: argparse.Namespace) -> int:
    client = _client(args)
    shown = {"network": client.network(args.network), "members": client.members(args.network)}
    print(json.dumps(shown, indent=2, sort_keys=True))
    return 0


def _set_authorized(args: argparse.Namespace, authorized: bool) -> int:
    member = _client(args).update_member(args.network, args.member, {"authorized": authorized})
    state = "authorized" if member.get("authorized") else "not authorized"
    print(f"{member['address']} is {state} on {member['nwid']}")
    return 0


def _cmd_network_authorize(args: argparse.Namespace) -> int:
    return _set_authorized(args, True)


def _cmd_network_deauthorize(args: argparse.Namespace) -> int:
    return _set_authorized(args, False)


def _cmd_network_delete(args: argparse.Namespace) -> int:
    network = _client(args).delete_network(args.network)
    print(f"deleted {network['id']}")
    return 0


def _add_network_commands(sub: Any) -> None:
    network = sub.add_parser("network", help="manage a controller's networks through its REST API").add_subparsers(
        dest="action", required=True
    )

    def command(name: str, help: str, func: Callable[[argparse.Namespace], int]) -> argparse.ArgumentParser:
        c = network.add_parser(name, help=help)
        c.add_argument("--dir", help="the controller's directory (finds controller.url and authtoken.secret)")
        c.add_argument("--url", help="the controller's API (default: from --dir, else http://127.0.0.1:9993)")
        c.add_argument("--token", help="API token (default: DIR/authtoken.secret)")
        c.set_defaults(func=func)
        return c

    create = command("create", "create a network with a random ID; prints the ID", _cmd_network_create)
    create.add_argument("--name")
    kind = create.add_mutually_exclusive_group()
    kind.add_argument("--private", action="store_true", help="members need authorization (the default)")
    kind.add_argument("--public", action="store_true", help="anyone may join")
    create.add_argument("--pool", action="append", metavar="START-END",
                        help="auto-assign addresses from this range (turns auto-assignment on); repeat")
    create.add_argument("--route", action="append", metavar="CIDR[,VIA]", help="a managed route; repeat")
    create.add_argument("--rfc4193", action="store_true", help="give each member its RFC4193 IPv6 address")
    create.add_argument("--6plane", dest="sixplane", action="store_true", help="give each member its 6PLANE /80")
    create.add_argument("--dns-domain", metavar="DOMAIN", help="the search domain the network pushes to members")
    create.add_argument("--dns-server", action="append", metavar="IP",
                        help="a DNS server the network pushes to members (at most 4); repeat")
    create.add_argument("--json", help="more fields, as a JSON object (zerotier-one's network fields)")
    command("list", "list networks with member counts", _cmd_network_list)
    show = command("show", "print a network and its members as JSON", _cmd_network_show)
    show.add_argument("network")
    for name, func, text in (("authorize", _cmd_network_authorize, "let a member join"),
                             ("deauthorize", _cmd_network_deauthorize, "revoke a member")):
        c = command(name, text, func)
        c.add_argument("network")
        c.add_argument("member", help="the member's 10-hex-digit address")
    delete = command("delete", "delete a network and its members", _cmd_network_delete)
    delete.add_argument("network")


def _cmd_demo(args: argparse.Namespace) -> int:
    from libzt.demo import run_demo

    return run_demo(args)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="libzt", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)

    ident = sub.add_parser("identity", help="create and check ZeroTier identities").add_subparsers(
        dest="action", required=True
    )
    new = ident.add_parser("new", help="generate an identity (stdout, or identity.* files in --dir)")
    new.add_argument("--dir", help="write identity.secret and identity.public here")
    new.add_argument("--threads", type=int, default=0, help="search threads (0 = every CPU)")
    new.set_defaults(func=_cmd_identity_new)
    val = ident.add_parser("validate", help="check that an identity's address derives from its key")
    val.add_argument("identity", help="identity string or file")
    val.set_defaults(func=_cmd_identity_validate)

    world = sub.add_parser("world", help="create and inspect worlds (planets and moons)").add_subparsers(
        dest="action", required=True
    )
    wn = world.add_parser("new", help="write a signed world naming the given roots")
    wn.add_argument("--root", action="append", required=True, metavar="ID@IP/PORT[,IP/PORT]",
                    help="a root: public identity (string or file) and its endpoints; repeat per root")
    wn.add_argument("-o", "--output", required=True, help="where to write the world (e.g. planet)")
    wn.add_argument("--id", type=int, default=DEFAULT_WORLD_ID, help=f"world ID (default {DEFAULT_WORLD_ID})")
    wn.add_argument("--timestamp", type=int, default=None, help="revision in ms (default: now)")
    wn.add_argument("--moon", action="store_true", help="make a moon instead of a planet")
    wn.add_argument("--signing-key", help="key pair file (.c25519 layout) that signs this revision; "
                    "for an update, the previous revision's update key (default: a new key)")
    wn.add_argument("--update-key", help="key pair file whose public key must sign the next revision "
                    "(default: the signing key)")
    wn.add_argument("--key-out", help="where to write a newly generated key (default: OUTPUT.key)")
    wn.set_defaults(func=_cmd_world_new)
    ws = world.add_parser("show", help="print a world and optionally check its signature")
    ws.add_argument("world")
    ws.add_argument("--key", help="key pair file to verify the signature against")
    ws.set_defaults(func=_cmd_world_show)

    root = sub.add_parser("root", help="run a root server for your own planet")
    root.add_argument("--world", required=True, help="the planet (or moon) file that names this root")
    root.add_argument("--planet", help="for a moon's root: the planet its node belongs to (default: ZeroTier's)")
    root.add_argument("--identity", required=True, help="directory with this root's identity.secret")
    root.add_argument("--port", type=int, default=0, help="UDP port (default: the port in the planet)")
    root.add_argument("--allow-loopback", action="store_true", help="accept peers on 127.0.0.1/::1 (tests)")
    root.add_argument("--peer-timeout", type=float, metavar="SECONDS",
                      help="forget peers not heard from for this long (default 30; roots are always kept)")
    root.add_argument("--max-peers", type=int, metavar="N",
                      help="peer bound: a new peer displaces the idlest one quiet for 10 s, else is refused "
                           "(default 65536)")
    root.add_argument("--ready-file", help="write 'ADDRESS PORT' here once serving")
    root.set_defaults(func=_cmd_root)

    relay = sub.add_parser("relay", help="run a TCP fallback relay for nodes whose UDP is blocked (as tcp-proxy)")
    relay.add_argument("--host", default="0.0.0.0", help="address to listen on (default: all IPv4)")
    relay.add_argument("--port", type=int, default=443, help="TCP port (default 443; 0 picks one)")
    relay.set_defaults(func=_cmd_relay)

    ctl = sub.add_parser("controller", help="run a network controller (node, database and REST API)")
    ctl.add_argument("--dir", required=True, help="identity, API token, SQLite database and controller.url live here")
    ctl.add_argument("--db", help="database URL: postgresql://... (default: SQLite file DIR/controller.db)")
    ctl.add_argument("--http", default="127.0.0.1:9993", metavar="HOST:PORT",
                     help="where the REST API listens (default 127.0.0.1:9993; port 0 picks one)")
    ctl.add_argument("--roots", "--world", dest="roots", help="planet file to trust (default: the one in DIR, "
                     "else ZeroTier's)")
    ctl.add_argument("--port", type=int, default=0, help="UDP port of the node (default: random)")
    ctl.add_argument("--allow-loopback", action="store_true", help="accept peers on 127.0.0.1/::1 (tests)")
    ctl.add_argument("--api-only", action="store_true", help="database and API only, no ZeroTier node")
    ctl.add_argument("--workers", type=int, default=2, help="threads deciding config requests")
    ctl.add_argument("--http-idle-timeout", type=float, default=30.0, metavar="SECONDS",
                     help="close an API connection idle this long (default 30)")
    ctl.add_argument("--http-max-connections", type=int, default=1024, metavar="N",
                     help="API connections held at most; beyond, the longest-waiting one without a request is "
                          "closed (default 1024)")
    ctl.set_defaults(func=_cmd_controller)
    _add_network_commands(sub)

    from libzt._gateway_cli import add_commands as add_gateway_commands

    add_gateway_commands(sub)

    demo = sub.add_parser("demo", help="show libzt working end to end on this machine")
    demo.add_argument("--workdir", help="keep the demo's files here (default: a temporary directory)")
    demo.add_argument("--megabytes", type=float, default=100.0, help="how much node A sends to node B (default 100)")
    demo.set_defaults(func=_cmd_demo)
    return p


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except (ZeroTierError, OSError) as exc:
        print(f"libzt: error: {exc}", file=sys.stderr)
        return 2

