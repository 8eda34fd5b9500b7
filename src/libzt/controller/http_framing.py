# SPDX-License-Identifier: Apache-2.0
"""Where a request's body ends, read from its header block (RFC 9112 section 6), or why the request
is refused before anything else looks at it.

The server's event loop frames requests with this; a worker's handler (the standard library's
``http.server``, whose header parser is lenient) then reads the same header block again. Any header
line the two could read differently would let one request hide another inside its body (the loop
framing by one length, the handler by another), so such lines are refused here, with the connection
closed after the answer: obsolete line folding, whitespace before a colon or a line without one
(RFC 9112 section 5), control characters (a bare CR ends a line for the handler's parser, not for
RFC 9112; RFC 9110 section 5.5 allows none in a field), a Content-Length that is not one number or
that differs from another one, and any Transfer-Encoding (this server reads bodies by length only;
with a Content-Length as well it is the classic smuggling pair, section 6.3).
tests/unit/test_http_framing.py checks on mutated header blocks that whatever this frames, the
handler's parser reads the same length from.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

# The characters of a field name (RFC 9110 section 5.6.2: a token).
_TOKEN = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
# The end of a header block: its first empty line (a bare LF ends a line too, RFC 9112 section 2.2).
HEADER_END = re.compile(rb"\r?\n\r?\n")
# Control characters other than HTAB (in a line: its LF and a CR before it are gone already).
_CONTROL = re.compile(rb"[\x00-\x08\x0a-\x1f\x7f]")
# A Content-Length of more digits is more than 10**18 bytes (and int() refuses over 4300 digits).
_MAX_LENGTH_DIGITS = 18


@dataclass(frozen=True)
class Refusal:
    status: int
    reason: str  # the status's reason phrase
    detail: str  # what was wrong, for the error body


@dataclass(frozen=True)
class Framing:
    body_length: int = 0
    expect_continue: bool = False  # an HTTP/1.1 client waits for "100 Continue" before the body
    refusal: Optional[Refusal] = None  # answer this and close, instead of reading a body


def body_too_large(limit: int) -> str:
    """What a 413 says, from the server's loop (a client that waits on Expect: 100-continue) or from
    the handler (after the loop discarded the body)."""
    return f"body larger than {limit} bytes"


def _refuse(detail: str, status: int = 400, reason: str = "Bad Request") -> Framing:
    return Framing(refusal=Refusal(status, reason, detail))


def read_framing(head: bytes) -> Framing:
    """The framing of ``head``: the request line, the header lines and the empty line after them
    (anything after that line is not read)."""
    lines = head.split(b"\n")
    request_line = lines[0].rstrip(b"\r")
    if not request_line:
        return _refuse("no request line")
    http11 = request_line.endswith(b" HTTP/1.1")
    lengths: set[int] = set()
    transfer_encoding = expect_continue = False
    for raw in lines[1:]:
        line = raw[:-1] if raw.endswith(b"\r") else raw
        if not line:
            break  # the end of the block
        if line[:1] in (b" ", b"\t"):
            return _refuse("obsolete line folding in the header")
        if _CONTROL.search(line):
            return _refuse("a control character in the header")
        name, colon, value = line.partition(b":")
        if not colon or not _TOKEN.fullmatch(name):
            return _refuse("a malformed header line")
        name = name.lower()
        if name == b"transfer-encoding":
            transfer_encoding = True
        elif name == b"content-length":
            # One number per line: the handler takes a list ("5, 5") for no number at all.
            digits = value.strip(b" \t")
            if not digits.isdigit() or len(digits) > _MAX_LENGTH_DIGITS:
                return _refuse("bad Content-Length")
            lengths.add(int(digits))
        elif name == b"expect":
            expect_continue = http11 and value.strip(b" \t").lower() == b"100-continue"
    if transfer_encoding:
        if lengths:
            return _refuse("both Transfer-Encoding and Content-Length")
        return _refuse("send the body with a Content-Length", 411, "Length Required")
    if len(lengths) > 1:
        return _refuse("Content-Length given twice, differently")
    return Framing(body_length=lengths.pop() if lengths else 0, expect_continue=expect_continue)
