# SPDX-License-Identifier: Apache-2.0
"""Flow rules for the controller: the JSON objects of its REST API and the binary form members receive.

The JSON form is zerotier-one's (``{"type": "MATCH_ETHERTYPE", "not": false, "or": false, "etherType":
2048}``): what we store is the rule re-rendered from its parsed value, exactly as the reference
controller stores it, so a rule always reads back in one canonical shape.

Every rule type, its fields and their wire layout are the core's one rule table (``ztx_rules_from_json``
reads JSON, ``ztx_rules_parse`` writes it, ``ztx_rule_types`` lists the table); this module only
turns the core's refusals into :class:`InvalidField` errors that name the field in the request body
(``capabilities[0].rules[2].etherType``).

Where the reference controller silently masks or drops bad input, the core refuses it with a message
naming the field: a value out of range, a malformed address, an unknown type. Two deliberate
differences from zerotier-one 1.14.1, both bug fixes:
  * ``INTEGER_RANGE`` rules are kept (the reference's parser forgets to set the type and drops them);
  * ``ACTION_PRIORITY`` is refused rather than dropped: its QoS bucket has no wire encoding.
"""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from typing import Any

from libzt._bindings import vl2 as ll
from libzt.controller._validate import InvalidField
from libzt.errors import ArgumentError

MAX_NETWORK_RULES = ll.MAX_NETWORK_RULES  # ZT_MAX_NETWORK_RULES
MAX_CAPABILITY_RULES = ll.MAX_CAPABILITY_RULES  # ZT_MAX_CAPABILITY_RULES

_TABLE = ll.rule_types()
RULE_TYPES: dict[str, int] = {t["type"]: t["id"] for t in _TABLE}  # the core's names and numbers
_ALIASES: dict[str, str] = {t["alias"]: t["type"] for t in _TABLE if t["alias"]}
# The type names the REST API accepts: what a controller issues, by name or alias.
ACCEPTED_NAMES: tuple[str, ...] = tuple(n for t in _TABLE if t["issued"] for n in (t["type"], t["alias"]) if n)

_CORE_PATH = "rules"  # how the core names the array it was given


@dataclass(frozen=True)
class Rule:
    """One rule in the form members receive, as the core serialized it."""

    wire: bytes

    def to_bytes(self) -> bytes:
        return self.wire


def _invalid(error: ArgumentError, field: str, core_path: str = _CORE_PATH) -> InvalidField:
    """The core's ``rules[2].etherType: problem`` as an InvalidField under ``field``."""
    path, sep, problem = str(error).partition(": ")
    if not sep or not path.startswith(core_path):
        return InvalidField(field, str(error))
    return InvalidField(field + path[len(core_path):], problem)


def _serialize(items: list[Any], field: str, max_rules: int, core_path: str = _CORE_PATH) -> bytes:
    try:
        text = json.dumps(items, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise InvalidField(field, f"not JSON: {exc}") from None
    try:
        return ll.rules_from_json(text, max_rules, True, ArgumentError)
    except ArgumentError as exc:
        raise _invalid(exc, field, core_path) from None


def parse_rule(obj: Any, field: str = "rule") -> Rule:
    """A rule JSON object to its wire form; :class:`InvalidField` if anything is wrong with it."""
    return Rule(_serialize([obj], field, 1, f"{_CORE_PATH}[0]"))


def normalize_rules(value: Any, field: str = "rules", max_rules: int = MAX_NETWORK_RULES) -> list[dict[str, Any]]:
    """Validate a JSON rule list and return what to store: each rule in its canonical form."""
    return decode_rules_json(_serialize(value, field, max_rules))


# ---- binary -----------------------------------------------------------------------------------------


def encode_rules(rules: list[dict[str, Any]]) -> bytes:
    """Serialize JSON rules (as stored) the way members receive them."""
    # Every config of a network carries the same rules: their JSON text keys a cache, which costs a
    # fraction of parsing them again for each member.
    return _encode_text(json.dumps(rules, separators=(",", ":")))


@functools.lru_cache(maxsize=256)
def _encode_text(text: str) -> bytes:
    try:
        return ll.rules_from_json(text, MAX_NETWORK_RULES, True, ArgumentError)
    except ArgumentError as exc:
        raise _invalid(exc, "rules") from None


def _decode(data: bytes) -> list[dict[str, Any]]:
    try:
        return ll.rules_parse(bytes(data), ArgumentError)
    except ArgumentError as exc:
        raise _invalid(exc, "rules") from None


def decode_rules(data: bytes) -> list[Rule]:
    """Split serialized rules as members read them (by each rule's length byte)."""
    return [Rule(ll.rules_from_json(json.dumps([r]), 1, False, ArgumentError)) for r in _decode(data)]


def decode_rules_json(data: bytes) -> list[dict[str, Any]]:
    """Serialized rules back to JSON; rules of types we do not know are skipped, as members do."""
    return [r for r in _decode(data) if r["type"] != "UNKNOWN"]


ACCEPT_ALL = encode_rules([{"type": "ACTION_ACCEPT"}])  # b"\x01\x00": for members without a rules engine
