# SPDX-License-Identifier: Apache-2.0
"""``libzt proxy`` and ``libzt forward`` as their users run them: CLI processes (each a node of its
own on the test's network) driven by curl and by unmodified ``python -m http.server``. Everything
listens on loopback; the servers behind are on the peer node (socket_peer.py)."""
from __future__ import annotations

import hashlib
import ipaddress
import json
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional

import pytest

from support.sockets_pair import Pair

ROOT_PORT = 39978
DEADLINE = 90.0
WEB_NAME = "web.zt.test"

pytestmark = pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed (scripts/bootstrap)")
# curl is not ours to sanitize: under the sanitizer run's LD_PRELOAD of the ASan runtime it hangs.
CURL_ENV = {k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "ASAN_OPTIONS", "UBSAN_OPTIONS")}


class Gateway:
    """A ``libzt proxy`` / ``libzt forward`` process: its listening addresses, from its stdout."""

    def __init__(self, pair: Pair, command: List[str], stderr: Any = subprocess.DEVNULL) -> None:
        assert pair.planet is not None
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "libzt", *command, "--network", f"{pair.network_id:016x}",
             "--planet", str(pair.planet.path), "--allow-loopback"],
            stdout=subprocess.PIPE, stderr=stderr, text=True, start_new_session=True)
        self.listening: Dict[str, List[str]] = {}
        self.addresses: List[str] = []
        assert self.proc.stdout is not None
        for line in self.proc.stdout:  # the process prints its servers, then "ready"; it has its deadline
            if ": ready," in line:
                self.addresses = line.rsplit(" as ", 1)[1].split()
                return
            label, _, where = line.split(": ", 1)[1].rstrip().rpartition(" on ")
            self.listening.setdefault(label, []).append(where)
        raise AssertionError(f"{command[0]} exited with {self.proc.wait()} before it was ready")

    def port(self, label: str) -> int:
        if self.proc.poll() is not None:  # say why, not just "connection refused"
            terminal = getattr(self, "terminal", None)
            said = terminal.seen[-4000:].decode(errors="replace") if terminal is not None else ""
            raise AssertionError(f"the process exited ({self.proc.returncode}); its last words:\n{said}")
        return int(self.listening[label][0].rsplit(":", 1)[1])

    @property
    def ipv4(self) -> str:
        return next(a for a in self.addresses if ipaddress.ip_address(a).version == 4)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
        self.proc.wait(30)
        if self.proc.stdout is not None:
            self.proc.stdout.close()


@pytest.fixture(scope="module")
def web(zt_pair: Pair, tmp_path_factory: pytest.TempPathFactory) -> Dict[str, Any]:
    """The peer's http.server, plain and HTTPS (a certificate for WEB_NAME from a CA made here)."""
    trustme = pytest.importorskip("trustme")
    where = tmp_path_factory.mktemp("web")
    ca = trustme.CA()
    cert = ca.issue_cert(WEB_NAME)
    certfile, keyfile, cafile = where / "cert.pem", where / "key.pem", where / "ca.pem"
    cert.private_key_and_cert_chain_pem.write_to_path(str(certfile))
    cert.private_key_pem.write_to_path(str(keyfile))
    ca.cert_pem.write_to_path(str(cafile))
    return {"port": zt_pair.peer.call("http_server")["port"],
            "tls_port": zt_pair.peer.call("http_server", certfile=str(certfile), keyfile=str(keyfile))["port"],
            "cafile": str(cafile), "ip": zt_pair.address(4)}


class Terminal:
    """A pty for a process's stderr, read all the time (a full pty would block the writer)."""

    def __init__(self) -> None:
        self.master, self.slave = os.openpty()
        self.seen = b""
        self.changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:  # EIO once the last writer has gone
                return
            if not chunk:
                return
            with self.changed:
                self.seen += chunk
                self.changed.notify_all()

    def wait_for(self, predicate: Callable[[bytes], bool], timeout: float) -> bytes:
        with self.changed:
            assert self.changed.wait_for(lambda: predicate(self.seen), timeout), self.seen[-300:]
            return self.seen


