# SPDX-License-Identifier: Apache-2.0
"""The only module that touches cffi objects: calls into ``libzt._native``, checks return codes and
hands back plain ``bytes``, ``int`` and ``str``. Everything above it is ordinary Python."""
from __future__ import annotations

from typing import Any

from libzt._native import ffi, lib
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
