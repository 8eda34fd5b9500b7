# SPDX-License-Identifier: Apache-2.0
"""Storage of networks and members: SQLite (a file, the default) or PostgreSQL, one code path.

Each network and member is stored as its JSON document plus the few columns queries need (revision,
authorized, activeBridge) and one row per assigned IP (``member_ips``) so IP auto-assignment can ask
"is this address taken?" without reading every member. Everything the controller acknowledges is
committed first: SQLite runs in WAL mode with ``synchronous=FULL``, so a ``kill -9`` (or a power cut)
after an answer loses nothing.

The two back ends differ only in a :class:`Dialect`: placeholder style, how a write transaction is
started, how a network row is locked against concurrent writers (SQLite: ``BEGIN IMMEDIATE`` takes the
one write lock; PostgreSQL: ``SELECT ... FOR UPDATE`` on the network), and how migrations are
serialised. The SQL itself is shared.

Schema versions live in ``schema_version``; :data:`MIGRATIONS` are applied in order at open, each in
its own transaction, so a database of any earlier version is brought up to date.
"""
from __future__ import annotations

import json
import logging
import os
import queue
import sqlite3
import stat
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Optional, Union

from libzt.controller.models import Record, same_record
from libzt.errors import StoreError

log = logging.getLogger("libzt.controller")

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "Store", "StoreError", "Transaction", "open_store"]


# StoreError (the database could not be opened or used) is libzt.errors', imported above.


def dump(record: Record) -> str:
    # Sorted keys: the same record always gives the same text (and reads like zerotier-one's files).
    return json.dumps(record, sort_keys=True, separators=(",", ":"))


# ---- dialects ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dialect:
    name: str
    begin_write: str
    lock_suffix: str  # appended to the SELECT of a network row that is about to change
    pool_size: int
    paramstyle_percent: bool  # psycopg uses %s, sqlite3 uses ?

    def sql(self, text: str) -> str:
        return text.replace("?", "%s") if self.paramstyle_percent else text


SQLITE = Dialect("sqlite", begin_write="BEGIN IMMEDIATE", lock_suffix="", pool_size=1, paramstyle_percent=False)
POSTGRES = Dialect("postgresql", begin_write="BEGIN", lock_suffix=" FOR UPDATE", pool_size=4, paramstyle_percent=True)


# ---- migrations -------------------------------------------------------------------------------------

Migration = Callable[["Transaction"], None]


def _v1_tables(tx: Transaction) -> None:
    tx.execute(
        "CREATE TABLE networks ("
        " network_id TEXT PRIMARY KEY,"
        " revision BIGINT NOT NULL,"
        " doc TEXT NOT NULL)"
    )
    tx.execute(
        "CREATE TABLE members ("
        " network_id TEXT NOT NULL REFERENCES networks (network_id),"
        " member_id TEXT NOT NULL,"
        " revision BIGINT NOT NULL,"
        " authorized BOOLEAN NOT NULL,"
        " active_bridge BOOLEAN NOT NULL,"
        " doc TEXT NOT NULL,"
        " PRIMARY KEY (network_id, member_id))"
    )


def _v2_member_ips(tx: Transaction) -> None:
    # Assigned addresses get rows of their own, filled from the member documents already stored.
    tx.execute(
        "CREATE TABLE member_ips ("
        " network_id TEXT NOT NULL,"
        " member_id TEXT NOT NULL,"
        " ip TEXT NOT NULL,"
        " PRIMARY KEY (network_id, member_id, ip),"
        " FOREIGN KEY (network_id, member_id) REFERENCES members (network_id, member_id))"
    )
    tx.execute("CREATE INDEX member_ips_by_ip ON member_ips (network_id, ip)")
    tx.execute("CREATE INDEX members_active_bridge ON members (network_id) WHERE active_bridge")
    for nwid, mid, doc in tx.execute("SELECT network_id, member_id, doc FROM members").fetchall():
        tx._index_ips(nwid, mid, json.loads(doc))


