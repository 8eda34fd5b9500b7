#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The standard library's HTTP server and client over a ZeroTier network.

    python examples/http_server.py NETWORK_ID serve [--port 8080] [--directory DIR]
    python examples/http_server.py NETWORK_ID fetch http://ADDRESS:PORT/PATH

``serve`` runs :mod:`http.server`'s ``SimpleHTTPRequestHandler`` (files of ``--directory``) on the
node's address; ``fetch`` gets a URL with :mod:`http.client` and prints the status, the headers
and the body. Neither module knows it runs over ZeroTier: two small adapters below give them a
libzt socket instead of an OS one.
"""
from __future__ import annotations

import argparse
import errno
import functools
import http.client
import http.server
import socketserver
import sys
import threading
import urllib.parse
from typing import Any

from _common import add_node_arguments, first_address, joined
from libzt import socket


class ZeroTierHTTPServer(socketserver.ThreadingMixIn, http.server.HTTPServer):
    """``http.server.HTTPServer`` on a libzt socket (a thread per connection).

    socketserver makes an OS socket in ``__init__`` and waits for connections with a selector on
    its file descriptor, neither of which a libzt socket has; ``serve_forever`` here blocks in
    ``accept()`` instead, and ``shutdown()`` ends it by closing the socket (which ends a blocked
    accept). Everything else, handlers included, is the stdlib's.
    """

    daemon_threads = True

    def __init__(self, server_address: Any, handler: Any) -> None:
        socketserver.BaseServer.__init__(self, server_address, handler)
        self.socket = socket.socket(self.address_family, self.socket_type)
        self._stopping = False
        self._stopped = threading.Event()
        try:
            self.server_bind()
            self.server_activate()
        except BaseException:
            self.server_close()
            raise

    def server_bind(self) -> None:
        # As HTTPServer's, without socket.getfqdn(): the host's resolver knows nothing of this network.
        if self.allow_reuse_address:
            self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind(self.server_address)
        self.server_address = self.socket.getsockname()
        self.server_name, self.server_port = self.server_address[:2]

    def serve_forever(self, poll_interval: float = 0.5) -> None:
        try:
            while not self._stopping:
                try:
                    request, client_address = self.get_request()
                except OSError as exc:
                    if self._stopping:
                        break  # shutdown() closed the socket
                    if exc.errno in (errno.ECONNABORTED, errno.EMFILE, errno.ENFILE, errno.ENOBUFS):
                        continue  # this connection failed, not the server
                    raise
                if self.verify_request(request, client_address):
                    try:
                        self.process_request(request, client_address)
                    except Exception:
                        self.handle_error(request, client_address)
                        self.shutdown_request(request)
                else:
                    self.shutdown_request(request)
        finally:
            self._stopped.set()

    def shutdown(self) -> None:
        self._stopping = True
        self.socket.close()
        self._stopped.wait()


class ZeroTierHTTPConnection(http.client.HTTPConnection):
    """``http.client.HTTPConnection`` whose connection is a libzt socket."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = socket.create_connection


def serve(args: argparse.Namespace, address: str) -> None:
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=args.directory)
    with ZeroTierHTTPServer(("0.0.0.0", args.port), handler) as server:
        print(f"serving http://{address}:{server.server_port}/", flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass


def fetch(url: str) -> int:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme != "http" or not parts.hostname:
        raise SystemExit(f"not an http:// URL: {url}")
    conn = ZeroTierHTTPConnection(parts.hostname, parts.port or 80, timeout=30)
    try:
        conn.request("GET", parts.path or "/")
        response = conn.getresponse()
        body = response.read()
    finally:
        conn.close()
    print(response.status, response.reason)
    for name, value in response.getheaders():
        print(f"{name}: {value}")
    print()
    sys.stdout.write(body.decode("utf-8", "replace"))
    return 0 if response.status == 200 else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_node_arguments(parser)
    parser.add_argument("role", choices=["serve", "fetch"])
    parser.add_argument("url", nargs="?", help="what to fetch (fetch)")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--directory", default=".", help="what to serve (serve)")
    args = parser.parse_args()
    if args.role == "fetch" and not args.url:
        parser.error("fetch needs a URL")
    with joined(args) as (_, network):
        if args.role == "serve":
            serve(args, first_address(network))
            return 0
        return fetch(args.url)


if __name__ == "__main__":
    sys.exit(main())
