# SPDX-License-Identifier: Apache-2.0
"""Fixtures of the controller's tests: a private PostgreSQL server and a database per test, SQLite
or PostgreSQL, so the same tests run against both back ends; and the socket tests' pair of nodes."""
from __future__ import annotations

import itertools
from pathlib import Path
from typing import Iterator

import pytest

from support.pgserver import PostgresServer, PostgresUnavailable
from support.sockets_pair import zt_pair  # noqa: F401  (a fixture)

_databases = itertools.count()


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """One PostgreSQL server for the session. Never skipped: without one, the tests fail."""
    try:
        server = PostgresServer().start()
    except PostgresUnavailable as exc:
        pytest.fail(f"PostgreSQL could not be started: {exc}")
    try:
        yield server
    finally:
        server.stop()


def new_postgres_database(server: PostgresServer) -> str:
    """A URL whose connections see an empty schema of their own (a fresh schema costs milliseconds, a
    fresh database a third of a second)."""
    import psycopg

    name = f"ctl{next(_databases)}"
    with psycopg.connect(server.url(), autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {name}")
    return f"{server.url()}&options=-csearch_path%3D{name}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database of each kind."""
    if request.param == "sqlite":
        return str(tmp_path / "controller.db")
    return new_postgres_database(request.getfixturevalue("postgres"))
