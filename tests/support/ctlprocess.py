# SPDX-License-Identifier: Apache-2.0
"""``libzt controller`` as a child process for tests: started on a free port, its banner read, its API
called over real HTTP, stopped with SIGTERM (clean exit checked) or killed with SIGKILL."""
from __future__ import annotations

import http.client
import json
import selectors
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any


class ControllerProcess:
    def __init__(self, directory: Path, *extra: str) -> None:
        self.directory = directory
        # faulthandler: a controller that does not stop is made to show where each thread is (below).
        cmd = [sys.executable, "-X", "faulthandler", "-m", "libzt", "controller",
               "--dir", str(directory), "--http", "127.0.0.1:0", *extra]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self._read_line(timeout=60)
        if " API at " not in line:
            self.proc.kill()
            raise AssertionError(f"controller did not start: {line!r} {self.proc.stderr.read()}")
        self.banner = line
        self.url = line.split(" API at ")[1].split()[0]
        self.token = (directory / "authtoken.secret").read_text().strip()
        host, port = self.url.removeprefix("http://").rsplit(":", 1)
        self.host, self.port = host, int(port)

    def _read_line(self, timeout: float) -> str:
        assert self.proc.stdout is not None
        sel = selectors.DefaultSelector()
        sel.register(self.proc.stdout, selectors.EVENT_READ)
        try:
            if not sel.select(timeout):
                return ""
            return self.proc.stdout.readline()
        finally:
            sel.close()

    def request(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            data = None if body is None else json.dumps(body)
            conn.request(method, path, body=data, headers={"X-ZT1-Auth": self.token})
            resp = conn.getresponse()
            return resp.status, json.loads(resp.read())
        finally:
            conn.close()

    def stop(self) -> str:
        self.proc.send_signal(signal.SIGTERM)
        try:
            out, err = self.proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.send_signal(signal.SIGABRT)  # faulthandler prints every thread's stack, then it dies
            out, err = self.proc.communicate(timeout=60)
            raise AssertionError(f"controller still running 60 s after SIGTERM:\n{out}\n{err}") from None
        assert self.proc.returncode == 0, err
        return out

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.communicate(timeout=60)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.kill()
