# SPDX-License-Identifier: Apache-2.0
"""libzt's C API at the top level of the package, as the official wheel has it: every ``zts_*``
function and ``ZTS_*`` constant of ZeroTierSockets.h, taken from the compiled library; Python values
in, C's return value out. And the binding tier is one place: only libzt._bindings imports the
compiled module."""
from __future__ import annotations

import array
import ast
import re
import socket as stdlib_socket
from pathlib import Path

import pytest
from libzt._native import lib

import libzt

ROOT = Path(__file__).resolve().parent.parent.parent
HEADER = ROOT / "csrc" / "include" / "ZeroTierSockets.h"


def header_functions() -> set[str]:
    text = HEADER.read_text()
    return set(re.findall(r"ZTCALL\s*\*?\s*(zts_\w+)\s*\(", text))


def test_every_function_of_the_header_is_public() -> None:
    names = header_functions()
    assert len(names) > 130
    missing = sorted(n for n in names - {"zts_errno_location"} if not callable(getattr(libzt, n, None)))
    assert missing == []
    assert callable(libzt.errno) and "errno" in libzt.__all__
    assert "_native" not in libzt.__all__ and not any(n.startswith("ztx_") for n in libzt.__all__)


def test_every_constant_is_the_compiled_value() -> None:
    constants = {n: getattr(lib, n) for n in dir(lib) if n.startswith("ZTS_") and isinstance(getattr(lib, n), int)}
    assert len(constants) > 200
    assert {n: getattr(libzt, n) for n in constants} == constants
    assert (libzt.ZTS_ERR_OK, libzt.ZTS_ERR_SOCKET, libzt.ZTS_ERR_SERVICE, libzt.ZTS_ERR_ARG,
            libzt.ZTS_ERR_NO_RESULT, libzt.ZTS_ERR_GENERAL) == (0, -1, -2, -3, -4, -5)
    assert {c.name: c.value for c in libzt.EventCode if c < 300} == {
        n[len("ZTS_EVENT_"):]: v for n, v in constants.items() if n.startswith("ZTS_EVENT_")}
    assert {s.name: s.value for s in libzt.NetworkStatus} == {
        n[len("ZTS_NETWORK_STATUS_"):]: v for n, v in constants.items() if n.startswith("ZTS_NETWORK_STATUS_")}


def test_calls_take_python_values_and_return_cs() -> None:
    packed = bytearray(16)  # a buffer C fills
    assert libzt.zts_inet_pton(libzt.ZTS_AF_INET6, "fd00::1", packed) == 1  # str for const char *
    assert bytes(packed) == stdlib_socket.inet_pton(stdlib_socket.AF_INET6, "fd00::1")
    text = libzt.zts_inet_ntop(libzt.ZTS_AF_INET6, bytes(packed), bytearray(64), 64)  # char * result: str
    assert text.lower() == "fd00::1"  # (lwIP writes hex digits in upper case)
    assert libzt.zts_util_get_ip_family(b"10.1.2.3") == libzt.ZTS_AF_INET  # bytes too
    immutable = bytes(16)  # where C writes, an immutable object gets a copy: it never changes
    assert libzt.zts_inet_pton(libzt.ZTS_AF_INET6, "fd00::1", immutable) == 1 and immutable == bytes(16)
    assert libzt.zts_util_get_ip_family("not an address") == libzt.ZTS_ERR_ARG
    # An in/out length and a struct, both as buffers.
    storage = bytearray(128)
    length = array.array("I", [len(storage)])
    assert libzt.zts_util_ipstr_to_saddr("10.1.2.3", 8000, storage, length) == libzt.ZTS_ERR_OK
    assert length[0] == 16 and storage[1] == libzt.ZTS_AF_INET and storage[2:8] == bytes([0x1F, 0x40, 10, 1, 2, 3])
    # The identity helpers: out buffer and length, then the check C makes on the whole buffer.
    key = bytearray(libzt.ZTS_ID_STR_BUF_LEN)
    key_len = array.array("I", [len(key)])
    assert libzt.zts_id_new(key, key_len) == libzt.ZTS_ERR_OK
    assert libzt.zts_id_pair_is_valid(bytes(key), len(key)) == 1
    assert re.fullmatch(rb"[0-9a-f]{10}:0:[0-9a-f]{128}:[0-9a-f]{128}", bytes(key[: key_len[0]]))


def test_bad_python_values_raise_with_the_functions_name() -> None:
    with pytest.raises(TypeError, match=r"zts_inet_pton\(\) argument 2"):
        libzt.zts_inet_pton(libzt.ZTS_AF_INET, 1234, bytearray(4))
    with pytest.raises(TypeError, match="takes 3 arguments"):
        libzt.zts_inet_pton(libzt.ZTS_AF_INET, "10.0.0.1")
    with pytest.raises(TypeError, match="callable"):
        libzt.zts_init_set_event_handler(42)
    with pytest.raises(OverflowError):
        libzt.zts_init_set_port(70000)


def test_socket_is_a_module_and_a_constructor() -> None:
    import libzt.socket as module

    assert module is libzt.socket and callable(libzt.socket)
    assert module.socket is module.SocketType and callable(module.create_connection)
    assert module.AF_INET == stdlib_socket.AF_INET and module.SOL_SOCKET == stdlib_socket.SOL_SOCKET
    with pytest.raises(OSError, match="ZTS_AF_INET"):
        libzt.socket(12345, libzt.ZTS_SOCK_STREAM, 0)


def test_only_the_binding_package_imports_the_compiled_module() -> None:
    importers = []
    for path in sorted((ROOT / "src" / "libzt").rglob("*.py")):
        if "_bindings" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, (ast.Import, ast.ImportFrom)) else []
            module = node.module if isinstance(node, ast.ImportFrom) else None
            if module == "libzt._native" or "libzt._native" in names or (module == "libzt" and "_native" in names):
                importers.append(str(path.relative_to(ROOT)))
    assert importers == []
