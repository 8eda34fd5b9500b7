# SPDX-License-Identifier: Apache-2.0
"""The controller's HTTP server under idle and slow connections: what they cost, when they are closed,
and that a client with a real request is still served; plus its warning beyond loopback and the
privacy of its files.

The 1,500-connection test runs ``libzt controller`` as a child process so its threads
(``/proc/PID/task``) and descriptors (``/proc/PID/fd``) are its own.
"""
from __future__ import annotations

import http.client
import logging
import os
import resource
import select
import selectors
import socket
import stat
import time
from pathlib import Path
from typing import Iterator

import pytest

from libzt import Identity
from libzt.controller import APIServer, Controller, ControllerAPI, open_store
from libzt.controller.httpserver import ServerLimits
from support.ctlfake import FakeLink
from support.ctlprocess import ControllerProcess

IDLE = 1500
ADDRESS = 0x0F2E12B316


def _count(path: str) -> int:
    return len(os.listdir(path))


def _wait_for(what: str, condition, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        time.sleep(0.05)


def _server_side(port: int) -> int:
    """Connections the server on 127.0.0.1:``port`` has not closed yet (ESTABLISHED or CLOSE_WAIT)."""
    count = 0
    with open("/proc/net/tcp") as f:
        for line in f.readlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            if int(local.split(":")[1], 16) == port and state in ("01", "08"):
                count += 1
    return count


def _raise_file_limit(needed: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        if hard != resource.RLIM_INFINITY and hard < needed:
            pytest.skip(f"RLIMIT_NOFILE hard limit {hard} < {needed}")
        resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))


def _timed_get(host: str, port: int, token: str) -> float:
    start = time.monotonic()
    conn = http.client.HTTPConnection(host, port, timeout=30)
    try:
        conn.request("GET", "/controller", headers={"X-ZT1-Auth": token})
        resp = conn.getresponse()
        assert resp.status == 200 and b'"controller": true' in resp.read()
    finally:
        conn.close()
    return time.monotonic() - start


def _open_idle(host: str, port: int, count: int) -> list[tuple[socket.socket, float]]:
    out = []
    for _ in range(count):
        s = socket.create_connection((host, port), timeout=30)
        out.append((s, time.monotonic()))
    return out


def _wait_closed(socks: list[tuple[socket.socket, float]], deadline: float) -> dict[socket.socket, float]:
    """When each socket saw the server close it (EOF or reset), waiting until ``deadline``."""
    sel = selectors.DefaultSelector()
    for s, _ in socks:
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ)
    closed: dict[socket.socket, float] = {}
    try:
        while len(closed) < len(socks) and time.monotonic() < deadline:
            for key, _ in sel.select(max(0.0, deadline - time.monotonic())):
                s = key.fileobj
                try:
                    data = s.recv(4096)
                except ConnectionResetError:
                    data = b""
                assert data == b"", f"an idle connection was sent {data[:80]!r}"
                closed[s] = time.monotonic()
                sel.unregister(s)
    finally:
        sel.close()
    return closed


