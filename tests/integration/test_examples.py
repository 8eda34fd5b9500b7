# SPDX-License-Identifier: Apache-2.0
"""The examples run as documented (so they cannot rot)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent.parent.parent / "examples"


def test_user_messages_example() -> None:
    out = subprocess.run([sys.executable, str(EXAMPLES / "user_messages.py")], capture_output=True, text=True,
                         timeout=120, check=True).stdout
    assert "got b'HELLO OVER ZEROTIER'" in out
    assert "round trip by ECHO" in out
