# SPDX-License-Identifier: Apache-2.0
"""The ``ztx_*`` extensions and the node's queries: identities, key pairs, worlds, the wire inspector,
VL2 configs, certificates and rules (``ext/cdef/x_ext.h``, ``x_vl2.h``), peers and networks (``node.h``).

Calls into ``libzt._native``, checks return codes and hands back plain ``bytes``, ``int``, ``str`` and
dicts; handles (identities, assemblers) are opaque to the callers."""
from __future__ import annotations

import json
from typing import Any, Callable, Optional

from libzt._bindings import ffi, lib
from libzt.errors import ZTS_ERR_ARG, ArgumentError, raise_for

IdentityHandle = Any  # a cffi ``ztx_identity *`` owning its memory (freed by the garbage collector)


def _error_message(default: str) -> str:
    text = ffi.string(lib.ztx_error_message()).decode("utf-8", "replace")
    return text or default


def check(code: int, what: str, arg_error: type[ArgumentError] = ArgumentError) -> int:
    """Return ``code`` if it is not an error, else raise with the native reason."""
    if code < 0:
        message = _error_message(what) if code == ZTS_ERR_ARG else what
        raise_for(code, message, arg_error)
    return code


def _as_bytes(data: bytes | bytearray | memoryview, name: str) -> bytes:
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data)
    raise TypeError(f"{name} must be bytes-like, not {type(data).__name__}")


# ---- identities -------------------------------------------------------------------------------------


def _own(out: Any) -> IdentityHandle:
    return ffi.gc(out[0], lib.ztx_identity_free)


def identity_generate(threads: int, err: type[ArgumentError]) -> IdentityHandle:
    out = ffi.new("ztx_identity **")
    check(lib.ztx_identity_generate(threads, out), "identity generation failed", err)
    return _own(out)


def identity_from_string(text: str, err: type[ArgumentError]) -> IdentityHandle:
    if not isinstance(text, str):
        raise TypeError(f"identity must be a str, not {type(text).__name__}")
    try:
        raw = text.strip().encode("ascii")
    except UnicodeEncodeError:
        raise err("identity: must be ASCII (address:0:public[:private] in hex)") from None
    out = ffi.new("ztx_identity **")
    check(lib.ztx_identity_from_string(raw, len(raw), out), "invalid identity", err)
    return _own(out)


def identity_from_bytes(data: bytes, err: type[ArgumentError]) -> IdentityHandle:
    raw = _as_bytes(data, "identity")
    out = ffi.new("ztx_identity **")
    check(lib.ztx_identity_from_bytes(raw, len(raw), out), "invalid identity", err)
    return _own(out)


def identity_address(h: IdentityHandle) -> int:
    return int(lib.ztx_identity_address(h))


def identity_has_private(h: IdentityHandle) -> bool:
    return bool(lib.ztx_identity_has_private(h))


def identity_to_string(h: IdentityHandle, include_private: bool) -> str:
    buf = ffi.new("char[]", lib.ZTX_IDENTITY_STRING_LEN)
    size = ffi.new("size_t *", lib.ZTX_IDENTITY_STRING_LEN)
    check(lib.ztx_identity_to_string(h, int(include_private), buf, size), "identity to string failed")
    return ffi.string(buf, size[0]).decode("ascii")


def identity_to_bytes(h: IdentityHandle, include_private: bool) -> bytes:
    buf = ffi.new("uint8_t[]", lib.ZTX_IDENTITY_BINARY_MAX_LEN)
    size = ffi.new("size_t *", lib.ZTX_IDENTITY_BINARY_MAX_LEN)
    check(lib.ztx_identity_to_bytes(h, int(include_private), buf, size), "identity to bytes failed")
    return bytes(ffi.buffer(buf, size[0]))


def identity_public_key(h: IdentityHandle) -> bytes:
    out = ffi.new("uint8_t[64]")
    check(lib.ztx_identity_public_key(h, out), "public key")
    return bytes(out)


