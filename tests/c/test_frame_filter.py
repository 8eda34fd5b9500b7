# SPDX-License-Identifier: Apache-2.0
"""The filter in front of lwIP's input (csrc/net/frame_filter.hpp) through tests/c/frame_filter.cpp:
router advertisements, redirects, Packet Too Big below 1280 and neighbor discovery that would take
over an address stop there, and only TCP and UDP may come in fragments."""
from __future__ import annotations

import subprocess
from pathlib import Path

from support.clib import build_core_test

HERE = Path(__file__).resolve().parent
CASES = ("router_advertisements_and_redirects_stop_here", "packet_too_big_below_the_minimum_mtu_stops_here",
         "fragments_pass_only_for_tcp_and_udp", "neighbor_discovery_that_would_take_over_an_address_stops_here",
         "the_rest_of_icmpv6_passes", "short_packets_stop_here")


def test_frame_filter_cases() -> None:
    exe = build_core_test(HERE / "frame_filter.cpp", also=("net/frame_filter",))
    run = subprocess.run([str(exe)], capture_output=True, text=True, timeout=300)
    report = f"{run.stdout}\n{run.stderr}"
    for case in CASES:
        assert f"PASS {case}" in run.stdout.splitlines(), report
    assert run.returncode == 0, report
