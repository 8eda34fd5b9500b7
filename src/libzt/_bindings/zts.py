# SPDX-License-Identifier: Apache-2.0
"""libzt's C API from Python: every ``zts_*`` function of ``ZeroTierSockets.h``, as ``libzt.zts_*``.

The functions are made from the compiled library at import (``dir(lib)`` and each function's C type),
not written out one by one, so the list and the signatures are the header's. Each is called with
Python values and returns what the C function returns (an ``int``: a count, or a ``ZTS_ERR_*`` code;
then ``libzt.errno()`` has the socket error of this thread):

* an ``int`` where C takes a number;
* ``str`` (UTF-8) or ``bytes`` where C reads a string or bytes (``const char *``, ``const void *``:
  C gets a NUL-terminated copy);
* a writable buffer (``bytearray``, ``memoryview``, ``array.array``) where C fills one: text, a struct
  (``bytearray(ffi.sizeof(...))``-sized, e.g. 128 bytes for ``struct zts_sockaddr_storage``), or an
  in/out length (``array.array("I", [len])`` for ``unsigned int *``);
* ``None`` for a NULL pointer.

A C function that returns a string returns ``str`` (``None`` for NULL); one that returns a pointer to
a struct returns a copy of the struct's bytes (``None`` for NULL). ``zts_init_set_event_handler`` takes
a Python callable ``handler(event_code, id)``: the event's ``ZTS_EVENT_*`` code and the node, network
or peer ID it is about (0 when none), on the event thread. Blocking calls release the GIL.

Only ``zts_errno_location`` is left out: ``libzt.errno()`` reads ``zts_errno`` for Python.
"""
from __future__ import annotations

from typing import Any, Callable

from libzt._bindings import events as _events
from libzt._bindings import ffi, lib

Handler = Callable[[int, int], Any]

_LEFT_OUT = {"zts_errno_location", "zts_init_set_event_handler"}


def _pointer(ctype: Any, value: Any, position: int, name: str) -> Any:
    """A C pointer argument from a Python value."""
    if value is None:
        return ffi.NULL
    if isinstance(value, str):
        value = value.encode("utf-8")
    try:
        view = memoryview(value)
    except TypeError:
        raise TypeError(f"{name}() argument {position}: expected str, bytes, a buffer or None for "
                        f"{ctype.cname}, not {type(value).__name__}") from None
    if view.readonly:
        # cffi's types do not say which pointers are const: C gets a NUL-terminated copy of an
        # immutable object, never the object's own memory to write into.
        value = bytearray(view.tobytes() + b"\0")
    return ffi.from_buffer(ctype.cname, value)


def _result(ctype: Any, value: Any) -> Any:
    if ctype.kind != "pointer":
        return value
    if value == ffi.NULL:
        return None
    if ctype.item.cname == "char":
        return ffi.string(value).decode("utf-8", "replace")
    return bytes(ffi.buffer(value, ffi.sizeof(ctype.item)))


def _signature(name: str, ctype: Any) -> str:
    args = ", ".join(a.cname for a in ctype.args) or "void"
    return f"{ctype.result.cname} {name}({args})"


def _wrap(name: str, function: Any) -> Callable[..., Any]:
    ctype = ffi.typeof(function)
    pointers = [(i, a) for i, a in enumerate(ctype.args) if a.kind == "pointer"]
    if not pointers and ctype.result.kind != "pointer":
        return function  # ints in, int out: the compiled function itself is the Python one

    def call(*args: Any) -> Any:
        if len(args) != len(ctype.args):
            raise TypeError(f"{name}() takes {len(ctype.args)} arguments ({len(args)} given)")
        values = list(args)
        for i, arg_type in pointers:
            values[i] = _pointer(arg_type, values[i], i + 1, name)
        return _result(ctype.result, function(*values))

    call.__name__ = call.__qualname__ = name
    call.__doc__ = f"``{_signature(name, ctype)}`` from ZeroTierSockets.h, with Python values."
    return call


def zts_init_set_event_handler(handler: Handler) -> int:
    """``int zts_init_set_event_handler(void (*)(void *))``: ``handler(event_code, id)`` gets each event
    of the node (before ``zts_node_start``). A :class:`libzt.ZeroTierNode` installs its own handler when
    it starts; with one, use ``node.init_set_event_handler``."""
    if not callable(handler):
        raise TypeError(f"zts_init_set_event_handler() takes a callable, not {type(handler).__name__}")
    code = _events.install()
    if code == lib.ZTS_ERR_OK:
        _events.set_sink(lambda event: handler(int(event.code), _events.event_id(event)))
    return code


def _generate() -> dict[str, Callable[..., Any]]:
    functions = {name: _wrap(name, getattr(lib, name)) for name in dir(lib)
                 if name.startswith("zts_") and name not in _LEFT_OUT and callable(getattr(lib, name))}
    functions["zts_init_set_event_handler"] = zts_init_set_event_handler
    return dict(sorted(functions.items()))


FUNCTIONS: dict[str, Callable[..., Any]] = _generate()
"""``{name: function}`` for every ``zts_*`` function of the C API."""

globals().update(FUNCTIONS)  # also reachable as libzt._bindings.zts.zts_node_start, for libzt's own modules
