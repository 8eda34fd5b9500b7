# SPDX-License-Identifier: Apache-2.0
"""The controller's REST API, compatible with zerotier-one's ``/controller`` endpoints (docs/protocol/vl2.md §8.3).

Served by :mod:`libzt.controller.httpserver` (one event-loop thread, a bounded worker pool, idle and
request timeouts, a connection cap; the module says why not the stdlib's ThreadingHTTPServer or
uvicorn). It listens on 127.0.0.1 unless told otherwise; beyond loopback it warns (plain HTTP).

Authentication is zerotier-one's: the token in ``DIR/authtoken.secret`` (24 characters of [a-z0-9],
created with mode 0600 on first start) given as ``X-ZT1-Auth``, ``Authorization: Bearer`` or ``?auth=``;
anything else gets 401 with body ``{}``. ``/controller/openapi.json`` is served without a token.

Errors are JSON: ``{"error": "routes[0].target: '10.0.0.0' needs a prefix length, ..."}`` with 400 for
bad input, 404 for unknown networks/members/paths, 413 for bodies over 1 MiB, 503 when the database
is unavailable; an unexpected failure is 500 and logged, and never leaves a half-written record (every
change is one transaction).
"""
from __future__ import annotations

import dataclasses
import hmac
import ipaddress
import json
import logging
import os
import re
import secrets
import string
from pathlib import Path
from typing import Any, Callable, Optional
from urllib.parse import parse_qs, urlsplit

from libzt._files import write_atomic
from libzt.controller import models
from libzt.controller._validate import InvalidField, type_name
from libzt.controller.db import StoreError
from libzt.controller.http_framing import body_too_large
from libzt.controller.httpserver import HTTPServer, MemoryRequestHandler, ServerLimits
from libzt.controller.openapi import STORED as OPENAPI_PATH
from libzt.controller.service import Controller, NotFound, now_ms
from libzt.errors import ZeroTierError

log = logging.getLogger("libzt.controller")

API_VERSION = 4
MAX_BODY = 1 << 20
TOKEN_FILE = "authtoken.secret"
TOKEN_ALPHABET = string.ascii_lowercase + string.digits
DEFAULT_BIND = ("127.0.0.1", 9993)
RESERVED_ADDRESS_PREFIX = 0xFF  # ZeroTier's reserved first byte of an address (no identity may have it)

_NWID = r"([0-9a-fA-F]{16})"
_ADDR = r"([0-9a-fA-F]{10})"


def load_or_create_token(directory: os.PathLike[str] | str) -> str:
    """The API token of a controller directory, created (24 x [a-z0-9], mode 0600) if missing."""
    path = Path(directory) / TOKEN_FILE
    try:
        token = path.read_text().strip()
        if token:
            return token
    except FileNotFoundError:
        pass
    token = "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(24))
    write_atomic(path, token.encode("ascii"), mode=0o600)
    return token


