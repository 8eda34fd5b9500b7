# SPDX-License-Identifier: Apache-2.0
"""Type checks for JSON coming from the REST API, with messages that name the offending field.

Every check raises :class:`~libzt.errors.InvalidField` (an :class:`~libzt.errors.ArgumentError`, so
also a :class:`ValueError`); the API turns it into HTTP 400 with
the message. Field paths read like ``routes[2].via`` so a user can find the mistake in a long body.
"""
from __future__ import annotations

import ipaddress
import socket
from typing import Any, Union

from libzt.errors import InvalidField  # defined with the rest of the tree; also imported from here

IPAddress = Union[ipaddress.IPv4Address, ipaddress.IPv6Address]


def type_name(value: Any) -> str:
    """JSON's name for the type of a decoded value, for error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def expect_bool(value: Any, field: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidField(field, f"expected a boolean, got {type_name(value)}")
    return value


def expect_int(value: Any, field: str, lo: int = 0, hi: int = 2**64 - 1) -> int:
    # JSON has one number type: 5.0 is accepted as 5, 5.5 is not. Booleans are not numbers here.
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidField(field, f"expected an integer, got {type_name(value)}")
    if not lo <= value <= hi:
        raise InvalidField(field, f"{value} is out of range [{lo}, {hi}]")
    return value


def expect_str(value: Any, field: str, max_bytes: int = 65535) -> str:
    if not isinstance(value, str):
        raise InvalidField(field, f"expected a string, got {type_name(value)}")
    if len(value.encode("utf-8", "surrogatepass")) > max_bytes:
        raise InvalidField(field, f"longer than {max_bytes} bytes")
    if "\x00" in value:
        raise InvalidField(field, "contains a NUL character")
    return value


def expect_list(value: Any, field: str, max_len: int) -> list[Any]:
    if not isinstance(value, list):
        raise InvalidField(field, f"expected an array, got {type_name(value)}")
    if len(value) > max_len:
        raise InvalidField(field, f"at most {max_len} entries, got {len(value)}")
    return value


def expect_object(value: Any, field: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InvalidField(field, f"expected an object, got {type_name(value)}")
    return value


def expect_hex(value: Any, field: str, digits: int) -> int:
    """A string of exactly ``digits`` hex digits (a ZeroTier address has 10, a network ID 16)."""
    text = expect_str(value, field, 64)
    if len(text) != digits or any(c not in "0123456789abcdefABCDEF" for c in text):
        raise InvalidField(field, f"expected {digits} hex digits, got {text!r}")
    return int(text, 16)


def parse_ip(text: Any, field: str) -> IPAddress:
    """An IPv4 or IPv6 address without prefix length."""
    s = expect_str(text, field, 64)
    try:
        return ipaddress.ip_address(s)
    except ValueError:
        raise InvalidField(field, f"{s!r} is not an IP address") from None


def parse_cidr(text: Any, field: str) -> tuple[IPAddress, int]:
    """``ip/bits`` with the prefix length required; host bits may be set (ZeroTier keeps them)."""
    s = expect_str(text, field, 64)
    ip_text, slash, bits_text = s.partition("/")
    if not slash:
        raise InvalidField(field, f"{s!r} needs a prefix length, as in 10.0.0.0/24")
    ip = parse_ip(ip_text, field)
    if not bits_text.isdigit():
        raise InvalidField(field, f"prefix length in {s!r} is not a number")
    bits = int(bits_text)
    if bits > ip.max_prefixlen:
        raise InvalidField(field, f"prefix length {bits} is too long for IPv{ip.version}")
    return ip, bits


def ip_string(ip: IPAddress) -> str:
    """The address as ZeroTier writes it (inet_ntop), so stored JSON matches zerotier-one's."""
    family = socket.AF_INET if ip.version == 4 else socket.AF_INET6
    return socket.inet_ntop(family, ip.packed)
