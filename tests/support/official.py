"""The official libzt 1.8.4 (PyPI wheel) as a test peer.

* ``ensure_official()`` fetches the wheel once into a cache directory, checks its
  sha256, extracts the C library and builds ``stub_netlink.cpp`` beside it. Safe when
  several pytest processes race (a lock file, and every file lands by atomic rename).
* ``OfficialNode`` runs ``official_worker.py`` in its own process (one official node
  per process: libzt keeps global state), optionally behind a command prefix such as
  ``["ip", "netns", "exec", NAME]``, and talks to it over JSON lines with a timeout on
  every reply. ``close()`` always ends the process.

This module needs only the standard library and does not import the project's package.
"""

from __future__ import annotations

import fcntl
import hashlib
import itertools
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Dict, List, Optional, Sequence, Union

OFFICIAL_VERSION = "1.8.4"
WHEEL_NAME = "libzt-1.8.4-cp39-cp39-manylinux2010_x86_64.whl"
WHEEL_SHA256 = "e66e1482940118ae172d7356d2c5d2d5c561831c94d595a850704f9923054756"
SO_MEMBER = "libzt/_libzt.cpython-39-x86_64-linux-gnu.so"
SO_SHA256 = "5f62b777a58eafc1b347cb327311532e4ec80e5a614d1b54d49d4501dbabb594"

HERE = Path(__file__).resolve().parents[1] / "interop"  # the worker and its stub live with the interop tests
STUB_SOURCE = HERE / "stub_netlink.cpp"
WORKER = HERE / "official_worker.py"

# Symbols the .so leaves undefined that neither CPython 3.11 nor libc provide.
STUB_SYMBOLS = (
    "_ZN8ZeroTier12LinuxNetLinkC1Ev",
    "_ZN8ZeroTier12LinuxNetLinkC2Ev",
    "_ZN8ZeroTier12LinuxNetLinkD1Ev",
    "_ZN8ZeroTier12LinuxNetLinkD2Ev",
    "_ZN8ZeroTier12LinuxNetLink8delRouteERKNS_11InetAddressES3_S3_PKc",
    "_PyTime_AsTimeval_noraise",
    "libzt_test_event_forwarder_new",
    "libzt_test_set_lwip_hooks",
    "libzt_test_locked_ethernet_input",
)

# ZeroTierSockets.h constants the tests use.
ZTS_ERR_OK = 0
ZTS_ERR_SOCKET = -1
ZTS_ERR_SERVICE = -2
ZTS_ERR_ARG = -3
ZTS_ERR_NO_RESULT = -4
ZTS_ERR_GENERAL = -5
ZTS_AF_INET = 0x02
ZTS_AF_INET6 = 0x0A
ZTS_SOCK_STREAM = 0x01
ZTS_SOCK_DGRAM = 0x02
ZTS_SOL_SOCKET = 0x0FFF
ZTS_SO_BROADCAST = 0x0020
ZTS_IPPROTO_IPV6 = 0x29
ZTS_IPV6_MULTICAST_HOPS = 18  # ours only (lwIP has none)
ZTS_EVENT_NODE_UP = 200
ZTS_EVENT_NODE_ONLINE = 201
ZTS_EVENT_NODE_OFFLINE = 202
ZTS_EVENT_NODE_DOWN = 203
ZTS_EVENT_NETWORK_NOT_FOUND = 210
ZTS_EVENT_NETWORK_REQ_CONFIG = 212
ZTS_EVENT_NETWORK_OK = 213
ZTS_EVENT_NETWORK_ACCESS_DENIED = 214
ZTS_EVENT_NETWORK_READY_IP4 = 215
ZTS_EVENT_NETWORK_READY_IP6 = 216
ZTS_EVENT_NETWORK_DOWN = 218
ZTS_EVENT_NETWORK_UPDATE = 219
ZTS_EVENT_PEER_DIRECT = 240
ZTS_EVENT_PEER_RELAY = 241
ZTS_EVENT_PEER_PATH_DISCOVERED = 243
ZTS_EVENT_ADDR_ADDED_IP4 = 260
ZTS_EVENT_ADDR_ADDED_IP6 = 262
EVENT_ECHO_REPLY = 301  # ours only (libzt_ext.h): an answer to node_ping
ZTS_DEFAULT_PLANET_ID = 149604618  # ZeroTier's own planet: never reuse it in tests

NetId = Union[int, str]


class OfficialUnavailable(RuntimeError):
    """The official library cannot be fetched, verified or run on this machine."""


class WorkerError(RuntimeError):
    """The worker answered ``ok: false`` or died."""


class WorkerTimeout(WorkerError, TimeoutError):
    """The worker did not answer in time (a hung official node fails the test)."""


