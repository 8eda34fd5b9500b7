# SPDX-License-Identifier: Apache-2.0
"""What a failing test prints about the nodes involved, so that a failure seen once explains itself."""
from __future__ import annotations

from typing import Any, Callable, Dict


def counters(readers: Dict[str, Callable[[], Any]]) -> Dict[str, Any]:
    """Each node's counters (node_get_stats and the like) by name, or why they could not be read: a
    node that died must not hide the failure its counters were to explain."""
    out: Dict[str, Any] = {}
    for name, read in readers.items():
        try:
            out[name] = read()
        except Exception as exc:
            out[name] = f"unavailable: {exc!r}"
    return out
