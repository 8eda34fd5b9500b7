# SPDX-License-Identifier: Apache-2.0
"""``libzt controller``: a node that controls networks, with its database and REST API.

::

    libzt controller --dir ctl --roots planet --http 127.0.0.1:9993
    libzt network create --dir ctl --name lab --pool 10.1.0.10-10.1.0.250 --route 10.1.0.0/24

DIR holds the node's identity (its address prefixes every network it creates), the API token
(``authtoken.secret``), the SQLite database (``controller.db``, unless ``--db postgresql://...``) and
``controller.url``, where the API listens (so ``libzt network --dir DIR`` finds it).

``--api-only`` runs the database and the API without a ZeroTier node (to prepare networks, or manage
them while the node runs elsewhere): the identity in DIR still decides the network IDs.
"""
from __future__ import annotations

import logging
import os
import resource
import stat
import sys
import threading
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional, Sequence

from libzt._console import say
from libzt._files import write_atomic
from libzt._stop import StopRequest
from libzt.controller.api import APIServer, ControllerAPI, load_or_create_token
from libzt.controller.db import open_store
from libzt.controller.httpserver import ServerLimits
from libzt.controller.netconf import NetconfSpec, RefusalCode
from libzt.controller.service import Controller
from libzt.errors import ArgumentError, ZeroTierError

log = logging.getLogger("libzt.controller")

URL_FILE = "controller.url"
DB_FILE = "controller.db"


@dataclass
class ControllerOptions:
    directory: str
    db: Optional[str] = None
    http: str = "127.0.0.1:9993"
    roots: Optional[str] = None
    port: int = 0
    allow_loopback: bool = False
    api_only: bool = False
    workers: int = 2
    http_idle_timeout: float = ServerLimits.idle_timeout
    http_max_connections: int = ServerLimits.max_connections


def parse_bind(text: str) -> tuple[str, int]:
    """``HOST:PORT``, ``[IPv6]:PORT`` or ``PORT`` (on 127.0.0.1)."""
    host, port_text = "127.0.0.1", text
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port_text = rest.lstrip(":")
    elif ":" in text:
        host, _, port_text = text.rpartition(":")
    if not port_text.isdigit() or not 0 <= int(port_text) <= 65535:
        raise ArgumentError(f"--http wants HOST:PORT, got {text!r}")
    return host or "127.0.0.1", int(port_text)


class _NoCore:
    """The CoreLink of --api-only: there is no node to answer members through."""

    def respond(self, request_id: int, spec: NetconfSpec) -> None:
        pass

    def respond_error(self, request_id: int, error: RefusalCode) -> None:
        pass

    def push(self, spec: NetconfSpec) -> None:
        pass

    def revoke(self, network_id: int, member_id: int, notify: Sequence[int]) -> None:
        pass


def _identity_address(directory: Path) -> int:
    from libzt.identity import Identity

    secret = directory / "identity.secret"
    if secret.is_file():
        return Identity.load(secret).node_id
    identity = Identity.generate(threads=0)
    identity.save(directory)
    return identity.node_id


def _announce_online(node: Any) -> None:
    try:
        node.wait_online()
    except ZeroTierError:
        return  # stopped first
    say(f"controller {node.address}: node online")


def _private_directory(directory: Path) -> None:
    """DIR holds the identity's secret half, the API token and the database: its owner's alone (0700)."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    mode = stat.S_IMODE(directory.stat().st_mode)
    if mode & 0o077:
        log.warning("controller: %s was mode %04o; made 0700 (it holds secrets)", directory, mode)
        os.chmod(directory, mode & 0o700)


def _raise_file_limit(connections: int) -> None:
    """Each API connection is a file descriptor: let the soft limit cover the cap where the hard limit
    allows (the server caps connections below whatever limit remains)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = connections + 256  # the database, the node, logs
    if soft != resource.RLIM_INFINITY and soft < wanted:
        new = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        if new > soft:
            resource.setrlimit(resource.RLIMIT_NOFILE, (new, hard))


def run_controller(options: ControllerOptions, stop: Optional[StopRequest] = None) -> int:
    directory = Path(options.directory)
    _private_directory(directory)
    host, port = parse_bind(options.http)
    if not options.http_idle_timeout > 0 or options.http_max_connections < 1:
        raise ArgumentError("--http-idle-timeout wants seconds > 0 and --http-max-connections at least 1")
    _raise_file_limit(options.http_max_connections)
    limits = ServerLimits(idle_timeout=options.http_idle_timeout, max_connections=options.http_max_connections)
    # Before anything starts: a SIGTERM that arrives while starting (a supervisor that read the banner
    # and stops us at once; a busy machine widens that window) then means a clean stop, not death.
    with nullcontext(stop) if stop else StopRequest().set_on_signals() as stop:
        _serve(options, directory, host, port, limits, stop)
    say("controller: stopped")
    return 0


def _serve(options: ControllerOptions, directory: Path, host: str, port: int, limits: ServerLimits,
           stop: StopRequest) -> None:
    token = load_or_create_token(directory)
    store = open_store(options.db or directory / DB_FILE)
    node: Any = None
    link: Any = _NoCore()
    installed = False
    try:
        if options.api_only:
            address = _identity_address(directory)
        else:
            from libzt._bindings import controller as _corelink
            from libzt.node import ZeroTierNode
            from libzt.world import World

            roots = World.load(options.roots) if options.roots else None
            node = ZeroTierNode(storage=directory, roots=roots, port=options.port,
                                allow_loopback=options.allow_loopback)
            # A server: members keep paths to its one port across restarts (a random secondary
            # port would change each time); a controller on a public address maps nothing.
            node.init_allow_secondary_port(0)
            node.init_allow_port_mapping(0)
            node.start()
            address = node.id
            link = _corelink.NativeCoreLink()
        controller = Controller(store, link, address, workers=options.workers).start()
        if node is not None:
            from libzt._bindings import controller as _corelink

            try:
                _corelink.install(controller.submit)
                installed = True
            except ZeroTierError as exc:
                say(f"controller: WARNING: the core does not hand over config requests ({exc}); "
                    "the API works, members get no answer", stream=sys.stderr)
        server = APIServer(ControllerAPI(controller, token), host, port, limits)
        if server.warning and log.hasHandlers():
            # start() logs it; without a logging set-up that record is printed on stderr (logging's
            # last resort), with one it may go to a file only: then say it here too.
            say(f"controller API: WARNING: {server.warning}", stream=sys.stderr)
        server.start()
        write_atomic(directory / URL_FILE, (server.url + "\n").encode("ascii"))
        say(f"controller {address:010x}: API at {server.url} (token in {directory / 'authtoken.secret'}), "
            f"database {store.description}")
        if node is not None:
            # Members reach the controller through a root: say when that works.
            threading.Thread(target=_announce_online, args=(node,), daemon=True).start()

        stop.wait()
        say("controller: stopping")
        server.stop()
        if installed:
            from libzt._bindings import controller as _corelink

            _corelink.install(None)
        controller.stop()
    finally:
        if node is not None:
            node.stop()
        store.close()
