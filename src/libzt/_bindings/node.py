# SPDX-License-Identifier: Apache-2.0
"""The node and its networks (``ext/cdef/node.h``, ``net.h``, ``addr.h``, ``init.h`` and the ``ztx_node_*``,
``ztx_net_*`` extensions): queries answered as plain data."""
from __future__ import annotations

from typing import Any, Optional

from libzt._bindings import ffi, lib
from libzt._bindings.calls import check

# ---- node -------------------------------------------------------------------------------------------


def node_call(code: int, what: str) -> int:
    """Check the result of a zts_node_* / zts_init_* call."""
    return check(code, what)


def init_reset() -> int:
    """Forget every zts_init_* setting (0), or ZTS_ERR_SERVICE while the node runs."""
    return int(lib.ztx_init_reset())


def init_allow_loopback_paths(allowed: bool) -> int:
    return int(lib.ztx_init_allow_loopback_paths(int(allowed)))


def init_set_peer_limits(idle_timeout_ms: int, max_peers: int) -> int:
    """0 for either keeps the default (see ztx_init_set_peer_limits)."""
    return int(lib.ztx_init_set_peer_limits(idle_timeout_ms, max_peers))


def node_identity() -> str:
    """This node's identity with its secret (``zts_node_get_id_pair``)."""
    buf = ffi.new("char[]", lib.ZTS_ID_STR_BUF_LEN)
    size = ffi.new("unsigned int *", lib.ZTS_ID_STR_BUF_LEN)
    check(lib.zts_node_get_id_pair(buf, size), "identity")
    return ffi.string(buf, size[0]).decode("ascii")


def new_identity() -> str:
    """A new identity with its secret (``zts_id_new``), as text."""
    buf = ffi.new("char[]", lib.ZTS_ID_STR_BUF_LEN)
    size = ffi.new("unsigned int *", lib.ZTS_ID_STR_BUF_LEN)
    check(lib.zts_id_new(buf, size), "identity generation failed")
    return ffi.string(buf, size[0]).decode("ascii")


def addr_get_str(network_id: int, family: int) -> Optional[str]:
    """The node's address of ``family`` (ZTS_AF_*) on a network, or None if it has none."""
    buf = ffi.new("char[]", lib.ZTS_IP_MAX_STR_LEN)
    if lib.zts_addr_get_str(network_id, family, buf, lib.ZTS_IP_MAX_STR_LEN) < 0:
        return None
    return ffi.string(buf).decode("ascii")


def send_user_message(peer_id: int, message_type: int, data: bytes) -> None:
    check(lib.ztx_node_send_user_message(peer_id, message_type, data, len(data)), "user message")


def ping(peer_id: int, data: bytes) -> None:
    check(lib.ztx_node_ping(peer_id, data, len(data)), "ping")


def sockaddr_to_tuple(ss: Any) -> tuple[str, int]:
    """A zts_sockaddr_storage (lwIP layout) to (ip, port)."""
    import socket as _socket

    family = ss.ss_family
    raw = bytes(ffi.buffer(ffi.addressof(ss), ffi.sizeof("struct zts_sockaddr_storage")))
    if family == lib.ZTS_AF_INET:
        port = int.from_bytes(raw[2:4], "big")
        return _socket.inet_ntop(_socket.AF_INET, raw[4:8]), port
    if family == lib.ZTS_AF_INET6:
        port = int.from_bytes(raw[2:4], "big")
        return _socket.inet_ntop(_socket.AF_INET6, raw[8:24]), port
    return "", 0


def peer_info_fields(p: Any) -> dict[str, Any]:
    paths = []
    for i in range(min(p.path_count, lib.ZTS_MAX_PEER_NETWORK_PATHS)):
        z = p.paths[i]
        ip, port = sockaddr_to_tuple(z.address)
        paths.append(
            {
                "address": ip,
                "port": port,
                "last_tx": int(z.last_tx),
                "last_rx": int(z.last_rx),
                "latency": float(z.latency),
                "expired": bool(z.expired),
                "preferred": bool(z.preferred),
            }
        )
    version = None if p.ver_major < 0 else (int(p.ver_major), int(p.ver_minor), int(p.ver_rev))
    return {
        "node_id": int(p.peer_id),
        "version": version,
        "latency": None if p.latency < 0 else int(p.latency),
        "role": int(p.role),
        "paths": paths,
    }