def test_1500_idle_connections_hold_no_threads_and_are_closed_in_time(tmp_path: Path) -> None:
    _raise_file_limit(2 * IDLE + 512)  # the client ends here, the server ends in the child (which inherits it)
    directory = tmp_path / "ctl"
    directory.mkdir()
    Identity.generate(threads=0).save(directory)
    idle_timeout = 10.0
    ctl = ControllerProcess(directory, "--api-only", "--http-idle-timeout", str(idle_timeout),
                            "--http-max-connections", str(IDLE + 100))
    socks: list[tuple[socket.socket, float]] = []
    try:
        pid = ctl.proc.pid
        _timed_get(ctl.host, ctl.port, ctl.token)  # everything the server starts is started
        _wait_for("the server closed that request's connection", lambda: _server_side(ctl.port) == 0, timeout=10)
        threads_before, fds_before = _count(f"/proc/{pid}/task"), _count(f"/proc/{pid}/fd")

        socks = _open_idle(ctl.host, ctl.port, IDLE)
        opened_by = time.monotonic()
        _wait_for("the server holds every idle connection",
                  lambda: _count(f"/proc/{pid}/fd") >= fds_before + IDLE, timeout=idle_timeout / 2)
        threads_during = _count(f"/proc/{pid}/task")
        latencies = [_timed_get(ctl.host, ctl.port, ctl.token) for _ in range(5)]
        still_open = _count(f"/proc/{pid}/fd") - fds_before
        print(f"\n{IDLE} idle connections: threads {threads_before} -> {threads_during}, "
              f"GET /controller {max(latencies) * 1000:.1f} ms at worst, opened in "
              f"{opened_by - socks[0][1]:.2f} s")
        assert threads_during == threads_before  # no thread per connection
        assert still_open >= IDLE  # the requests above were served while all of them were open
        assert max(latencies) < 1.0

        # Closed by the server once idle_timeout has passed, each counted from its own opening.
        closed = _wait_closed(socks, deadline=opened_by + idle_timeout + 15)
        assert len(closed) == IDLE, f"{IDLE - len(closed)} idle connections still open"
        lifetimes = [closed[s] - opened for s, opened in socks]
        print(f"closed after {min(lifetimes):.2f}..{max(lifetimes):.2f} s (idle timeout {idle_timeout} s)")
        assert min(lifetimes) >= idle_timeout - 0.1  # held, not dropped early
        _wait_for("the server's descriptors are back to what they were",
                  lambda: _count(f"/proc/{pid}/fd") <= fds_before, timeout=10)
        assert _timed_get(ctl.host, ctl.port, ctl.token) < 1.0
    finally:
        for s, _ in socks:
            s.close()
        ctl.close()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[APIServer, str]]:
    store = open_store(tmp_path / "controller.db")
    controller = Controller(store, FakeLink(), ADDRESS).start()
    servers: list[APIServer] = []

    def serve(limits: ServerLimits, host: str = "127.0.0.1") -> APIServer:
        server = APIServer(ControllerAPI(controller, "token"), host, 0, limits).start()
        servers.append(server)
        return server

    yield serve
    for server in servers:
        server.stop()
    controller.stop()
    store.close()


def test_beyond_the_cap_the_longest_waiting_connection_makes_room(served) -> None:
    cap = 50
    server = served(ServerLimits(max_connections=cap, idle_timeout=60))
    host, port = server.server.server_address[:2]
    socks = _open_idle(host, port, 4 * cap)
    # The oldest 3 x cap are closed to make room; the newest stay open (well within their timeout).
    closed = _wait_closed(socks[: 3 * cap], deadline=time.monotonic() + 20)
    assert len(closed) == 3 * cap
    assert server.server.connection_count() <= cap
    assert _timed_get(host, port, "token") < 1.0  # a real request still gets in (and evicts one more)
    survivors = _wait_closed(socks[3 * cap + 1:], deadline=time.monotonic() + 0.5)
    assert survivors == {}  # the newest were kept
    assert server.server.stats["evicted"] >= 3 * cap
    for s, _ in socks:
        s.close()


def test_a_request_trickled_byte_by_byte_gets_408_at_its_deadline(served) -> None:
    timeout = 3.0
    server = served(ServerLimits(request_timeout=timeout, idle_timeout=60))
    host, port = server.server.server_address[:2]
    with socket.create_connection((host, port), timeout=30) as s:
        start = time.monotonic()
        # A byte every 0.2 s for 2.5 s: each is activity, but a request's deadline counts from its
        # first byte, so the answer comes at 3 s (it would come at 5.5 s if every byte reset it).
        for byte in b"GET /controller HTTP/1.1\r\nX-Pad:":
            s.sendall(bytes([byte]))
            if time.monotonic() - start >= 2.5:
                break
            time.sleep(0.2)  # the client under test is slow on purpose
        answer = b""
        while chunk := s.recv(4096):
            answer += chunk
        elapsed = time.monotonic() - start
    assert answer.startswith(b"HTTP/1.1 408 "), answer[:100]
    assert timeout <= elapsed < timeout + 2.0, elapsed


