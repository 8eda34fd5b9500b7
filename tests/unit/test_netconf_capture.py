# SPDX-License-Identifier: Apache-2.0
"""Network configs and credentials made by the official software, read and rewritten by ours.

tests/vectors/capture/: ``networkconfig_A_*.conf`` is the config official libzt 1.8.4 stored for node
A; the capture holds the signed config chunks the zerotier-one 1.14.1 controller sent A and B (an
OK(NETWORK_CONFIG_REQUEST) and a NETWORK_CONFIG push each) and the NETWORK_CREDENTIALS A and B
exchanged; ``controller/*.json`` are the controller's own records.
"""
from __future__ import annotations

import hashlib
import ipaddress
import json
import struct

import pytest
from test_capture import CAPTURE, IDENTITIES, NETWORK_ID, SPEC, Received, Replay, replay  # noqa: F401

from libzt import Identity, NetconfError
from libzt import netconf as nc

CONF = (CAPTURE / "networkconfig_A_0f2e12b3166b6fa3.conf").read_bytes()
NETWORK = json.loads((CAPTURE / "controller" / "network.json").read_text())
MEMBER_A = json.loads((CAPTURE / "controller" / "member_74355ac5db.json").read_text())
CONTROLLER = IDENTITIES["root_controller"]
NWID = int(NETWORK_ID, 16)
SSOV_LINE = b"ssov=0000000000000000\n"  # written by 1.14.1, not by the 1.8.4 that stored the file


def identity_hash_words(identity: Identity) -> list[int]:
    digest = hashlib.sha384(identity.node_id.to_bytes(5, "big") + identity.public_key).digest()
    return [int.from_bytes(digest[i : i + 8], "big") for i in range(0, 32, 8)]


def entries(data: bytes) -> dict[str, bytes]:
    return dict(nc.parse_dictionary(data))


def chunk_of(p: Received) -> bytes:
    """The chunk body: from the network ID to the end of the signature."""
    return p.plain[p.fields["signed_offset"] :]


def assemble(p: Received) -> tuple[int, bytes]:
    result = nc.ConfigAssembler().add(chunk_of(p), CONTROLLER)
    assert result is not None, "each captured config fits one chunk"
    return result


# ---- the stored config -------------------------------------------------------------------------------


def test_stored_config_has_every_field_the_controller_set() -> None:
    config = nc.NetworkConfig.from_bytes(CONF, CONTROLLER)
    a = IDENTITIES["A"]
    assert config.network_id == NWID
    assert config.issued_to == a.node_id
    assert config.name == NETWORK["name"] == "ztref"
    assert config.type is nc.NetworkType.PUBLIC and not config.private and NETWORK["private"] is False
    assert config.mtu == NETWORK["mtu"] == 2800
    assert config.multicast_limit == NETWORK["multicastLimit"] == 32
    assert config.broadcast_enabled and NETWORK["enableBroadcast"]
    assert config.flags == nc.FLAG_ENABLE_BROADCAST and not config.ndp_emulation
    assert config.revision == NETWORK["revision"] == 1
    assert config.credential_time_max_delta == 30 * 60 * 1000
    assert config.remote_trace_target == 0 and config.remote_trace_level == 0
    assert config.static_ips == (ipaddress.ip_interface(f"{SPEC['assigned_ips']['A']}/24"),)
    assert MEMBER_A["ipAssignments"] == [SPEC["assigned_ips"]["A"]]
    assert config.routes == (nc.Route(ipaddress.ip_network(NETWORK["routes"][0]["target"])),)
    assert config.rules == ({"type": "ACTION_ACCEPT"},)
    assert config.specialists == () and config.capabilities == () and config.tags == ()
    assert config.dns == nc.Dns()
    assert config.sso["version"] == 0 and config.sso["enabled"] is False


def test_stored_certificate_of_membership() -> None:
    config = nc.NetworkConfig.from_bytes(CONF, CONTROLLER)
    com = config.com
    assert com is not None
    a = IDENTITIES["A"]
    assert [q.id for q in com.qualifiers] == list(range(7))
    assert com.qualifiers[0] == nc.Qualifier(0, config.timestamp, config.credential_time_max_delta)
    assert com.qualifiers[1] == nc.Qualifier(1, NWID, 0)
    assert com.qualifiers[2] == nc.Qualifier(2, a.node_id, 2**64 - 1)
    # Qualifiers 3..6 bind the certificate to A's whole public key, not just its address.
    assert [q.value for q in com.qualifiers[3:]] == identity_hash_words(a)
    assert all(q.max_delta == 2**64 - 1 for q in com.qualifiers[3:])
    assert (com.network_id, com.issued_to, com.timestamp) == (NWID, a.node_id, config.timestamp)
    assert com.signed_by == CONTROLLER.node_id == NWID >> 24
    assert com.signature_valid is True
    assert nc.NetworkConfig.from_bytes(CONF, IDENTITIES["B"]).com.signature_valid is False
    assert nc.NetworkConfig.from_bytes(CONF).com.signature_valid is None