class ZtsError(WorkerError):
    """A zts_* call returned a negative code where success was required."""

    def __init__(self, cmd: str, ret: int, errno: int) -> None:
        super().__init__(f"zts_{cmd} returned {ret} (zts_errno {errno})")
        self.cmd = cmd
        self.ret = ret
        self.errno = errno


@dataclass(frozen=True)
class OfficialPaths:
    cache_dir: Path
    wheel: Path
    lib: Path
    stub: Path


def default_cache_dir() -> Path:
    env = os.environ.get("LIBZT_OFFICIAL_CACHE")
    if env:
        return Path(env).expanduser()
    return Path.home() / ".cache" / "libzt-tests" / f"official-{OFFICIAL_VERSION}"


def unsupported_reason() -> Optional[str]:
    """Why the official wheel cannot run here, or None."""
    if sys.platform != "linux" or platform.machine() not in ("x86_64", "AMD64"):
        return f"the official libzt {OFFICIAL_VERSION} wheel exists only for Linux x86_64"
    return None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _atomic_write(dest: Path, data: bytes, mode: int = 0o644) -> None:
    fd, tmp = tempfile.mkstemp(dir=str(dest.parent), prefix=f".{dest.name}.")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _fetch_wheel(cache_dir: Path, timeout: float) -> Path:
    wheel = cache_dir / WHEEL_NAME
    if wheel.exists() and _sha256(wheel) == WHEEL_SHA256:
        return wheel
    with tempfile.TemporaryDirectory(dir=str(cache_dir), prefix=".download-") as tmp:
        cmd = [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            f"libzt=={OFFICIAL_VERSION}",
            "--python-version",
            "3.9",
            "--only-binary=:all:",
            "--disable-pip-version-check",
            "--no-input",
            "-d",
            tmp,
        ]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            raise OfficialUnavailable(f"pip download timed out after {timeout}s") from exc
        got = Path(tmp) / WHEEL_NAME
        if proc.returncode != 0 or not got.exists():
            raise OfficialUnavailable(
                f"pip download libzt=={OFFICIAL_VERSION} failed ({proc.returncode}):\n"
                f"{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"
            )
        digest = _sha256(got)
        if digest != WHEEL_SHA256:
            raise OfficialUnavailable(f"{WHEEL_NAME}: sha256 {digest}, expected {WHEEL_SHA256}")
        os.replace(got, wheel)
    return wheel


def _extract_lib(wheel: Path, lib: Path) -> None:
    if lib.exists() and _sha256(lib) == SO_SHA256:
        return
    with zipfile.ZipFile(wheel) as zf:
        data = zf.read(SO_MEMBER)
    digest = hashlib.sha256(data).hexdigest()
    if digest != SO_SHA256:
        raise OfficialUnavailable(f"{SO_MEMBER}: sha256 {digest}, expected {SO_SHA256}")
    lib.parent.mkdir(parents=True, exist_ok=True)
    _atomic_write(lib, data, 0o755)


def _defined_symbols(path: Path, undefined: bool = False) -> Optional[set]:
    nm = shutil.which("nm")
    if nm is None:
        return None
    flag = "--undefined-only" if undefined else "--defined-only"
    proc = subprocess.run([nm, "-D", flag, str(path)], capture_output=True, text=True, timeout=60)
    if proc.returncode != 0:
        return None
    return {line.split()[-1].split("@")[0] for line in proc.stdout.splitlines() if line.strip()}