class HTTPError(ZeroTierError):
    """A request the API refuses: answered with ``status`` and ``message`` (``field`` names the
    JSON field at fault)."""

    def __init__(self, status: int, message: str, field: Optional[str] = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field


def _database_errors() -> tuple[type[BaseException], ...]:
    import sqlite3

    errors: list[type[BaseException]] = [StoreError, sqlite3.OperationalError]
    try:
        import psycopg

        errors.append(psycopg.OperationalError)
    except ImportError:
        pass
    return tuple(errors)


class ControllerAPI:
    """Routes and handlers, independent of the HTTP server (tests call :meth:`handle` directly)."""

    def __init__(self, controller: Controller, token: str) -> None:
        self.controller = controller
        self.token = token
        self.database_errors = _database_errors()
        P = Callable[..., Any]
        self._routes: list[tuple[str, re.Pattern[str], P]] = []
        for method, pattern, handler in (
            ("GET", "/controller", self._status),
            ("GET", "/controller/network", self._network_ids),
            ("POST", "/controller/network", self._create_network),
            ("POST", f"/controller/network/{_ADDR}______", self._create_network_legacy),
            ("GET", f"/controller/network/{_NWID}", self._get_network),
            ("POST", f"/controller/network/{_NWID}", self._post_network),
            ("DELETE", f"/controller/network/{_NWID}", self._delete_network),
            ("GET", f"/controller/network/{_NWID}/member", self._member_revisions),
            ("GET", f"/controller/network/{_NWID}/member/{_ADDR}", self._get_member),
            ("POST", f"/controller/network/{_NWID}/member/{_ADDR}", self._post_member),
            ("DELETE", f"/controller/network/{_NWID}/member/{_ADDR}", self._delete_member),
            ("GET", "/unstable/controller/network", self._networks_full),
            ("GET", f"/unstable/controller/network/{_NWID}/member", self._members_full),
        ):
            self._routes.append((method, re.compile(pattern + "/?"), handler))

    # ---- dispatch ----

    def authorized(self, headers: Any, query: str) -> bool:
        offered = headers.get("X-ZT1-Auth")
        if offered is None:
            auth = headers.get("Authorization") or ""
            if auth[:7].lower() == "bearer ":
                offered = auth[7:]
        if offered is None:
            offered = (parse_qs(query).get("auth") or [None])[0]
        return offered is not None and hmac.compare_digest(offered.strip().encode(), self.token.encode())

    def handle(self, method: str, target: str, headers: Any, body: bytes) -> tuple[int, Any]:
        """(status, JSON value) for one request."""
        try:
            parts = urlsplit(target)
        except ValueError as exc:  # e.g. "http://[::1/x": an unclosed bracket
            return 400, _error(f"bad request target: {exc}")
        path = parts.path
        if method == "PUT":
            method = "POST"  # zerotier-one treats them alike
        if method == "GET" and path.rstrip("/") == "/controller/openapi.json":
            return 200, json.loads(OPENAPI_PATH.read_text())
        if not self.authorized(headers, parts.query):
            return 401, {}
        matched_path = False
        for route_method, pattern, handler in self._routes:
            m = pattern.fullmatch(path)
            if m is None:
                continue
            matched_path = True
            if route_method != method:
                continue
            try:
                if method == "POST":
                    return 200, handler(*m.groups(), body=_parse_body(body))
                return 200, handler(*m.groups())
            except _StatusError as exc:
                return exc.status, exc.body
            except HTTPError as exc:
                return exc.status, _error(exc.message, exc.field)
            except InvalidField as exc:
                return 400, _error(str(exc), exc.field)
            except NotFound as exc:
                return 404, _error(str(exc))
            except self.database_errors as exc:
                log.warning("controller API: database unavailable: %s", exc)
                return 503, _error(f"database unavailable: {exc}")
        if matched_path:
            return 405, _error(f"{method} is not allowed on {path}")
        return 404, _error(f"no such endpoint: {path}")

    # ---- handlers ----

    def _status(self) -> Any:
        try:
            self.controller.store.schema_version()
            ready = True
        except self.database_errors:
            ready = False
        status = {"controller": True, "apiVersion": API_VERSION, "clock": now_ms(), "databaseReady": ready}
        if not ready:
            raise _StatusError(status)
        return status

    def _network_ids(self) -> Any:
        with self.controller.store.read() as tx:
            return tx.network_ids()

    def _create_network(self, body: Any) -> Any:
        return self.controller.create_network(body)

    def _create_network_legacy(self, prefix: str, body: Any) -> Any:
        if int(prefix, 16) != self.controller.address:
            mine = models.address_str(self.controller.address)
            raise HTTPError(400, f"{prefix.lower()} is not this controller ({mine})")
        return self.controller.create_network(body)

    def _get_network(self, nwid: str) -> Any:
        with self.controller.store.read() as tx:
            network = tx.get_network(nwid.lower())
        if network is None:
            raise NotFound(f"network {nwid.lower()} not found")
        return network

    def _post_network(self, nwid: str, body: Any) -> Any:
        network_id = int(nwid, 16)
        if network_id == 0:
            raise HTTPError(400, "network ID 0000000000000000 is reserved")
        if network_id >> 24 != self.controller.address:
            # Members ask the controller whose address is the network ID's top 40 bits: a network under
            # another prefix would be stored here and never served.
            mine = models.address_str(self.controller.address)
            raise HTTPError(400, f"network {nwid.lower()} belongs to controller {nwid[:10].lower()}, not to "
                            f"this one ({mine}): this controller's network IDs begin with {mine}")
        return self.controller.update_network(network_id, body)

    def _delete_network(self, nwid: str) -> Any:
        return self.controller.delete_network(int(nwid, 16))

    def _member_revisions(self, nwid: str) -> Any:
        with self.controller.store.read() as tx:
            if tx.get_network(nwid.lower()) is None:
                raise NotFound(f"network {nwid.lower()} not found")
            return tx.member_revisions(nwid.lower())

    def _get_member(self, nwid: str, addr: str) -> Any:
        with self.controller.store.read() as tx:
            member = tx.get_member(nwid.lower(), addr.lower())
        if member is None:
            raise NotFound(f"member {addr.lower()} of network {nwid.lower()} not found")
        return member

    def _post_member(self, nwid: str, addr: str, body: Any) -> Any:
        address = int(addr, 16)
        if address == 0:
            raise HTTPError(400, "address 0000000000 is reserved")
        if address >> 32 == RESERVED_ADDRESS_PREFIX:
            raise HTTPError(400, f"address {addr.lower()} is reserved: ZeroTier addresses never begin with ff")
        return self.controller.update_member(int(nwid, 16), address, body)

    def _delete_member(self, nwid: str, addr: str) -> Any:
        return self.controller.delete_member(int(nwid, 16), int(addr, 16))

    def _networks_full(self) -> Any:
        data = []
        with self.controller.store.read() as tx:
            for nwid in tx.network_ids():
                network = tx.get_network(nwid)
                if network is None:
                    continue
                total, authorized = tx.member_counts(nwid)
                network["meta"] = {"totalMemberCount": total, "authorizedMemberCount": authorized}
                data.append(network)
        return {"data": data, "meta": {"networkCount": len(data)}}

    def _members_full(self, nwid: str) -> Any:
        with self.controller.store.read() as tx:
            if tx.get_network(nwid.lower()) is None:
                raise NotFound(f"network {nwid.lower()} not found")
            members = tx.members(nwid.lower())
        authorized = sum(1 for m in members if m.get("authorized") is True)
        return {"data": members, "meta": {"totalCount": len(members), "authorizedCount": authorized}}


class _StatusError(HTTPError):
    # GET /controller answers 503 with the usual status body when the database is not ready.
    def __init__(self, status: dict[str, Any]) -> None:
        super().__init__(503, "database not ready")
        self.body = status


def _error(message: str, field: Optional[str] = None) -> dict[str, Any]:
    return {"error": message} if field is None else {"error": message, "field": field}


def _parse_body(body: bytes) -> Any:
    if not body.strip():
        return {}
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise HTTPError(400, "body is not UTF-8") from None
    try:
        value = json.loads(text)
    except RecursionError:
        raise HTTPError(400, "body is nested too deeply") from None
    except ValueError as exc:
        raise HTTPError(400, f"body is not valid JSON: {exc}") from None
    if not isinstance(value, dict):  # only an empty body means "no fields"
        raise InvalidField("body", f"expected a JSON object, got {type_name(value)}")
    return value


# ---- the HTTP server ----------------------------------------------------------------------------------


class _Handler(MemoryRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "libzt-controller"
    api: ControllerAPI  # set on the subclass made by APIServer

    def _respond(self, status: int, value: Any, extra_headers: Optional[dict[str, str]] = None) -> None:
        data = json.dumps(value, sort_keys=True).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (extra_headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _read_body(self) -> Optional[bytes]:
        if self.headers.get("Transfer-Encoding"):
            self._respond(411, _error("send the body with a Content-Length"))
            self.close_connection = True
            return None
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0:
            self._respond(400, _error("bad Content-Length"))
            self.close_connection = True
            return None
        if length > MAX_BODY:
            # Read (a bounded amount of) what the client sends anyway, so it sees the 413 rather than a
            # reset connection.
            remaining = min(length, 64 * MAX_BODY)
            while remaining > 0:
                chunk = self.rfile.read(min(remaining, 1 << 16))
                if not chunk:
                    break
                remaining -= len(chunk)
            self._respond(413, _error(body_too_large(MAX_BODY)))
            self.close_connection = True
            return None
        return self.rfile.read(length) if length else b""

    def _dispatch(self) -> None:
        body = self._read_body()
        if body is None:
            return
        try:
            status, value = self.api.handle(self.command, self.path, self.headers, body)
        except Exception:
            log.exception("controller API: %s %s failed", self.command, self.path)
            status, value = 500, _error("internal error (see the controller's log)")
        self._respond(status, value)

    do_GET = do_POST = do_PUT = do_DELETE = _dispatch

    def _not_allowed(self) -> None:
        if self._read_body() is None:
            return  # answered already (413, 411 or 400): one response per request
        self._respond(405, _error(f"{self.command} is not supported"), {"Allow": "GET, POST, PUT, DELETE"})

    do_PATCH = do_OPTIONS = do_TRACE = do_HEAD = do_CONNECT = _not_allowed

    def __getattr__(self, name: str) -> Any:
        # Any other method (QUERY, PROPFIND, ...): 405 like the known ones, not http.server's 501.
        if name.startswith("do_"):
            return self._not_allowed
        raise AttributeError(name)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("controller API: " + format, *args)


def exposure_warning(host: str) -> Optional[str]:
    """What to tell the operator when the API listens beyond loopback (None on loopback)."""
    try:
        if ipaddress.ip_address(host.split("%")[0]).is_loopback:
            return None
    except ValueError:
        return f"cannot tell whether {host!r} is loopback"
    where = "every interface" if ipaddress.ip_address(host).is_unspecified else host
    return (f"the REST API listens on {where}, beyond loopback, over plain HTTP: the API token and every "
            "network's configuration cross the network unencrypted and anyone who can reach the port can try "
            "tokens. Bind 127.0.0.1 (the default) and reach it through an SSH tunnel or a TLS proxy.")


class APIServer:
    """The REST API on ``host:port`` (port 0 picks a free one), served from its own threads
    (see :mod:`libzt.controller.httpserver` for the timeouts and the connection cap)."""

    def __init__(self, api: ControllerAPI, host: str = DEFAULT_BIND[0], port: int = DEFAULT_BIND[1],
                 limits: Optional[ServerLimits] = None) -> None:
        handler = type("Handler", (_Handler,), {"api": api})
        limits = dataclasses.replace(limits or ServerLimits(), max_body=MAX_BODY)
        self._server = HTTPServer((host, port), handler, limits)
        self.warning = exposure_warning(str(self._server.server_address[0]))

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        host_text = f"[{host}]" if ":" in str(host) else str(host)
        return f"http://{host_text}:{port}"

    @property
    def server(self) -> HTTPServer:
        return self._server

    def start(self) -> APIServer:
        if self.warning:
            log.warning("controller API: WARNING: %s", self.warning)
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()

    def __enter__(self) -> APIServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