def identity_validate(h: IdentityHandle) -> bool:
    return check(lib.ztx_identity_validate(h), "validate") == 1


def identity_sign(h: IdentityHandle, message: bytes, err: type[ArgumentError]) -> bytes:
    msg = _as_bytes(message, "message")
    sig = ffi.new("uint8_t[96]")
    check(lib.ztx_identity_sign(h, msg, len(msg), sig), "signing failed", err)
    return bytes(sig)


def identity_verify(h: IdentityHandle, message: bytes, signature: bytes) -> bool:
    msg = _as_bytes(message, "message")
    sig = _as_bytes(signature, "signature")
    return check(lib.ztx_identity_verify(h, msg, len(msg), sig, len(sig)), "verify") == 1


def identity_agree(h: IdentityHandle, peer: IdentityHandle, err: type[ArgumentError]) -> bytes:
    key = ffi.new("uint8_t[48]")
    check(lib.ztx_identity_agree(h, peer, key), "key agreement failed", err)
    return bytes(key)


# ---- key pairs ----------------------------------------------------------------------------------------


def keypair_generate() -> bytes:
    pair = ffi.new("uint8_t[128]")
    check(lib.ztx_keypair_generate(pair), "key pair generation failed")
    return bytes(pair)


def keypair_check(pair: bytes, err: type[ArgumentError]) -> None:
    check(lib.ztx_keypair_check(pair), "key pair", err)


def keypair_sign(pair: bytes, message: bytes) -> bytes:
    msg = _as_bytes(message, "message")
    sig = ffi.new("uint8_t[96]")
    check(lib.ztx_keypair_sign(pair, msg, len(msg), sig), "signing failed")
    return bytes(sig)


def signature_verify(public_key: bytes, message: bytes, signature: bytes) -> bool:
    msg = _as_bytes(message, "message")
    sig = _as_bytes(signature, "signature")
    return check(lib.ztx_signature_verify(public_key, msg, len(msg), sig, len(sig)), "verify") == 1


# ---- worlds -------------------------------------------------------------------------------------------

WorldFields = dict[str, Any]


def _world_to_c(fields: WorldFields, err: type[ArgumentError]) -> Any:
    w = ffi.new("ztx_world_t *")
    w.type = fields["type"]
    w.id = fields["id"]
    w.timestamp = fields["timestamp"]
    ffi.memmove(w.update_key, fields["update_key"], 64)
    ffi.memmove(w.signature, fields["signature"], 96)
    roots = fields["roots"]
    if len(roots) > lib.ZTX_WORLD_MAX_ROOTS:
        raise err(f"world: at most {lib.ZTX_WORLD_MAX_ROOTS} roots, got {len(roots)}")
    w.root_count = len(roots)
    for i, (identity_text, endpoints) in enumerate(roots):
        raw = identity_text.encode("ascii")
        if len(raw) >= lib.ZTX_IDENTITY_STRING_LEN:
            raise err("world: root identity string too long")
        w.roots[i].identity = raw
        if len(endpoints) > lib.ZTX_WORLD_MAX_ENDPOINTS:
            raise err(f"world: at most {lib.ZTX_WORLD_MAX_ENDPOINTS} endpoints per root, got {len(endpoints)}")
        w.roots[i].endpoint_count = len(endpoints)
        for j, ep in enumerate(endpoints):
            raw_ep = ep.encode("ascii")
            if len(raw_ep) >= lib.ZTX_ENDPOINT_STRING_LEN:
                raise err(f"world: endpoint {ep!r} is too long to be IP/PORT")
            w.roots[i].endpoints[j] = raw_ep
    return w


