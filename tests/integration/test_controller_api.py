# SPDX-License-Identifier: Apache-2.0
"""The REST API over real HTTP on 127.0.0.1, against SQLite and PostgreSQL."""
from __future__ import annotations

import http.client
import json
import os
import stat
from pathlib import Path
from typing import Any, Iterator, Optional

import pytest

from libzt.controller import APIServer, Controller, ControllerAPI, load_or_create_token, models, open_store
from support.ctlfake import FakeLink

ADDRESS = 0x0F2E12B316


class Client:
    def __init__(self, url: str, token: str) -> None:
        host, port = url.removeprefix("http://").rsplit(":", 1)
        self.host, self.port, self.token = host, int(port), token

    def raw(self, method: str, path: str, body: Optional[bytes] = None,
            headers: Optional[dict[str, str]] = None) -> tuple[int, Any]:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            resp = conn.getresponse()
            data = resp.read()
            assert resp.getheader("Content-Type") == "application/json"
            return resp.status, json.loads(data) if data else None
        finally:
            conn.close()

    def __call__(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        return self.raw(method, path, data, {"X-ZT1-Auth": self.token})


@pytest.fixture
def api(db_url: str, tmp_path: Path) -> Iterator[tuple[Client, Controller]]:
    store = open_store(db_url)
    controller = Controller(store, FakeLink(), ADDRESS).start()
    token = load_or_create_token(tmp_path)
    server = APIServer(ControllerAPI(controller, token), "127.0.0.1", 0).start()
    try:
        yield Client(server.url, token), controller
    finally:
        server.stop()
        controller.stop()
        store.close()


def test_token_file_is_private_and_reused(tmp_path: Path) -> None:
    token = load_or_create_token(tmp_path)
    path = tmp_path / "authtoken.secret"
    assert len(token) == 24 and all(c in "abcdefghijklmnopqrstuvwxyz0123456789" for c in token)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert load_or_create_token(tmp_path) == token
    path.write_text("  handmade\n")
    assert load_or_create_token(tmp_path) == "handmade"


def test_the_three_ways_to_authenticate_and_the_refusal(api: tuple[Client, Controller]) -> None:
    c, _ = api
    assert c.raw("GET", "/controller", headers={"X-ZT1-Auth": c.token})[0] == 200
    assert c.raw("GET", "/controller", headers={"Authorization": f"Bearer {c.token}"})[0] == 200
    assert c.raw("GET", f"/controller?auth={c.token}")[0] == 200
    for headers in ({}, {"X-ZT1-Auth": "wrong"}, {"Authorization": "Bearer wrong"}, {"Authorization": c.token}):
        assert c.raw("GET", "/controller/network", headers=headers) == (401, {})
    assert c.raw("POST", "/controller/network", b"{}", {"X-ZT1-Auth": "x"}) == (401, {})
    status, spec = c.raw("GET", "/controller/openapi.json")  # the description needs no token
    assert status == 200 and spec["openapi"].startswith("3.")


def test_controller_status(api: tuple[Client, Controller]) -> None:
    status, body = api[0]("GET", "/controller")
    assert status == 200
    assert body["controller"] is True and body["apiVersion"] == 4 and body["databaseReady"] is True
    assert isinstance(body["clock"], int)


def test_network_lifecycle(api: tuple[Client, Controller]) -> None:
    c, _ = api
    assert c("GET", "/controller/network") == (200, [])
    status, net = c("POST", "/controller/network", {"name": "lab", "private": False})
    assert status == 200 and net["id"].startswith("0f2e12b316") and net["revision"] == 1
    nwid = net["id"]
    assert c("GET", "/controller/network") == (200, [nwid])
    assert c("GET", f"/controller/network/{nwid}") == (200, net)
    assert c("GET", f"/controller/network/{nwid.upper()}") == (200, net)
    status, updated = c("PUT", f"/controller/network/{nwid}", {"mtu": 1500, "routes": [{"target": "10.1.0.0/16"}]})
    assert status == 200 and updated["mtu"] == 1500 and updated["revision"] == 2
    # POST to an unknown ID of this controller creates it; another controller's prefix is refused
    # (zerotier-one would store it, and members would never be answered for it).
    status, other = c("POST", "/controller/network/0f2e12b316abcdef", {})
    assert status == 200 and other["id"] == "0f2e12b316abcdef" and other["private"] is True
    status, err = c("POST", "/controller/network/abcdef0123000001", {})
    assert status == 400 and "belongs to controller abcdef0123, not to this one (0f2e12b316)" in err["error"]
    assert c("GET", "/controller/network/abcdef0123000001")[0] == 404  # nothing was stored
    # The legacy create form takes this controller's address only.
    status, legacy = c("POST", "/controller/network/0f2e12b316______", {"name": "old"})
    assert status == 200 and legacy["name"] == "old" and legacy["id"][:10] == "0f2e12b316"
    status, err = c("POST", "/controller/network/1122334455______", {})
    assert status == 400 and "not this controller" in err["error"]
    status, listing = c("GET", "/unstable/controller/network")
    assert status == 200 and listing["meta"]["networkCount"] == 3
    assert {n["id"]: n["meta"] for n in listing["data"]}[nwid] == {"totalMemberCount": 0, "authorizedMemberCount": 0}
    assert c("DELETE", f"/controller/network/{nwid}") == (200, updated)
    assert c("GET", f"/controller/network/{nwid}")[0] == 404
    assert c("DELETE", f"/controller/network/{nwid}")[0] == 404


def test_member_lifecycle(api: tuple[Client, Controller]) -> None:
    c, _ = api
    nwid = c("POST", "/controller/network", {})[1]["id"]
    base = f"/controller/network/{nwid}/member"
    assert c("GET", base) == (200, {})
    status, m = c("POST", f"{base}/1122334455", {"authorized": True, "ipAssignments": ["10.0.0.5"]})
    assert status == 200 and m["authorized"] is True and m["lastAuthorizedCredentialType"] == "api"
    assert (m["id"], m["address"], m["nwid"], m["revision"]) == ("1122334455", "1122334455", nwid, 1)
    assert c("GET", f"{base}/1122334455") == (200, m)
    c("POST", f"{base}/AABBCCDDEE", {})
    assert c("GET", base) == (200, {"1122334455": 1, "aabbccddee": 1})
    status, full = c("GET", f"/unstable/controller/network/{nwid}/member")
    assert status == 200 and full["meta"] == {"totalCount": 2, "authorizedCount": 1}
    assert [x["id"] for x in full["data"]] == ["1122334455", "aabbccddee"]
    assert c("DELETE", f"{base}/1122334455") == (200, m)
    assert c("GET", f"{base}/1122334455")[0] == 404
    assert c("DELETE", f"{base}/1122334455")[0] == 404
    assert c("POST", "/controller/network/0f2e12b316999999/member/1122334455", {})[0] == 404
    assert c("GET", "/unstable/controller/network/0f2e12b316999999/member")[0] == 404
    assert c("GET", "/controller/network/0f2e12b316999999/member")[0] == 404
    assert c("POST", f"{base}/0000000000", {})[0] == 400


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", "body is not valid JSON"),
        (b"\xff\xfe", "body is not UTF-8"),
        (b"[1, 2]", "body: expected a JSON object, got array"),
        (b'"text"', "expected a JSON object, got string"),
        (b'{"mtu": "big"}', "mtu: expected an integer, got string"),
        (b'{"private": 1}', "private: expected a boolean, got integer"),
        (b'{"routes": [{"target": 5}]}', "routes[0].target: expected a string, got integer"),
        (b'{"rules": [{"type": "ACTION_NOPE"}]}', "rules[0].type: unknown rule type"),
        (b'{"multicastLimit": NaN}', "multicastLimit: expected an integer, got number"),
        (b"[" * 100000 + b"]" * 100000, "nested too deeply"),
    ],
)
def test_bad_bodies_get_clear_errors_and_change_nothing(api: tuple[Client, Controller], body: bytes,
                                                        message: str) -> None:
    c, controller = api
    nwid = c("POST", "/controller/network", {"name": "before"})[1]["id"]
    with controller.store.read() as tx:
        before = tx.get_network(nwid)
    for path in ("/controller/network", f"/controller/network/{nwid}"):
        status, err = c.raw("POST", path, body, {"X-ZT1-Auth": c.token})
        assert status == 400, (path, err)
        assert message in err["error"]
    with controller.store.read() as tx:
        assert tx.network_ids() == [nwid]
        assert tx.get_network(nwid) == before


