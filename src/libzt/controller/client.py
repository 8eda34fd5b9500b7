# SPDX-License-Identifier: Apache-2.0
"""``libzt network``: manage a controller's networks through its REST API.

The API's address and token come from the controller's directory (``--dir DIR``: ``controller.url``
and ``authtoken.secret``), or from ``--url``/``--token``.
"""
from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Optional

from libzt.errors import ZeroTierError

DEFAULT_URL = "http://127.0.0.1:9993"


class ClientError(ZeroTierError):
    """The controller refused a request or could not be reached."""


class ControllerClient:
    def __init__(self, url: str, token: str, timeout: float = 30.0) -> None:
        self.url = url.rstrip("/")
        self.token = token
        self.timeout = timeout

    @classmethod
    def from_options(cls, directory: Optional[str], url: Optional[str], token: Optional[str]) -> ControllerClient:
        d = Path(directory) if directory else None
        if url is None:
            url_file = d / "controller.url" if d else None
            url = url_file.read_text().strip() if url_file and url_file.is_file() else DEFAULT_URL
        if token is None:
            if d is None:
                raise ClientError("give --dir (the controller's directory) or --token")
            try:
                token = (d / "authtoken.secret").read_text().strip()
            except OSError as exc:
                raise ClientError(f"cannot read the API token: {exc}") from None
        return cls(url, token)

    def request(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode("utf-8")
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers={"X-ZT1-Auth": self.token, "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                return json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as exc:
            try:
                message = json.loads(exc.read()).get("error") or ""
            except (ValueError, AttributeError):
                message = ""
            if exc.code == 401:
                message = "wrong API token"
            raise ClientError(f"{method} {path}: HTTP {exc.code} {message}".rstrip()) from None
        except (urllib.error.URLError, OSError) as exc:
            raise ClientError(f"cannot reach the controller at {self.url}: {exc}") from None

    # ---- operations ----

    def status(self) -> Any:
        return self.request("GET", "/controller")

    def networks(self) -> list[dict[str, Any]]:
        return list(self.request("GET", "/unstable/controller/network")["data"])

    def create_network(self, body: dict[str, Any]) -> dict[str, Any]:
        return dict(self.request("POST", "/controller/network", body))

    def network(self, nwid: str) -> dict[str, Any]:
        return dict(self.request("GET", f"/controller/network/{nwid}"))

    def update_network(self, nwid: str, body: dict[str, Any]) -> dict[str, Any]:
        return dict(self.request("POST", f"/controller/network/{nwid}", body))

    def delete_network(self, nwid: str) -> dict[str, Any]:
        return dict(self.request("DELETE", f"/controller/network/{nwid}"))

    def members(self, nwid: str) -> list[dict[str, Any]]:
        return list(self.request("GET", f"/unstable/controller/network/{nwid}/member")["data"])

    def update_member(self, nwid: str, address: str, body: dict[str, Any]) -> dict[str, Any]:
        return dict(self.request("POST", f"/controller/network/{nwid}/member/{address}", body))


def network_body(name: Optional[str], public: Optional[bool], pools: list[str], routes: list[str],
                 rfc4193: bool, sixplane: bool, extra: Optional[str], dns_domain: Optional[str] = None,
                 dns_servers: Optional[list[str]] = None) -> dict[str, Any]:
    """The POST body for ``libzt network create`` from its options."""
    body: dict[str, Any] = json.loads(extra) if extra else {}
    if not isinstance(body, dict):
        raise ClientError("--json must be a JSON object")
    if name is not None:
        body["name"] = name
    if public is not None:
        body["private"] = not public
    if pools:
        parsed = []
        for p in pools:
            start, sep, end = p.partition("-")
            if not sep:
                raise ClientError(f"--pool wants START-END, got {p!r}")
            parsed.append({"ipRangeStart": start.strip(), "ipRangeEnd": end.strip()})
        body["ipAssignmentPools"] = parsed
        # A pool only matters with auto-assignment on for its family.
        if any(":" not in p["ipRangeStart"] for p in parsed):
            body.setdefault("v4AssignMode", {"zt": True})
        if any(":" in p["ipRangeStart"] for p in parsed):
            body.setdefault("v6AssignMode", {"zt": True})
    if routes:
        body["routes"] = []
        for r in routes:
            target, _, via = r.partition(",")
            body["routes"].append({"target": target.strip(), "via": via.strip() or None})
    if dns_domain is not None or dns_servers:
        body["dns"] = {"domain": dns_domain or "", "servers": list(dns_servers or [])}
    if rfc4193 or sixplane:
        mode = body.setdefault("v6AssignMode", {})
        if isinstance(mode, dict):
            mode.update({k: True for k, on in (("rfc4193", rfc4193), ("6plane", sixplane)) if on})
    return body