MIGRATIONS: list[Migration] = [_v1_tables, _v2_member_ips]
SCHEMA_VERSION = len(MIGRATIONS)


# ---- transactions -----------------------------------------------------------------------------------


class Transaction:
    """One open transaction on one connection; every query of the store goes through here."""

    def __init__(self, conn: Any, dialect: Dialect) -> None:
        self._conn = conn
        self.dialect = dialect

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        return self._conn.execute(self.dialect.sql(sql), params)

    # ---- networks ----

    def network_ids(self) -> list[str]:
        return [r[0] for r in self.execute("SELECT network_id FROM networks ORDER BY network_id").fetchall()]

    def get_network(self, nwid: str, lock: bool = False) -> Optional[Record]:
        sql = "SELECT doc FROM networks WHERE network_id = ?" + (self.dialect.lock_suffix if lock else "")
        row = self.execute(sql, (nwid,)).fetchone()
        return json.loads(row[0]) if row else None

    def insert_network(self, record: Record) -> bool:
        """Insert a new network; False if the ID is taken (the caller picks another)."""
        record = dict(record, revision=int(record.get("revision", 0)) + 1)
        cur = self.execute(
            "INSERT INTO networks (network_id, revision, doc) VALUES (?, ?, ?) ON CONFLICT (network_id) DO NOTHING",
            (record["id"], record["revision"], dump(record)),
        )
        return cur.rowcount == 1

    def save_network(self, record: Record) -> tuple[Record, bool]:
        """Store ``record`` if it differs from what is stored (bumping its revision).
        Returns (the stored record, changed)."""
        old = self.get_network(record["id"], lock=True)
        if old is not None and same_record(old, record):
            return old, False
        base = old if old is not None else record
        record = dict(record, revision=int(base.get("revision", 0)) + 1)
        self.execute(
            "INSERT INTO networks (network_id, revision, doc) VALUES (?, ?, ?)"
            " ON CONFLICT (network_id) DO UPDATE SET revision = excluded.revision, doc = excluded.doc",
            (record["id"], record["revision"], dump(record)),
        )
        return record, True

    def delete_network(self, nwid: str) -> Optional[Record]:
        old = self.get_network(nwid, lock=True)
        if old is None:
            return None
        self.execute("DELETE FROM member_ips WHERE network_id = ?", (nwid,))
        self.execute("DELETE FROM members WHERE network_id = ?", (nwid,))
        self.execute("DELETE FROM networks WHERE network_id = ?", (nwid,))
        return old

    # ---- members ----

    def get_member(self, nwid: str, mid: str) -> Optional[Record]:
        row = self.execute("SELECT doc FROM members WHERE network_id = ? AND member_id = ?", (nwid, mid)).fetchone()
        return json.loads(row[0]) if row else None

    def members(self, nwid: str) -> list[Record]:
        rows = self.execute("SELECT doc FROM members WHERE network_id = ? ORDER BY member_id", (nwid,)).fetchall()
        return [json.loads(r[0]) for r in rows]

    def member_revisions(self, nwid: str) -> dict[str, int]:
        rows = self.execute("SELECT member_id, revision FROM members WHERE network_id = ? ORDER BY member_id",
                            (nwid,)).fetchall()
        return {r[0]: int(r[1]) for r in rows}

    def member_counts(self, nwid: str) -> tuple[int, int]:
        """(total, authorized) members of a network."""
        total = self.execute("SELECT COUNT(*) FROM members WHERE network_id = ?", (nwid,)).fetchone()[0]
        authorized = self.execute("SELECT COUNT(*) FROM members WHERE network_id = ? AND authorized",
                                  (nwid,)).fetchone()[0]
        return int(total), int(authorized)

    def active_bridges(self, nwid: str) -> list[int]:
        rows = self.execute("SELECT member_id FROM members WHERE network_id = ? AND active_bridge", (nwid,)).fetchall()
        return sorted(int(r[0], 16) for r in rows)

    def ip_allocated(self, nwid: str, ip: str) -> bool:
        row = self.execute("SELECT 1 FROM member_ips WHERE network_id = ? AND ip = ? LIMIT 1", (nwid, ip)).fetchone()
        return row is not None

    def allocated_ips(self, nwid: str) -> set[str]:
        return {r[0] for r in self.execute("SELECT ip FROM member_ips WHERE network_id = ?", (nwid,)).fetchall()}

    def save_member(self, record: Record) -> tuple[Record, bool, Optional[Record]]:
        """Store ``record`` if it differs from what is stored (bumping its revision).
        Returns (the stored record, changed, the previous record)."""
        nwid, mid = record["nwid"], record["id"]
        old = self.get_member(nwid, mid)
        if old is not None and same_record(old, record):
            return old, False, old
        base = old if old is not None else record
        record = dict(record, revision=int(base.get("revision", 0)) + 1)
        self.execute(
            "INSERT INTO members (network_id, member_id, revision, authorized, active_bridge, doc)"
            " VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (network_id, member_id) DO UPDATE SET revision = excluded.revision,"
            " authorized = excluded.authorized, active_bridge = excluded.active_bridge, doc = excluded.doc",
            (nwid, mid, record["revision"], record.get("authorized") is True, record.get("activeBridge") is True,
             dump(record)),
        )
        if old is None or old.get("ipAssignments") != record.get("ipAssignments"):
            self.execute("DELETE FROM member_ips WHERE network_id = ? AND member_id = ?", (nwid, mid))
            self._index_ips(nwid, mid, record)
        return record, True, old

    def delete_member(self, nwid: str, mid: str) -> Optional[Record]:
        old = self.get_member(nwid, mid)
        if old is None:
            return None
        self.execute("DELETE FROM member_ips WHERE network_id = ? AND member_id = ?", (nwid, mid))
        self.execute("DELETE FROM members WHERE network_id = ? AND member_id = ?", (nwid, mid))
        return old

    def _index_ips(self, nwid: str, mid: str, record: Record) -> None:
        ips = record.get("ipAssignments")
        for ip in dict.fromkeys(ips if isinstance(ips, list) else []):
            if isinstance(ip, str):
                self.execute("INSERT INTO member_ips (network_id, member_id, ip) VALUES (?, ?, ?)", (nwid, mid, ip))