def test_member_type_errors(api: tuple[Client, Controller]) -> None:
    c, _ = api
    nwid = c("POST", "/controller/network", {})[1]["id"]
    status, err = c("POST", f"/controller/network/{nwid}/member/1122334455", {"authorized": "yes"})
    assert (status, err) == (400, {"error": "authorized: expected a boolean, got string", "field": "authorized"})
    assert c("GET", f"/controller/network/{nwid}/member") == (200, {})  # nothing was created


def test_unknown_paths_methods_and_oversized_bodies(api: tuple[Client, Controller]) -> None:
    c, _ = api
    assert c("GET", "/nope")[0] == 404
    assert c("GET", "/controller/network/123")[0] == 404
    status, err = c("DELETE", "/controller/network")
    assert status == 405 and "not allowed" in err["error"]
    assert c.raw("PATCH", "/controller", b"", {"X-ZT1-Auth": c.token})[0] == 405
    status, err = c.raw("POST", "/controller/network", b" " * (1 << 20 + 1), {"X-ZT1-Auth": c.token})
    assert status == 413
    assert c("POST", "/controller/network/0000000000000000", {})[0] == 400


def test_created_network_matches_the_official_record(api: tuple[Client, Controller]) -> None:
    c, _ = api
    official = json.loads((Path(__file__).resolve().parent.parent / "vectors" / "capture" / "controller" /
                           "network.json").read_text())
    body = {k: official[k] for k in ("name", "private", "ipAssignmentPools", "routes", "v4AssignMode")}
    status, net = c("POST", f"/controller/network/{official['id']}", body)
    assert status == 200
    assert net == dict(official, creationTime=net["creationTime"])
    assert models.nwid_str(int(net["id"], 16)) == official["id"]


def test_reserved_member_ids_and_other_controllers_networks_are_refused(api: tuple[Client, Controller]) -> None:
    c, _ = api
    nwid = c("POST", "/controller/network", {})[1]["id"]
    for reserved in ("ffffffffff", "ff00000001", "FF12345678"):
        status, err = c("POST", f"/controller/network/{nwid}/member/{reserved}", {"authorized": True})
        assert status == 400
        assert err["error"] == f"address {reserved.lower()} is reserved: ZeroTier addresses never begin with ff"
    assert c("POST", f"/controller/network/{nwid}/member/fe00000001", {})[0] == 200  # only ff is reserved
    assert c("GET", f"/controller/network/{nwid}/member") == (200, {"fe00000001": 1})
    for foreign in ("0f2e12b317000001", "ff2e12b316000001", "000000000f2e12b3"):
        status, err = c("POST", f"/controller/network/{foreign}", {"name": "not mine"})
        assert status == 400 and f"belongs to controller {foreign[:10]}" in err["error"], err
        assert "this controller's network IDs begin with 0f2e12b316" in err["error"]
    assert c("GET", "/controller/network") == (200, [nwid])