def test_kept_alive_and_pipelined_requests_are_answered_in_order(served) -> None:
    server = served(ServerLimits())
    host, port = server.server.server_address[:2]
    with socket.create_connection((host, port), timeout=30) as s:
        one = b"GET /controller/network HTTP/1.1\r\nHost: x\r\nX-ZT1-Auth: token\r\n\r\n"
        two = (b"POST /controller/network HTTP/1.1\r\nHost: x\r\nX-ZT1-Auth: token\r\nContent-Length: 15\r\n\r\n"
               b'{"name": "two"}')
        s.sendall(one + two + one)
        f = s.makefile("rb")
        bodies = []
        for _ in range(3):
            assert f.readline().startswith(b"HTTP/1.1 200 ")
            headers = http.client.parse_headers(f)
            bodies.append(f.read(int(headers["Content-Length"])))
        assert bodies[0] == b"[]" and b'"name": "two"' in bodies[1] and bodies[2].count(b'"') == 2


def test_a_warning_when_the_api_listens_beyond_loopback(served, caplog: pytest.LogCaptureFixture,
                                                        tmp_path: Path) -> None:
    with caplog.at_level(logging.WARNING, logger="libzt.controller"):
        quiet = served(ServerLimits())
        assert quiet.warning is None
        loud = served(ServerLimits(), host="0.0.0.0")
    assert loud.warning is not None and "beyond loopback, over plain HTTP" in loud.warning
    assert [r.getMessage() for r in caplog.records if "beyond loopback" in r.getMessage()]
    # The command prints it too, on stderr, and still starts.
    directory = tmp_path / "ctl"
    directory.mkdir()
    Identity.generate(threads=0).save(directory)
    ctl = ControllerProcess(directory, "--api-only", "--http", "0.0.0.0:0")
    try:
        assert ctl.request("GET", "/controller")[0] == 200
        ctl.proc.terminate()
        _, err = ctl.proc.communicate(timeout=60)
    finally:
        ctl.close()  # killed if still running, whatever failed above
    assert "WARNING: the REST API listens on every interface, beyond loopback, over plain HTTP" in err


def test_the_controller_directory_and_database_are_private(tmp_path: Path) -> None:
    directory = tmp_path / "ctl"
    directory.mkdir(mode=0o755)
    os.chmod(directory, 0o755)
    Identity.generate(threads=0).save(directory)
    ctl = ControllerProcess(directory, "--api-only")
    try:
        assert ctl.request("POST", "/controller/network", {"name": "private"})[0] == 200
        modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in directory.iterdir() if p.name != "identity.public"}
        assert stat.S_IMODE(directory.stat().st_mode) == 0o700
        assert {"controller.db", "controller.db-wal", "authtoken.secret", "identity.secret"} <= set(modes)
        assert {name: mode for name, mode in modes.items() if mode != 0o600} == {"controller.url": 0o644}
    finally:
        ctl.stop()
    # A database left readable by others (an older version, a copy) is made private when opened.
    db = directory / "controller.db"
    os.chmod(db, 0o644)
    open_store(db).close()
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    # A new database in a new directory: both private from the start.
    fresh = tmp_path / "new" / "x.db"
    open_store(fresh).close()
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o600
    assert stat.S_IMODE(fresh.parent.stat().st_mode) == 0o700


def test_a_client_that_expects_100_continue_is_told_to_send_its_body(served) -> None:
    server = served(ServerLimits())
    host, port = server.server.server_address[:2]
    body = b'{"name": "after 100"}'
    with socket.create_connection((host, port), timeout=30) as s:
        s.sendall(b"POST /controller/network HTTP/1.1\r\nHost: x\r\nX-ZT1-Auth: token\r\nExpect: 100-continue\r\n"
                  b"Content-Length: %d\r\n\r\n" % len(body))
        f = s.makefile("rb")
        assert f.readline() == b"HTTP/1.1 100 Continue\r\n" and f.readline() == b"\r\n"
        s.sendall(body)
        assert f.readline().startswith(b"HTTP/1.1 200 ")
        headers = http.client.parse_headers(f)
        assert b'"name": "after 100"' in f.read(int(headers["Content-Length"]))


