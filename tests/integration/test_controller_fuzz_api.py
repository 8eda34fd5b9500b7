# SPDX-License-Identifier: Apache-2.0
"""Schemathesis against the served OpenAPI description, on SQLite and on PostgreSQL.

Two phases: *coverage* sends, for every operation, requests built to violate the description one
property at a time (wrong type, out of range, missing key, bad path parameter...) plus boundary values;
*fuzzing* sends random valid and invalid requests (a bounded number per operation). Checks: no 5xx,
only documented status codes and content types, responses that match the described schemas, and
every request the description calls invalid refused with a 4xx. Not checked: that every valid-looking
body is accepted (the address patterns are necessary, not sufficient: ``10.0.0.300/24`` matches the
CIDR pattern and is rightly refused). Afterwards every stored row must still be a valid record.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from libzt.controller import APIServer, Controller, ControllerAPI, models, open_store
from support.ctlfake import FakeLink

ADDRESS = 0x0F2E12B316
TOKEN = "fuzztoken"
CHECKS = ("not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,"
          "negative_data_rejection")


@pytest.fixture
def server(db_url: str) -> Any:
    store = open_store(db_url)
    controller = Controller(store, FakeLink(), ADDRESS).start()
    api = APIServer(ControllerAPI(controller, TOKEN), "127.0.0.1", 0).start()
    # Something to find: a network with a member, so reads of existing objects are exercised too.
    nwid = int(controller.create_network({"name": "fuzz"})["id"], 16)
    controller.update_member(nwid, 0x1122334455, {"authorized": True})
    try:
        yield api.url, controller
    finally:
        api.stop()
        controller.stop()
        store.close()


def test_schemathesis(server: tuple[str, Controller], tmp_path: Path) -> None:
    url, controller = server
    cmd = [sys.executable, "-m", "schemathesis.cli", "run", f"{url}/controller/openapi.json",
           "--header", f"X-ZT1-Auth: {TOKEN}", "--checks", CHECKS, "--phases", "coverage,fuzzing",
           "--mode", "all", "--max-examples", "6", "--generation-deterministic", "--workers", "1",
           "--continue-on-failure", "--no-color", "--report-dir", str(tmp_path)]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-20000:] + result.stderr[-5000:]

    # Nothing half-written: every row is a record the API itself would accept and store unchanged.
    with controller.store.read() as tx:
        nwids = tx.network_ids()
        assert len(nwids) > 1  # the fuzzer did create networks
        for nwid in nwids:
            network = tx.get_network(nwid)
            assert network["id"] == network["nwid"] == nwid
            rewritten = models.update_network(network, network)
            assert models.same_record(dict(rewritten, rules=network["rules"]), network), nwid
            for member in tx.members(nwid):
                assert member["nwid"] == nwid
                assert models.same_record(models.update_member(member, member, now=0), member)
                row = tx.execute("SELECT doc FROM members WHERE network_id = ? AND member_id = ?",
                                 (nwid, member["id"])).fetchone()
                assert json.loads(row[0]) == member
