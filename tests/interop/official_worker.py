"""Run ONE official libzt 1.8.4 node in this process and serve JSON-lines requests.

Started by ``official.OfficialNode`` (never imported by the tests). Protocol:

* stdin: one JSON object per line: ``{"id": int, "cmd": str, "args": {...}}``.
* stdout: one JSON object per line. The first is ``{"id": 0, "ok": true, "result":
  {"ready": ...}}`` once the library is loaded; then exactly one reply per request:
  ``{"id": int, "ok": true, "result": ..., "errno": int}`` or
  ``{"id": int, "ok": false, "error": str}``. Replies can come out of order: every
  request runs in its own thread, so a blocking ``accept`` or ``recv_all`` does not
  stall other commands. ``errno`` is ``zts_errno`` read right after the call
  (a process-wide global in libzt, so only meaningful when calls don't overlap).
* stderr: logs. The library's own prints also go there: fd 1 is redirected to fd 2
  before the library is loaded, and the protocol uses a private duplicate of stdout.

Commands are named after the C calls without the ``zts_`` prefix. Binary data
travels as hex. Node and network IDs are accepted as ints or hex strings and
returned as hex strings (10 and 16 digits). On stdin EOF the process gives running
requests up to 1 s, then exits with ``os._exit`` (libzt's threads make an orderly
interpreter shutdown unreliable).

Two bugs of libzt 1.8.4 are worked around unless ``--no-workarounds`` is given, so
that the official node is a dependable reference peer:

* the event thread can miss its start flag and deliver no event at all
  (``cmd_node_start``);
* IPv6 frames enter lwIP without its core lock, so IPv6 TCP corrupts memory or
  stalls (``Worker.fix_ipv6_input``, applied when an IPv6 address is assigned).

Standard library only; Python 3.9+.
"""

from __future__ import annotations

import argparse
import ctypes
import hashlib
import json
import logging
import os
import random
import sys
import tempfile
import threading
import time
import traceback
from ctypes import (
    CFUNCTYPE,
    POINTER,
    Structure,
    byref,
    c_char,
    c_char_p,
    c_float,
    c_int,
    c_int16,
    c_int64,
    c_size_t,
    c_ssize_t,
    c_uint,
    c_uint8,
    c_uint16,
    c_uint32,
    c_uint64,
    c_ulong,
    c_ushort,
    c_void_p,
)
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Union

log = logging.getLogger("official_worker")

# --- constants of ZeroTierSockets.h (1.8.4) -------------------------------------------

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

ZTS_ID_STR_BUF_LEN = 384  # ZT_IDENTITY_STRING_BUFFER_LENGTH
ZTS_INET6_ADDRSTRLEN = 46
ZTS_MAX_NETWORK_SHORT_NAME_LENGTH = 127
ZTS_MAX_NETWORK_ROUTES = 32
ZTS_MAX_ASSIGNED_ADDRESSES = 16
ZTS_MAX_PEER_NETWORK_PATHS = 16
ZTS_MAX_MULTICAST_SUBSCRIPTIONS = 1024
ZTS_MAX_NUM_ROOTS = 16
ZTS_MAX_ENDPOINTS_PER_ROOT = 32
ZTS_SHUT_WR = 1
ZTS_STATE_CALLBACKS_RUNNING = 0x08  # src/Events.hpp
EVENT_NETWORK_READY_IP6 = 216
EVENT_ADDR_ADDED_IP6 = 262
NETIF_SCAN_WORDS = 40

EVENT_NAMES: Dict[int, str] = {
    200: "NODE_UP",
    201: "NODE_ONLINE",
    202: "NODE_OFFLINE",
    203: "NODE_DOWN",
    204: "NODE_FATAL_ERROR",
    210: "NETWORK_NOT_FOUND",
    211: "NETWORK_CLIENT_TOO_OLD",
    212: "NETWORK_REQ_CONFIG",
    213: "NETWORK_OK",
    214: "NETWORK_ACCESS_DENIED",
    215: "NETWORK_READY_IP4",
    216: "NETWORK_READY_IP6",
    217: "NETWORK_READY_IP4_IP6",
    218: "NETWORK_DOWN",
    219: "NETWORK_UPDATE",
    220: "STACK_UP",
    221: "STACK_DOWN",
    230: "NETIF_UP",
    231: "NETIF_DOWN",
    232: "NETIF_REMOVED",
    233: "NETIF_LINK_UP",
    234: "NETIF_LINK_DOWN",
    240: "PEER_DIRECT",
    241: "PEER_RELAY",
    242: "PEER_UNREACHABLE",
    243: "PEER_PATH_DISCOVERED",
    244: "PEER_PATH_DEAD",
    250: "ROUTE_ADDED",
    251: "ROUTE_REMOVED",
    260: "ADDR_ADDED_IP4",
    261: "ADDR_REMOVED_IP4",
    262: "ADDR_ADDED_IP6",
    263: "ADDR_REMOVED_IP6",
    270: "STORE_IDENTITY_SECRET",
    271: "STORE_IDENTITY_PUBLIC",
    272: "STORE_PLANET",
    273: "STORE_PEER",
    274: "STORE_NETWORK",
}

# --- structures (layouts of ZeroTierSockets.h 1.8.4, x86_64) --------------------------


class SockaddrStorage(Structure):
    _fields_ = [
        ("s2_len", c_uint8),
        ("ss_family", c_uint8),
        ("s2_data1", c_char * 2),
        ("s2_data2", c_uint32 * 3),
        ("s2_data3", c_uint32 * 3),
    ]


class NodeInfo(Structure):
    _fields_ = [
        ("node_id", c_uint64),
        ("port_primary", c_uint16),
        ("port_secondary", c_uint16),
        ("port_tertiary", c_uint16),
        ("ver_major", c_uint8),
        ("ver_minor", c_uint8),
        ("ver_rev", c_uint8),
    ]


class AddrInfo(Structure):
    _fields_ = [("net_id", c_uint64), ("addr", SockaddrStorage)]


class RouteInfo(Structure):
    _fields_ = [
        ("target", SockaddrStorage),
        ("via", SockaddrStorage),
        ("flags", c_uint16),
        ("metric", c_uint16),
    ]


class MulticastSub(Structure):
    _fields_ = [("mac", c_uint64), ("adi", c_uint32)]


class NetInfo(Structure):
    _fields_ = [
        ("net_id", c_uint64),
        ("mac", c_uint64),
        ("name", c_char * (ZTS_MAX_NETWORK_SHORT_NAME_LENGTH + 1)),
        ("status", c_int),
        ("type", c_int),
        ("mtu", c_uint),
        ("dhcp", c_int),
        ("bridge", c_int),
        ("broadcast_enabled", c_int),
        ("port_error", c_int),
        ("netconf_rev", c_ulong),
        ("assigned_addr_count", c_uint),
        ("assigned_addrs", SockaddrStorage * ZTS_MAX_ASSIGNED_ADDRESSES),
        ("route_count", c_uint),
        ("routes", RouteInfo * ZTS_MAX_NETWORK_ROUTES),
        ("multicast_sub_count", c_uint),
        ("multicast_subs", MulticastSub * ZTS_MAX_MULTICAST_SUBSCRIPTIONS),
    ]


class NetifInfo(Structure):
    _fields_ = [("net_id", c_uint64), ("mac", c_uint64), ("mtu", c_int)]


class PathInfo(Structure):
    _fields_ = [
        ("address", SockaddrStorage),
        ("last_tx", c_uint64),
        ("last_rx", c_uint64),
        ("trusted_path_id", c_uint64),
        ("latency", c_float),
        ("unused_0", c_float),
        ("unused_1", c_float),
        ("unused_2", c_float),
        ("unused_3", c_float),
        ("unused_4", c_float),
        ("unused_5", c_uint64),
        ("unused_6", c_uint64),
        ("unused_7", c_float),
        ("ifname", c_void_p),
        ("expired", c_int),
        ("preferred", c_int),
    ]


