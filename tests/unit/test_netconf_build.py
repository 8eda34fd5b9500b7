# SPDX-License-Identifier: Apache-2.0
"""The controller's side: configs built and signed, cut into signed chunks, and reassembled by members.

The capture's identities serve as controller (0f2e12b316, so networks 0f2e12b316xxxxxx) and members.
"""
from __future__ import annotations

import ipaddress
import json
import random
import struct
from pathlib import Path

import pytest

from libzt import Identity, NetconfError
from libzt import netconf as nc

CAPTURE = Path(__file__).resolve().parent.parent / "vectors" / "capture"
_IDS = {name: Identity.from_string(text) for name, text in json.loads((CAPTURE / "capture.json").read_text())[
    "identities"].items()}
CONTROLLER, A, B = _IDS["root_controller"], _IDS["A"], _IDS["B"]
NWID = (CONTROLLER.node_id << 24) | 0x6B6FA3
NOW = 1_795_710_624_997
HOUR = 3_600_000


def spec_for(member: Identity, **changes: object) -> nc.NetconfSpec:
    spec = nc.NetconfSpec(
        network_id=NWID,
        member_id=member.node_id,
        name="lab",
        private=True,
        timestamp=NOW,
        credential_time_max_delta=HOUR,
        revision=7,
        mtu=2800,
        multicast_limit=16,
        flags=nc.FLAG_ENABLE_BROADCAST | nc.FLAG_NDP_EMULATION,
        remote_trace_target=B.node_id,
        remote_trace_level=1,
        static_ips=["10.9.0.5/16", str(nc.rfc4193_address(NWID, member.node_id)),
                    str(nc.sixplane_address(NWID, member.node_id))],
        routes=[nc.Route(ipaddress.ip_network("10.9.0.0/16")),
                nc.Route(ipaddress.ip_network("0.0.0.0/0"), ipaddress.ip_address("10.9.0.1"), flags=1, metric=5),
                nc.Route(ipaddress.ip_network("fd00::/8"), ipaddress.ip_address("fd00::1"))],
        specialists=[B.node_id | 0x020000000000],
        rules=[
            {"type": "MATCH_ETHERTYPE", "etherType": 0x0806, "not": False, "or": False},
            {"type": "ACTION_ACCEPT"},
            {"type": "MATCH_IP_PROTOCOL", "ipProtocol": 6, "not": True, "or": False},
            {"type": "ACTION_DROP"},
            {"type": "ACTION_ACCEPT"},
        ],
        capabilities=[(20, [{"type": "MATCH_IP_DEST_PORT_RANGE", "start": 22, "end": 22, "not": False, "or": False},
                            {"type": "ACTION_ACCEPT"}]),
                      (10, [{"type": "ACTION_ACCEPT"}])],
        tags=[(300, 3), (100, 1), (200, 2), (100, 11)],  # the last of equal IDs wins
        dns_domain="lab.example",
        dns_servers=["10.9.0.1", "fd00::53"],
    )
    for name, value in changes.items():
        setattr(spec, name, value)
    return spec


@pytest.fixture(scope="module")
def built_a() -> bytes:
    return nc.build_network_config(spec_for(A), CONTROLLER, A)


