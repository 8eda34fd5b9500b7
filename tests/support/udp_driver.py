# SPDX-License-Identifier: Apache-2.0
"""The test side of tests/integration/udp_port.py: send datagrams from inside a namespace and wait for
the answers, with deadlines."""
from __future__ import annotations

import queue
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Callable, Optional, Sequence

PORT_SCRIPT = Path(__file__).resolve().parents[1] / "integration" / "udp_port.py"


class UdpPort:
    def __init__(self, prefix: Sequence[str], host: str, port: int) -> None:
        self.proc = subprocess.Popen([*prefix, sys.executable, str(PORT_SCRIPT), host, str(port)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        assert self.proc.stdout is not None
        if self.proc.stdout.readline().strip() != "ready":
            raise RuntimeError("udp_port.py did not start")
        self._got: queue.Queue[bytes] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._got.put(bytes.fromhex(line.strip()))

    def send(self, datagram: bytes) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(datagram.hex() + "\n")
        self.proc.stdin.flush()

    def receive(self, timeout: float, want: Callable[[bytes], bool] = lambda _: True) -> Optional[bytes]:
        """The next datagram `want` accepts within `timeout` seconds (others are skipped), or None."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                data = self._got.get(timeout=left)
            except queue.Empty:
                return None
            if want(data):
                return data
        return None

    def drain(self) -> list[bytes]:
        out = []
        while True:
            try:
                out.append(self._got.get_nowait())
            except queue.Empty:
                return out

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