class PeerInfo(Structure):
    _fields_ = [
        ("peer_id", c_uint64),
        ("ver_major", c_int),
        ("ver_minor", c_int),
        ("ver_rev", c_int),
        ("latency", c_int),
        ("role", c_int),
        ("path_count", c_uint),
        ("unused_0", c_int),
        ("paths", PathInfo * ZTS_MAX_PEER_NETWORK_PATHS),
    ]


class EventMsg(Structure):
    _fields_ = [
        ("event_code", c_int16),
        ("node", POINTER(NodeInfo)),
        ("network", POINTER(NetInfo)),
        ("netif", POINTER(NetifInfo)),
        ("route", POINTER(RouteInfo)),
        ("peer", POINTER(PeerInfo)),
        ("addr", POINTER(AddrInfo)),
        ("cache", c_void_p),
        ("len", c_int),
    ]


class RootSet(Structure):
    _fields_ = [
        ("public_id_str", c_char_p * ZTS_MAX_NUM_ROOTS),
        ("endpoint_ip_str", (c_char_p * ZTS_MAX_ENDPOINTS_PER_ROOT) * ZTS_MAX_NUM_ROOTS),
    ]


EVENT_FN = CFUNCTYPE(None, c_void_p)

# --- this project's library ("ours"): the same API and struct layouts, plus ztx_* events ---

EVENT_USER_MESSAGE = 300  # ZTX_EVENT_USER_MESSAGE
EVENT_ECHO_REPLY = 301  # ZTX_EVENT_ECHO_REPLY
EVENT_NAMES[EVENT_USER_MESSAGE] = "USER_MESSAGE"
EVENT_NAMES[EVENT_ECHO_REPLY] = "ECHO_REPLY"


class UserMessage(Structure):
    _fields_ = [("peer_id", c_uint64), ("type", c_uint64), ("data", c_void_p), ("len", c_size_t)]


class EchoReply(Structure):
    _fields_ = [("peer_id", c_uint64), ("rtt_ms", c_int), ("data", c_void_p), ("len", c_size_t)]


class NodeStats(Structure):
    _fields_ = [
        *(
            (name, c_uint64)
            for name in (
                "rx_datagrams rx_packets tx_datagrams tx_packets relayed junk drop_malformed drop_auth "
                "drop_unknown_peer drop_rate_limited drop_unexpected drop_path drop_relay drop_fragment "
                "drop_queue_full drop_oversized send_errors"
            ).split()
        ),
        ("rx_suite", c_uint64 * 4),
        ("tx_suite", c_uint64 * 4),
        ("frames_in", c_uint64),
        ("frames_out", c_uint64),
        ("frames_dropped", c_uint64),
        *((name, c_uint64)
          for name in "peers peer_bytes peers_expired peers_refused whois_sent rendezvous_sent udp_offload_sent "
                       "udp_offload_received".split()),
    ]


OUR_PROTOTYPES: Dict[str, Any] = {
    "zts_errno_location": (POINTER(c_int), []),
    "ztx_init_allow_loopback_paths": (c_int, [c_int]),
    "ztx_init_set_protocol_version": (c_int, [c_int]),
    "ztx_init_set_peer_limits": (c_int, [c_int64, c_uint64]),
    "ztx_node_send_user_message": (c_int, [c_uint64, c_uint64, c_void_p, c_size_t]),
    "ztx_node_ping": (c_int, [c_uint64, c_void_p, c_size_t]),
    "ztx_node_get_stats": (c_int, [POINTER(NodeStats)]),
    "ztx_node_get_ports": (c_int, [POINTER(c_ushort), POINTER(c_ushort), POINTER(c_ushort)]),
    "ztx_node_get_port_mapping": (c_int, [c_char_p, c_uint, c_char_p, c_uint]),
    "ztx_init_set_port_mapping_refresh": (c_int, [c_uint]),
    "ztx_init_set_tcp_relay_after": (c_int, [c_uint]),
    "ztx_init_set_secondary_port_rebind_after": (c_int, [c_uint]),
    # In ZeroTierSockets.h but not exported by the official 1.8.4 build.
    "zts_init_set_tcp_relay": (c_int, [c_char_p, c_ushort]),
    "zts_init_allow_tcp_relay": (c_int, [c_int]),
    "zts_init_force_tcp_relay": (c_int, [c_int]),
    "ztx_node_tcp_relay_active": (c_int, []),
    "ztx_tap_enable": (c_int, [c_uint64, c_int]),
    "ztx_tap_write": (c_int, [c_uint64, c_void_p, c_size_t]),
    "ztx_tap_read": (c_int, [c_uint64, c_void_p, POINTER(c_size_t), c_int]),
}
# Symbols of the official build that are lwIP internals, not API.
OFFICIAL_ONLY = {"sys_lock_tcpip_core", "sys_unlock_tcpip_core"}

# name -> (restype, argtypes). zts_tcp_server/zts_tcp_client are broken in 1.8.4 (they return what
# bind/connect returned, not the descriptor): tests drive them on our nodes only.
PROTOTYPES: Dict[str, Any] = {
    "zts_id_new": (c_int, [c_char_p, POINTER(c_uint)]),
    "zts_id_pair_is_valid": (c_int, [c_char_p, c_uint]),
    "zts_util_sign_root_set": (
        c_int,
        [
            c_void_p,
            POINTER(c_uint),
            c_void_p,
            POINTER(c_uint),
            c_void_p,
            POINTER(c_uint),
            c_uint64,
            c_uint64,
            POINTER(RootSet),
        ],
    ),
    "zts_init_from_storage": (c_int, [c_char_p]),
    "zts_init_from_memory": (c_int, [c_char_p, c_uint]),
    "zts_init_set_event_handler": (c_int, [c_void_p]),
    "zts_init_blacklist_if": (c_int, [c_char_p, c_uint]),
    "zts_init_set_roots": (c_int, [c_void_p, c_uint]),
    "zts_init_set_port": (c_int, [c_ushort]),
    "zts_init_set_random_port_range": (c_int, [c_ushort, c_ushort]),
    "zts_init_allow_secondary_port": (c_int, [c_uint]),
    "zts_init_allow_port_mapping": (c_int, [c_uint]),
    "zts_init_allow_net_cache": (c_int, [c_uint]),
    "zts_init_allow_peer_cache": (c_int, [c_uint]),
    "zts_init_allow_roots_cache": (c_int, [c_uint]),
    "zts_init_allow_id_cache": (c_int, [c_uint]),
    "zts_node_start": (c_int, []),
    "zts_node_is_online": (c_int, []),
    "zts_node_get_id": (c_uint64, []),
    "zts_node_get_port": (c_int, []),
    "zts_node_get_id_pair": (c_int, [c_char_p, POINTER(c_uint)]),
    "zts_node_stop": (c_int, []),
    "zts_node_free": (c_int, []),
    "zts_moon_orbit": (c_int, [c_uint64, c_uint64]),
    "zts_moon_deorbit": (c_int, [c_uint64]),
    "zts_net_join": (c_int, [c_uint64]),
    "zts_net_leave": (c_int, [c_uint64]),
    "zts_net_transport_is_ready": (c_int, [c_uint64]),
    "zts_addr_get_str": (c_int, [c_uint64, c_uint, c_char_p, c_uint]),
    "zts_core_lock_obtain": (c_int, []),
    "zts_core_lock_release": (c_int, []),
    "zts_core_query_path_count": (c_int, [c_uint64]),
    "zts_core_query_path": (c_int, [c_uint64, c_uint, c_char_p, c_uint]),
    "zts_bsd_socket": (c_int, [c_int, c_int, c_int]),
    "zts_bind": (c_int, [c_int, c_char_p, c_ushort]),
    "zts_listen": (c_int, [c_int, c_int]),
    "zts_accept": (c_int, [c_int, c_char_p, c_int, POINTER(c_ushort)]),
    "zts_connect": (c_int, [c_int, c_char_p, c_ushort, c_int]),
    "zts_send": (c_ssize_t, [c_int, c_void_p, c_size_t, c_int]),
    "zts_recv": (c_ssize_t, [c_int, c_void_p, c_size_t, c_int]),
    "zts_close": (c_int, [c_int]),
    "zts_shutdown_wr": (c_int, [c_int]),
    "zts_getsockname": (c_int, [c_int, c_char_p, c_int, POINTER(c_ushort)]),
    "zts_getpeername": (c_int, [c_int, c_char_p, c_int, POINTER(c_ushort)]),
    "zts_tcp_client": (c_int, [c_char_p, c_ushort]),
    "zts_tcp_server": (c_int, [c_char_p, c_ushort, c_char_p, c_int, POINTER(c_ushort)]),
    "zts_udp_server": (c_int, [c_char_p, c_ushort]),
    "zts_udp_client": (c_int, [c_char_p]),
    "zts_set_no_delay": (c_int, [c_int, c_int]),
    "zts_set_recv_timeout": (c_int, [c_int, c_int, c_int]),
    "zts_set_blocking": (c_int, [c_int, c_int]),
    "zts_bsd_sendto": (
        c_ssize_t,
        [c_int, c_void_p, c_size_t, c_int, POINTER(SockaddrStorage), c_uint32],
    ),
    "zts_bsd_recvfrom": (
        c_ssize_t,
        [c_int, c_void_p, c_size_t, c_int, POINTER(SockaddrStorage), POINTER(c_uint32)],
    ),
    "zts_util_ipstr_to_saddr": (c_int, [c_char_p, c_ushort, POINTER(SockaddrStorage), POINTER(c_uint32)]),
    "zts_util_ntop": (c_int, [POINTER(SockaddrStorage), c_uint32, c_char_p, c_int, POINTER(c_ushort)]),
    "zts_util_get_ip_family": (c_int, [c_char_p]),
    "zts_inet_pton": (c_int, [c_int, c_char_p, c_void_p]),
    "zts_inet_ntop": (c_char_p, [c_int, c_void_p, c_char_p, c_uint32]),
    "zts_ipaddr_aton": (c_int, [c_char_p, c_void_p]),
    "zts_ipaddr_ntoa": (c_char_p, [c_void_p]),
    # lwIP internals, for the IPv6 input workaround (see Worker.fix_ipv6_input).
    "sys_lock_tcpip_core": (None, []),
    "sys_unlock_tcpip_core": (None, []),
}


