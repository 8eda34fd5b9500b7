#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""One node in this process, driven by ``bench/vl1.py`` for its in-process measurements.

Not a benchmark on its own. Started inside the benchmark's network namespace, one node per process
(libzt keeps global state), in one of four roles:

* ``ours-serve``: a ``libzt.ZeroTierNode`` whose USER_MESSAGE hook answers PING with PONG (same
  payload), counts BLAST messages and answers END with a SUMMARY of what it counted;
* ``ours-client``: a ``libzt.ZeroTierNode`` that runs, against an ours-serve peer, a ping-pong loop
  (round-trip latency), a blast (messages/s) and paced ECHOs (``ZeroTierNode.ping``) to that peer and
  to any other (an official node);
* ``official-serve`` / ``official-client``: the official libzt 1.8.4, loaded with ctypes through the
  test harness's ``official_worker.Worker`` (its workarounds included), joined to an ad-hoc network;
  the same three exchanges as UDP datagrams over lwIP between their 6PLANE addresses (no ECHO: the
  official API cannot send one).

Protocol with the parent: JSON lines. stdout: ``{"ready": {...}}`` once online (and, for the official
roles, on the network with a bound socket), then for clients ``{"result": {...}}``. A client reads one
JSON line on stdin, ``{"peer": ..., ...}``, before it starts. Every role exits when stdin closes.
Logs and the libraries' own prints go to stderr.
"""
from __future__ import annotations

import argparse
import ctypes
import json
import os
import resource
import statistics
import struct
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, TextIO

TESTS = Path(__file__).resolve().parent.parent / "tests"

# USER_MESSAGE types of this benchmark (ZeroTier reserves types up to 65535).
PING, PONG, BLAST, END, SUMMARY = 0x62000, 0x62001, 0x62002, 0x62003, 0x62004
# First byte of a UDP datagram of the official roles.
U_PING, U_BLAST, U_END, U_SUMMARY = b"P", b"B", b"E", b"S"
UDP_PORT = 5555
ADHOC_PORTS = (5000, 6000)  # the ad-hoc network allows UDP/TCP to these ports only
OFFICIAL_PORTS = {"official-serve": 29901, "official-client": 29902}
ZTS_EVENT_NODE_ONLINE, ZTS_EVENT_NETWORK_READY_IP6, ZTS_EVENT_ADDR_ADDED_IP6 = 201, 216, 262
ZTS_EVENT_PEER_DIRECT = 240


def pct(values: List[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))]


def summary_ms(seconds: List[float]) -> Dict[str, Any]:
    """median / p99 / min / max in ms of a list of durations in seconds."""
    if not seconds:
        return {"n": 0}
    ms = [s * 1000.0 for s in seconds]
    return {"n": len(ms), "median": statistics.median(ms), "p99": pct(ms, 0.99), "min": min(ms), "max": max(ms),
            "mean": statistics.fmean(ms)}


def maxrss_mb() -> float:
    """Peak resident memory of this process so far."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def payload(seq: int, size: int) -> bytes:
    return struct.pack(">Q", seq) + bytes(max(0, size - 8))


class Channel:
    """stdout as a private JSON-lines channel: fd 1 becomes stderr, so native prints cannot corrupt it."""

    def __init__(self) -> None:
        fd = os.dup(1)
        os.dup2(2, 1)
        sys.stdout = sys.stderr
        self.out: TextIO = os.fdopen(fd, "w", buffering=1)

    def send(self, obj: Dict[str, Any]) -> None:
        self.out.write(json.dumps(obj) + "\n")
        self.out.flush()


def exit_on_stdin_eof() -> None:
    def watch() -> None:
        for _ in sys.stdin:
            pass
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


def read_command() -> Dict[str, Any]:
    line = sys.stdin.readline()
    if not line:
        os._exit(0)
    return json.loads(line)


# --- ours: libzt.ZeroTierNode ---------------------------------------------------------------------