def _world_from_c(w: Any) -> WorldFields:
    roots = []
    for i in range(w.root_count):
        r = w.roots[i]
        endpoints = tuple(ffi.string(r.endpoints[j]).decode("ascii") for j in range(r.endpoint_count))
        roots.append((ffi.string(r.identity).decode("ascii"), endpoints))
    return {
        "type": int(w.type),
        "id": int(w.id),
        "timestamp": int(w.timestamp),
        "update_key": bytes(w.update_key),
        "signature": bytes(w.signature),
        "roots": roots,
    }


def world_parse(data: bytes, err: type[ArgumentError]) -> WorldFields:
    raw = _as_bytes(data, "world")
    w = ffi.new("ztx_world_t *")
    check(lib.ztx_world_parse(raw, len(raw), w), "invalid world", err)
    return _world_from_c(w)


def world_serialize(fields: WorldFields, err: type[ArgumentError]) -> bytes:
    w = _world_to_c(fields, err)
    buf = ffi.new("uint8_t[]", lib.ZTX_WORLD_MAX_LEN)
    size = ffi.new("size_t *", lib.ZTX_WORLD_MAX_LEN)
    check(lib.ztx_world_serialize(w, buf, size), "invalid world", err)
    return bytes(ffi.buffer(buf, size[0]))


def world_sign(fields: WorldFields, signer_pair: bytes, err: type[ArgumentError]) -> bytes:
    w = _world_to_c(fields, err)
    check(lib.ztx_world_sign(w, signer_pair), "world signing failed", err)
    return bytes(w.signature)


def world_verify(fields: WorldFields, public_key: bytes, err: type[ArgumentError]) -> bool:
    w = _world_to_c(fields, err)
    return check(lib.ztx_world_verify(w, public_key), "world verify", err) == 1


def world_should_be_replaced_by(current: WorldFields, update: WorldFields, err: type[ArgumentError]) -> bool:
    a = _world_to_c(current, err)
    b = _world_to_c(update, err)
    return check(lib.ztx_world_should_be_replaced_by(a, b), "world compare", err) == 1


def world_default_planet() -> bytes:
    buf = ffi.new("uint8_t[]", lib.ZTX_WORLD_MAX_LEN)
    size = ffi.new("size_t *", lib.ZTX_WORLD_MAX_LEN)
    check(lib.ztx_world_default_planet(buf, size), "default planet")
    return bytes(ffi.buffer(buf, size[0]))


# ---- the wire inspector ---------------------------------------------------------------------------

DefragHandle = Any  # a cffi ``ztx_defrag *`` owning its memory (freed by the garbage collector)

_PACKET_BUFFER = "uint8_t[]"


def _key(key: bytes, err: type[ArgumentError]) -> bytes:
    raw = _as_bytes(key, "key")
    if len(raw) != lib.ZTX_SYMMETRIC_KEY_LEN:
        raise err(f"key must be {lib.ZTX_SYMMETRIC_KEY_LEN} bytes, got {len(raw)}")
    return raw


def _packet_out() -> tuple[Any, Any]:
    return ffi.new(_PACKET_BUFFER, lib.ZTX_WIRE_MAX_PACKET_LEN), ffi.new("size_t *", lib.ZTX_WIRE_MAX_PACKET_LEN)


def wire_kbkdf(key: bytes, label: str, err: type[ArgumentError]) -> bytes:
    if label not in ("0", "1"):
        raise err("label must be '0' (K0) or '1' (K1)")
    out = ffi.new("uint8_t[48]")
    check(lib.ztx_wire_kbkdf(_key(key, err), label.encode("ascii"), out), "kbkdf", err)
    return bytes(out)


def wire_armor(key: bytes, suite: int, compress: bool, mtu: int, packet: bytes, err: type[ArgumentError]) -> bytes:
    raw = _as_bytes(packet, "packet")
    out, size = _packet_out()
    options = lib.ZTX_WIRE_ARMOR_COMPRESS if compress else 0
    check(lib.ztx_wire_armor(_key(key, err), suite, options, mtu, raw, len(raw), out, size), "armor failed", err)
    return bytes(ffi.buffer(out, size[0]))


