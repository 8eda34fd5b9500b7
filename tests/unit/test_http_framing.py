# SPDX-License-Identifier: Apache-2.0
"""How the controller's HTTP server frames a request from its header block (RFC 9112 section 6),
and every header line it refuses because the worker's lenient parser could read it otherwise."""
from __future__ import annotations

import http.client
import io
import random

import pytest

from libzt.controller.http_framing import HEADER_END, read_framing


def head(*lines: bytes, request_line: bytes = b"POST /controller/network HTTP/1.1") -> bytes:
    return b"\r\n".join((request_line, *lines)) + b"\r\n\r\n"


def test_a_plain_request_is_framed_by_its_content_length() -> None:
    framing = read_framing(head(b"Host: x", b"content-length:  17 "))
    assert (framing.body_length, framing.expect_continue, framing.refusal) == (17, False, None)
    assert read_framing(head(b"Host: x")).body_length == 0
    assert read_framing(b"GET / HTTP/1.1\nHost: x\n\n").refusal is None  # bare LF ends lines too


def test_repeated_equal_lengths_are_one_length() -> None:
    assert read_framing(head(b"Content-Length: 5", b"Content-Length: 5")).body_length == 5


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
    ((b"Content-Length: 5, 5",), 400),
    ((b"X: a\rContent-Length: 5",), 400),
    ((b"X: a\x00b",), 400),
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


SEEDS = (
    head(b"Host: x", b"Content-Length: 12"),
    head(b"Host: x", b"Transfer-Encoding: chunked"),
    head(b"Host: x", b"Expect: 100-continue", b"Content-Length: 3", b"X-ZT1-Auth: t"),
    head(b"Content-Length: 5", b"Content-Length: 5"),
    head(b"Host: x", request_line=b"GET /controller HTTP/1.1"),
)
PIECES = (b"\r", b"\n", b"\r\n", b" ", b"\t", b":", b",", b"+", b"-", b"0", b"7", b"\x00", b"\x0b", b"\x0c", b"\x1c",
          b"\x85", b"a", b"Content-Length", b"Transfer-Encoding", b"chunked", b"content-length: 9\r\n")


def mutate(rng: random.Random, data: bytes) -> bytes:
    for _ in range(rng.randint(1, 4)):
        at = rng.randint(0, len(data))
        op = rng.randrange(3)
        if op == 0:
            data = data[:at] + rng.choice(PIECES) + data[at:]
        elif op == 1:
            data = data[:at] + data[at + rng.randint(1, 4):]
        else:
            data = data[:at] + rng.choice(PIECES) + data[at + 1:]
    return data


def handlers_length(block: bytes) -> int | None:
    """The body length the worker's handler reads from ``block`` (the standard library's parser, then
    api.py's _read_body); None when it refuses the request."""
    try:
        headers = http.client.parse_headers(io.BytesIO(block.split(b"\n", 1)[1]))
    except http.client.HTTPException:
        return None
    if headers.get("Transfer-Encoding"):
        return None
    try:
        length = int(headers.get("Content-Length") or 0)
    except ValueError:
        return None
    return length if length >= 0 else None


def test_what_is_framed_is_what_the_handler_reads_on_mutated_header_blocks() -> None:
    """A differential fuzz: wherever the loop frames a request and the handler takes it too, both
    read the same body length. (The loop may refuse more; never less.)"""
    rng = random.Random(20261207)
    framed = 0
    for _ in range(30000):
        block = mutate(rng, rng.choice(SEEDS))
        end = HEADER_END.search(block)  # where the server ends the block
        if end is None:
            continue
        block = block[:end.end()]
        framing = read_framing(block)
        if framing.refusal is not None:
            continue
        framed += 1
        theirs = handlers_length(block)
        assert theirs is None or theirs == framing.body_length, block
    assert framed > 1000  # the mutations leave many blocks that still frame