class BlastCounter:
    """Counts BLAST arrivals: number, first and last arrival (time.monotonic, comparable across processes)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.count = 0
        self.first = 0.0
        self.last = 0.0

    def hit(self) -> None:
        now = time.monotonic()
        with self.lock:
            if self.count == 0:
                self.first = now
            self.count += 1
            self.last = now

    def take(self) -> Dict[str, Any]:
        with self.lock:
            out = {"count": self.count, "first": self.first, "last": self.last}
            self.reset()
        return out


def ours_node(planet: bytes) -> Any:
    import libzt

    node = libzt.ZeroTierNode(roots=planet)
    node.start()
    node.wait_online(timeout=30)
    return node


def ours_serve(chan: Channel, planet: bytes) -> None:
    node = ours_node(planet)
    blast = BlastCounter()

    @node.on_user_message
    def answer(peer_id: int, mtype: int, data: bytes) -> None:  # on the native event thread
        if mtype == PING:
            node.send_user_message(peer_id, PONG, data)
        elif mtype == BLAST:
            blast.hit()
        elif mtype == END:
            node.send_user_message(peer_id, SUMMARY, json.dumps({**blast.take(), "stats": node.stats(),
                                                                 "maxrss_mb": maxrss_mb()}).encode())

    chan.send({"ready": {"address": node.address}})
    exit_on_stdin_eof()
    threading.Event().wait()


def wait_direct(node: Any, peer: str, poke: Callable[[], None], timeout: float = 20.0) -> float:
    """Poke the peer until our node has a live direct path to it; returns the seconds it took."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        poke()
        info = node.peer(peer)
        if info is not None and info.direct:
            return time.monotonic() - started
        time.sleep(0.1)
    raise TimeoutError(f"no direct path to {peer} within {timeout} s")


def quiet_ping(node: Any, peer: str) -> None:
    try:
        node.ping(peer, timeout=0.3)
    except TimeoutError:
        pass