def test_built_config_reads_back_with_every_field(built_a: bytes) -> None:
    config = nc.NetworkConfig.from_bytes(built_a, CONTROLLER)
    assert (config.network_id, config.issued_to, config.timestamp) == (NWID, A.node_id, NOW)
    assert (config.name, config.private, config.revision, config.mtu, config.multicast_limit) == ("lab", True, 7, 2800,
                                                                                                  16)
    assert config.broadcast_enabled and config.ndp_emulation
    assert (config.remote_trace_target, config.remote_trace_level) == (B.node_id, 1)
    assert config.credential_time_max_delta == HOUR
    assert [str(ip) for ip in config.static_ips] == spec_for(A).static_ips
    assert config.routes == tuple(spec_for(A).routes)
    assert config.specialists == (nc.Specialist(B.node_id, frozenset({"ACTIVE_BRIDGE"})),)
    assert list(config.rules) == spec_for(A).rules
    assert config.dns == nc.Dns("lab.example", (ipaddress.ip_address("10.9.0.1"), ipaddress.ip_address("fd00::53")))
    # Credentials: all signed by the controller, all issued to A.
    com = config.com
    assert com.signature_valid and com.issued_to == A.node_id and com.timestamp == NOW
    assert [q.max_delta for q in com.qualifiers[:2]] == [HOUR, 0]
    assert [(c["id"], c["signature_valid"], c["issued_to"]) for c in config.capabilities] == [
        (10, True, A.address), (20, True, A.address)]  # sorted by ID
    assert config.capabilities[1]["rules"][0]["type"] == "MATCH_IP_DEST_PORT_RANGE"
    assert [c["custody"][0]["from"] for c in config.capabilities] == [CONTROLLER.address] * 2
    assert [(t["id"], t["value"], t["signature_valid"]) for t in config.tags] == [(100, 11, True), (200, 2, True),
                                                                                  (300, 3, True)]
    (coo,) = config.coos
    assert coo["id"] == 1 and coo["signature_valid"]
    assert [t["value"] for t in coo["things"]] == [str(ip.ip) for ip in config.static_ips]


def test_dns_entry_has_zerotier_ones_layout(built_a: bytes) -> None:
    """``DNS``: the domain NUL-padded to 128 bytes, then exactly four InetAddresses (type 4 or 6, the
    address, a 2-byte port; a lone 0 for an empty slot), as ZeroTier One's serializeDNS writes it."""
    expected = (b"lab.example".ljust(128, b"\0")
                + b"\x04" + bytes([10, 9, 0, 1]) + b"\0\0"
                + b"\x06" + ipaddress.ip_address("fd00::53").packed + b"\0\0"
                + b"\x00" + b"\x00")
    assert dict(nc.parse_dictionary(built_a))["DNS"] == expected
    no_dns = nc.build_network_config(spec_for(A, dns_domain="", dns_servers=[]), CONTROLLER, A)
    assert dict(nc.parse_dictionary(no_dns))["DNS"] == bytes(128 + 4)  # always written, as ZeroTier One does


def test_dns_entry_written_by_zerotier_one_reads_back(built_a: bytes) -> None:
    """What ZeroTier One may write beyond what we do: a domain filling all 128 bytes (it reads the
    first 127), servers with a port, an empty slot between two servers."""
    v4, v6 = ipaddress.ip_address("192.168.1.53"), ipaddress.ip_address("fd00::53")
    blob = (b"d" * 128 + b"\x04" + v4.packed + (53).to_bytes(2, "big") + b"\x00"
            + b"\x06" + v6.packed + (53).to_bytes(2, "big") + b"\x00")
    entries = [(k, blob if k == "DNS" else v) for k, v in nc.parse_dictionary(built_a)]
    config = nc.NetworkConfig.from_bytes(nc.serialize_dictionary(entries), CONTROLLER)
    assert config.dns == nc.Dns("d" * 127, (v4, v6))


def test_built_config_rewrites_identically_and_members_agree(built_a: bytes) -> None:
    assert nc.reserialize_network_config(built_a) == built_a
    built_b = nc.build_network_config(spec_for(B, timestamp=NOW + 1000), CONTROLLER, B)
    com_a, com_b = dict(nc.parse_dictionary(built_a))["C"], dict(nc.parse_dictionary(built_b))["C"]
    assert nc.certificates_agree(com_a, com_b, B) and nc.certificates_agree(com_b, com_a, A)
    late_b = nc.build_network_config(spec_for(B, timestamp=NOW + HOUR + 1), CONTROLLER, B)
    assert not nc.certificates_agree(com_a, dict(nc.parse_dictionary(late_b))["C"], B)


def test_defaults_of_the_spec() -> None:
    config = nc.NetworkConfig.from_bytes(
        nc.build_network_config(nc.NetconfSpec(NWID, A.node_id, timestamp=NOW), CONTROLLER, A))
    assert config.rules == ({"type": "ACTION_ACCEPT"},)
    assert config.credential_time_max_delta == 30 * 60 * 1000
    assert config.coos == ()  # no static IPs, nothing to own
    assert config.static_ips == config.routes == ()


