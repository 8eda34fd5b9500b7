#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Throughput of one TCP stream into a ZeroTier network three ways, in one run:

* plain: ``libzt.socket`` in this process (a node) -> the peer node's server (sendall of one buffer);
* plain+fd: the same after ``fileno()`` (what mirroring readiness on an OS descriptor costs);
* tls: the same socket under ``libzt.tls`` (TLS 1.3, the stdlib's ssl; certificate from trustme) ->
  the peer's ``libzt.tls`` server;
* proxy: an OS socket -> ``libzt proxy`` (SOCKS5 on loopback, a node in its own process) -> the
  peer's plain server.

The peer (tests/integration/socket_peer.py, its own process and node) hashes what it receives and
answers the SHA-256, which is checked; every row is timed by the sender from its first byte to that
answer (the same work on both ends for all three, and no connection teardown in the time). A root on
127.0.0.1 introduces the nodes: nothing leaves the machine.
Usage: python3 bench/gateway.py [--size MB] [--runs N] [--json]
"""
from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, Iterator, List

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from support.sockets_pair import Pair, start_pair  # noqa: E402

MB = 1_000_000
ROOT_PORT = 29994


def log(*args: Any) -> None:
    print(*args, file=sys.stderr, flush=True)


def upload(stream: Any, data: bytes) -> float:
    """Sends data to the peer's BULK server on ``stream`` (a socket, TLS or not); MB/s to its digest."""
    stream.sendall(f"BULK {len(data)} -1\n".encode())
    started = time.perf_counter()
    stream.sendall(data)
    digest = b""
    while len(digest) < 32:
        chunk = stream.recv(32 - len(digest))
        assert chunk, "the server closed early"
        digest += chunk
    seconds = time.perf_counter() - started
    assert digest == hashlib.sha256(data).digest()
    return len(data) / seconds / MB


def plain_run(pair: Pair, data: bytes, port: int, with_fd: bool = False) -> float:
    from libzt import socket as zsocket

    with zsocket.create_connection((pair.address(4), port), timeout=120) as s:
        if with_fd:
            s.fileno()  # from now on the socket's readiness is mirrored on an OS descriptor
        return upload(s, data)


def tls_run(pair: Pair, data: bytes, port: int, context: Any, hostname: str) -> float:
    from libzt import socket as zsocket
    from libzt import tls

    with tls.wrap_socket(zsocket.create_connection((pair.address(4), port), timeout=120), context,
                         server_hostname=hostname) as t:
        return upload(t, data)


def proxy_run(pair: Pair, data: bytes, port: int, socks_port: int) -> float:
    with socket.create_connection(("127.0.0.1", socks_port), timeout=120) as s:
        s.sendall(b"\x05\x01\x00")
        assert s.recv(2) == b"\x05\x00"
        s.sendall(b"\x05\x01\x00\x01" + socket.inet_aton(pair.address(4)) + struct.pack("!H", port))
        reply = b""
        while len(reply) < 10:
            reply += s.recv(10 - len(reply))
        assert reply[1] == 0, reply
        return upload(s, data)


@contextlib.contextmanager
def proxy_process(pair: Pair) -> Iterator[int]:
    assert pair.planet is not None
    proc = subprocess.Popen([sys.executable, "-m", "libzt", "proxy", "--socks5", "127.0.0.1:0",
                             "--network", f"{pair.network_id:016x}", "--planet", str(pair.planet.path),
                             "--allow-loopback"], stdout=subprocess.PIPE, text=True, start_new_session=True)
    try:
        assert proc.stdout is not None
        port = 0
        for line in proc.stdout:
            if "socks5 on " in line:
                port = int(line.rsplit(":", 1)[1])
            if ": ready," in line:
                break
        assert port, "libzt proxy did not start"
        yield port
    finally:
        proc.terminate()
        proc.wait(30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=float, default=50, help="MB per run (default 50)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    import ssl

    import trustme

    data = bytes(int(args.size * MB))
    hostname = "bench.zt.test"
    results: Dict[str, List[float]] = {"plain": [], "plain+fd": [], "tls": [], "proxy": []}
    with tempfile.TemporaryDirectory() as tmp:
        ca = trustme.CA()
        cert = ca.issue_cert(hostname)
        certfile, keyfile = Path(tmp) / "cert.pem", Path(tmp) / "key.pem"
        cert.private_key_and_cert_chain_pem.write_to_path(str(certfile))
        cert.private_key_pem.write_to_path(str(keyfile))
        context = ssl.create_default_context()
        ca.configure_trust(context)
        pairs = start_pair(Path(tmp), ROOT_PORT)
        pair = next(pairs)
        try:
            ports = {mode: pair.peer.call("tls_server", certfile=str(certfile), keyfile=str(keyfile),
                                          mode=mode)["port"] for mode in ("sync", "plain")}
            with proxy_process(pair) as socks_port:
                for run in range(args.runs):
                    results["plain"].append(plain_run(pair, data, ports["plain"]))
                    results["plain+fd"].append(plain_run(pair, data, ports["plain"], with_fd=True))
                    results["tls"].append(tls_run(pair, data, ports["sync"], context, hostname))
                    results["proxy"].append(proxy_run(pair, data, ports["plain"], socks_port))
                    log(f"run {run + 1}: " + ", ".join(f"{k} {v[-1]:.1f} MB/s" for k, v in results.items()))
        finally:
            with contextlib.suppress(StopIteration):
                next(pairs)
    medians = {k: statistics.median(v) for k, v in results.items()}
    if args.json:
        print(json.dumps({"size_mb": args.size, "runs": results, "median_mb_s": medians}))
    else:
        print(f"one TCP stream, {args.size:g} MB, median of {args.runs} (MB/s):")
        for name, label in (("plain", "libzt.socket"), ("plain+fd", "libzt.socket after fileno()"),
                            ("tls", "libzt.tls (TLS 1.3) over libzt.socket"),
                            ("proxy", "OS socket -> libzt proxy (SOCKS5) -> network")):
            print(f"  {label:<48} {medians[name]:8.1f}  ({medians[name] / medians['plain']:.2f}x plain)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
