# SPDX-License-Identifier: Apache-2.0
"""The examples run as documented (so they cannot rot)."""
from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Iterator

import pytest

from support.clib import OutputLines, build_programs
from support.netns import NetNs
from support.worlds import Planet, RootServer, free_udp_port, make_planet

EXAMPLES = Path(__file__).resolve().parent.parent.parent / "examples"


def test_user_messages_example() -> None:
    out = subprocess.run([sys.executable, str(EXAMPLES / "user_messages.py")], capture_output=True, text=True,
                         timeout=120, check=True).stdout
    assert "got b'HELLO OVER ZEROTIER'" in out
    assert "round trip by ECHO" in out


@pytest.mark.netns
@pytest.mark.parametrize("network", ["ff1c000000000001", "ff1f401f40000000"], ids=["ipv4-adhoc", "ipv6-adhoc"])
def test_c_echo_example(network: str, netns: NetNs, tmp_path: Path) -> None:
    """examples/c/echo.c, built by ext/build_clib.py: a server and a client, each its own node, on an
    ad-hoc network (IPv4 28.x.y.z, or 6PLANE with port 8000 open), through a root of ours."""
    echo = build_programs([EXAMPLES / "c" / "echo.c"])["echo"]
    planet = make_planet(tmp_path, [f"{netns.ADDR1}/29970"])
    with RootServer(planet, prefix=netns.cmd_prefix):
        server = netns.popen([str(echo), "server", str(planet.path), network, "8000"],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            out = OutputLines(server)
            address = out.wait_for("echo server: node", timeout=30).split(" at ")[1].split()[0]
            client = netns.run([str(echo), "client", str(planet.path), network, address, "8000",
                                "hello over zerotier"], timeout=90, check=False)
            assert client.returncode == 0, client.stdout + client.stderr
            assert "got 'hello over zerotier'" in client.stdout
            assert out.wait_for("echo server: echoed 19 bytes", timeout=10)
        finally:
            server.kill()
            server.wait(10)


# ---- the socket examples: two nodes (two processes) on an ad-hoc network, a root on 127.0.0.1 ----

ADHOC = "ff2d000000000001"  # IPv4 45.x.y.z/8, no controller


@pytest.fixture(scope="module")
def local_planet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Planet]:
    port = free_udp_port()  # on the machine's loopback: a fixed port would collide with another test run
    planet = make_planet(tmp_path_factory.mktemp("examples"), [f"127.0.0.1/{port}"])
    with RootServer(planet, extra=["--allow-loopback"], port=port):
        yield planet


class Background:
    """An example that serves until killed; ``wait_for(text)`` returns its first line containing it."""

    def __init__(self, argv: list[str]) -> None:
        # SIGINT back to its default in the child: a shell ignores it for background commands (a CI
        # step, `scripts/run-tests ... &`) and that is inherited, so Python would never raise
        # KeyboardInterrupt and stop() could only kill the example.
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                     start_new_session=True,
                                     preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        self.lines: queue.Queue[str] = queue.Queue()
        self.output: list[str] = []  # everything it printed, for failure reports
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.output.append(line)
            self.lines.put(line)
        self.lines.put("")

    def wait_for(self, text: str, timeout: float = 60) -> str:
        seen = []
        while True:
            line = self.lines.get(timeout=timeout)
            if not line:
                raise AssertionError(f"example exited ({self.proc.wait()}) without {text!r}:\n{''.join(seen)}")
            seen.append(line)
            if text in line:
                return line

    def stop(self) -> None:
        os.killpg(self.proc.pid, signal.SIGINT)  # Ctrl-C: the examples stop on KeyboardInterrupt
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            # Stuck: SIGABRT makes faulthandler (-X faulthandler, see example()) print every thread's
            # stack into the output, which the failure then shows.
            os.kill(self.proc.pid, signal.SIGABRT)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        self._reader.join(10)
        if self.proc.stdout is not None:
            self.proc.stdout.close()

    def report(self) -> str:
        return "".join(self.output)[-8000:]


def example(name: str, planet: Planet, *args: str) -> list[str]:
    return [sys.executable, "-X", "faulthandler", str(EXAMPLES / name), ADHOC, "--planet", str(planet.path),
            "--allow-loopback", *args]


def test_http_example_serves_and_fetches(local_planet: Planet, tmp_path: Path) -> None:
    (tmp_path / "hello.txt").write_text("hello over ZeroTier\n")
    server = Background(example("http_server.py", local_planet, "serve", "--port", "8080",
                                "--directory", str(tmp_path)))
    try:
        url = server.wait_for("serving http://").split()[-1]
        fetched = subprocess.run(example("http_server.py", local_planet, "fetch", url + "hello.txt"),
                                 capture_output=True, text=True, timeout=120)
        assert fetched.returncode == 0, fetched.stdout + fetched.stderr
        assert fetched.stdout.startswith("200 OK\n")
        assert "Server: SimpleHTTP" in fetched.stdout and fetched.stdout.endswith("\nhello over ZeroTier\n")
        assert "GET /hello.txt" in server.wait_for("GET /hello.txt")  # the server's access log
    finally:
        server.stop()
    assert server.proc.returncode == 0, server.report()


@pytest.mark.parametrize("server_name, client_args", [
    ("echo_server.py", ["echo_client.py", "{host}", "a", "message", "--port", "{port}"]),
    ("echo_asyncio.py", ["echo_asyncio.py", "client", "{host}", "--port", "{port}", "--count", "20"]),
])
def test_echo_examples(local_planet: Planet, server_name: str, client_args: list[str]) -> None:
    server_args = ["server"] if server_name == "echo_asyncio.py" else []
    server = Background(example(server_name, local_planet, *server_args, "--port", "7777"))
    try:
        words = server.wait_for("listening on").split()
        host, port = words[2], words[4]
        name, *rest = (a.format(host=host, port=port) for a in client_args)
        client = subprocess.run(example(name, local_planet, *rest), capture_output=True, text=True, timeout=120)
        assert client.returncode == 0, client.stdout + client.stderr
        assert "got back b'a message'" in client.stdout or "20 of 20 connections echoed" in client.stdout
    finally:
        server.stop()