def test_a_content_length_of_thousands_of_digits_gets_400_and_the_server_goes_on(served) -> None:
    """int() refuses a number of over 4300 digits (ValueError): the server's one loop thread raised it
    and died, and the API answered nobody after that one unauthenticated request."""
    server = served(ServerLimits())
    host, port = server.server.server_address[:2]
    for digits in (b"1" * 19, b"9" * 5000):
        with socket.create_connection((host, port), timeout=30) as s:
            s.sendall(b"POST /controller/network HTTP/1.1\r\nHost: x\r\nX-ZT1-Auth: token\r\n"
                      b"Content-Length: " + digits + b"\r\n\r\n{}")
            status = s.makefile("rb").readline()
        assert status.startswith((b"HTTP/1.1 400 ", b"HTTP/1.1 413 ")), (len(digits), status)
    with socket.create_connection((host, port), timeout=30) as s:
        s.sendall(b"GET /controller/network HTTP/1.1\r\nHost: x\r\nX-ZT1-Auth: token\r\n\r\n")
        assert s.makefile("rb").readline().startswith(b"HTTP/1.1 200 ")


SMUGGLED = b"GET /controller/network HTTP/1.1\r\nHost: x\r\nX-ZT1-Auth: token\r\n\r\n"


def _exchange(host: str, port: int, data: bytes) -> bytes:
    """Everything the server sends for ``data`` until it closes the connection (a timeout fails)."""
    with socket.create_connection((host, port), timeout=30) as s:
        s.sendall(data)
        out = b""
        while chunk := s.recv(65536):
            out += chunk
    return out


@pytest.mark.parametrize("framing", [
    b"Content-Length: +%d\r\n",
    b"Content-Length: 0%d_\r\n",
    b"Content-Length : %d\r\n",
    b"X-Pad: y\r\n Content-Length: %d\r\n",
    b"Content-Length: %d\r\nContent-Length: 0\r\n",
    b"Content-Length: %d, 0\r\n",
    b"Transfer-Encoding:\r\nContent-Length: %d\r\n",
    b"Transfer-Encoding : chunked\r\n",
    b"X-Pad: y\r\n Transfer-Encoding: chunked\r\n",
    b"Transfer-Encoding: chunked\r\n",
])
def test_a_request_the_handler_could_frame_differently_is_refused_and_its_body_never_run(served, framing) -> None:
    """The loop framed by one reading of these lines and the worker's header parser read another: a
    request hidden in the body ran as a second one (or the first was served and the connection kept)."""
    server = served(ServerLimits())
    host, port = server.server.server_address[:2]
    head = framing % len(SMUGGLED) if b"%d" in framing else framing
    out = _exchange(host, port, b"POST /controller/network HTTP/1.1\r\nHost: x\r\nX-ZT1-Auth: token\r\n" + head
                    + b"\r\n" + SMUGGLED)
    assert out.count(b"HTTP/1.1 ") == 1, out
    assert out.startswith((b"HTTP/1.1 400 ", b"HTTP/1.1 411 ")), out
    assert server.server.stats["refused"] == 1


def test_a_body_ended_with_an_extra_empty_line_does_not_cost_the_next_request(served) -> None:
    server = served(ServerLimits())
    host, port = server.server.server_address[:2]
    get = b"GET /controller HTTP/1.1\r\nHost: x\r\nX-ZT1-Auth: token\r\n"
    out = _exchange(host, port, get + b"\r\n" + b"\r\n" + get + b"Connection: close\r\n\r\n")
    assert out.count(b"HTTP/1.1 200 ") == 2, out


def test_an_oversized_body_announced_with_expect_100_continue_gets_413_before_it_is_sent(served) -> None:
    server = served(ServerLimits())  # the API's own max_body: 1 MiB
    host, port = server.server.server_address[:2]
    out = _exchange(host, port, b"POST /controller/network HTTP/1.1\r\nHost: x\r\nX-ZT1-Auth: token\r\n"
                                b"Expect: 100-continue\r\nContent-Length: 2097152\r\n\r\n")
    assert out.startswith(b"HTTP/1.1 413 ") and b"100 Continue" not in out, out