def wire_dearmor(key: bytes, packet: bytes, err: type[ArgumentError]) -> bytes:
    raw = _as_bytes(packet, "packet")
    out, size = _packet_out()
    check(lib.ztx_wire_dearmor(_key(key, err), raw, len(raw), out, size), "dearmor failed", err)
    return bytes(ffi.buffer(out, size[0]))


def wire_fragment(armored: bytes, mtu: int, err: type[ArgumentError]) -> list[bytes]:
    raw = _as_bytes(armored, "packet")
    capacity = len(raw) + lib.ZTX_WIRE_MAX_FRAGMENTS * 16
    out = ffi.new(_PACKET_BUFFER, capacity)
    size = ffi.new("size_t *", capacity)
    lens = ffi.new("size_t[]", lib.ZTX_WIRE_MAX_FRAGMENTS)
    count = ffi.new("size_t *")
    check(lib.ztx_wire_fragment(raw, len(raw), mtu, out, size, lens, count), "fragmentation failed", err)
    data = bytes(ffi.buffer(out, size[0]))
    pieces, at = [], 0
    for i in range(count[0]):
        pieces.append(data[at : at + lens[i]])
        at += lens[i]
    return pieces


def wire_classify(datagram: bytes) -> int:
    raw = _as_bytes(datagram, "datagram")
    return int(lib.ztx_wire_classify(raw, len(raw)))


def wire_describe(key: bytes | None, datagram: bytes, as_json: bool, err: type[ArgumentError]) -> str:
    raw = _as_bytes(datagram, "datagram")
    k = ffi.NULL if key is None else _key(key, err)
    fmt = lib.ZTX_WIRE_FORMAT_JSON if as_json else lib.ZTX_WIRE_FORMAT_TEXT
    capacity = 4096
    while True:
        out = ffi.new("char[]", capacity)
        size = ffi.new("size_t *", capacity)
        code = lib.ztx_wire_describe(k, raw, len(raw), fmt, out, size)
        if code == ZTS_ERR_ARG and size[0] > capacity:
            capacity = size[0]  # the description needs more room: the call said how much
            continue
        check(code, "describe failed", err)
        return ffi.string(out, size[0]).decode("utf-8", "replace")


def wire_reencode(key: bytes | None, packet: bytes, err: type[ArgumentError]) -> bytes:
    raw = _as_bytes(packet, "packet")
    k = ffi.NULL if key is None else _key(key, err)
    out, size = _packet_out()
    check(lib.ztx_wire_reencode(k, raw, len(raw), out, size), "re-encoding failed", err)
    return bytes(ffi.buffer(out, size[0]))


def defrag_new() -> DefragHandle:
    out = ffi.new("ztx_defrag **")
    check(lib.ztx_defrag_new(out), "defragmenter allocation failed")
    return ffi.gc(out[0], lib.ztx_defrag_free)


def defrag_add(h: DefragHandle, datagram: bytes, now: int) -> tuple[bool, bytes | None]:
    """(dropped, the assembled packet or None)."""
    raw = _as_bytes(datagram, "datagram")
    out, size = _packet_out()
    result = check(lib.ztx_defrag_add(h, raw, len(raw), now, out, size), "defragmenter")
    packet = bytes(ffi.buffer(out, size[0])) if result == lib.ZTX_DEFRAG_COMPLETE else None
    return result == lib.ZTX_DEFRAG_DROPPED, packet


def defrag_expire(h: DefragHandle, now: int) -> int:
    return check(lib.ztx_defrag_expire(h, now), "defragmenter")


def defrag_in_progress(h: DefragHandle) -> int:
    return check(lib.ztx_defrag_in_progress(h), "defragmenter")
# ---- node -------------------------------------------------------------------------------------------


def node_call(code: int, what: str) -> int:
    """Check the result of a zts_node_* / zts_init_* call."""
    return check(code, what)