def test_build_refuses_what_a_controller_cannot_sign() -> None:
    with pytest.raises(NetconfError, match="private key"):
        nc.build_network_config(spec_for(A), CONTROLLER.public_identity(), A)
    with pytest.raises(NetconfError, match="controller"):
        nc.build_network_config(spec_for(A, network_id=(A.node_id << 24) | 1), CONTROLLER, A)
    with pytest.raises(NetconfError, match="issued-to"):
        nc.build_network_config(spec_for(A), CONTROLLER, B)
    with pytest.raises(NetconfError, match="32 static IPs"):
        nc.build_network_config(spec_for(A, static_ips=[f"10.0.0.{i}/24" for i in range(1, 34)]), CONTROLLER, A)
    with pytest.raises(NetconfError, match="64 rules"):
        nc.build_network_config(spec_for(A, capabilities=[(1, [{"type": "ACTION_ACCEPT"}] * 65)]), CONTROLLER, A)
    with pytest.raises(NetconfError, match="127"):
        nc.build_network_config(spec_for(A, name="n" * 128), CONTROLLER, A)


# ---- chunks ------------------------------------------------------------------------------------------------


def test_a_small_config_is_one_chunk(built_a: bytes) -> None:
    (chunk,) = nc.sign_config_chunks(built_a, NWID, CONTROLLER, update_id=0x1234)
    assert struct.unpack(">QH", chunk[:10]) == (NWID, len(built_a))
    assert chunk[10 : 10 + len(built_a)] == built_a
    flags, update_id, total, index, sig_type, sig_len = struct.unpack(">BQIIBH", chunk[10 + len(built_a) : -96])
    assert (flags, update_id, total, index, sig_type, sig_len) == (0, 0x1234, len(built_a), 0, 1, 96)
    assert CONTROLLER.verify(chunk[: -96 - 3], chunk[-96:])
    assert nc.ConfigAssembler().add(chunk, CONTROLLER) == (0x1234, built_a)


@pytest.fixture(scope="module")
def big_config() -> bytes:
    rules = []
    for i in range(512):
        rules += [{"type": "MATCH_IPV4_SOURCE", "ip": f"10.{i // 256}.{i % 256}.0/24", "not": False, "or": False},
                  {"type": "ACTION_ACCEPT"}]
    spec = spec_for(
        A,
        rules=rules,
        routes=[nc.Route(ipaddress.ip_network(f"10.{i}.0.0/16")) for i in range(128)],
        static_ips=[f"10.{i}.0.5/16" for i in range(32)],
        capabilities=[(i, [{"type": "MATCH_ETHERTYPE", "etherType": i, "not": False, "or": False},
                           {"type": "ACTION_ACCEPT"}] * 32) for i in range(128)],
        tags=[(i, i * 7) for i in range(128)],
    )
    return nc.build_network_config(spec, CONTROLLER, A)


def test_a_large_config_splits_and_reassembles_in_any_order(big_config: bytes) -> None:
    chunks = nc.sign_config_chunks(big_config, NWID, CONTROLLER, update_id=77)
    assert len(chunks) >= 5
    assert all(len(c) <= 10 + nc.MAX_CHUNK_DATA + 18 + 3 + 96 for c in chunks)
    for seed in range(4):
        order = list(chunks)
        random.Random(seed).shuffle(order)
        assembler = nc.ConfigAssembler()
        results = [assembler.add(c, CONTROLLER) for c in order]
        assert results[:-1] == [None] * (len(chunks) - 1)
        assert results[-1] == (77, big_config)
    config = nc.NetworkConfig.from_bytes(big_config, CONTROLLER)
    assert (len(config.rules), len(config.routes), len(config.static_ips)) == (1024, 128, 32)
    assert len(config.capabilities) == len(config.tags) == 128
    assert all(c["signature_valid"] for c in config.capabilities + config.tags)
    assert len(config.coos[0]["things"]) == 16  # a certificate of ownership lists at most 16 things