def test_a_request_target_urlsplit_refuses_gets_400(served) -> None:
    server = served(ServerLimits())
    host, port = server.server.server_address[:2]
    out = _exchange(host, port, b"GET http://[::1/x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert out.startswith(b"HTTP/1.1 400 ") and b"bad request target" in out, out


def test_unfinished_bodies_are_bounded_in_all_not_only_per_connection(served) -> None:
    budget = 1 << 20
    server = served(ServerLimits(max_buffered=budget, idle_timeout=60, request_timeout=60))
    host, port = server.server.server_address[:2]
    # Past the first 64 KiB of each: two whole bodies fit in the budget, three parts do not.
    part, whole = 450 * 1024, 500 * 1024
    socks = []
    try:
        for _ in range(3):  # the third crosses the budget
            s = socket.create_connection((host, port), timeout=30)
            s.sendall(b"POST /controller/network HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % whole
                      + b" " * part)
            socks.append(s)
        _wait_for("a 503 for the connection past the budget", lambda: server.server.stats["overloaded"] == 1, 30)
        # Which one crossed it depends on the order the loop read them in: the one that was answered.
        with selectors.DefaultSelector() as sel:
            for s in socks:
                sel.register(s, selectors.EVENT_READ)
            answered = [key.fileobj for key, _ in sel.select(timeout=30)]
        assert len(answered) == 1
        assert answered[0].makefile("rb").readline().startswith(b"HTTP/1.1 503 ")
        # The others are still waiting for the rest of their bodies.
        waiting = next(s for s in socks if s is not answered[0])
        waiting.sendall(b" " * (whole - part))
        assert waiting.makefile("rb").readline().startswith(b"HTTP/1.1 401 ")
    finally:
        for s in socks:
            s.close()


def test_empty_lines_before_a_request_line_count_however_they_arrive(served) -> None:
    """Up to two are skipped; the skip ran again at every read, so three sent apart were all skipped,
    and a client sending one every few seconds kept its connection for ever."""
    server = served(ServerLimits(request_timeout=2, idle_timeout=60))
    host, port = server.server.server_address[:2]
    with socket.create_connection((host, port), timeout=30) as s:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for _ in range(3):
            s.sendall(b"\r\n")
            time.sleep(0.1)  # separate reads, as a trickling client's would be
        s.sendall(b"GET /controller HTTP/1.1\r\nHost: x\r\nX-ZT1-Auth: token\r\n\r\n")
        assert s.makefile("rb").readline().startswith(b"HTTP/1.1 400 ")
    with socket.create_connection((host, port), timeout=30) as s:
        deadline = time.monotonic() + 20  # the request's 2 s, with room for a busy machine
        answer = None
        while answer is None and time.monotonic() < deadline:
            try:
                s.sendall(b"\r\n")
                if select.select([s], [], [], 0.5)[0]:
                    answer = s.recv(4096)
            except ConnectionError:
                answer = b""
        assert answer is not None, "a client trickling empty lines kept its connection"
        # a third empty line is an empty request line (400), unless the time ran out first (408)
        assert answer == b"" or answer.startswith((b"HTTP/1.1 400 ", b"HTTP/1.1 408 ")), answer


def test_a_request_completed_by_the_read_that_crosses_the_budget_is_served(served) -> None:
    budget = 512 * 1024
    server = served(ServerLimits(max_buffered=budget, idle_timeout=60, request_timeout=60))
    host, port = server.server.server_address[:2]
    header = b"POST /controller/network HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n"
    whole = 1 << 20  # the largest body the API takes
    with socket.create_connection((host, port), timeout=30) as holder, \
            socket.create_connection((host, port), timeout=30) as client:
        held = 64 * 1024 + budget - 32 * 1024  # within the budget by 32 KiB
        holder.sendall(header % whole + b" " * (held - len(header % whole)))
        _wait_for("the holder's bytes read", lambda: server.server.body_bytes_held() == budget - 32 * 1024, 30)
        body = b" " * (100 * 1024)  # past the first 64 KiB, it would cross the budget if it were held
        client.sendall(header % len(body) + body)
        assert client.makefile("rb").readline().startswith(b"HTTP/1.1 401 ")  # taken, then refused: no token
    assert server.server.stats["overloaded"] == 0


def test_an_oversized_body_with_an_unsupported_method_gets_one_answer(served) -> None:
    """It got two in one: the 413 of the body, then the 405 of the method."""
    server = served(ServerLimits())
    host, port = server.server.server_address[:2]
    body = b" " * ((1 << 20) + 1)
    head = b"PATCH /controller HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(body)
    out = _exchange(host, port, head + body)
    assert out.count(b"HTTP/1.1 ") == 1 and out.startswith(b"HTTP/1.1 413 "), out[:300]