def ours_client(chan: Channel, planet: bytes) -> None:
    node = ours_node(planet)
    chan.send({"ready": {"address": node.address}})
    cmd = read_command()
    peer: str = cmd["peer"]
    size = int(cmd.get("size", 32))
    got = threading.Event()
    expect = {"seq": -1}
    summaries: List[Dict[str, Any]] = []

    @node.on_user_message
    def on_message(peer_id: int, mtype: int, data: bytes) -> None:
        if mtype == PONG and struct.unpack(">Q", data[:8])[0] == expect["seq"]:
            got.set()
        elif mtype == SUMMARY:
            summaries.append(json.loads(data))

    def roundtrip(seq: int, timeout: float) -> Optional[float]:
        expect["seq"] = seq
        got.clear()
        t0 = time.perf_counter()
        node.send_user_message(peer, PING, payload(seq, size))
        if not got.wait(timeout):
            return None
        return time.perf_counter() - t0

    result: Dict[str, Any] = {"address": node.address}
    seq = 0

    def poke() -> None:
        nonlocal seq
        seq += 1
        roundtrip(seq, 0.2)

    result["direct_after_s"] = wait_direct(node, peer, poke)
    for _ in range(int(cmd.get("warmup", 200))):  # both sides settle on the direct path
        seq += 1
        roundtrip(seq, 0.5)

    # 1. ping-pong: one message in flight.
    rtts: List[float] = []
    lost = 0
    started = time.perf_counter()
    for _ in range(int(cmd["pingpong"])):
        seq += 1
        dt = roundtrip(seq, 1.0)
        if dt is None:
            lost += 1
        else:
            rtts.append(dt)
    result["pingpong"] = {**summary_ms(rtts), "lost": lost, "per_s": len(rtts) / (time.perf_counter() - started)}

    # 2. blast: as many BLAST messages as the sender can push, counted by the peer.
    data = payload(0, size)
    n = 0
    deadline = time.perf_counter() + float(cmd["blast_seconds"])
    t0 = time.perf_counter()
    while n < int(cmd["blast_max"]) and time.perf_counter() < deadline:
        node.send_user_message(peer, BLAST, data)
        n += 1
    send_s = time.perf_counter() - t0
    time.sleep(0.5)  # let the receiver drain its queue before asking
    for _ in range(10):
        node.send_user_message(peer, END)
        for _ in range(20):
            if summaries:
                break
            time.sleep(0.05)
        if summaries:
            break
    summ = summaries[0] if summaries else {"count": 0, "first": 0.0, "last": 0.0, "stats": {}}
    span = summ["last"] - summ["first"]
    result["blast"] = {
        "sent": n,
        "send_s": send_s,
        "sent_per_s": n / send_s,
        "received": summ["count"],
        "recv_span_s": span,
        "recv_per_s": (summ["count"] - 1) / span if span > 0 else 0.0,
        "loss": 1 - summ["count"] / n if n else 0.0,
        "peer_maxrss_mb": summ.get("maxrss_mb"),
        "peer_stats": summ.get("stats", {}),
        "stats": node.stats(),
    }

    # 3. ECHO back to back to the ours-serve peer: its core answers (no Python there), so this is VL1's
    #    round trip with Python on the pinging side only. Our core answers every ECHO that has a payload.
    burst: List[float] = []
    lost_burst = 0
    for i in range(int(cmd.get("echo_burst", 0))):
        t0 = time.perf_counter()
        try:
            node.ping(peer, timeout=1.0, data=payload(i, size))
        except TimeoutError:
            lost_burst += 1
        else:
            burst.append(time.perf_counter() - t0)
    result["echo_burst"] = {**summary_ms(burst), "lost": lost_burst}

    # 4. ECHO, paced, to every echo peer in turns. The official core answers one ECHO per peer per
    #    second (ZT_PEER_GENERAL_RATE_LIMIT, 1000 ms in 1.8.4) and drops the others silently, so each
    #    peer gets one every `echo_interval` (> 1 s) seconds; ours get the same pace to be comparable.
    echo: Dict[str, List[float]] = {p: [] for p in cmd.get("echo_peers", [])}
    core: Dict[str, List[int]] = {p: [] for p in echo}
    lost_echo: Dict[str, int] = {p: 0 for p in echo}
    for p in echo:
        wait_direct(node, p, lambda p=p: quiet_ping(node, p), timeout=20)
    interval = float(cmd.get("echo_interval", 1.05))
    time.sleep(interval)  # the direct-path probes above count against the official rate limit
    for i in range(int(cmd.get("echo_count", 0)) + 1):
        for p in echo:
            t_next = time.perf_counter() + interval / len(echo)
            t0 = time.perf_counter()
            try:
                ms = node.ping(p, timeout=1.0, data=payload(i, size))
            except TimeoutError:
                lost_echo[p] += 1
            else:
                if i >= 1:  # the first one is a warm-up
                    echo[p].append(time.perf_counter() - t0)
                    core[p].append(ms)
            time.sleep(max(0.0, t_next - time.perf_counter()))
    result["echo"] = {p: {**summary_ms(v), "lost": lost_echo[p], "core_rtt_ms_median": statistics.median(core[p])
                          if core[p] else None} for p, v in echo.items()}
    chan.send({"result": result})
    read_command()  # stay up until the parent is done with us


# --- official: libzt 1.8.4 through the harness's Worker, UDP over an ad-hoc network ----------------------


class _Sink:
    def write(self, _: str) -> None:
        pass

    def flush(self) -> None:
        pass


