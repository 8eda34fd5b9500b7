# SPDX-License-Identifier: Apache-2.0
"""Every error libzt raises on its own account is a ZeroTierError, and still the builtin it refines."""
from __future__ import annotations

import importlib
import pkgutil

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


def _exception_classes() -> list[type]:
    """Every exception class defined in a libzt module (the optional ones that import)."""
    found = []
    for info in pkgutil.walk_packages(libzt.__path__, "libzt."):
        if info.name.rsplit(".", 1)[-1] == "__main__":  # runs the command line when imported
            continue
        try:
            module = importlib.import_module(info.name)
        except ImportError:  # an optional dependency (the controller's PostgreSQL driver, ...)
            continue
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, BaseException) and value.__module__ == info.name:
                found.append(value)
    return found


def test_every_exception_class_of_libzt_is_in_a_tree() -> None:
    """Each exception class libzt defines is a ZeroTierError or an OSError (the socket layer's)."""
    classes = _exception_classes()
    assert errors.ZeroTierError in classes and any(cls.__name__ == "ProxyError" for cls in classes)
    outside = [f"{cls.__module__}.{cls.__qualname__}" for cls in classes
               if not issubclass(cls, (errors.ZeroTierError, OSError))]
    assert outside == []


def test_proxy_errors_keep_their_reply() -> None:
    from libzt.proxy import ProxyError

    exc = ProxyError(5, "refused")
    assert isinstance(exc, errors.ZeroTierError) and exc.reply == 5 and str(exc) == "refused"