@pytest.fixture(scope="module")
def proxy(zt_pair: Pair, web: Dict[str, Any]) -> Iterator[Gateway]:
    """``libzt proxy`` with its live counters on a terminal (a pty), which the tests read."""
    terminal = Terminal()
    gateway = Gateway(zt_pair, ["proxy", "--socks5", "127.0.0.1:0", "--http", "127.0.0.1:0",
                                "--host", f"{WEB_NAME}={web['ip']}"], stderr=terminal.slave)
    os.close(terminal.slave)
    gateway.terminal = terminal  # type: ignore[attr-defined]
    yield gateway
    gateway.close()
    os.close(terminal.master)


def curl(*args: str) -> bytes:
    done = subprocess.run(["curl", "--silent", "--show-error", "--fail", "--max-time", str(DEADLINE),
                           "--noproxy", "", *args], capture_output=True, timeout=DEADLINE + 10, env=CURL_ENV)
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout


def test_curl_socks5_hostname(proxy: Gateway, web: Dict[str, Any]) -> None:
    socks = f"127.0.0.1:{proxy.port('socks5')}"
    assert curl("--socks5-hostname", socks, f"http://{WEB_NAME}:{web['port']}/a/b") == b"hello /a/b"
    assert curl("--socks5", socks, f"http://{web['ip']}:{web['port']}/numeric") == b"hello /numeric"
    body = os.urandom(500_000)
    answer = _post_through(["--socks5-hostname", socks], f"http://{WEB_NAME}:{web['port']}/up", body)
    assert answer == {"length": len(body), "sha256": hashlib.sha256(body).hexdigest()}


def _post_through(proxy_args: List[str], url: str, body: bytes) -> Dict[str, Any]:
    done = subprocess.run(["curl", "--silent", "--show-error", "--fail", "--max-time", str(DEADLINE), "--noproxy", "",
                           *proxy_args, "--data-binary", "@-", url], input=body, capture_output=True,
                          timeout=DEADLINE + 10, env=CURL_ENV)
    assert done.returncode == 0, done.stderr.decode()
    return json.loads(done.stdout)


def test_curl_socks5_https_verifies_the_name(proxy: Gateway, web: Dict[str, Any]) -> None:
    socks = f"127.0.0.1:{proxy.port('socks5')}"
    url = f"https://{WEB_NAME}:{web['tls_port']}/secure"
    assert curl("--socks5-hostname", socks, "--cacert", web["cafile"], url) == b"hello /secure"


def test_socks5_refuses_unknown_names(proxy: Gateway, web: Dict[str, Any]) -> None:
    done = subprocess.run(["curl", "--silent", "--max-time", "30", "--socks5-hostname",
                           f"127.0.0.1:{proxy.port('socks5')}", f"http://nowhere.example:{web['port']}/"],
                          capture_output=True, timeout=60, env=CURL_ENV)
    assert done.returncode == 97  # curl: "proxy handshake error" (the SOCKS5 reply said host unreachable)


def test_curl_http_proxy_connect_and_absolute_form(proxy: Gateway, web: Dict[str, Any]) -> None:
    http_proxy = f"http://127.0.0.1:{proxy.port('http')}"
    # -p: a CONNECT tunnel even for http://; https:// always tunnels.
    assert curl("-p", "-x", http_proxy, f"http://{WEB_NAME}:{web['port']}/tunnel") == b"hello /tunnel"
    assert curl("-x", http_proxy, "--cacert", web["cafile"],
                f"https://{WEB_NAME}:{web['tls_port']}/tls") == b"hello /tls"
    assert curl("-x", http_proxy, f"http://{web['ip']}:{web['port']}/plain?q=1") == b"hello /plain?q=1"
    body = os.urandom(300_000)
    assert _post_through(["-p", "-x", http_proxy], f"http://{WEB_NAME}:{web['port']}/up", body) == \
        {"length": len(body), "sha256": hashlib.sha256(body).hexdigest()}