def error_message(default: str) -> str:
    """The core's reason for this thread's last failure (``default`` when it gave none)."""
    return _error_message(default)


def init_reset() -> int:
    """Forget every zts_init_* setting (0), or ZTS_ERR_SERVICE while the node runs."""
    return int(lib.ztx_init_reset())


def init_allow_loopback_paths(allowed: bool) -> int:
    return int(lib.ztx_init_allow_loopback_paths(int(allowed)))


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
# ---- VL2: network configs, certificates, credentials, rules --------------------------------------

JsonValue = Any
AssemblerHandle = Any  # a cffi ``ztx_config_assembler *`` owning its memory


def _identity_or_null(h: Optional[IdentityHandle]) -> Any:
    return ffi.NULL if h is None else h


def _text_call(call: Callable[[Any, Any], int], what: str, err: type[ArgumentError]) -> str:
    """Runs a ztx_ function that writes text, growing the buffer when the call says it needs more."""
    capacity = 16384
    while True:
        out = ffi.new("char[]", capacity)
        size = ffi.new("size_t *", capacity)
        code = call(out, size)
        if code == ZTS_ERR_ARG and size[0] > capacity:
            capacity = size[0]
            continue
        check(code, what, err)
        return bytes(ffi.buffer(out, size[0])).decode("utf-8", "surrogateescape")


def _json_call(call: Callable[[Any, Any], int], what: str, err: type[ArgumentError]) -> JsonValue:
    return json.loads(_text_call(call, what, err))


def _bytes_call(call: Callable[[Any, Any], int], what: str, err: type[ArgumentError], capacity: int = 65536) -> bytes:
    """Runs a ztx_ function that writes bytes, growing the buffer when the call says it needs more."""
    while True:
        out = ffi.new("uint8_t[]", capacity)
        size = ffi.new("size_t *", capacity)
        code = call(out, size)
        if code == ZTS_ERR_ARG and size[0] > capacity:
            capacity = size[0]
            continue
        check(code, what, err)
        return bytes(ffi.buffer(out, size[0]))


def mac_from_address(network_id: int, node_id: int) -> int:
    return int(lib.ztx_mac_from_address(network_id, node_id))


def address_from_mac(network_id: int, mac: int) -> int:
    return int(lib.ztx_address_from_mac(network_id, mac))


def addr_compute(network_id: int, node_id: int, sixplane: bool, err: type[ArgumentError]) -> str:
    ss = ffi.new("struct zts_sockaddr_storage *")
    fn = lib.zts_addr_compute_6plane if sixplane else lib.zts_addr_compute_rfc4193
    check(fn(network_id, node_id, ss), "address computation", err)
    return sockaddr_to_tuple(ss[0])[0]


def net_compute_adhoc_id(start_port: int, end_port: int) -> int:
    return int(lib.zts_net_compute_adhoc_id(start_port, end_port))


def dictionary_parse(data: bytes, err: type[ArgumentError]) -> list[tuple[str, bytes]]:
    raw = _as_bytes(data, "dictionary")
    entries = _json_call(lambda o, n: lib.ztx_dictionary_parse(raw, len(raw), o, n), "invalid dictionary", err)
    return [(key, bytes.fromhex(value)) for key, value in entries]


def netconf_parse(data: bytes, controller: Optional[IdentityHandle], err: type[ArgumentError]) -> JsonValue:
    raw = _as_bytes(data, "network config")
    c = _identity_or_null(controller)
    return _json_call(lambda o, n: lib.ztx_netconf_parse(raw, len(raw), c, o, n), "invalid network config", err)


def netconf_reserialize(data: bytes, err: type[ArgumentError]) -> bytes:
    raw = _as_bytes(data, "network config")
    return _bytes_call(lambda o, n: lib.ztx_netconf_reserialize(raw, len(raw), o, n), "invalid network config", err)