class CommandError(Exception):
    """Reported to the client as ``ok: false``."""


def _id_arg(value: Union[int, str]) -> int:
    if isinstance(value, int):
        return value
    return int(value, 16)


def _family_arg(value: Union[int, str]) -> int:
    if value in (4, "4", "inet", "AF_INET", ZTS_AF_INET):
        return ZTS_AF_INET
    if value in (6, "6", "inet6", "AF_INET6", ZTS_AF_INET6):
        return ZTS_AF_INET6
    raise CommandError(f"unknown address family {value!r}")


def _id_buffer(key: str) -> Any:
    """The identity string in a zero-padded buffer of exactly ZTS_ID_STR_BUF_LEN bytes."""
    raw = key.encode("ascii")
    if len(raw) >= ZTS_ID_STR_BUF_LEN:
        raise CommandError(f"identity string is {len(raw)} bytes, at most {ZTS_ID_STR_BUF_LEN - 1}")
    return ctypes.create_string_buffer(raw, ZTS_ID_STR_BUF_LEN)


def sockaddr_to_str(ss: SockaddrStorage) -> Optional[Dict[str, Any]]:
    """Decode a zts_sockaddr_storage (family, address, port in network order)."""
    raw = bytes(ss)
    family = raw[1]
    port = int.from_bytes(raw[2:4], "big")
    if family == ZTS_AF_INET:
        return {"family": 4, "ip": ".".join(str(b) for b in raw[4:8]), "port": port}
    if family == ZTS_AF_INET6:
        import ipaddress

        return {"family": 6, "ip": str(ipaddress.IPv6Address(raw[8:24])), "port": port}
    return None