def node_peers() -> list[dict[str, Any]]:
    count = ffi.new("unsigned *", 0)
    total = check(lib.ztx_node_get_peers(ffi.NULL, count), "peers")
    while True:
        buf = ffi.new("zts_peer_info_t[]", max(total, 1))
        count[0] = max(total, 1)
        now_total = check(lib.ztx_node_get_peers(buf, count), "peers")
        if now_total <= count[0]:
            return [peer_info_fields(buf[i]) for i in range(count[0])]
        total = now_total  # peers were added meanwhile: try again with room for them


def node_stats() -> dict[str, Any]:
    s = ffi.new("ztx_node_stats_t *")
    check(lib.ztx_node_get_stats(s), "stats")
    out: dict[str, Any] = {}
    for name, _ in ffi.typeof("ztx_node_stats_t").fields:
        value = getattr(s, name)
        out[name] = [int(v) for v in value] if name.endswith("_suite") else int(value)
    return out


# ---- networks ---------------------------------------------------------------------------------------


def network_info(network_id: int) -> dict[str, Any]:
    info = ffi.new("zts_net_info_t *")
    rc = lib.ztx_net_get_info(network_id, info)
    if rc == lib.ZTS_ERR_NO_RESULT:
        from libzt.errors import NoResultError

        raise NoResultError(f"not a member of network {network_id:016x}")
    check(rc, "network info")
    return net_info_fields(info)


def net_info_fields(info: Any) -> dict[str, Any]:
    """A zts_net_info_t (pointer) as plain data."""
    addresses = [sockaddr_to_tuple(info.assigned_addrs[i]) for i in range(info.assigned_addr_count)]
    routes = []
    for i in range(info.route_count):
        r = info.routes[i]
        target, bits = sockaddr_to_tuple(r.target)
        via, _ = sockaddr_to_tuple(r.via)
        routes.append((target, bits, via, int(r.flags), int(r.metric)))
    return {
        "id": int(info.net_id),
        "mac": int(info.mac),
        "name": ffi.string(info.name).decode("utf-8", "replace"),
        "status": int(info.status),
        "type": int(info.type),
        "mtu": int(info.mtu),
        "broadcast": bool(info.broadcast_enabled),
        "bridge": bool(info.bridge),
        "revision": int(info.netconf_rev),
        "addresses": addresses,
        "routes": routes,
        "multicast": [(int(info.multicast_subs[i].mac), int(info.multicast_subs[i].adi))
                      for i in range(info.multicast_sub_count)],
    }


def network_dns(network_id: int) -> tuple[str, list[str]]:
    """The DNS a joined network pushes (``ztx_net_get_dns``): its domain and server addresses."""
    dns = ffi.new("ztx_net_dns_t *")
    rc = lib.ztx_net_get_dns(network_id, dns)
    if rc == lib.ZTS_ERR_NO_RESULT:
        from libzt.errors import NoResultError

        raise NoResultError(f"not a member of network {network_id:016x}")
    check(rc, "network DNS")
    servers = [sockaddr_to_tuple(dns.server_addr[i])[0] for i in range(min(dns.server_count, lib.ZTX_MAX_DNS_SERVERS))]
    return ffi.string(dns.domain).decode("utf-8", "replace"), servers


def network_ids() -> list[int]:
    count = ffi.new("unsigned *", 0)
    total = check(lib.ztx_net_list(ffi.new("uint64_t[1]"), count), "networks")
    ids = ffi.new("uint64_t[]", max(total, 1))
    count[0] = max(total, 1)
    check(lib.ztx_net_list(ids, count), "networks")
    return [int(ids[i]) for i in range(count[0])]


def addr_info_text(addr: Any) -> tuple[int, str]:
    """A zts_addr_info_t (pointer) as (network ID, "ip/bits")."""
    ip, bits = sockaddr_to_tuple(addr.addr)
    return int(addr.net_id), f"{ip}/{bits}"