def netconf_adhoc(network_id: int, node_id: int, now: int, err: type[ArgumentError]) -> bytes:
    return _bytes_call(lambda o, n: lib.ztx_netconf_adhoc(network_id, node_id, now, o, n), "ad-hoc network", err)


NetconfSpecFields = dict[str, Any]


def _fill_netconf_spec(f: NetconfSpecFields, keep: list[Any], err: type[ArgumentError]) -> Any:
    """A ztx_netconf_spec_t from plain fields; `keep` holds the buffers its pointers refer to."""
    s = ffi.new("ztx_netconf_spec_t *")
    for name in ("network_id", "member_id", "timestamp", "credential_time_max_delta", "revision", "mtu",
                 "multicast_limit", "flags", "remote_trace_target", "remote_trace_level"):
        setattr(s, name, f[name])
    s.is_private = int(f["private"])

    def text(field: str, value: str, size: int) -> bytes:
        raw = value.encode("utf-8")
        if len(raw) >= size:
            raise err(f"netconf spec: {field} longer than {size - 1} bytes")
        return raw

    s.name = text("name", f["name"], 128)
    limits = {"static_ips": (32, "static IPs"), "routes": (128, "routes"), "specialists": (256, "specialists"),
              "capabilities": (128, "capabilities"), "tags": (128, "tags"), "dns_servers": (4, "DNS servers")}
    for key, (limit, what) in limits.items():
        if len(f[key]) > limit:  # (the C struct's arrays are this large)
            raise err(f"netconf spec: more than {limit} {what}")
    s.static_ip_count = len(f["static_ips"])
    for i, (ip, bits) in enumerate(f["static_ips"]):
        s.static_ips[i].ip = text("static IP", ip, 46)
        s.static_ips[i].bits = bits
    s.route_count = len(f["routes"])
    for i, (target, bits, via, flags, metric) in enumerate(f["routes"]):
        r = s.routes[i]
        r.target = text("route target", target, 46)
        r.bits = bits
        r.via = text("route via", via or "", 46)
        r.flags = flags
        r.metric = metric
    s.specialist_count = len(f["specialists"])
    for i, value in enumerate(f["specialists"]):
        s.specialists[i] = value
    rules = ffi.new("uint8_t[]", f["rules"]) if f["rules"] else ffi.NULL
    keep.append(rules)
    s.rules = rules
    s.rules_len = len(f["rules"])
    s.capability_count = len(f["capabilities"])
    for i, (cap_id, cap_rules) in enumerate(f["capabilities"]):
        buf = ffi.new("uint8_t[]", cap_rules) if cap_rules else ffi.NULL
        keep.append(buf)
        s.capabilities[i].id = cap_id
        s.capabilities[i].rules = buf
        s.capabilities[i].rules_len = len(cap_rules)
    s.tag_count = len(f["tags"])
    for i, (tag_id, value) in enumerate(f["tags"]):
        s.tags[i].id = tag_id
        s.tags[i].value = value
    s.dns_domain = text("DNS domain", f["dns_domain"], 128)
    s.dns_server_count = len(f["dns_servers"])
    for i, server in enumerate(f["dns_servers"]):
        s.dns_servers[i] = text("DNS server", server, 46)
    return s


def netconf_build(fields: NetconfSpecFields, controller: IdentityHandle, member: IdentityHandle,
                  err: type[ArgumentError]) -> bytes:
    keep: list[Any] = []
    spec = _fill_netconf_spec(fields, keep, err)
    return _bytes_call(lambda o, n: lib.ztx_netconf_build(spec, controller, member, o, n), "network config", err)


def com_parse(data: bytes, controller: Optional[IdentityHandle], err: type[ArgumentError]) -> JsonValue:
    raw = _as_bytes(data, "certificate")
    c = _identity_or_null(controller)
    return _json_call(lambda o, n: lib.ztx_com_parse(raw, len(raw), c, o, n), "invalid certificate", err)