def test_stored_certificate_of_ownership() -> None:
    (coo,) = nc.NetworkConfig.from_bytes(CONF, CONTROLLER).coos
    assert coo["id"] == 1 and coo["flags"] == 0
    assert coo["things"] == [{"type": "IPV4", "value": SPEC["assigned_ips"]["A"]}]
    assert (coo["issued_to"], coo["signed_by"]) == (IDENTITIES["A"].address, CONTROLLER.address)
    assert coo["signature_valid"] is True


def test_rewriting_the_stored_config_only_adds_the_sso_version() -> None:
    ours = nc.reserialize_network_config(CONF)
    # 1.14.1 writes "ssov" before "ssoe"; the 1.8.4 that stored this file predates the key.
    assert ours == CONF.replace(b"\nssoe=", b"\n" + SSOV_LINE + b"ssoe=")
    assert nc.NetworkConfig.from_bytes(ours, CONTROLLER) == nc.NetworkConfig.from_bytes(CONF, CONTROLLER)
    assert nc.reserialize_network_config(ours) == ours


@pytest.mark.parametrize("key", ["C", "COO", "RT", "I", "R", "DNS"])
def test_binary_fields_are_rewritten_byte_for_byte(key: str) -> None:
    official = entries(CONF)[key]
    assert entries(nc.reserialize_network_config(CONF))[key] == official


def test_binary_field_layouts() -> None:
    e = entries(CONF)
    assert e["I"] == bytes.fromhex("040a93119500 18".replace(" ", ""))  # 10.147.17.149, /24 in the port
    assert e["RT"] == bytes.fromhex("040a93110000 18 00 0000 0000".replace(" ", ""))  # via: nil
    assert e["R"] == b"\x01\x00"  # one ACCEPT
    assert e["DNS"] == bytes(128 + 4)  # no domain, four empty server slots
    assert len(e["C"]) == 1 + 2 + 7 * 24 + 5 + 96 == 272


# ---- the config chunks in the capture --------------------------------------------------------------------


def config_chunks(replay: Replay) -> list[Received]:  # noqa: F811
    chunks = replay.of("OK(NETWORK_CONFIG_REQUEST)") + replay.of("NETWORK_CONFIG")
    assert len(chunks) == 4
    return chunks


def test_captured_chunks_reassemble_into_configs_for_their_receivers(replay: Replay) -> None:  # noqa: F811
    for p in config_chunks(replay):
        update_id, dictionary = assemble(p)
        assert update_id == int(p.fields["update_id"], 16)
        config = nc.NetworkConfig.from_bytes(dictionary, CONTROLLER)
        receiver = IDENTITIES[p.receiver]
        assert config.issued_to == receiver.node_id and config.network_id == NWID
        assert config.static_ips == (ipaddress.ip_interface(f"{SPEC['assigned_ips'][p.receiver]}/24"),)
        assert config.com.signature_valid and config.com.issued_to == receiver.node_id
        assert config.coos[0]["signature_valid"]
        # What the controller sent is exactly what our serializer writes for it.
        assert nc.reserialize_network_config(dictionary) == dictionary


def test_the_stored_file_is_the_pushed_config_without_the_sso_version(replay: Replay) -> None:  # noqa: F811
    (push,) = [p for p in replay.of("NETWORK_CONFIG") if p.receiver == "A"]
    _, dictionary = assemble(push)
    assert dictionary == CONF.replace(b"\nssoe=", b"\n" + SSOV_LINE + b"ssoe=")
    # The OK to A's request came a millisecond earlier: same config, its own timestamp and signatures.
    (ok,) = [p for p in replay.of("OK(NETWORK_CONFIG_REQUEST)") if p.receiver == "A"]
    earlier = nc.NetworkConfig.from_bytes(assemble(ok)[1], CONTROLLER)
    stored = nc.NetworkConfig.from_bytes(CONF, CONTROLLER)
    assert earlier.timestamp == stored.timestamp - 1
    differs = {"timestamp", "com", "coos"}
    for name in nc.NetworkConfig.__dataclass_fields__:
        if name not in differs:
            assert getattr(earlier, name) == getattr(stored, name), name


def test_a_tampered_captured_chunk_is_rejected(replay: Replay) -> None:  # noqa: F811
    chunk = bytearray(chunk_of(config_chunks(replay)[0]))
    chunk[40] ^= 0x01  # inside the dictionary data
    with pytest.raises(NetconfError, match="signature"):
        nc.ConfigAssembler().add(bytes(chunk), CONTROLLER)
    with pytest.raises(NetconfError, match="controller"):  # not a network of A's
        nc.ConfigAssembler().add(chunk_of(config_chunks(replay)[0]), IDENTITIES["A"])


# ---- credentials and certificates between members ---------------------------------------------------------