def _build_stub(cache_dir: Path, lib: Path, timeout: float) -> Path:
    source = STUB_SOURCE.read_bytes()
    cxx = os.environ.get("CXX") or shutil.which("g++") or "g++"
    flags = ["-std=c++11", "-shared", "-fPIC", "-O2", "-fvisibility=hidden"]
    tag = hashlib.sha256(source + " ".join([Path(cxx).name, *flags]).encode()).hexdigest()[:16]
    stub = cache_dir / f"stub_netlink-{tag}.so"
    if stub.exists():
        return stub
    fd, tmp = tempfile.mkstemp(dir=str(cache_dir), prefix=".stub-", suffix=".so")
    os.close(fd)
    try:
        try:
            proc = subprocess.run(
                [cxx, *flags, "-o", tmp, str(STUB_SOURCE)], capture_output=True, text=True, timeout=timeout
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise OfficialUnavailable(f"cannot compile {STUB_SOURCE.name} with {cxx}: {exc}") from exc
        if proc.returncode != 0:
            raise OfficialUnavailable(f"compiling {STUB_SOURCE.name} failed:\n{proc.stderr[-3000:]}")
        defined = _defined_symbols(Path(tmp))
        if defined is not None:
            missing = [s for s in STUB_SYMBOLS if s not in defined]
            needed = _defined_symbols(lib, undefined=True) or set()
            missing += sorted(
                s for s in needed if ("LinuxNetLink" in s or s == "_PyTime_AsTimeval_noraise") and s not in defined
            )
            if missing:
                raise OfficialUnavailable(f"stub lacks symbols: {missing}")
        os.chmod(tmp, 0o755)
        os.replace(tmp, stub)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return stub


def ensure_official(cache_dir: Optional[Path] = None, timeout: float = 600.0) -> OfficialPaths:
    """Fetch, verify and prepare the official library; idempotent and race-safe."""
    reason = unsupported_reason()
    if reason:
        raise OfficialUnavailable(reason)
    cache = (cache_dir or default_cache_dir()).resolve()
    cache.mkdir(parents=True, exist_ok=True)
    lib = cache / SO_MEMBER
    with (cache / ".lock").open("a+") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        try:
            if lib.exists() and _sha256(lib) == SO_SHA256:
                wheel = cache / WHEEL_NAME
            else:
                wheel = _fetch_wheel(cache, timeout)
                _extract_lib(wheel, lib)
            stub = _build_stub(cache, lib, timeout=min(timeout, 300.0))
        finally:
            fcntl.flock(lock.fileno(), fcntl.LOCK_UN)
    return OfficialPaths(cache_dir=cache, wheel=wheel, lib=lib, stub=stub)


def our_library() -> Path:
    """The compiled native module of this project (it exports the zts_* API like libzt)."""
    import importlib.util

    spec = importlib.util.find_spec("libzt._native")
    if spec is None or spec.origin is None:
        raise OfficialUnavailable("libzt is not installed (run scripts/bootstrap)")
    return Path(spec.origin)


def _net(net_id: NetId) -> str:
    return net_id if isinstance(net_id, str) else f"{net_id:016x}"


class OfficialNode:
    """One official libzt node in its own worker process.

    Methods mirror the worker's commands (named after the C calls). Calls that
    return a status raise ``ZtsError`` on a negative code when ``check`` is true;
    queries (``node_is_online``, ``id_pair_is_valid``, ...) return the raw value.
    Every call has a timeout (``default_timeout`` unless given); ``submit`` starts a
    call without waiting, for blocking calls such as ``accept`` or ``recv_all``.
    ``workarounds=False`` keeps two libzt 1.8.4 bugs that the worker otherwise
    patches around (see official_worker.py). ``workdir`` is a private temporary
    directory (the worker's CWD; a good place for an ``init_from_storage`` home),
    removed on close unless ``keep_files`` or $LIBZT_KEEP_WORKER_FILES.
    """

    def __init__(
        self,
        paths: Optional[OfficialPaths],
        prefix: Sequence[str] = (),
        name: str = "official",
        default_timeout: float = 30.0,
        start_timeout: float = 30.0,
        verbose: bool = False,
        keep_files: Optional[bool] = None,
        workarounds: bool = True,
        flavor: str = "official",
    ) -> None:
        self.paths = paths
        self.flavor = flavor
        self.prefix = list(prefix)
        self.name = name
        self.default_timeout = default_timeout
        self.keep_files = bool(os.environ.get("LIBZT_KEEP_WORKER_FILES")) if keep_files is None else keep_files
        self.workdir = Path(tempfile.mkdtemp(prefix=f"libzt-{name}-"))
        self.log_path = self.workdir / "worker.log"
        self._ids = itertools.count(1)
        self._pending: Dict[int, Future[Dict[str, Any]]] = {}
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._dead: Optional[str] = None
        self._closed = False
        self._roots_set = False
        self._ready: Future[Dict[str, Any]] = Future()
        self._pending[0] = self._ready
        if flavor == "ours":
            lib_args = ["--flavor", "ours", "--lib", str(our_library())]
        else:
            if paths is None:
                raise ValueError("the official flavor needs OfficialPaths (ensure_official())")
            lib_args = ["--lib", str(paths.lib), "--stub", str(paths.stub)]
        argv = [*self.prefix, sys.executable, "-I", str(WORKER), *lib_args, "--name", name]
        if verbose:
            argv.append("--verbose")
        if not workarounds:
            argv.append("--no-workarounds")
        self._log: IO[bytes] = self.log_path.open("wb")
        try:
            self.proc = subprocess.Popen(
                argv,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self._log,
                cwd=str(self.workdir),
                start_new_session=True,
            )
        except BaseException:
            self._log.close()
            shutil.rmtree(self.workdir, ignore_errors=True)
            raise
        self._reader = threading.Thread(target=self._read_loop, name=f"{name}-reader", daemon=True)
        self._reader.start()
        try:
            reply = self._wait(self._ready, "start", start_timeout)
        except BaseException:
            self.close()
            raise
        self.pid: int = int(reply["result"]["pid"])

    # --- plumbing -------------------------------------------------------------------

    def __enter__(self) -> OfficialNode:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<OfficialNode {self.name} pid={self.proc.pid}>"

    def log_tail(self, chars: int = 4000) -> str:
        try:
            data = self.log_path.read_bytes()
        except OSError:
            return ""
        return data[-chars:].decode("utf-8", "replace")

    def _read_loop(self) -> None:
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            try:
                reply = json.loads(raw)
            except ValueError:
                continue
            with self._lock:
                fut = self._pending.pop(reply.get("id"), None)
            if fut is not None and not fut.done():
                fut.set_result(reply)
        code = self.proc.wait()
        with self._lock:
            self._dead = f"worker {self.name} exited with code {code}"
            pending = list(self._pending.values())
            self._pending.clear()
        for fut in pending:
            if not fut.done():
                fut.set_exception(WorkerError(f"{self._dead}; log tail:\n{self.log_tail()}"))

    def _wait(self, fut: Future[Dict[str, Any]], cmd: str, timeout: float) -> Dict[str, Any]:
        try:
            reply = fut.result(timeout)
        except FutureTimeout:
            raise WorkerTimeout(
                f"{self.name}: {cmd} got no reply within {timeout}s; log tail:\n{self.log_tail()}"
            ) from None
        if not reply.get("ok"):
            raise WorkerError(f"{self.name}: {cmd}: {reply.get('error')}")
        return reply

    def submit(self, cmd: str, **args: Any) -> Future[Dict[str, Any]]:
        """Send a request; the future resolves to the whole reply (result, errno)."""
        fut: Future[Dict[str, Any]] = Future()
        with self._lock:
            if self._dead or self._closed:
                raise WorkerError(self._dead or f"{self.name} is closed")
            rid = next(self._ids)
            self._pending[rid] = fut
        line = json.dumps({"id": rid, "cmd": cmd, "args": args}) + "\n"
        try:
            assert self.proc.stdin is not None
            with self._write_lock:
                self.proc.stdin.write(line.encode())
                self.proc.stdin.flush()
        except (BrokenPipeError, OSError) as exc:
            with self._lock:
                self._pending.pop(rid, None)
            raise WorkerError(f"{self.name}: cannot send {cmd}: {exc}; log tail:\n{self.log_tail()}") from exc
        return fut

    def result(self, fut: Future[Dict[str, Any]], cmd: str = "request", timeout: Optional[float] = None) -> Any:
        """Wait for a submitted call and return its result."""
        return self._wait(fut, cmd, self.default_timeout if timeout is None else timeout)["result"]

    def call_reply(self, cmd: str, timeout: Optional[float] = None, **args: Any) -> Dict[str, Any]:
        return self._wait(self.submit(cmd, **args), cmd, self.default_timeout if timeout is None else timeout)

    def call(self, cmd: str, timeout: Optional[float] = None, **args: Any) -> Any:
        return self.call_reply(cmd, timeout=timeout, **args)["result"]

    def _status(self, cmd: str, check: bool, timeout: Optional[float] = None, **args: Any) -> int:
        reply = self.call_reply(cmd, timeout=timeout, **args)
        ret = int(reply["result"])
        if check and ret < 0:
            raise ZtsError(cmd, ret, int(reply.get("errno", 0)))
        return ret

    def close(self, grace: float = 2.0) -> Optional[int]:
        """End the worker: EOF on stdin, then SIGKILL to its process group. Idempotent."""
        if self._closed:
            return self.proc.returncode
        self._closed = True
        try:
            if self.proc.stdin is not None:
                self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(grace)
        except subprocess.TimeoutExpired:
            # Still running (a blocked libzt call, or a prefix tool that forked): the
            # worker leads its own session, so kill its whole process group. Only
            # while it is alive: a reaped leader's id may belong to someone else.
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                self.proc.kill()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self._reader.join(5)
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        self._log.close()
        if not self.keep_files:
            shutil.rmtree(self.workdir, ignore_errors=True)
        return self.proc.returncode

    # --- identities and worlds ------------------------------------------------------

    def id_new(self) -> Dict[str, str]:
        """{"secret", "public", "address"} of a fresh identity (zts_id_new)."""
        return dict(self.call("id_new"))

    def id_pair_is_valid(self, key: str) -> int:
        return int(self.call("id_pair_is_valid", key=key))

    def util_sign_root_set(
        self,
        roots: Sequence[Dict[str, Any]],
        world_id: int,
        ts: int,
        previous: Optional[bytes] = None,
        current: Optional[bytes] = None,
    ) -> Dict[str, bytes]:
        """Sign a planet naming ``roots`` ([{"identity": public, "endpoints": ["ip/port"]}]).

        ``previous``/``current`` are 128-byte C25519 pairs (pub || priv); without
        them the library makes a fresh pair. Returns world, previous and current bytes.
        """
        res = self.call(
            "util_sign_root_set",
            roots=[{"identity": r["identity"], "endpoints": list(r.get("endpoints", []))} for r in roots],
            id=int(world_id),
            ts=int(ts),
            previous=previous.hex() if previous is not None else None,
            current=current.hex() if current is not None else None,
        )
        return {k: bytes.fromhex(v) for k, v in res.items()}

    # --- initialisation -------------------------------------------------------------

    def init_from_storage(self, path: Union[str, Path], check: bool = True) -> int:
        return self._status("init_from_storage", check, path=str(path))

    def init_from_memory(self, key: str, check: bool = True) -> int:
        return self._status("init_from_memory", check, key=key)

    def init_set_roots(self, data: bytes, check: bool = True) -> int:
        ret = self._status("init_set_roots", check, data=data.hex())
        self._roots_set = self._roots_set or ret == ZTS_ERR_OK
        return ret

    def init_set_port(self, port: int, check: bool = True) -> int:
        return self._status("init_set_port", check, port=port)

    def init_set_random_port_range(self, start_port: int, end_port: int, check: bool = True) -> int:
        return self._status("init_set_random_port_range", check, start_port=start_port, end_port=end_port)

    def init_blacklist_if(self, prefix: str, check: bool = True) -> int:
        return self._status("init_blacklist_if", check, prefix=prefix)

    def init_allow_secondary_port(self, allowed: bool, check: bool = True) -> int:
        return self._status("init_allow_secondary_port", check, allowed=int(allowed))

    def init_set_tcp_relay(self, ip: str, port: int, check: bool = True) -> int:
        return self._status("init_set_tcp_relay", check, ip=ip, port=port)

    def init_allow_tcp_relay(self, allowed: bool, check: bool = True) -> int:
        return self._status("init_allow_tcp_relay", check, allowed=int(allowed))

    def init_force_tcp_relay(self, enabled: bool, check: bool = True) -> int:
        return self._status("init_force_tcp_relay", check, enabled=int(enabled))

    def init_allow_port_mapping(self, allowed: bool, check: bool = True) -> int:
        return self._status("init_allow_port_mapping", check, allowed=int(allowed))

    def init_allow_net_cache(self, allowed: bool, check: bool = True) -> int:
        return self._status("init_allow_net_cache", check, allowed=int(allowed))

    def init_allow_peer_cache(self, allowed: bool, check: bool = True) -> int:
        return self._status("init_allow_peer_cache", check, allowed=int(allowed))

    def init_allow_roots_cache(self, allowed: bool, check: bool = True) -> int:
        return self._status("init_allow_roots_cache", check, allowed=int(allowed))

    def init_allow_id_cache(self, allowed: bool, check: bool = True) -> int:
        return self._status("init_allow_id_cache", check, allowed=int(allowed))

    def init_set_event_handler(self, check: bool = True) -> int:
        """Done by node_start() anyway; explicit call for tests of init ordering."""
        return self._status("init_set_event_handler", check)

    # --- node -----------------------------------------------------------------------

    def node_start(self, check: bool = True, allow_default_planet: bool = False) -> int:
        """Start the node. Refused unless init_set_roots was called first: with
        ZeroTier's built-in planet the node would try to reach ZeroTier's public
        roots (outside a namespace, that traffic would leave the machine). Pass
        allow_default_planet=True when the storage directory already holds a world
        of the test's own, or inside a namespace on purpose."""
        if not (self._roots_set or allow_default_planet):
            raise WorkerError(f"{self.name}: node_start without init_set_roots (see allow_default_planet)")
        return self._status("node_start", check)

    def node_is_online(self) -> int:
        return int(self.call("node_is_online"))

    def node_get_id(self) -> str:
        """The 10-hex-digit node address."""
        return str(self.call("node_get_id"))

    def node_get_port(self) -> int:
        return int(self.call("node_get_port"))

    def node_get_id_pair(self) -> str:
        return str(self.call("node_get_id_pair"))

    def node_stop(self, check: bool = True) -> int:
        return self._status("node_stop", check)

    def node_free(self, check: bool = True) -> int:
        return self._status("node_free", check)

    def moon_orbit(self, moon_id: Union[int, str], seed: Union[int, str], check: bool = True) -> int:
        """IDs as ints or hex strings (the moon's world ID, the seed root's node address)."""
        return self._status("moon_orbit", check, moon_id=moon_id, seed=seed)

    def moon_deorbit(self, moon_id: Union[int, str], check: bool = True) -> int:
        return self._status("moon_deorbit", check, moon_id=moon_id)

    def wait_online(self, timeout: float = 30.0) -> Dict[str, Any]:
        """Wait for NODE_ONLINE (about 5 s after start with the official node)."""
        return self.wait_event(ZTS_EVENT_NODE_ONLINE, timeout=timeout)

    # --- networks -------------------------------------------------------------------

    def net_join(self, net_id: NetId, check: bool = True) -> int:
        return self._status("net_join", check, net_id=_net(net_id))

    def net_leave(self, net_id: NetId, check: bool = True) -> int:
        return self._status("net_leave", check, net_id=_net(net_id))

    def net_transport_is_ready(self, net_id: NetId) -> int:
        return int(self.call("net_transport_is_ready", net_id=_net(net_id)))

    def addr_get_str(self, net_id: NetId, family: int = 4) -> Optional[str]:
        """The first assigned address of that family, or None (ZTS_ERR_NO_RESULT...)."""
        res = self.call("addr_get_str", net_id=_net(net_id), family=family)
        return res["addr"]

    def core_query_path_count(self, peer_id: Union[int, str]) -> int:
        """Raw return value. NB: always ZTS_ERR_NO_RESULT in 1.8.4 (a TODO there)."""
        return int(self.call("core_query_path_count", peer_id=peer_id))

    def core_query_path(self, peer_id: Union[int, str], idx: int) -> Dict[str, Any]:
        return dict(self.call("core_query_path", peer_id=peer_id, idx=idx))

    # --- events ---------------------------------------------------------------------

    def events(self) -> List[Dict[str, Any]]:
        """Events received since the last call (drained)."""
        return list(self.call("events"))

    def event_history(self) -> List[Dict[str, Any]]:
        """Every event since start (not drained); each has a ``seq``."""
        return list(self.call("event_history"))

    def wait_event(
        self,
        code: int,
        timeout: float = 30.0,
        since: int = 0,
        match: Optional[Dict[str, Any]] = None,
    ) -> Dict[str, Any]:
        """First event with ``code`` (and seq >= since, fields matching ``match``).

        Waits on a condition in the worker; raises WorkerTimeout listing the events
        seen if none arrives within ``timeout``.
        """
        # The worker waits `timeout`; the reply itself gets a margin on top.
        res = self.call_reply(
            "wait_event",
            timeout=timeout + 10.0,
            code=int(code),
            seconds=timeout,
            since=int(since),
            match=match or {},
        )["result"]
        if res is None:
            seen = [(e["seq"], e["name"]) for e in self.event_history()]
            raise WorkerTimeout(f"{self.name}: no event {code} within {timeout}s; events so far: {seen}")
        return dict(res)

    # --- sockets --------------------------------------------------------------------

    def _sock(self, cmd: str, check: bool, timeout: Optional[float], **args: Any) -> int:
        return self._status(cmd, check, timeout=timeout, **args)

    def bsd_socket(self, family: int = 4, type: int = ZTS_SOCK_STREAM, protocol: int = 0, check: bool = True) -> int:
        return self._sock("bsd_socket", check, None, family=family, type=type, protocol=protocol)

    def bind(self, fd: int, ip: str, port: int, check: bool = True) -> int:
        return self._sock("bind", check, None, fd=fd, ip=ip, port=port)

    def listen(self, fd: int, backlog: int = 8, check: bool = True) -> int:
        return self._sock("listen", check, None, fd=fd, backlog=backlog)

    def tcp_server(self, ip: str, port: int, timeout: Optional[float] = None, check: bool = True) -> Dict[str, Any]:
        """zts_tcp_server: {"fd", "ip", "port"} of the one client (blocks; see submit("tcp_server", ...)).
        Broken in 1.8.4."""
        reply = self.call_reply("tcp_server", timeout=timeout, ip=ip, port=port)
        res = dict(reply["result"])
        if check and res["fd"] < 0:
            raise ZtsError("tcp_server", res["fd"], int(reply.get("errno", 0)))
        return res

    def accept(self, fd: int, timeout: Optional[float] = None, check: bool = True) -> Dict[str, Any]:
        """{"fd", "ip", "port"} (blocks; see submit("accept", fd=...) to overlap)."""
        reply = self.call_reply("accept", timeout=timeout, fd=fd)
        res = dict(reply["result"])
        if check and res["fd"] < 0:
            raise ZtsError("accept", res["fd"], int(reply.get("errno", 0)))
        return res

    def connect(self, fd: int, ip: str, port: int, timeout_ms: int = 10000, check: bool = True) -> int:
        return self._sock("connect", check, timeout_ms / 1000.0 + 30.0, fd=fd, ip=ip, port=port, timeout_ms=timeout_ms)

    def getsockname(self, fd: int) -> Dict[str, Any]:
        return dict(self.call("getsockname", fd=fd))

    def getpeername(self, fd: int) -> Dict[str, Any]:
        return dict(self.call("getpeername", fd=fd))

    def tcp_client(self, ip: str, port: int, check: bool = True) -> int:
        """zts_tcp_client: a connected descriptor (it retries up to 30 s). Broken in 1.8.4."""
        return self._sock("tcp_client", check, 60.0, ip=ip, port=port)

    def udp_server(self, ip: str, port: int, check: bool = True) -> int:
        return self._sock("udp_server", check, None, ip=ip, port=port)

    def udp_client(self, ip: str, check: bool = True) -> int:
        return self._sock("udp_client", check, None, ip=ip)

    def send(self, fd: int, data: bytes, flags: int = 0, check: bool = True) -> int:
        return self._sock("send", check, None, fd=fd, data=data.hex(), flags=flags)

    def recv(self, fd: int, n: int = 65536, flags: int = 0, timeout: Optional[float] = None) -> bytes:
        reply = self.call_reply("recv", timeout=timeout, fd=fd, n=n, flags=flags)
        res = reply["result"]
        if res["ret"] < 0:
            raise ZtsError("recv", res["ret"], int(reply.get("errno", 0)))
        return bytes.fromhex(res["data"])

    def close_fd(self, fd: int, check: bool = True) -> int:
        """zts_close (named close_fd: close() ends the worker)."""
        return self._sock("close", check, None, fd=fd)

    def shutdown_wr(self, fd: int, check: bool = True) -> int:
        return self._sock("shutdown_wr", check, None, fd=fd)

    def set_no_delay(self, fd: int, enabled: bool = True, check: bool = True) -> int:
        return self._sock("set_no_delay", check, None, fd=fd, enabled=int(enabled))

    def set_recv_timeout(self, fd: int, seconds: int, microseconds: int = 0, check: bool = True) -> int:
        return self._sock("set_recv_timeout", check, None, fd=fd, seconds=seconds, microseconds=microseconds)

    def set_blocking(self, fd: int, enabled: bool = True, check: bool = True) -> int:
        return self._sock("set_blocking", check, None, fd=fd, enabled=int(enabled))

    def bsd_sendto(self, fd: int, data: bytes, ip: str, port: int, flags: int = 0, check: bool = True) -> int:
        return self._sock("bsd_sendto", check, None, fd=fd, data=data.hex(), ip=ip, port=port, flags=flags)

    def bsd_connect(self, fd: int, ip: str, port: int, check: bool = True) -> int:
        return self._sock("bsd_connect", check, None, fd=fd, ip=ip, port=port)

    def setsockopt_int(self, fd: int, level: int, name: int, value: int, check: bool = True) -> int:
        return self._sock("setsockopt_int", check, None, fd=fd, level=level, name=name, value=value)

    def bsd_recvfrom(self, fd: int, n: int = 65536, flags: int = 0, timeout: Optional[float] = None) -> Dict[str, Any]:
        """{"ret", "data" (bytes), "ip", "port"}."""
        res = dict(self.call("bsd_recvfrom", timeout=timeout, fd=fd, n=n, flags=flags))
        res["data"] = bytes.fromhex(res["data"])
        return res

    def send_bytes(
        self,
        fd: int,
        n: int,
        seed: int = 0,
        then: Optional[str] = "close",
        timeout: Optional[float] = None,
        digest: bool = True,
    ) -> Dict[str, Any]:
        """Send n bytes of random.Random(seed) from inside the worker; then close/shutdown.
        ``digest=False``: zeros and no SHA-256 (benchmarks)."""
        return dict(self.call("send_bytes", timeout=timeout, fd=fd, n=n, seed=seed, then=then, digest=digest))

    def recv_all(self, fd: int, close: bool = True, timeout: Optional[float] = None) -> Dict[str, Any]:
        """recv until EOF inside the worker: {"len", "sha256", "ret", "errno", "seconds"}."""
        return dict(self.call("recv_all", timeout=timeout, fd=fd, close=close))

    def ping(self) -> Dict[str, Any]:
        return dict(self.call("ping"))


def adhoc_net_id(start_port: int, end_port: int) -> str:
    """ID of a controller-less ("ad-hoc") network, as zts_net_compute_adhoc_id makes it.

    Members configure themselves (6PLANE IPv6 addresses, public network) and only
    traffic to ports in [start_port, end_port] is allowed on it.
    """
    return f"ff{start_port:04x}{end_port:04x}000000"


def expected_bytes(n: int, seed: int = 0) -> bytes:
    """The bytes ``send_bytes(n, seed)`` sends (for checking a receiver of ours)."""
    import random

    return random.Random(seed).randbytes(n) if n else b""


def wait_until(predicate: Any, timeout: float, interval: float = 0.05, what: str = "condition") -> Any:
    """Poll a real condition until it holds (returns its truthy value) or time runs out."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise TimeoutError(f"{what} not reached within {timeout}s")
        time.sleep(interval)


class OurNode(OfficialNode):
    """One node of OUR library in its own worker process, driven by the same commands as
    ``OfficialNode`` (our native module exports the same zts_* API), plus our extensions."""

    def __init__(self, prefix: Sequence[str] = (), name: str = "ours", **kwargs: Any) -> None:
        super().__init__(None, prefix=prefix, name=name, flavor="ours", **kwargs)

    def init_allow_loopback_paths(self, allowed: bool = True, check: bool = True) -> int:
        return self._status("init_allow_loopback_paths", check, allowed=int(allowed))

    def init_set_protocol_version(self, version: int, check: bool = True) -> int:
        return self._status("init_set_protocol_version", check, version=version)

    def init_set_peer_limits(self, idle_timeout_ms: int = 0, max_peers: int = 0, check: bool = True) -> int:
        return self._status("init_set_peer_limits", check, idle_timeout_ms=idle_timeout_ms, max_peers=max_peers)

    def node_send_user_message(self, peer_id: Union[int, str], msg_type: int, data: bytes = b"",
                               check: bool = True) -> int:
        return self._status("node_send_user_message", check, peer_id=peer_id, type=msg_type, data=data.hex())

    def node_ping(self, peer_id: Union[int, str], data: bytes = b"", check: bool = True) -> int:
        return self._status("node_ping", check, peer_id=peer_id, data=data.hex())

    def ping_until_answered(self, peer_id: str, data: bytes = b"", attempts: int = 8) -> Dict[str, Any]:
        """The first ECHO_REPLY event from ``peer_id``. A root relays only to a peer whose path it
        has confirmed (an OK from there, as in ZeroTier One), which can lag just behind the peer's
        coming online: a ping relayed before that is dropped, and ZeroTier does not resend it. So
        ping again."""
        for attempt in range(attempts):
            self.node_ping(peer_id, data)
            try:
                return self.wait_event(EVENT_ECHO_REPLY, timeout=3, match={"echo.peer_id": peer_id})
            except WorkerTimeout:
                if attempt == attempts - 1:
                    raise
        raise AssertionError("unreachable")

    def node_get_stats(self) -> Dict[str, Any]:
        return dict(self.call("node_get_stats"))

    def node_get_ports(self) -> Dict[str, int]:
        """Our UDP ports: {"primary", "secondary", "mapping"} (0 where none is bound)."""
        return dict(self.call("node_get_ports"))

    def node_get_port_mapping(self) -> Dict[str, str]:
        """The router's mapping of our port-mapping port: {"address": "ip/port", "method": ...}, empty if none."""
        return dict(self.call("node_get_port_mapping"))

    def init_set_secondary_port_rebind_after(self, ms: int, check: bool = True) -> int:
        return self._status("init_set_secondary_port_rebind_after", check, ms=ms)

    def init_set_tcp_relay_after(self, ms: int, check: bool = True) -> int:
        return self._status("init_set_tcp_relay_after", check, ms=ms)

    def node_tcp_relay_active(self) -> int:
        return int(self.call("node_tcp_relay_active"))

    def init_set_port_mapping_refresh(self, ms: int, check: bool = True) -> int:
        return self._status("init_set_port_mapping_refresh", check, ms=ms)

    def tap_enable(self, net_id: NetId, enabled: bool = True) -> int:
        return self._status("tap_enable", True, net_id=_net(net_id), enabled=int(enabled))

    def tap_write(self, net_id: NetId, frame: bytes, check: bool = True) -> int:
        return self._status("tap_write", check, net_id=_net(net_id), frame=frame.hex())

    def tap_read(self, net_id: NetId, timeout: float = 5.0) -> Optional[bytes]:
        """The next Ethernet frame the network delivered to this node, or None after `timeout`."""
        res = self.call("tap_read", timeout=timeout + 10.0, net_id=_net(net_id), timeout_ms=int(timeout * 1000))
        return None if res is None else bytes.fromhex(res)