# ---- the store --------------------------------------------------------------------------------------


class Store:
    """A pool of connections to one database, handing out transactions.

    ``with store.write() as tx:`` commits when the block ends and rolls back if it raises."""

    def __init__(self, connect: Callable[[], Any], dialect: Dialect, description: str,
                 schema_version: Optional[int] = None) -> None:
        self.dialect = dialect
        self.description = description
        self._connect = connect
        self._pool: queue.LifoQueue[Any] = queue.LifoQueue()
        self._created = 0
        self._lock = threading.Lock()
        self._closed = False
        self._migrate(schema_version)

    # ---- connections ----

    def _acquire(self) -> Any:
        try:
            return self._pool.get_nowait()
        except queue.Empty:
            pass
        with self._lock:
            if self._closed:
                raise StoreError("the store is closed")
            if self._created < self.dialect.pool_size:
                self._created += 1
                try:
                    return self._connect()
                except BaseException:
                    self._created -= 1
                    raise
        return self._pool.get()

    def _release(self, conn: Any, broken: bool) -> None:
        if broken or self._closed:
            try:
                conn.close()
            finally:
                with self._lock:
                    self._created -= 1
            return
        self._pool.put(conn)

    @contextmanager
    def _transaction(self, begin: str) -> Iterator[Transaction]:
        conn = self._acquire()
        broken = False
        try:
            conn.execute(begin)
            try:
                yield Transaction(conn, self.dialect)
            except BaseException:
                try:
                    conn.execute("ROLLBACK")
                except Exception:
                    broken = True
                raise
            conn.execute("COMMIT")
        except _connection_errors():
            broken = True  # the server went away or the file broke: never reuse this connection
            raise
        finally:
            self._release(conn, broken)

    def write(self) -> Any:
        """A transaction that may write (SQLite: holds the write lock from the start)."""
        return self._transaction(self.dialect.begin_write)

    def read(self) -> Any:
        return self._transaction("BEGIN")

    def close(self) -> None:
        with self._lock:
            self._closed = True
        while True:
            try:
                self._pool.get_nowait().close()
            except queue.Empty:
                return

    # ---- schema ----

    def schema_version(self) -> int:
        with self.read() as tx:
            row = tx.execute("SELECT MAX(version) FROM schema_version").fetchone()
            return int(row[0] or 0)

    def _migrate(self, target: Optional[int] = None) -> None:
        target = SCHEMA_VERSION if target is None else target
        for version in range(1, target + 1):
            with self.write() as tx:
                if self.dialect is POSTGRES:
                    # Two controllers starting at once on one database: the second waits here.
                    tx.execute("SELECT pg_advisory_xact_lock(7275617)")
                tx.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
                row = tx.execute("SELECT MAX(version) FROM schema_version").fetchone()
                current = int(row[0] or 0)
                if current >= version:
                    continue
                MIGRATIONS[version - 1](tx)
                tx.execute("INSERT INTO schema_version (version) VALUES (?)", (version,))


