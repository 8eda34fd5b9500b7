# SPDX-License-Identifier: Apache-2.0
"""Status lines of the long-running commands (``libzt root``, ``libzt controller``).

They print from several threads (the node's event thread, timers, the main thread); ``print`` writes
the text and the newline separately, so two threads can splice their lines. ``say`` writes a whole
line at once, under a lock, and flushes: scripts and tests read these lines as they come.
"""

from __future__ import annotations

import sys
import threading
from typing import TextIO

_lock = threading.Lock()


def say(text: str, stream: TextIO | None = None) -> None:
    out = stream or sys.stdout
    with _lock:
        out.write(text + "\n")
        out.flush()