def official_node(role: str, planet: bytes, lib: str, stub: str) -> Dict[str, Any]:
    sys.path.insert(0, str(TESTS / "interop"))
    import official_worker as ow

    w = ow.Worker(lib, stub, _Sink(), workarounds=True, flavor="official")
    nwid = f"ff{ADHOC_PORTS[0]:04x}{ADHOC_PORTS[1]:04x}000000"
    for call, value in (("init_set_roots", planet.hex()), ("init_set_port", OFFICIAL_PORTS[role]),
                        ("init_allow_port_mapping", 0), ("init_allow_secondary_port", 0)):
        if getattr(w, f"cmd_{call}")(value) != 0:
            raise RuntimeError(f"zts_{call} failed")
    if w.cmd_node_start() != 0:
        raise RuntimeError("zts_node_start failed")
    for code, what in ((ZTS_EVENT_NODE_ONLINE, "online"),):
        if w.cmd_wait_event(code, seconds=40) is None:
            raise RuntimeError(f"official node not {what}")
    if w.cmd_net_join(nwid) != 0:
        raise RuntimeError("zts_net_join failed")
    for code in (ZTS_EVENT_NETWORK_READY_IP6, ZTS_EVENT_ADDR_ADDED_IP6):
        if w.cmd_wait_event(code, seconds=40) is None:
            raise RuntimeError(f"official node: no event {code} after joining {nwid}")
    ip = w.cmd_addr_get_str(nwid, 6)["addr"]
    fd = w.cmd_bsd_socket(6, ow.ZTS_SOCK_DGRAM)
    if fd < 0 or w.cmd_bind(fd, "::", UDP_PORT) != 0 or w.cmd_set_recv_timeout(fd, 0, 200_000) != 0:
        raise RuntimeError("cannot set up the UDP socket")
    return {"w": w, "ow": ow, "fd": fd, "ip": ip, "node_id": w.cmd_node_get_id()}


def official_serve(chan: Channel, planet: bytes, lib: str, stub: str) -> None:
    n = official_node("official-serve", planet, lib, stub)
    w, ow, fd = n["w"], n["ow"], n["fd"]
    chan.send({"ready": {"address": n["node_id"], "ip": n["ip"]}})
    exit_on_stdin_eof()
    buf = ctypes.create_string_buffer(2048)
    src = ow.SockaddrStorage()
    srclen = ctypes.c_uint32()
    blast = BlastCounter()
    recvfrom, sendto = w.lib.zts_bsd_recvfrom, w.lib.zts_bsd_sendto
    while True:
        srclen.value = ctypes.sizeof(src)
        got = recvfrom(fd, buf, len(buf), 0, ctypes.byref(src), ctypes.byref(srclen))
        if got <= 0:
            continue
        kind = buf.raw[:1]
        if kind == U_PING:
            sendto(fd, buf, got, 0, ctypes.byref(src), srclen.value)
        elif kind == U_BLAST:
            blast.hit()
        elif kind == U_END:
            reply = U_SUMMARY + json.dumps({**blast.take(), "maxrss_mb": maxrss_mb()}).encode()
            sendto(fd, reply, len(reply), 0, ctypes.byref(src), srclen.value)


