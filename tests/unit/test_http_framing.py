# SPDX-License-Identifier: Apache-2.0
"""How the controller's HTTP server frames a request from its header block (RFC 9112 section 6),
and every header line it refuses because the worker's lenient parser could read it otherwise."""
from __future__ import annotations

import pytest

from libzt.controller.http_framing import read_framing


def head(*lines: bytes, request_line: bytes = b"POST /controller/network HTTP/1.1") -> bytes:
    return b"\r\n".join((request_line, *lines)) + b"\r\n\r\n"


def test_a_plain_request_is_framed_by_its_content_length() -> None:
    framing = read_framing(head(b"Host: x", b"content-length:  17 "))
    assert (framing.body_length, framing.expect_continue, framing.refusal) == (17, False, None)
    assert read_framing(head(b"Host: x")).body_length == 0
    assert read_framing(b"GET / HTTP/1.1\nHost: x\n\n").refusal is None  # bare LF ends lines too


def test_repeated_equal_lengths_are_one_length() -> None:
    assert read_framing(head(b"Content-Length: 5", b"Content-Length: 5")).body_length == 5
    assert read_framing(head(b"Content-Length: 5, 5")).body_length == 5


def test_expect_100_continue_counts_for_http_1_1_only() -> None:
    assert read_framing(head(b"Expect: 100-Continue", b"Content-Length: 3")).expect_continue
    assert not read_framing(head(b"Expect: 100-continue", request_line=b"POST / HTTP/1.0")).expect_continue


@pytest.mark.parametrize("lines, status", [
    ((b"Content-Length: +5",), 400),
    ((b"Content-Length: 5_0",), 400),
    ((b"Content-Length: \xd9\xa3",), 400),
    ((b"Content-Length:",), 400),
    ((b"Content-Length: " + b"9" * 19,), 400),
    ((b"Content-Length: 5", b"Content-Length: 6"), 400),
    ((b"Content-Length: 5, 6",), 400),
    ((b"Content-Length : 5",), 400),
    ((b"Host: x", b" Content-Length: 5"), 400),
    ((b"Host: x", b"\tfolded",), 400),
    ((b"no colon here",), 400),
    ((b": empty name",), 400),
    ((b"Transfer-Encoding: chunked", b"Content-Length: 5"), 400),
    ((b"Transfer-Encoding: chunked",), 411),
    ((b"Transfer-Encoding:",), 411),
])
def test_lines_another_parser_could_read_otherwise_are_refused(lines: tuple[bytes, ...], status: int) -> None:
    refusal = read_framing(head(*lines)).refusal
    assert refusal is not None and refusal.status == status, refusal


def test_an_empty_request_line_is_refused() -> None:
    refusal = read_framing(b"\r\n\r\n").refusal
    assert refusal is not None and refusal.status == 400