def test_duplicates_are_ignored_and_updates_interleave(big_config: bytes, built_a: bytes) -> None:
    big = nc.sign_config_chunks(big_config, NWID, CONTROLLER, update_id=1)
    small = nc.sign_config_chunks(built_a, NWID, CONTROLLER, update_id=2)
    assembler = nc.ConfigAssembler()
    assert assembler.add(big[0], CONTROLLER) is None
    assert assembler.add(big[0], CONTROLLER) is None  # again: nothing new
    assert assembler.add(small[0], CONTROLLER) == (2, built_a)
    for c in big[1:-1] + big[1:2]:
        assert assembler.add(c, CONTROLLER) is None
    assert assembler.add(big[-1], CONTROLLER) == (1, big_config)


def test_three_updates_in_flight_the_least_recent_gives_way(built_a: bytes) -> None:
    halves = built_a[:100], built_a[100:]
    updates = {u: chunk_pair(u, built_a) for u in (11, 12, 13, 14)}
    assembler = nc.ConfigAssembler()
    for u in (11, 12, 13, 14):  # 11 is evicted by 14
        assert assembler.add(updates[u][0], CONTROLLER) is None
    assert assembler.add(updates[11][1], CONTROLLER) is None  # 11 starts over (12 gives way)
    assert assembler.add(updates[13][1], CONTROLLER) == (13, built_a)
    assert assembler.add(updates[12][1], CONTROLLER) is None  # 12 was evicted
    assert assembler.add(updates[11][0], CONTROLLER) == (11, built_a)
    assert halves[0] + halves[1] == built_a


def make_chunk(data: bytes, index: int, total: int, update_id: int = 9, signer: Identity = CONTROLLER,
               network_id: int = NWID, sig_type: int = 1, sig_len: int = 96, extra: bytes = b"") -> bytes:
    signed = struct.pack(">QH", network_id, len(data)) + data + struct.pack(">BQII", 0, update_id, total, index)
    return signed + struct.pack(">BH", sig_type, sig_len) + signer.sign(signed) + extra


def chunk_pair(update_id: int, dictionary: bytes, cut: int = 100) -> tuple[bytes, bytes]:
    total = len(dictionary)
    return (make_chunk(dictionary[:cut], 0, total, update_id), make_chunk(dictionary[cut:], cut, total, update_id))


def test_our_chunks_are_what_the_reference_layout_gives(built_a: bytes) -> None:
    (ours,) = nc.sign_config_chunks(built_a, NWID, CONTROLLER, update_id=9)
    assert ours == make_chunk(built_a, 0, len(built_a))  # Ed25519 signatures are deterministic


@pytest.mark.parametrize(
    ("chunk", "reason"),
    [
        (make_chunk(b"v=7", 0, 3, signer=A), "signature"),  # forged: signed by someone else
        (make_chunk(b"v=7", 0, 3)[:-1] + b"\0", "signature"),
        (make_chunk(b"v=7", 0, 3)[:20], "truncated"),
        (make_chunk(b"v=7", 0, 3)[:8], "truncated"),
        (make_chunk(b"v=7", 0, 3, extra=b"\0"), "after the signature"),
        (make_chunk(b"v=7", 0, 3, sig_type=2), "96-byte"),
        (make_chunk(b"v=7", 0, 3, sig_len=64), "96-byte"),
        (make_chunk(b"v=7", 1, 3), "past the total"),
        (make_chunk(b"v=7", 0, 2**20 + 1), "total length"),
        (make_chunk(b"", 0, 3), "empty"),
        (make_chunk(b"v=7", 0, 3, network_id=(A.node_id << 24) | 1, signer=A), "controller"),
    ],
)
def test_bad_chunks_are_rejected(chunk: bytes, reason: str) -> None:
    with pytest.raises(NetconfError, match=reason):
        nc.ConfigAssembler().add(chunk, CONTROLLER)


