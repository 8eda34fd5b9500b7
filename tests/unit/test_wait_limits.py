# SPDX-License-Identifier: Apache-2.0
"""The time limit a blocking socket call hands to libzt (ztx_wait_t): whole milliseconds, rounded up
so that no wait ends before the time asked; none beyond what a C int of milliseconds holds."""
from __future__ import annotations

import pytest

from libzt._bindings import sockets as ll


@pytest.mark.parametrize("seconds, ms", [
    (None, -1),
    (0.0, 0),
    (0.0001, 1),
    (0.35, 350),
    (1.0005, 1001),
    (30.0, 30000),
    (0x7FFFFFFF / 1000, 0x7FFFFFFF),
    (0x7FFFFFFF / 1000 + 1, -1),  # 24.8 days and more: no limit
])
def test_limit_ms_rounds_up_to_whole_milliseconds(seconds: float, ms: int) -> None:
    assert ll.limit_ms(seconds) == ms


def test_a_timed_wait_is_new_per_operation_and_an_unlimited_one_shared() -> None:
    first, second = ll.new_wait(350, 0), ll.new_wait(350, 0)
    assert first != second  # libzt writes a timed wait's deadline: two operations never share one
    assert (first.timeout_ms, first.wake_ms, first.deadline_ms) == (350, 0, 0)
    unlimited = ll.new_wait(-1, 100)
    assert unlimited == ll.new_wait(-1, 100)
    assert (unlimited.timeout_ms, unlimited.wake_ms, unlimited.deadline_ms) == (-1, 100, -1)