def official_client(chan: Channel, planet: bytes, lib: str, stub: str) -> None:
    n = official_node("official-client", planet, lib, stub)
    w, ow, fd = n["w"], n["ow"], n["fd"]
    chan.send({"ready": {"address": n["node_id"], "ip": n["ip"]}})
    cmd = read_command()
    size = int(cmd.get("size", 32))
    dest = ow.SockaddrStorage()
    destlen = ctypes.c_uint32(ctypes.sizeof(dest))
    if w.lib.zts_util_ipstr_to_saddr(cmd["peer_ip"].encode(), UDP_PORT, ctypes.byref(dest), ctypes.byref(destlen)):
        raise RuntimeError(f"bad peer address {cmd['peer_ip']}")
    buf = ctypes.create_string_buffer(2048)
    src = ow.SockaddrStorage()
    srclen = ctypes.c_uint32()
    recvfrom, sendto = w.lib.zts_bsd_recvfrom, w.lib.zts_bsd_sendto

    def send(data: bytes) -> int:
        return int(sendto(fd, data, len(data), 0, ctypes.byref(dest), destlen.value))

    def recv(timeout: float) -> Optional[bytes]:
        """One datagram, or None after `timeout` (the socket's own timeout is 200 ms)."""
        deadline = time.perf_counter() + timeout
        while True:
            srclen.value = ctypes.sizeof(src)
            got = recvfrom(fd, buf, len(buf), 0, ctypes.byref(src), ctypes.byref(srclen))
            if got > 0:
                return buf.raw[:got]
            if time.perf_counter() >= deadline:
                return None

    def roundtrip(seq: int, timeout: float) -> Optional[float]:
        msg = U_PING + payload(seq, size - 1)
        t0 = time.perf_counter()
        send(msg)
        deadline = t0 + timeout
        while True:
            data = recv(max(0.0, deadline - time.perf_counter()))
            if data is None:
                return None
            if data == msg:
                return time.perf_counter() - t0
            # a late answer to an earlier ping: keep waiting for ours

    result: Dict[str, Any] = {"address": n["node_id"], "ip": n["ip"]}
    seq = 0
    started = time.monotonic()
    # The first datagrams wait for WHOIS and the root's RENDEZVOUS; lwIP may also drop them while the
    # neighbour entry is resolved. Ping until both nodes report a direct path to each other.
    while time.monotonic() - started < 30:
        seq += 1
        roundtrip(seq, 0.2)
        if w.cmd_wait_event(ZTS_EVENT_PEER_DIRECT, seconds=0, match={"peer.peer_id": cmd["peer"]}) is not None:
            break
    result["direct_after_s"] = time.monotonic() - started
    for _ in range(int(cmd.get("warmup", 200))):
        seq += 1
        roundtrip(seq, 0.5)

    rtts: List[float] = []
    lost = 0
    t_start = time.perf_counter()
    for _ in range(int(cmd["pingpong"])):
        seq += 1
        dt = roundtrip(seq, 1.0)
        if dt is None:
            lost += 1
        else:
            rtts.append(dt)
    result["pingpong"] = {**summary_ms(rtts), "lost": lost, "per_s": len(rtts) / (time.perf_counter() - t_start)}

    data = U_BLAST + payload(0, size - 1)
    sent = errors = 0
    deadline = time.perf_counter() + float(cmd["blast_seconds"])
    t0 = time.perf_counter()
    while sent + errors < int(cmd["blast_max"]) and time.perf_counter() < deadline:
        if send(data) > 0:
            sent += 1
        else:
            errors += 1
    send_s = time.perf_counter() - t0
    time.sleep(0.5)
    summ: Optional[Dict[str, Any]] = None
    for _ in range(10):
        send(U_END)
        reply = recv(1.0)
        while reply is not None and not reply.startswith(U_SUMMARY):
            reply = recv(0.5)
        if reply is not None:
            summ = json.loads(reply[1:])
            break
    summ = summ or {"count": 0, "first": 0.0, "last": 0.0}
    span = summ["last"] - summ["first"]
    result["blast"] = {
        "sent": sent,
        "send_errors": errors,
        "send_s": send_s,
        "sent_per_s": sent / send_s,
        "received": summ["count"],
        "recv_span_s": span,
        "recv_per_s": (summ["count"] - 1) / span if span > 0 else 0.0,
        "loss": 1 - summ["count"] / sent if sent else 0.0,
        "peer_maxrss_mb": summ.get("maxrss_mb"),
    }
    chan.send({"result": result})
    read_command()


def main() -> int:
    parser = argparse.ArgumentParser(description="a node for bench/vl1.py (not a benchmark by itself)")
    parser.add_argument("role", choices=("ours-serve", "ours-client", "official-serve", "official-client"))
    parser.add_argument("--planet", required=True, help="the planet file")
    parser.add_argument("--lib", help="official: the libzt 1.8.4 .so")
    parser.add_argument("--stub", help="official: its stub library")
    opts = parser.parse_args()
    chan = Channel()
    planet = Path(opts.planet).read_bytes()
    try:
        if opts.role == "ours-serve":
            ours_serve(chan, planet)
        elif opts.role == "ours-client":
            ours_client(chan, planet)
        elif opts.role == "official-serve":
            official_serve(chan, planet, opts.lib, opts.stub)
        else:
            official_client(chan, planet, opts.lib, opts.stub)
    except BaseException as exc:
        import traceback

        traceback.print_exc()
        chan.send({"error": f"{opts.role}: {type(exc).__name__}: {exc}"})
        sys.stderr.flush()
        os._exit(1)
    sys.stderr.flush()
    os._exit(0)  # libzt's threads make an orderly interpreter shutdown unreliable


if __name__ == "__main__":
    sys.exit(main())