def _connection_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = [sqlite3.OperationalError]
    try:
        import psycopg

        errors.append(psycopg.OperationalError)
    except ImportError:
        pass
    return tuple(errors)


def _make_private(path: Path) -> None:
    """The database file (and SQLite's -wal/-shm beside it) readable by its owner only, its directory
    created 0700 if it is new: the database holds every member's identity and the networks' secrets
    of operation. SQLite creates -wal and -shm with the database file's mode."""
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass
    for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            mode = stat.S_IMODE(p.stat().st_mode)
        except FileNotFoundError:
            continue
        if mode & 0o077:
            log.warning("controller: %s was mode %04o; made 0600 (readable by its owner only)", p, mode)
            os.chmod(p, mode & 0o700)


def _open_sqlite(path: Path, schema_version: Optional[int]) -> Store:
    _make_private(path)

    def connect() -> sqlite3.Connection:
        # isolation_level=None: no implicit transactions; ours are explicit (BEGIN ... COMMIT).
        conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=30.0)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")  # a commit is on disk before we answer
        conn.execute("PRAGMA foreign_keys=ON")
        return conn

    return Store(connect, SQLITE, f"sqlite:{path}", schema_version)


def _open_postgres(url: str, schema_version: Optional[int]) -> Store:
    try:
        import psycopg
    except ImportError:
        raise StoreError("PostgreSQL needs psycopg 3: pip install 'pylibzt[postgres]'") from None

    def connect() -> Any:
        try:
            return psycopg.connect(url, autocommit=True)  # autocommit: we issue BEGIN/COMMIT ourselves
        except psycopg.Error as exc:
            raise StoreError(f"cannot connect to PostgreSQL: {exc}") from exc

    return Store(connect, POSTGRES, "postgresql:" + url.split("@")[-1], schema_version)


def open_store(location: Union[str, Path], schema_version: Optional[int] = None) -> Store:
    """``postgresql://...`` (or ``postgres://``) opens PostgreSQL; anything else is a SQLite file
    (``sqlite:///path`` or a plain path). ``schema_version`` stops migrating there (for tests of
    the migrations themselves); the default is the newest."""
    text = str(location)
    if text.startswith(("postgresql://", "postgres://")):
        return _open_postgres(text, schema_version)
    if text.startswith("sqlite:///"):
        text = text[len("sqlite://"):]
    elif text.startswith("sqlite:"):
        text = text[len("sqlite:"):]
    return _open_sqlite(Path(text), schema_version)