def config_of(replay: Replay, name: str) -> nc.NetworkConfig:  # noqa: F811
    (push,) = [p for p in replay.of("NETWORK_CONFIG") if p.receiver == name]
    return nc.NetworkConfig.from_bytes(assemble(push)[1], CONTROLLER)


def com_bytes(replay: Replay, name: str) -> bytes:  # noqa: F811
    (push,) = [p for p in replay.of("NETWORK_CONFIG") if p.receiver == name]
    return entries(assemble(push)[1])["C"]


def test_network_credentials_decode_verify_and_rewrite_byte_for_byte(replay: Replay) -> None:  # noqa: F811
    packets = replay.of("NETWORK_CREDENTIALS")
    assert packets
    for p in packets:
        payload = p.plain[28:]
        creds = nc.parse_credentials(payload, CONTROLLER)
        sender = IDENTITIES[p.sender]
        (com,) = creds.coms
        assert com.signature_valid and com.issued_to == sender.node_id
        assert com == config_of(replay, p.sender).com  # the certificate from the sender's config
        (coo,) = creds.coos
        assert coo["signature_valid"] and coo["things"] == [{"type": "IPV4", "value": SPEC["assigned_ips"][p.sender]}]
        assert creds.capabilities == creds.tags == creds.revocations == ()
        assert nc.reserialize_credentials(payload) == payload


def test_the_members_certificates_agree(replay: Replay) -> None:  # noqa: F811
    a, b = com_bytes(replay, "A"), com_bytes(replay, "B")
    assert nc.verify_membership_certificate(a, CONTROLLER) and nc.verify_membership_certificate(b, CONTROLLER)
    assert nc.certificates_agree(a, b, IDENTITIES["B"])
    assert nc.certificates_agree(b, a, IDENTITIES["A"])


def with_qualifier(com: bytes, qualifier_id: int, value: int) -> bytes:
    """The certificate with one qualifier's value replaced (its signature no longer matches)."""
    (count,) = struct.unpack(">H", com[1:3])
    out = bytearray(com)
    for i in range(count):
        at = 3 + 24 * i
        if int.from_bytes(com[at : at + 8], "big") == qualifier_id:
            out[at + 8 : at + 16] = value.to_bytes(8, "big")
    return bytes(out)


def test_certificates_that_must_not_agree(replay: Replay) -> None:  # noqa: F811
    a, b = com_bytes(replay, "A"), com_bytes(replay, "B")
    ts_a = nc.MembershipCertificate.from_bytes(a).timestamp
    ctmd = nc.MembershipCertificate.from_bytes(a).qualifiers[0].max_delta
    # Timestamps: within our max delta agrees, beyond it does not (whichever side is newer).
    assert nc.certificates_agree(a, with_qualifier(b, 0, ts_a + ctmd), IDENTITIES["B"])
    assert not nc.certificates_agree(a, with_qualifier(b, 0, ts_a + ctmd + 1), IDENTITIES["B"])
    assert not nc.certificates_agree(a, with_qualifier(b, 0, ts_a - ctmd - 1), IDENTITIES["B"])
    # Another network (max delta 0).
    assert not nc.certificates_agree(a, with_qualifier(b, 1, NWID ^ 1), IDENTITIES["B"])
    # B's certificate presented by someone else: the identity hash does not match.
    assert not nc.certificates_agree(a, b, IDENTITIES["A"])
    assert not nc.certificates_agree(a, with_qualifier(b, 4, 0), IDENTITIES["B"])
    # Tampering breaks the signature, not the agreement arithmetic.
    assert not nc.verify_membership_certificate(with_qualifier(b, 0, ts_a), CONTROLLER)
    assert not nc.verify_membership_certificate(b, IDENTITIES["A"])


def old_style_certificate(timestamp: int, network_id: int, node_id: int, max_delta: int) -> bytes:
    """A 3-qualifier certificate as controllers before the identity hash issued them (unsigned)."""
    qualifiers = [(0, timestamp, max_delta), (1, network_id, 0), (2, node_id, 2**64 - 1)]
    body = b"".join(struct.pack(">QQQ", *q) for q in qualifiers)
    return b"\x01" + struct.pack(">H", 3) + body + bytes(5)


def test_old_three_qualifier_certificates(replay: Replay) -> None:  # noqa: F811
    a = com_bytes(replay, "A")
    com_a = nc.MembershipCertificate.from_bytes(a)
    old_b = old_style_certificate(com_a.timestamp, NWID, IDENTITIES["B"].node_id, com_a.qualifiers[0].max_delta)
    # Ours binds identities, so a peer's must too; an old certificate of ours asks nothing of theirs.
    assert not nc.certificates_agree(a, old_b, IDENTITIES["B"])
    old_a = old_style_certificate(com_a.timestamp, NWID, IDENTITIES["A"].node_id, com_a.qualifiers[0].max_delta)
    assert nc.certificates_agree(old_a, com_bytes(replay, "B"), IDENTITIES["B"])
    assert not nc.verify_membership_certificate(old_a, CONTROLLER)  # unsigned