def com_verify(data: bytes, controller: IdentityHandle, err: type[ArgumentError]) -> bool:
    raw = _as_bytes(data, "certificate")
    return check(lib.ztx_com_verify(raw, len(raw), controller), "invalid certificate", err) == 1


def com_agrees(mine: bytes, theirs: bytes, their_identity: IdentityHandle, err: type[ArgumentError]) -> bool:
    a = _as_bytes(mine, "certificate")
    b = _as_bytes(theirs, "certificate")
    return check(lib.ztx_com_agrees(a, len(a), b, len(b), their_identity), "invalid certificate", err) == 1


def com_issue(timestamp: int, max_delta: int, network_id: int, member: IdentityHandle, controller: IdentityHandle,
              err: type[ArgumentError]) -> bytes:
    return _bytes_call(
        lambda o, n: lib.ztx_com_issue(timestamp, max_delta, network_id, member, controller, o, n), "certificate", err
    )


def credentials_parse(data: bytes, controller: Optional[IdentityHandle], err: type[ArgumentError]) -> JsonValue:
    raw = _as_bytes(data, "credentials")
    c = _identity_or_null(controller)
    return _json_call(lambda o, n: lib.ztx_credentials_parse(raw, len(raw), c, o, n), "invalid credentials", err)


def credentials_reserialize(data: bytes, err: type[ArgumentError]) -> bytes:
    raw = _as_bytes(data, "credentials")
    return _bytes_call(lambda o, n: lib.ztx_credentials_reserialize(raw, len(raw), o, n), "invalid credentials", err)


def capability_verify(cap: bytes, controller: IdentityHandle, holders: list[IdentityHandle],
                      err: type[ArgumentError]) -> bool:
    raw = _as_bytes(cap, "capability")
    arr = ffi.new("ztx_identity *[]", holders) if holders else ffi.NULL
    return check(lib.ztx_capability_verify(raw, len(raw), controller, arr, len(holders)), "invalid capability",
                 err) == 1


def capability_transfer(cap: bytes, holder: IdentityHandle, to: int, err: type[ArgumentError]) -> bytes:
    raw = _as_bytes(cap, "capability")
    return _bytes_call(lambda o, n: lib.ztx_capability_transfer(raw, len(raw), holder, to, o, n), "capability", err)


def rules_parse(data: bytes, err: type[ArgumentError]) -> JsonValue:
    raw = _as_bytes(data, "rules")
    return _json_call(lambda o, n: lib.ztx_rules_parse(raw, len(raw), o, n), "invalid rules", err)


def rules_reserialize(data: bytes, err: type[ArgumentError]) -> bytes:
    raw = _as_bytes(data, "rules")
    return _bytes_call(lambda o, n: lib.ztx_rules_reserialize(raw, len(raw), o, n), "invalid rules", err)


FrameFields = dict[str, Any]


def _tag_array(tags: dict[int, int], keep: list[Any]) -> tuple[Any, int]:
    if not tags:
        return ffi.NULL, 0
    arr = ffi.new("ztx_tag_spec_t[]", len(tags))
    for i, (tag_id, value) in enumerate(sorted(tags.items())):
        arr[i].id = tag_id
        arr[i].value = value
    keep.append(arr)
    return arr, len(tags)


