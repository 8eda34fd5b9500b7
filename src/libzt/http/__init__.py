# SPDX-License-Identifier: Apache-2.0
"""HTTP clients over ZeroTier (the ``pylibzt[http]`` extra): httpx through an httpcore network backend,
and requests through a transport adapter (urllib3 connections over our sockets). HTTPS is the stdlib's
ssl over our sockets (:mod:`libzt.tls`).

There is no DNS on a ZeroTier network: URLs name peers by address (``http://10.147.17.5:8000/``), or
by a name given in ``hosts`` (``{"files.zt": "10.147.17.5"}``), which is also the name TLS verifies.

httpx::

    from libzt.http import HTTPTransport, AsyncHTTPTransport
    with httpx.Client(transport=HTTPTransport()) as client:
        client.get("http://10.147.17.5:8000/")
    async with httpx.AsyncClient(transport=AsyncHTTPTransport()) as client:   # asyncio or trio
        await client.get("http://10.147.17.5:8000/")

requests::

    from libzt.http import ZeroTierAdapter
    session = requests.Session()
    session.mount("http://", ZeroTierAdapter())
    session.mount("https://", ZeroTierAdapter())
    session.get("http://10.147.17.5:8000/")

The httpcore backends (:class:`Backend`, :class:`AsyncBackend`) also serve httpcore directly
(``httpcore.ConnectionPool(network_backend=Backend())``).
"""
from __future__ import annotations

from typing import Any

__all__ = ["AsyncBackend", "AsyncHTTPTransport", "Backend", "HTTPTransport", "ZeroTierAdapter"]

_WHERE = {"AsyncBackend": "_httpcore", "AsyncHTTPTransport": "_httpcore", "Backend": "_httpcore",
          "HTTPTransport": "_httpcore", "ZeroTierAdapter": "_requests"}


def __getattr__(name: str) -> Any:
    # Each client library is imported only when its part is used: either may be missing.
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