def test_socks5_udp_associate(zt_pair: Pair, proxy: Gateway) -> None:
    echo_port = zt_pair.peer.call("udp_echo")["port"]
    with socket.create_connection(("127.0.0.1", proxy.port("socks5")), timeout=DEADLINE) as control, \
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        control.sendall(b"\x05\x01\x00")
        assert control.recv(2) == b"\x05\x00"
        udp.bind(("127.0.0.1", 0))
        control.sendall(b"\x05\x03\x00\x01" + socket.inet_aton("0.0.0.0") + struct.pack("!H", 0))
        reply = _recv_exactly(control, 10)
        assert reply[:4] == b"\x05\x00\x00\x01", reply
        relay = (socket.inet_ntoa(reply[4:8]), struct.unpack("!H", reply[8:10])[0])
        header = b"\x00\x00\x00\x01" + socket.inet_aton(zt_pair.address(4)) + struct.pack("!H", echo_port)
        udp.settimeout(2)
        deadline = time.monotonic() + DEADLINE
        answers: Dict[bytes, bytes] = {}
        for i in range(5):
            payload = f"datagram {i}".encode()
            while payload not in answers:  # UDP: the first may go before the peer path is warm; resend
                assert time.monotonic() < deadline, "no echo through the UDP relay"
                udp.sendto(header + payload, relay)
                try:
                    data, _ = udp.recvfrom(65536)
                except socket.timeout:
                    continue
                answers[data[10:]] = data[:10]
        assert all(h == header for h in answers.values())  # framed with the echo server's address


def _recv_exactly(sock: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        assert chunk
        data += chunk
    return data


def test_live_counters_on_a_terminal(proxy: Gateway, web: Dict[str, Any]) -> None:
    curl("--socks5-hostname", f"127.0.0.1:{proxy.port('socks5')}", f"http://{WEB_NAME}:{web['port']}/count")
    pattern = re.compile(rb"connections \d+ open, (\d+) total, \d+ failed \| up [\d.]+ [kMG]?B down [\d.]+ [kMG]?B")

    def counted(seen: bytes) -> bool:
        totals = [int(m.group(1)) for m in pattern.finditer(seen)]
        return bool(totals) and totals[-1] >= 1

    proxy.terminal.wait_for(counted, DEADLINE)  # type: ignore[attr-defined]


# ---- port forwards ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dict[str, Any]]:
    """An unmodified ``python -m http.server`` on this machine's loopback, serving a directory."""
    root = tmp_path_factory.mktemp("site")
    content = os.urandom(2_000_000)
    (root / "blob.bin").write_bytes(content)
    proc = subprocess.Popen([sys.executable, "-u", "-m", "http.server", "0", "--bind", "127.0.0.1",
                             "--directory", str(root)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            start_new_session=True)
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()  # "Serving HTTP on 127.0.0.1 port N (http://...)"
        match = re.search(r" port (\d+)", first)
        assert match, first
        yield {"port": int(match.group(1)), "content": content, "root": Path(root)}
    finally:
        proc.terminate()
        proc.wait(30)


def test_forwards_carry_an_unmodified_http_server_both_ways(zt_pair: Pair, site: Dict[str, Any]) -> None:
    """http.server (loopback) <- exposed on node C's ZeroTier port 8000 <- node D's local port <- curl;
    and this test's node fetches from node C's ZeroTier port directly."""
    exposed: Optional[Gateway] = None
    local: Optional[Gateway] = None
    try:
        exposed = Gateway(zt_pair, ["forward", "--expose", f"8000=127.0.0.1:{site['port']}"])
        local = Gateway(zt_pair, ["forward", f"127.0.0.1:0={exposed.ipv4}:8000"])
        port = local.port(f"to {exposed.ipv4}:8000")
        got = curl(f"http://127.0.0.1:{port}/blob.bin")
        assert hashlib.sha256(got).digest() == hashlib.sha256(site["content"]).digest()
        listing = curl(f"http://127.0.0.1:{port}/")
        assert b"blob.bin" in listing  # http.server's own directory page, through both forwards

        from libzt import socket as zsocket

        with zsocket.create_connection((exposed.ipv4, 8000), timeout=DEADLINE) as s:
            s.sendall(b"GET /blob.bin HTTP/1.0\r\n\r\n")
            answer = b""
            while chunk := s.recv(65536):
                answer += chunk
        head, _, body = answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.0 200") and body == site["content"]
    finally:
        for g in (local, exposed):
            if g is not None:
                g.close()
