# SPDX-License-Identifier: Apache-2.0
"""A throwaway PostgreSQL server for the controller's tests.

Made with the distribution's ``initdb``/``pg_ctl`` (Debian: apt ``postgresql``, which
scripts/bootstrap installs) in a temporary directory, listening on a Unix socket only (no TCP port to
collide with), with durability off (only the controller process is killed in tests, never this
server). As root the server runs as the ``postgres`` user, since PostgreSQL refuses to run as root.
"""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Optional


class PostgresUnavailable(RuntimeError):
    pass


def _bindir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).resolve().parent
    raise PostgresUnavailable("initdb not found: install PostgreSQL (scripts/bootstrap does: apt-get install "
                              "postgresql)")


class PostgresServer:
    def __init__(self) -> None:
        self.bindir = _bindir()
        self.root = Path(tempfile.mkdtemp(prefix="libzt-pg-"))
        self.data = self.root / "data"
        self.socket_dir = self.root / "run"
        self._as_user: Optional[str] = None
        if os.geteuid() == 0:
            try:
                entry = pwd.getpwnam("postgres")
            except KeyError:
                raise PostgresUnavailable("running as root and there is no postgres user to run the server as") \
                    from None
            self._as_user = "postgres"
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
        self.socket_dir.mkdir()
        if self._as_user:
            entry = pwd.getpwnam(self._as_user)
            os.chown(self.socket_dir, entry.pw_uid, entry.pw_gid)

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        if self._as_user:
            cmd = ["runuser", "-u", self._as_user, "--", *cmd]
        # The server is not under test: keep sanitizer runtimes preloaded into the test run (see
        # scripts/run-tests) out of it, where they make initdb crawl.
        env = {k: v for k, v in os.environ.items()
               if k not in ("LD_PRELOAD", "ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS")}
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=self.root, env=env)
        if result.returncode != 0:
            raise PostgresUnavailable(f"{' '.join(cmd)} failed:\n{result.stdout}\n{result.stderr}")
        return result

    def start(self) -> PostgresServer:
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync")
        options = (f"-k {self.socket_dir} -c listen_addresses='' -c fsync=off -c synchronous_commit=off"
                   " -c full_page_writes=off -c max_connections=100")
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.root / "log"), "-w", "-t", "60",
                  "start")
        return self

    def url(self, database: str = "postgres") -> str:
        return f"postgresql:///{database}?host={self.socket_dir}&user=postgres"

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        except PostgresUnavailable:
            pass
        shutil.rmtree(self.root, ignore_errors=True)

    def log(self) -> str:
        try:
            return (self.root / "log").read_text()
        except OSError:
            return ""
