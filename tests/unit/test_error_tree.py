# SPDX-License-Identifier: Apache-2.0
"""Every error libzt raises on its own account is a ZeroTierError, and still the builtin it refines."""
from __future__ import annotations

import pytest

import libzt
from libzt import errors
from libzt.controller import InvalidField, NotFound, StoreError
from libzt.events import Event, EventCode

BUILTIN_OF = {
    errors.ArgumentError: ValueError,
    errors.InvalidField: ValueError,
    errors.ServiceError: RuntimeError,
    errors.NoResultError: LookupError,
    errors.NotFoundError: LookupError,
    errors.AccessDeniedError: PermissionError,
    errors.StoreError: RuntimeError,
    errors.GeneralError: RuntimeError,
}


@pytest.mark.parametrize("cls", list(BUILTIN_OF), ids=lambda cls: cls.__name__)
def test_each_error_is_in_the_tree_and_its_builtin(cls: type) -> None:
    exc = cls("f", "bad") if cls is errors.InvalidField else cls("bad")
    assert isinstance(exc, errors.ZeroTierError)
    assert isinstance(exc, BUILTIN_OF[cls])
    assert "bad" in str(exc)


def test_the_controllers_errors_are_the_trees() -> None:
    assert InvalidField is errors.InvalidField and StoreError is errors.StoreError
    assert NotFound is errors.NotFoundError
    exc = InvalidField("routes[2].via", "not an IP address")
    assert (exc.field, exc.problem, str(exc)) == ("routes[2].via", "not an IP address",
                                                  "routes[2].via: not an IP address")
    assert libzt.AccessDeniedError is errors.AccessDeniedError and libzt.NotFoundError is errors.NotFoundError


@pytest.mark.parametrize(("code", "error"), [
    (EventCode.NETWORK_ACCESS_DENIED, errors.AccessDeniedError),
    (EventCode.NETWORK_NOT_FOUND, errors.NotFoundError),
])
def test_wait_ready_raises_the_controllers_refusal(code: EventCode, error: type) -> None:
    # The refusal arrives as an event (delivered here through the node's sink, as the native handler
    # does); wait_ready reports it with the tree's class, which old `except` clauses still catch.
    nwid = 0x1234567890ABCDEF
    node = libzt.ZeroTierNode()
    net = libzt.Network(node, nwid)
    node._deliver(Event(code, network={"id": nwid}))
    with pytest.raises(error, match=f"{nwid:016x}") as info:
        net.wait_ready(timeout=5)
    assert isinstance(info.value, (PermissionError, LookupError))