class Worker:
    """Serves one node. ``flavor`` "official" loads libzt 1.8.4 behind its stub; "ours" loads this
    project's native module, which exports the same zts_* API (plus the ztx_* extensions), so the
    same commands and tests drive both."""

    def __init__(
        self, lib_path: str, stub_path: Optional[str], out: Any, workarounds: bool = True, flavor: str = "official"
    ) -> None:
        self.flavor = flavor
        self.ours = flavor == "ours"
        self.workarounds = workarounds and not self.ours
        self._out = out
        self._out_lock = threading.Lock()
        self._cwd_lock = threading.Lock()
        if not self.ours:
            if stub_path is None:
                raise ValueError("the official library needs its stub (--stub)")
            self.stub = ctypes.CDLL(stub_path, mode=os.RTLD_GLOBAL)
        self.lib = ctypes.CDLL(lib_path, mode=os.RTLD_GLOBAL | os.RTLD_LAZY)
        prototypes = {**PROTOTYPES, **(OUR_PROTOTYPES if self.ours else {})}
        for name, (restype, argtypes) in prototypes.items():
            if self.ours and name in OFFICIAL_ONLY:
                continue
            fn = getattr(self.lib, name)
            fn.restype = restype
            fn.argtypes = argtypes
        if self.ours:
            # Our zts_errno is per thread (like errno); read it on the calling thread.
            self._errno = None
        else:
            self.stub.libzt_test_event_forwarder_new.restype = c_void_p
            self.stub.libzt_test_event_forwarder_new.argtypes = [EVENT_FN]
            self.stub.libzt_test_set_lwip_hooks.restype = None
            self.stub.libzt_test_set_lwip_hooks.argtypes = [c_void_p, c_void_p, c_void_p, c_void_p]
            self.stub.libzt_test_set_lwip_hooks(
                ctypes.cast(self.lib.ethernet_input, c_void_p),
                ctypes.cast(self.lib.sys_lock_tcpip_core, c_void_p),
                ctypes.cast(self.lib.sys_unlock_tcpip_core, c_void_p),
                ctypes.addressof(c_uint8.in_dll(self.lib, "lock_tcpip_core")),
            )
            self._errno = c_int.in_dll(self.lib, "zts_errno")
        # Events: a history that is never cleared (wait_event searches it) and a
        # pending list that the `events` command drains.
        self._cond = threading.Condition()
        self._history: List[Dict[str, Any]] = []
        self._pending: List[Dict[str, Any]] = []
        self._event_fn = EVENT_FN(self._on_event)  # must stay referenced
        self._handler_set = False
        self.commands: Dict[str, Callable[..., Any]] = {
            name[4:]: getattr(self, name) for name in dir(self) if name.startswith("cmd_")
        }

    # --- plumbing -----------------------------------------------------------------

    def reply(self, obj: Dict[str, Any]) -> None:
        line = json.dumps(obj, separators=(",", ":")) + "\n"
        with self._out_lock:
            self._out.write(line)
            self._out.flush()

    def zts_errno(self) -> int:
        if self._errno is None:
            return int(self.lib.zts_errno_location()[0])
        return int(self._errno.value)

    def handle(self, req: Dict[str, Any]) -> None:
        rid = req.get("id")
        cmd = req.get("cmd")
        args = req.get("args") or {}
        fn = self.commands.get(str(cmd))
        if fn is None:
            self.reply({"id": rid, "ok": False, "error": f"unknown command {cmd!r}"})
            return
        started = time.monotonic()
        try:
            result = fn(**args)
        except CommandError as exc:
            self.reply({"id": rid, "ok": False, "error": str(exc)})
            return
        except Exception as exc:  # a bug in the worker or bad arguments
            log.error("command %s failed:\n%s", cmd, traceback.format_exc())
            self.reply({"id": rid, "ok": False, "error": f"{type(exc).__name__}: {exc}"})
            return
        log.debug("%s(%s) -> %r in %.3fs", cmd, args, result, time.monotonic() - started)
        self.reply({"id": rid, "ok": True, "result": result, "errno": self.zts_errno()})
        if cmd == "exit":
            self._out.flush()
            os._exit(int(result))

    # --- events -------------------------------------------------------------------

    def _on_event(self, msg_ptr: Optional[int]) -> None:
        # Runs on libzt's callback thread; must never raise.
        try:
            event = self._decode_event(msg_ptr)
        except Exception:
            log.error("cannot decode event:\n%s", traceback.format_exc())
            return
        if self.workarounds and event["code"] in (EVENT_ADDR_ADDED_IP6, EVENT_NETWORK_READY_IP6):
            try:
                event["ipv6_input_fixed"] = self.fix_ipv6_input()
            except Exception:
                log.error("fix_ipv6_input failed:\n%s", traceback.format_exc())
        with self._cond:
            event["seq"] = len(self._history)
            self._history.append(event)
            self._pending.append(event)
            self._cond.notify_all()
        log.info("event %s", event)

    def _decode_event(self, msg_ptr: Optional[int]) -> Dict[str, Any]:
        if not msg_ptr:
            return {"code": -1, "name": "NULL_MESSAGE", "t": time.monotonic()}
        msg = EventMsg.from_address(msg_ptr)
        code = int(msg.event_code)
        ev: Dict[str, Any] = {"code": code, "name": EVENT_NAMES.get(code, str(code)), "t": time.monotonic()}
        if msg.node:
            n = msg.node.contents
            ev["node"] = {
                "node_id": f"{n.node_id:010x}",
                "port_primary": n.port_primary,
                "port_secondary": n.port_secondary,
                "port_tertiary": n.port_tertiary,
                "version": [n.ver_major, n.ver_minor, n.ver_rev],
            }
        if msg.network:
            net = msg.network.contents
            count = min(int(net.assigned_addr_count), ZTS_MAX_ASSIGNED_ADDRESSES)
            addrs = []
            for i in range(count):
                a = sockaddr_to_str(net.assigned_addrs[i])
                if a is not None:
                    addrs.append({"ip": a["ip"], "bits": a["port"], "family": a["family"]})
            ev["network"] = {
                "net_id": f"{net.net_id:016x}",
                "mac": f"{net.mac:012x}",
                "name": net.name.decode("utf-8", "replace"),
                "status": net.status,
                "type": net.type,
                "mtu": net.mtu,
                "broadcast_enabled": net.broadcast_enabled,
                "netconf_rev": net.netconf_rev,
                "assigned_addrs": addrs,
                "route_count": net.route_count,
            }
        if msg.netif:
            nf = msg.netif.contents
            ev["netif"] = {"net_id": f"{nf.net_id:016x}", "mac": f"{nf.mac:012x}", "mtu": nf.mtu}
        if msg.route:
            r = msg.route.contents
            ev["route"] = {
                "target": sockaddr_to_str(r.target),
                "via": sockaddr_to_str(r.via),
                "flags": r.flags,
                "metric": r.metric,
            }
        if msg.peer and self.ours:
            p = msg.peer.contents  # our zts_peer_info_t has 1.8.4's layout
            ev["peer"] = {
                "peer_id": f"{p.peer_id:010x}",
                "version": [p.ver_major, p.ver_minor, p.ver_rev],
                "latency": p.latency,
                "role": p.role,
                "paths": [
                    {**(sockaddr_to_str(p.paths[i].address) or {}), "expired": p.paths[i].expired,
                     "preferred": p.paths[i].preferred}
                    for i in range(min(int(p.path_count), ZTS_MAX_PEER_NETWORK_PATHS))
                ],
            }
        elif msg.peer:
            # libzt 1.8.4 fills this by memcpy from the core's ZT_Peer, whose layout
            # differs after `role` (bonding fields): path_count and paths[] are junk.
            # Only the leading fields are reported.
            p = msg.peer.contents
            ev["peer"] = {
                "peer_id": f"{p.peer_id:010x}",
                "version": [p.ver_major, p.ver_minor, p.ver_rev],
                "latency": p.latency,
                "role": p.role,
            }
        if msg.addr:
            a = msg.addr.contents
            ev["addr"] = {"net_id": f"{a.net_id:016x}", "addr": sockaddr_to_str(a.addr)}
        if self.ours and code == EVENT_USER_MESSAGE and msg.cache:
            um = UserMessage.from_address(msg.cache)
            ev["user_message"] = {
                "peer_id": f"{um.peer_id:010x}",
                "type": int(um.type),
                "data": ctypes.string_at(um.data, um.len).hex() if um.len else "",
            }
            return ev
        if self.ours and code == EVENT_ECHO_REPLY and msg.cache:
            er = EchoReply.from_address(msg.cache)
            ev["echo"] = {
                "peer_id": f"{er.peer_id:010x}",
                "rtt_ms": int(er.rtt_ms),
                "data": ctypes.string_at(er.data, er.len).hex() if er.len else "",
            }
            return ev
        # STORE_* events carry a pointer to the node's own buffer, which may be gone
        # by the time the callback thread runs: report the length only.
        if code >= 270:
            ev["len"] = int(msg.len)
        return ev

    def fix_ipv6_input(self) -> int:
        """Make IPv6 frames enter lwIP under its core lock; returns how many netifs changed.

        libzt 1.8.4 adds each network's IPv6 netif with ``ethernet_input`` as its
        input function (src/VirtualTap.cpp), where the IPv4 netif gets
        ``tcpip_input``. Frames then enter lwIP on ZeroTier's service thread without
        the TCP/IP core lock, racing the tcpip thread: TCP over IPv6 stalls or the
        process dies with SIGSEGV/SIGBUS (seen in lwIP's tcp_free_acked_segments),
        even for 64 KB. ``tcpip_input`` itself would deadlock (ZeroTier answers NDP
        synchronously, re-entering input from a thread that holds the lock), so the
        pointer is swapped for the stub's ``libzt_test_locked_ethernet_input``, which
        takes the lock unless the calling thread already holds it.
        """
        eth = ctypes.cast(self.lib.ethernet_input, c_void_p).value
        locked = ctypes.cast(self.stub.libzt_test_locked_ethernet_input, c_void_p).value
        head = c_void_p.in_dll(self.lib, "netif_list")
        patched = 0
        self.lib.sys_lock_tcpip_core()
        try:
            node = head.value
            while node:
                # struct netif starts with `next`; `input` follows the address arrays
                # (offset < 320 bytes in this build). Only an exact match is replaced.
                words = (c_void_p * NETIF_SCAN_WORDS).from_address(node)
                for i in range(1, NETIF_SCAN_WORDS):
                    if words[i] == eth:
                        words[i] = locked
                        patched += 1
                        break
                node = words[0]
        finally:
            self.lib.sys_unlock_tcpip_core()
        if patched:
            log.info("fix_ipv6_input: %d netif(s) now take the core lock", patched)
        return patched

    def cmd_fix_ipv6_input(self) -> int:
        return self.fix_ipv6_input()

    def cmd_init_set_event_handler(self) -> int:
        if self._handler_set:
            return ZTS_ERR_OK
        if self.ours:
            forwarder = ctypes.cast(self._event_fn, c_void_p)  # a plain C function pointer
        else:
            forwarder = self.stub.libzt_test_event_forwarder_new(self._event_fn)
        ret = int(self.lib.zts_init_set_event_handler(forwarder))
        if ret == ZTS_ERR_OK:
            self._handler_set = True
        return ret

    def cmd_events(self) -> List[Dict[str, Any]]:
        with self._cond:
            out = self._pending
            self._pending = []
        return out

    def cmd_event_history(self) -> List[Dict[str, Any]]:
        with self._cond:
            return list(self._history)

    def cmd_wait_event(
        self,
        code: int,
        seconds: float = 30.0,
        since: int = 0,
        match: Optional[Dict[str, Any]] = None,
    ) -> Optional[Dict[str, Any]]:
        """First event with this code and seq >= since whose fields match; None after `seconds`.

        ``match`` is {"network.net_id": "...", "peer.peer_id": "..."}: dotted paths
        into the event. The event is not consumed.
        """
        code = int(code)
        deadline = time.monotonic() + float(seconds)

        def found() -> Optional[Dict[str, Any]]:
            for ev in self._history[since:]:
                if ev["code"] == code and _matches(ev, match or {}):
                    return ev
            return None

        with self._cond:
            while True:
                ev = found()
                if ev is not None:
                    return ev
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._cond.wait(remaining)

    # --- identities and worlds ------------------------------------------------------

    def cmd_id_new(self) -> Dict[str, Any]:
        buf = ctypes.create_string_buffer(ZTS_ID_STR_BUF_LEN)
        n = c_uint(ZTS_ID_STR_BUF_LEN)
        ret = int(self.lib.zts_id_new(buf, byref(n)))
        if ret != ZTS_ERR_OK:
            raise CommandError(f"zts_id_new returned {ret}")
        secret = buf.raw[: n.value].decode("ascii")
        return {"secret": secret, "public": ":".join(secret.split(":")[:3]), "address": secret[:10]}

    def cmd_id_pair_is_valid(self, key: str) -> int:
        return int(self.lib.zts_id_pair_is_valid(_id_buffer(key), ZTS_ID_STR_BUF_LEN))

    def cmd_util_sign_root_set(
        self,
        roots: List[Dict[str, Any]],
        id: int,
        ts: int,
        previous: Optional[str] = None,
        current: Optional[str] = None,
    ) -> Dict[str, Any]:
        """Sign a planet. previous/current: 128-byte C25519 key pairs (pub||priv) as hex.

        The library reads them from previous.c25519/current.c25519 in the CWD and
        makes a fresh pair when either file is missing, so the call runs in an empty
        temporary directory, with those files written when keys are given
        (current defaults to previous).
        """
        if len(roots) > ZTS_MAX_NUM_ROOTS:
            raise CommandError("too many roots")
        spec = RootSet()
        keep: List[bytes] = []
        for i, root in enumerate(roots):
            ident = str(root["identity"]).encode("ascii")
            keep.append(ident)
            spec.public_id_str[i] = ident
            endpoints = list(root.get("endpoints", []))
            if len(endpoints) > ZTS_MAX_ENDPOINTS_PER_ROOT:
                raise CommandError("too many endpoints")
            for j, ep in enumerate(endpoints):
                raw = str(ep).encode("ascii")
                keep.append(raw)
                spec.endpoint_ip_str[i][j] = raw
        out = ctypes.create_string_buffer(65536)
        out_len = c_uint(len(out))
        prev_buf = ctypes.create_string_buffer(256)
        prev_len = c_uint(len(prev_buf))
        curr_buf = ctypes.create_string_buffer(256)
        curr_len = c_uint(len(curr_buf))
        if current is not None and previous is None:
            raise CommandError("current given without previous")
        with self._cwd_lock, tempfile.TemporaryDirectory(prefix="zts-sign-") as tmp:
            if previous is not None:
                Path(tmp, "previous.c25519").write_bytes(bytes.fromhex(previous))
                Path(tmp, "current.c25519").write_bytes(bytes.fromhex(current or previous))
            old_cwd = os.getcwd()
            os.chdir(tmp)
            try:
                ret = int(
                    self.lib.zts_util_sign_root_set(
                        out,
                        byref(out_len),
                        prev_buf,
                        byref(prev_len),
                        curr_buf,
                        byref(curr_len),
                        int(id),
                        int(ts),
                        byref(spec),
                    )
                )
            finally:
                os.chdir(old_cwd)
        if ret != ZTS_ERR_OK:
            raise CommandError(f"zts_util_sign_root_set returned {ret}")
        return {
            "world": out.raw[: out_len.value].hex(),
            "previous": prev_buf.raw[: prev_len.value].hex(),
            "current": curr_buf.raw[: curr_len.value].hex(),
        }

    # --- initialisation -------------------------------------------------------------

    def cmd_init_from_storage(self, path: str) -> int:
        return int(self.lib.zts_init_from_storage(path.encode()))

    def cmd_init_from_memory(self, key: str) -> int:
        # The library copies `len` bytes and insists on len >= 384.
        return int(self.lib.zts_init_from_memory(_id_buffer(key), ZTS_ID_STR_BUF_LEN))

    def cmd_init_set_roots(self, data: str) -> int:
        raw = bytes.fromhex(data)
        buf = ctypes.create_string_buffer(raw, len(raw))
        return int(self.lib.zts_init_set_roots(buf, len(raw)))

    def cmd_init_blacklist_if(self, prefix: str) -> int:
        raw = prefix.encode()
        return int(self.lib.zts_init_blacklist_if(raw, len(raw)))

    def cmd_init_set_port(self, port: int) -> int:
        return int(self.lib.zts_init_set_port(int(port)))

    def cmd_init_set_random_port_range(self, start_port: int, end_port: int) -> int:
        return int(self.lib.zts_init_set_random_port_range(int(start_port), int(end_port)))

    def cmd_init_allow_secondary_port(self, allowed: int) -> int:
        return int(self.lib.zts_init_allow_secondary_port(int(allowed)))

    def cmd_init_set_tcp_relay(self, ip: str, port: int) -> int:
        self._require_ours("zts_init_set_tcp_relay")
        return int(self.lib.zts_init_set_tcp_relay(ip.encode(), int(port)))

    def cmd_init_allow_tcp_relay(self, allowed: int) -> int:
        self._require_ours("zts_init_allow_tcp_relay")
        return int(self.lib.zts_init_allow_tcp_relay(int(allowed)))

    def cmd_init_force_tcp_relay(self, enabled: int) -> int:
        self._require_ours("zts_init_force_tcp_relay")
        return int(self.lib.zts_init_force_tcp_relay(int(enabled)))

    def cmd_init_allow_port_mapping(self, allowed: int) -> int:
        return int(self.lib.zts_init_allow_port_mapping(int(allowed)))

    def cmd_init_allow_net_cache(self, allowed: int) -> int:
        return int(self.lib.zts_init_allow_net_cache(int(allowed)))

    def cmd_init_allow_peer_cache(self, allowed: int) -> int:
        return int(self.lib.zts_init_allow_peer_cache(int(allowed)))

    def cmd_init_allow_roots_cache(self, allowed: int) -> int:
        return int(self.lib.zts_init_allow_roots_cache(int(allowed)))

    def cmd_init_allow_id_cache(self, allowed: int) -> int:
        return int(self.lib.zts_init_allow_id_cache(int(allowed)))

    # --- node -----------------------------------------------------------------------

    def cmd_node_start(self, fix_event_race: Optional[bool] = None) -> int:
        """Registers the event forwarder first unless done already.

        zts_node_start in 1.8.4 starts the callback thread before it sets
        ZTS_STATE_CALLBACKS_RUNNING; when the thread runs first it sees the flag
        clear and ends, and no event is ever delivered (seen here about one start in
        five on a loaded 2-core machine). With fix_event_race (default: the
        worker's --no-workarounds unset) the flag is set in ZeroTier::service_state
        just before the call, which is what the call does itself right after
        creating the thread.
        """
        ret = self.cmd_init_set_event_handler()
        if ret != ZTS_ERR_OK:
            raise CommandError(f"zts_init_set_event_handler returned {ret}")
        if not self.ours and (self.workarounds if fix_event_race is None else fix_event_race):
            state = c_uint8.in_dll(self.lib, "_ZN8ZeroTier13service_stateE")
            state.value |= ZTS_STATE_CALLBACKS_RUNNING
        return int(self.lib.zts_node_start())

    def cmd_node_is_online(self) -> int:
        return int(self.lib.zts_node_is_online())

    def cmd_node_get_id(self) -> str:
        return f"{int(self.lib.zts_node_get_id()):010x}"

    def cmd_node_get_port(self) -> int:
        return int(self.lib.zts_node_get_port())

    def cmd_node_get_id_pair(self) -> str:
        buf = ctypes.create_string_buffer(ZTS_ID_STR_BUF_LEN)
        n = c_uint(ZTS_ID_STR_BUF_LEN)
        ret = int(self.lib.zts_node_get_id_pair(buf, byref(n)))
        if ret != ZTS_ERR_OK:
            raise CommandError(f"zts_node_get_id_pair returned {ret}")
        return buf.raw[: n.value].decode("ascii")

    def cmd_node_stop(self) -> int:
        return int(self.lib.zts_node_stop())

    def cmd_node_free(self) -> int:
        return int(self.lib.zts_node_free())

    def cmd_moon_orbit(self, moon_id: Union[int, str], seed: Union[int, str]) -> int:
        return int(self.lib.zts_moon_orbit(_id_arg(moon_id), _id_arg(seed)))

    def cmd_moon_deorbit(self, moon_id: Union[int, str]) -> int:
        return int(self.lib.zts_moon_deorbit(_id_arg(moon_id)))

    # --- networks and addresses -----------------------------------------------------

    def cmd_net_join(self, net_id: Union[int, str]) -> int:
        return int(self.lib.zts_net_join(_id_arg(net_id)))

    def cmd_net_leave(self, net_id: Union[int, str]) -> int:
        return int(self.lib.zts_net_leave(_id_arg(net_id)))

    def cmd_net_transport_is_ready(self, net_id: Union[int, str]) -> int:
        return int(self.lib.zts_net_transport_is_ready(_id_arg(net_id)))

    def cmd_addr_get_str(self, net_id: Union[int, str], family: Union[int, str] = 4) -> Dict[str, Any]:
        buf = ctypes.create_string_buffer(ZTS_INET6_ADDRSTRLEN)
        ret = int(self.lib.zts_addr_get_str(_id_arg(net_id), _family_arg(family), buf, len(buf)))
        return {"ret": ret, "addr": buf.value.decode() if ret == ZTS_ERR_OK else None}

    def cmd_core_query_path_count(self, peer_id: Union[int, str]) -> int:
        if int(self.lib.zts_core_lock_obtain()) != ZTS_ERR_OK:
            return ZTS_ERR_SERVICE
        try:
            return int(self.lib.zts_core_query_path_count(_id_arg(peer_id)))
        finally:
            self.lib.zts_core_lock_release()

    def cmd_core_query_path(self, peer_id: Union[int, str], idx: int) -> Dict[str, Any]:
        buf = ctypes.create_string_buffer(ZTS_INET6_ADDRSTRLEN + 8)
        if int(self.lib.zts_core_lock_obtain()) != ZTS_ERR_OK:
            return {"ret": ZTS_ERR_SERVICE, "path": None}
        try:
            ret = int(self.lib.zts_core_query_path(_id_arg(peer_id), int(idx), buf, len(buf)))
        finally:
            self.lib.zts_core_lock_release()
        return {"ret": ret, "path": buf.value.decode() if ret == ZTS_ERR_OK else None}

    def cmd_errno(self) -> int:
        return self.zts_errno()

    # --- sockets --------------------------------------------------------------------

    def cmd_bsd_socket(self, family: Union[int, str] = 4, type: int = ZTS_SOCK_STREAM, protocol: int = 0) -> int:
        return int(self.lib.zts_bsd_socket(_family_arg(family), int(type), int(protocol)))

    def cmd_bind(self, fd: int, ip: str, port: int) -> int:
        return int(self.lib.zts_bind(int(fd), ip.encode(), int(port)))

    def cmd_listen(self, fd: int, backlog: int = 8) -> int:
        return int(self.lib.zts_listen(int(fd), int(backlog)))

    def cmd_accept(self, fd: int) -> Dict[str, Any]:
        # 1.8.4 returns ZTS_ERR_ARG unless the buffer length is exactly 46.
        buf = ctypes.create_string_buffer(ZTS_INET6_ADDRSTRLEN)
        port = c_ushort(0)
        ret = int(self.lib.zts_accept(int(fd), buf, ZTS_INET6_ADDRSTRLEN, byref(port)))
        return {"fd": ret, "ip": buf.value.decode() if ret >= 0 else None, "port": port.value}

    def cmd_connect(self, fd: int, ip: str, port: int, timeout_ms: int = 10000) -> int:
        return int(self.lib.zts_connect(int(fd), ip.encode(), int(port), int(timeout_ms)))

    def _name(self, call: Any, fd: int) -> Dict[str, Any]:
        buf = ctypes.create_string_buffer(ZTS_INET6_ADDRSTRLEN)
        port = c_ushort(0)
        ret = int(call(int(fd), buf, ZTS_INET6_ADDRSTRLEN, byref(port)))
        return {"ret": ret, "ip": buf.value.decode() if ret >= 0 else None, "port": port.value}

    def cmd_getsockname(self, fd: int) -> Dict[str, Any]:
        return self._name(self.lib.zts_getsockname, fd)

    def cmd_getpeername(self, fd: int) -> Dict[str, Any]:
        return self._name(self.lib.zts_getpeername, fd)

    def cmd_tcp_client(self, ip: str, port: int) -> int:
        return int(self.lib.zts_tcp_client(ip.encode(), int(port)))

    def cmd_tcp_server(self, ip: str, port: int) -> Dict[str, Any]:
        """Blocks until one client connects: {"fd" (the client's), "ip", "port"}."""
        buf = ctypes.create_string_buffer(ZTS_INET6_ADDRSTRLEN)
        port_out = c_ushort(0)
        ret = int(self.lib.zts_tcp_server(ip.encode(), int(port), buf, ZTS_INET6_ADDRSTRLEN, byref(port_out)))
        return {"fd": ret, "ip": buf.value.decode() if ret >= 0 else None, "port": port_out.value}

    def cmd_udp_server(self, ip: str, port: int) -> int:
        return int(self.lib.zts_udp_server(ip.encode(), int(port)))

    def cmd_udp_client(self, ip: str) -> int:
        return int(self.lib.zts_udp_client(ip.encode()))

    def cmd_send(self, fd: int, data: str, flags: int = 0) -> int:
        raw = bytes.fromhex(data)
        buf = ctypes.create_string_buffer(raw, len(raw))
        return int(self.lib.zts_send(int(fd), buf, len(raw), int(flags)))

    def cmd_recv(self, fd: int, n: int = 65536, flags: int = 0) -> Dict[str, Any]:
        buf = ctypes.create_string_buffer(max(1, int(n)))
        ret = int(self.lib.zts_recv(int(fd), buf, int(n), int(flags)))
        return {"ret": ret, "data": buf.raw[:ret].hex() if ret > 0 else ""}

    def cmd_close(self, fd: int) -> int:
        return int(self.lib.zts_close(int(fd)))

    def cmd_shutdown_wr(self, fd: int) -> int:
        return int(self.lib.zts_shutdown_wr(int(fd)))

    def cmd_set_no_delay(self, fd: int, enabled: int = 1) -> int:
        return int(self.lib.zts_set_no_delay(int(fd), int(enabled)))

    def cmd_set_recv_timeout(self, fd: int, seconds: int, microseconds: int = 0) -> int:
        return int(self.lib.zts_set_recv_timeout(int(fd), int(seconds), int(microseconds)))

    def cmd_set_blocking(self, fd: int, enabled: int = 1) -> int:
        return int(self.lib.zts_set_blocking(int(fd), int(enabled)))

    def cmd_bsd_sendto(self, fd: int, data: str, ip: str, port: int, flags: int = 0) -> int:
        raw = bytes.fromhex(data)
        ss = SockaddrStorage()
        addrlen = c_uint32(ctypes.sizeof(ss))
        ret = int(self.lib.zts_util_ipstr_to_saddr(ip.encode(), int(port), byref(ss), byref(addrlen)))
        if ret != ZTS_ERR_OK:
            raise CommandError(f"zts_util_ipstr_to_saddr({ip!r}) returned {ret}")
        buf = ctypes.create_string_buffer(raw, max(1, len(raw)))
        return int(self.lib.zts_bsd_sendto(int(fd), buf, len(raw), int(flags), byref(ss), addrlen.value))

    def cmd_bsd_connect(self, fd: int, ip: str, port: int) -> int:
        ss = SockaddrStorage()
        addrlen = c_uint32(ctypes.sizeof(ss))
        ret = int(self.lib.zts_util_ipstr_to_saddr(ip.encode(), int(port), byref(ss), byref(addrlen)))
        if ret != ZTS_ERR_OK:
            raise CommandError(f"zts_util_ipstr_to_saddr({ip!r}) returned {ret}")
        return int(self.lib.zts_bsd_connect(int(fd), byref(ss), addrlen.value))

    def cmd_setsockopt_int(self, fd: int, level: int, name: int, value: int) -> int:
        v = ctypes.c_int(int(value))
        return int(self.lib.zts_bsd_setsockopt(int(fd), int(level), int(name), byref(v), ctypes.sizeof(v)))

    def cmd_bsd_recvfrom(self, fd: int, n: int = 65536, flags: int = 0) -> Dict[str, Any]:
        buf = ctypes.create_string_buffer(max(1, int(n)))
        ss = SockaddrStorage()
        addrlen = c_uint32(ctypes.sizeof(ss))
        ret = int(self.lib.zts_bsd_recvfrom(int(fd), buf, int(n), int(flags), byref(ss), byref(addrlen)))
        src = sockaddr_to_str(ss) if ret >= 0 else None
        return {
            "ret": ret,
            "data": buf.raw[:ret].hex() if ret > 0 else "",
            "ip": src["ip"] if src else None,
            "port": src["port"] if src else None,
        }

    def cmd_util_text(self, texts: List[str]) -> Dict[str, Any]:
        """What the address utilities make of each text (no node needed): family, inet_pton for
        both families and inet_ntop back, ipaddr_aton and ntoa back, ipstr_to_saddr and util_ntop."""
        out: Dict[str, Any] = {}
        for text in texts:
            raw = text.encode()
            row: Dict[str, Any] = {"family": int(self.lib.zts_util_get_ip_family(raw))}
            for family, size in ((ZTS_AF_INET, 4), (ZTS_AF_INET6, 16)):
                binary = ctypes.create_string_buffer(16)
                ret = int(self.lib.zts_inet_pton(family, raw, binary))
                back = ctypes.create_string_buffer(ZTS_INET6_ADDRSTRLEN)
                shown = self.lib.zts_inet_ntop(family, binary, back, ZTS_INET6_ADDRSTRLEN) if ret == 1 else None
                row[f"pton{size}"] = [ret, binary.raw[:size].hex() if ret == 1 else None, shown and shown.decode()]
            ip_addr = ctypes.create_string_buffer(64)  # zts_ip_addr (its layout differs between the two)
            ret = int(self.lib.zts_ipaddr_aton(raw, ip_addr))
            shown = self.lib.zts_ipaddr_ntoa(ip_addr) if ret == 1 else None
            row["aton"] = [ret, shown and shown.decode()]
            ss = SockaddrStorage()
            addrlen = c_uint32(ctypes.sizeof(ss))
            ret = int(self.lib.zts_util_ipstr_to_saddr(raw, 8080, byref(ss), byref(addrlen)))
            if ret == ZTS_ERR_OK:
                back = ctypes.create_string_buffer(ZTS_INET6_ADDRSTRLEN)
                port = c_ushort(0)
                ntop = int(self.lib.zts_util_ntop(byref(ss), addrlen.value, back, ZTS_INET6_ADDRSTRLEN, byref(port)))
                row["saddr"] = [ret, addrlen.value, ntop, back.value.decode(), port.value]
            else:
                row["saddr"] = [ret]
            out[text] = row
        return out

    def cmd_send_bytes(
        self, fd: int, n: int, seed: int = 0, chunk: int = 65536, then: Optional[str] = None, digest: bool = True
    ) -> Dict[str, Any]:
        """Send n pseudo-random bytes (random.Random(seed)); then "close", "shutdown" or nothing.
        ``digest=False`` (benchmarks): n zero bytes and no SHA-256, so the process's CPU time is the
        library's, as on the other side of a benchmark."""
        n = int(n)
        data = (random.Random(seed).randbytes(n) if digest else bytes(n)) if n else b""
        buf = ctypes.create_string_buffer(data, max(1, n))
        base = ctypes.addressof(buf)
        sent = 0
        started = time.monotonic()
        error = None
        while sent < n:
            ret = int(self.lib.zts_send(int(fd), c_void_p(base + sent), min(int(chunk), n - sent), 0))
            if ret < 0:
                error = {"ret": ret, "errno": self.zts_errno()}
                break
            sent += ret
        elapsed = time.monotonic() - started
        closed = None
        if then == "close":
            closed = int(self.lib.zts_close(int(fd)))
        elif then == "shutdown":
            closed = int(self.lib.zts_shutdown_wr(int(fd)))
        return {
            "sent": sent,
            "sha256": hashlib.sha256(data[:sent]).hexdigest() if digest else None,
            "error": error,
            "then": closed,
            "seconds": elapsed,
        }

    def cmd_recv_all(self, fd: int, bufsize: int = 65536, close: bool = False, digest: bool = True) -> Dict[str, Any]:
        """recv until EOF (0) or an error; returns length and sha256 of what arrived (``digest=False``,
        for benchmarks: no SHA-256, and None in its place)."""
        buf = ctypes.create_string_buffer(int(bufsize))
        hashing = hashlib.sha256() if digest else None
        total = 0
        started = time.monotonic()
        first_byte_at: Optional[float] = None
        while True:
            ret = int(self.lib.zts_recv(int(fd), buf, int(bufsize), 0))
            if ret <= 0:
                break
            if first_byte_at is None:
                first_byte_at = time.monotonic()
            if hashing is not None:
                hashing.update(ctypes.string_at(buf, ret))
            total += ret
        end_errno = self.zts_errno()
        elapsed = time.monotonic() - started
        if close:
            self.lib.zts_close(int(fd))
        return {
            "len": total,
            "sha256": hashing.hexdigest() if hashing is not None else None,
            "ret": ret,
            "errno": end_errno if ret < 0 else 0,
            "seconds": elapsed,
            "seconds_from_first_byte": (time.monotonic() - first_byte_at) if first_byte_at else 0.0,
            # CLOCK_MONOTONIC is one clock for the whole machine: streams received in different
            # processes can be put on one time line (bench/streams.py).
            "first_byte_at": first_byte_at,
            "ended_at": time.monotonic(),
        }

    def cmd_tcp_echo_loop(self, fd: int) -> Dict[str, Any]:
        """Echo what arrives until EOF (the other end of tcp_pingpong)."""
        buf = ctypes.create_string_buffer(65536)
        base = ctypes.addressof(buf)
        total = 0
        while True:
            ret = int(self.lib.zts_recv(int(fd), buf, 65536, 0))
            if ret <= 0:
                break
            done = 0
            while done < ret:
                sent = int(self.lib.zts_send(int(fd), c_void_p(base + done), ret - done, 0))
                if sent < 0:
                    return {"echoed": total, "errno": self.zts_errno()}
                done += sent
            total += ret
        return {"echoed": total}

    def cmd_tcp_pingpong(self, fd: int, count: int, size: int = 32, warmup: int = 100) -> Dict[str, Any]:
        """``count`` round trips of ``size`` bytes, one at a time, against tcp_echo_loop: RTTs in µs
        (the same loop as the socket benchmark's client, with ctypes calls instead of cffi)."""
        size = int(size)
        message = ctypes.create_string_buffer(size)
        buf = ctypes.create_string_buffer(size)
        base = ctypes.addressof(buf)
        rtts: List[float] = []
        for i in range(int(warmup) + int(count)):
            t0 = time.perf_counter()
            if int(self.lib.zts_send(int(fd), message, size, 0)) != size:
                raise CommandError(f"zts_send failed (errno {self.zts_errno()})")
            got = 0
            while got < size:
                ret = int(self.lib.zts_recv(int(fd), c_void_p(base + got), size - got, 0))
                if ret <= 0:
                    raise CommandError(f"zts_recv returned {ret} (errno {self.zts_errno()})")
                got += ret
            if i >= warmup:
                rtts.append((time.perf_counter() - t0) * 1e6)
        return {"rtt_us": rtts}

    # --- process --------------------------------------------------------------------

    # --- extensions of ours (ztx_*) ---------------------------------------------------

    def _require_ours(self, what: str) -> None:
        if not self.ours:
            raise CommandError(f"{what} is a libzt-for-Python extension; the official library has no such call")

    def cmd_init_allow_loopback_paths(self, allowed: int) -> int:
        self._require_ours("ztx_init_allow_loopback_paths")
        return int(self.lib.ztx_init_allow_loopback_paths(int(allowed)))

    def cmd_init_set_protocol_version(self, version: int) -> int:
        self._require_ours("ztx_init_set_protocol_version")
        return int(self.lib.ztx_init_set_protocol_version(int(version)))

    def cmd_node_send_user_message(self, peer_id: Union[int, str], type: int, data: str = "") -> int:
        self._require_ours("ztx_node_send_user_message")
        raw = bytes.fromhex(data)
        return int(self.lib.ztx_node_send_user_message(_id_arg(peer_id), int(type), raw, len(raw)))

    def cmd_node_ping(self, peer_id: Union[int, str], data: str = "") -> int:
        self._require_ours("ztx_node_ping")
        raw = bytes.fromhex(data)
        return int(self.lib.ztx_node_ping(_id_arg(peer_id), raw, len(raw)))

    def cmd_init_set_peer_limits(self, idle_timeout_ms: int, max_peers: int) -> int:
        self._require_ours("ztx_init_set_peer_limits")
        return int(self.lib.ztx_init_set_peer_limits(int(idle_timeout_ms), int(max_peers)))

    def cmd_node_get_stats(self) -> Dict[str, int]:
        self._require_ours("ztx_node_get_stats")
        st = NodeStats()
        ret = int(self.lib.ztx_node_get_stats(byref(st)))
        if ret != ZTS_ERR_OK:
            raise CommandError(f"ztx_node_get_stats returned {ret}")
        out: Dict[str, Any] = {}
        for name, _ in NodeStats._fields_:
            value = getattr(st, name)
            out[name] = [int(v) for v in value] if name.endswith("_suite") else int(value)
        return out

    def cmd_node_get_ports(self) -> Dict[str, int]:
        self._require_ours("ztx_node_get_ports")
        ports = [c_ushort(), c_ushort(), c_ushort()]
        ret = int(self.lib.ztx_node_get_ports(*(byref(p) for p in ports)))
        if ret != ZTS_ERR_OK:
            raise CommandError(f"ztx_node_get_ports returned {ret}")
        return dict(zip(("primary", "secondary", "mapping"), (int(p.value) for p in ports)))

    def cmd_node_get_port_mapping(self) -> Dict[str, str]:
        self._require_ours("ztx_node_get_port_mapping")
        addr, method = ctypes.create_string_buffer(64), ctypes.create_string_buffer(16)
        ret = int(self.lib.ztx_node_get_port_mapping(addr, len(addr), method, len(method)))
        if ret != ZTS_ERR_OK:
            raise CommandError(f"ztx_node_get_port_mapping returned {ret}")
        return {"address": addr.value.decode(), "method": method.value.decode()}

    def cmd_init_set_tcp_relay_after(self, ms: int) -> int:
        self._require_ours("ztx_init_set_tcp_relay_after")
        return int(self.lib.ztx_init_set_tcp_relay_after(int(ms)))

    def cmd_init_set_secondary_port_rebind_after(self, ms: int) -> int:
        self._require_ours("ztx_init_set_secondary_port_rebind_after")
        return int(self.lib.ztx_init_set_secondary_port_rebind_after(int(ms)))

    def cmd_node_tcp_relay_active(self) -> int:
        self._require_ours("ztx_node_tcp_relay_active")
        return int(self.lib.ztx_node_tcp_relay_active())

    def cmd_init_set_port_mapping_refresh(self, ms: int) -> int:
        self._require_ours("ztx_init_set_port_mapping_refresh")
        return int(self.lib.ztx_init_set_port_mapping_refresh(int(ms)))

    def cmd_tap_enable(self, net_id: Union[int, str], enabled: int = 1) -> int:
        self._require_ours("ztx_tap_enable")
        return int(self.lib.ztx_tap_enable(_id_arg(net_id), int(enabled)))

    def cmd_tap_write(self, net_id: Union[int, str], frame: str) -> int:
        self._require_ours("ztx_tap_write")
        raw = bytes.fromhex(frame)
        return int(self.lib.ztx_tap_write(_id_arg(net_id), raw, len(raw)))

    def cmd_tap_read(self, net_id: Union[int, str], timeout_ms: int = 5000) -> Optional[str]:
        """The next frame as hex, or None after the timeout."""
        self._require_ours("ztx_tap_read")
        buf = ctypes.create_string_buffer(16384)
        size = c_size_t(16384)
        ret = int(self.lib.ztx_tap_read(_id_arg(net_id), buf, byref(size), int(timeout_ms)))
        if ret == ZTS_ERR_NO_RESULT:
            return None
        if ret != ZTS_ERR_OK:
            raise CommandError(f"ztx_tap_read returned {ret}")
        return buf.raw[: size.value].hex()

    def cmd_ping(self) -> Dict[str, Any]:
        return {"pid": os.getpid(), "cwd": os.getcwd()}

    def cmd_exit(self, code: int = 0) -> int:
        """handle() replies, then leaves with os._exit (no libzt destructors)."""
        return int(code)


