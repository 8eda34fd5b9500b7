# SPDX-License-Identifier: Apache-2.0
"""A requests transport adapter whose urllib3 connections are libzt sockets (TLS: libzt.tls)."""
from __future__ import annotations

import ssl
from typing import Any, Dict, Mapping, Optional

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
from urllib3.util.ssl_ import assert_fingerprint, create_urllib3_context, resolve_cert_reqs, resolve_ssl_version

from libzt import socket as zsocket
from libzt import tls

__all__ = ["ZeroTierAdapter"]


class _ZeroTierConnection(HTTPConnection):
    """urllib3's HTTP connection on a libzt socket. ``zt_hosts`` maps names to ZeroTier addresses."""

    zt_hosts: Dict[str, str] = {}

    def _new_conn(self) -> Any:
        host = self.zt_hosts.get(self._dns_host.lower(), self._dns_host)
        timeout = self.timeout if isinstance(self.timeout, (int, float)) else None
        try:
            sock = zsocket.create_connection((host, self.port), timeout, self.source_address)
        except zsocket.timeout as exc:
            raise ConnectTimeoutError(self, f"Connection to {self.host} timed out. (connect timeout={timeout})") \
                from exc
        except OSError as exc:
            raise NewConnectionError(self, f"Failed to establish a new connection: {exc}") from exc
        for option in self.socket_options or ():
            try:
                sock.setsockopt(*option)
            except OSError:
                pass  # an option lwIP does not have (urllib3 sets TCP_NODELAY, which it has)
        return sock


class _ZeroTierTLSConnection(_ZeroTierConnection, HTTPSConnection):
    """urllib3's HTTPS connection: the same TLS settings, the handshake through libzt.tls."""

    def connect(self) -> None:
        if self.proxy_is_tunneling:
            raise NewConnectionError(self, "proxies are not supported over ZeroTier")
        sock = self._new_conn()
        try:
            default_context = self.ssl_context is None
            context = self.ssl_context or create_urllib3_context(
                ssl_version=resolve_ssl_version(self.ssl_version), cert_reqs=resolve_cert_reqs(self.cert_reqs),
                ssl_minimum_version=self.ssl_minimum_version, ssl_maximum_version=self.ssl_maximum_version)
            context.verify_mode = resolve_cert_reqs(self.cert_reqs)
            if (context.verify_mode == ssl.CERT_NONE or self.assert_hostname is False or self.assert_fingerprint):
                context.check_hostname = False
            if self.ca_certs or self.ca_cert_dir or self.ca_cert_data:
                context.load_verify_locations(self.ca_certs, self.ca_cert_dir, self.ca_cert_data)
            elif default_context:
                context.load_default_certs()
            if self.cert_file:
                context.load_cert_chain(self.cert_file, self.key_file, self.key_password)
            hostname = (self.server_hostname or self.host).strip("[]").rstrip(".")
            wrapped = tls.wrap_socket(sock, context, server_hostname=hostname)
        except BaseException:
            sock.close()
            raise
        if self.assert_fingerprint:
            try:
                assert_fingerprint(wrapped.getpeercert(binary_form=True), self.assert_fingerprint)
            except BaseException:
                wrapped.close()
                raise
        self.sock = wrapped  # type: ignore[assignment]
        self.is_verified = context.verify_mode == ssl.CERT_REQUIRED or bool(self.assert_fingerprint)


class ZeroTierAdapter(HTTPAdapter):
    """Mount on a :class:`requests.Session` for ``http://`` and ``https://``: requests then reach
    ZeroTier addresses (``hosts`` maps names to them; TLS verifies the name). Proxies are refused:
    the point is to go straight into the ZeroTier network."""

    def __init__(self, hosts: Optional[Mapping[str, str]] = None, **kwargs: Any) -> None:
        names = {k.lower(): v for k, v in (hosts or {}).items()}
        plain = type("ZeroTierConnection", (_ZeroTierConnection,), {"zt_hosts": names})
        secure = type("ZeroTierTLSConnection", (_ZeroTierTLSConnection,), {"zt_hosts": names})
        self._pool_classes = {
            "http": type("ZeroTierConnectionPool", (HTTPConnectionPool,), {"ConnectionCls": plain}),
            "https": type("ZeroTierTLSConnectionPool", (HTTPSConnectionPool,), {"ConnectionCls": secure}),
        }
        super().__init__(**kwargs)

    def init_poolmanager(self, connections: int, maxsize: int, block: bool = False, **pool_kwargs: Any) -> None:
        super().init_poolmanager(connections, maxsize, block, **pool_kwargs)
        self.poolmanager.pool_classes_by_scheme = self._pool_classes

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        raise requests.exceptions.InvalidProxyURL(f"proxies are not supported over ZeroTier (got {proxy!r})")

    def __setstate__(self, state: Dict[str, Any]) -> None:  # pragma: no cover - pickled sessions
        raise TypeError("ZeroTierAdapter cannot be unpickled")