def test_chunks_of_one_update_must_fit_together(built_a: bytes) -> None:
    total = len(built_a)
    assembler = nc.ConfigAssembler()
    assert assembler.add(make_chunk(built_a[:100], 0, total), CONTROLLER) is None
    with pytest.raises(NetconfError, match="overlaps"):
        assembler.add(make_chunk(built_a[50:150], 50, total), CONTROLLER)
    with pytest.raises(NetconfError, match="total length"):
        assembler.add(make_chunk(built_a[100:], 100, total + 1), CONTROLLER)
    assert assembler.add(make_chunk(built_a[100:], 100, total), CONTROLLER) == (9, built_a)


def test_legacy_unsigned_config_only_from_the_controller(built_a: bytes) -> None:
    legacy = struct.pack(">QH", NWID, len(built_a)) + built_a
    assert nc.ConfigAssembler().add(legacy, CONTROLLER, from_controller=True, packet_id=0xABC) == (0xABC, built_a)
    with pytest.raises(NetconfError, match="legacy"):
        nc.ConfigAssembler().add(legacy, CONTROLLER)


def test_chunking_refuses_nonsense(built_a: bytes) -> None:
    with pytest.raises(NetconfError, match="empty"):
        nc.sign_config_chunks(b"", NWID, CONTROLLER)
    with pytest.raises(NetconfError, match="private key"):
        nc.sign_config_chunks(built_a, NWID, CONTROLLER.public_identity())


# ---- capabilities handed on ---------------------------------------------------------------------------------


def capability(max_custody: int, rules: bytes = b"\x01\x00") -> bytes:
    """A capability issued by the controller to A, built from the layout (not with our builder)."""
    body = struct.pack(">QQIH", NWID, NOW, 5, 1) + rules + bytes([max_custody])
    signature = CONTROLLER.sign(b"\x7f" * 8 + body + b"\0\0" + b"\x7f" * 8)
    entry = A.node_id.to_bytes(5, "big") + CONTROLLER.node_id.to_bytes(5, "big") + b"\x01\x00\x60" + signature
    return body + entry + bytes(5) + b"\0\0"


def test_the_controllers_capabilities_verify(built_a: bytes) -> None:
    caps = dict(nc.parse_dictionary(nc.build_network_config(spec_for(A, capabilities=[(3, [])]), CONTROLLER, A)))[
        "CAP"]
    assert nc.verify_capability(caps, CONTROLLER)
    assert not nc.verify_capability(caps, A)
    with pytest.raises(NetconfError, match="chain of custody is full"):
        nc.transfer_capability(caps, A, B.node_id)  # the controller issues with a chain of one


def test_a_chain_of_custody() -> None:
    cap = capability(max_custody=3)
    assert nc.verify_capability(cap, CONTROLLER)
    handed = nc.transfer_capability(cap, A, B.node_id)
    assert handed[: len(cap) - 7] == cap[:-7]
    assert nc.verify_capability(handed, CONTROLLER, holders=[A])
    assert not nc.verify_capability(handed, CONTROLLER)  # A's signature cannot be checked without A
    with pytest.raises(NetconfError, match="holder"):
        nc.transfer_capability(handed, A, CONTROLLER.node_id)  # A no longer holds it
    again = nc.transfer_capability(handed, B, A.node_id)
    assert nc.verify_capability(again, CONTROLLER, holders=[A, B])
    with pytest.raises(NetconfError, match="full"):
        nc.transfer_capability(again, A, B.node_id)
    forged = bytearray(handed)
    forged[-8] ^= 1  # the last signature byte (then the zero "to" and the extension length)
    assert not nc.verify_capability(bytes(forged), CONTROLLER, holders=[A])
    (decoded,) = nc.parse_credentials(b"\0" + struct.pack(">H", 1) + handed, CONTROLLER).capabilities
    assert [(e["from"], e["to"]) for e in decoded["custody"]] == [(CONTROLLER.address, A.address),
                                                                 (A.address, B.address)]
    assert decoded["issued_to"] == B.address
    assert nc.reserialize_credentials(b"\0" + struct.pack(">H", 1) + handed) == b"\0" + struct.pack(
        ">H", 1) + handed + b"\0\0" * 3