def _matches(ev: Dict[str, Any], match: Dict[str, Any]) -> bool:
    for path, want in match.items():
        cur: Any = ev
        for part in path.split("."):
            if not isinstance(cur, dict) or part not in cur:
                return False
            cur = cur[part]
        if isinstance(want, str) and isinstance(cur, str):
            if want.lower() != cur.lower():
                return False
        elif cur != want:
            return False
    return True


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Serve one official libzt node over JSON lines.")
    parser.add_argument("--lib", required=True, help="path of _libzt.cpython-39-x86_64-linux-gnu.so")
    parser.add_argument("--stub", help="path of the compiled stub_netlink.cpp (official flavor)")
    parser.add_argument("--flavor", choices=("official", "ours"), default="official")
    parser.add_argument("--name", default="official", help="label for log lines")
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument(
        "--no-workarounds",
        action="store_true",
        help="keep libzt 1.8.4's event-thread race and unlocked IPv6 input as they are",
    )
    opts = parser.parse_args(argv)

    logging.basicConfig(
        stream=sys.stderr,
        level=logging.DEBUG if opts.verbose else logging.INFO,
        format=f"%(asctime)s {opts.name}[%(process)d] %(levelname)s %(message)s",
    )
    # Keep the protocol channel private: native code printing to fd 1 must not
    # corrupt it, so fd 1 becomes stderr and replies go to a duplicate.
    proto_fd = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    out = os.fdopen(proto_fd, "w", encoding="utf-8", buffering=1)

    try:
        worker = Worker(opts.lib, opts.stub, out, workarounds=not opts.no_workarounds, flavor=opts.flavor)
    except Exception as exc:
        log.error("cannot load the official library: %s", traceback.format_exc())
        out.write(json.dumps({"id": 0, "ok": False, "error": f"load failed: {exc}"}) + "\n")
        out.flush()
        os._exit(2)

    worker.reply(
        {
            "id": 0,
            "ok": True,
            "result": {"ready": True, "pid": os.getpid(), "python": sys.version.split()[0]},
        }
    )
    threads: List[threading.Thread] = []
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            req = json.loads(line)
        except ValueError:
            log.error("bad request line: %r", line[:200])
            continue
        thread = threading.Thread(target=worker.handle, args=(req,), name=f"req-{req.get('id')}", daemon=True)
        thread.start()
        threads = [t for t in threads if t.is_alive()] + [thread]
    # Give requests already running a moment to answer; blocked ones are abandoned.
    deadline = time.monotonic() + 1.0
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    log.info("stdin closed: exiting")
    out.flush()
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main())
