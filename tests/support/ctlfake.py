# SPDX-License-Identifier: Apache-2.0
"""A CoreLink that records what the controller asked of the core, for tests without a core."""
from __future__ import annotations

import threading
from typing import Any, Sequence

from libzt.controller.netconf import NetconfSpec, RefusalCode


class FakeLink:
    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []
        self._lock = threading.Lock()

    def _add(self, *call: Any) -> None:
        with self._lock:
            self.calls.append(call)

    def respond(self, request_id: int, spec: NetconfSpec) -> None:
        self._add("respond", request_id, spec)

    def respond_error(self, request_id: int, error: RefusalCode) -> None:
        self._add("error", request_id, error)

    def push(self, spec: NetconfSpec) -> None:
        self._add("push", spec.member_id, spec)

    def revoke(self, network_id: int, member_id: int, notify: Sequence[int]) -> None:
        self._add("revoke", network_id, member_id, list(notify))

    def of(self, kind: str) -> list[tuple[Any, ...]]:
        with self._lock:
            return [c for c in self.calls if c[0] == kind]

    def clear(self) -> None:
        with self._lock:
            self.calls.clear()