def rules_evaluate(rules: bytes, capabilities: Optional[list[tuple[int, bytes]]], frame: FrameFields,
                   err: type[ArgumentError]) -> dict[str, int]:
    """One table (capabilities None) or the whole decision; returns the ztx_filter_result_t fields."""
    keep: list[Any] = []
    raw = _as_bytes(rules, "rules")
    f = ffi.new("ztx_frame_t *")
    for name in ("zt_source", "zt_dest", "mac_source", "mac_dest", "ethertype", "vlan_id", "netconf_flags"):
        setattr(f, name, frame[name])
    f.inbound = int(frame["inbound"])
    payload = _as_bytes(frame["payload"], "payload")
    payload_buf = ffi.new("uint8_t[]", payload) if payload else ffi.NULL
    keep.append(payload_buf)
    f.payload = payload_buf
    f.payload_len = len(payload)
    f.sender_tags, f.sender_tag_count = _tag_array(frame["sender_tags"], keep)
    f.receiver_tags, f.receiver_tag_count = _tag_array(frame["receiver_tags"], keep)
    owns = frame["sender_owns"]
    if owns:
        things = ffi.new("ztx_owned_thing_t[]", len(owns))
        for i, (kind, value) in enumerate(owns):
            things[i].type = kind
            ffi.memmove(things[i].value, value, len(value))
        keep.append(things)
        f.sender_owns, f.sender_owns_count = things, len(owns)
    config = frame["config"]
    if config:
        config_buf = ffi.new("uint8_t[]", config)
        keep.append(config_buf)
        f.config, f.config_len = config_buf, len(config)
    out = ffi.new("ztx_filter_result_t *")
    if capabilities is None:
        check(lib.ztx_rules_evaluate(raw, len(raw), f, out), "rule evaluation", err)
    else:
        caps = ffi.new("ztx_capability_spec_t[]", max(len(capabilities), 1))
        for i, (cap_id, cap_rules) in enumerate(capabilities):
            buf = ffi.new("uint8_t[]", cap_rules) if cap_rules else ffi.NULL
            keep.append(buf)
            caps[i].id = cap_id
            caps[i].rules = buf
            caps[i].rules_len = len(cap_rules)
        check(lib.ztx_rules_filter(raw, len(raw), caps, len(capabilities), f, out), "rule evaluation", err)
    return {name: int(getattr(out, name)) for name, _ in ffi.typeof("ztx_filter_result_t").fields}


def config_chunks(controller: IdentityHandle, network_id: int, update_id: int, dictionary: bytes,
                  err: type[ArgumentError]) -> list[bytes]:
    raw = _as_bytes(dictionary, "dictionary")
    count = len(raw) // lib.ZTX_CONFIG_CHUNK_MAX_DATA + 1
    capacity = count * lib.ZTX_CONFIG_CHUNK_MAX_LEN
    out = ffi.new("uint8_t[]", capacity)
    size = ffi.new("size_t *", capacity)
    lens = ffi.new("size_t[]", count)
    n = ffi.new("size_t *", count)
    check(lib.ztx_config_chunks(controller, network_id, update_id, raw, len(raw), out, size, lens, n),
          "config chunks", err)
    data = bytes(ffi.buffer(out, size[0]))
    chunks, at = [], 0
    for i in range(n[0]):
        chunks.append(data[at : at + lens[i]])
        at += lens[i]
    return chunks


def config_assembler_new() -> AssemblerHandle:
    out = ffi.new("ztx_config_assembler **")
    check(lib.ztx_config_assembler_new(out), "config assembler allocation failed")
    return ffi.gc(out[0], lib.ztx_config_assembler_free)


def config_assembler_add(h: AssemblerHandle, controller: IdentityHandle, from_controller: bool, packet_id: int,
                         chunk: bytes, err: type[ArgumentError]) -> Optional[tuple[int, bytes]]:
    """(update ID, dictionary) once a config is complete, else None."""
    raw = _as_bytes(chunk, "chunk")
    out = ffi.new("uint8_t[]", lib.ZTX_NETCONF_MAX_LEN)
    size = ffi.new("size_t *", lib.ZTX_NETCONF_MAX_LEN)
    update_id = ffi.new("uint64_t *")
    code = check(lib.ztx_config_assembler_add(h, controller, int(from_controller), packet_id, raw, len(raw), out,
                                              size, update_id), "config chunk rejected", err)
    if code != lib.ZTX_CONFIG_COMPLETE:
        return None
    return int(update_id[0]), bytes(ffi.buffer(out, size[0]))
