# SPDX-License-Identifier: Apache-2.0
"""What a member must refuse cleanly: malformed dictionaries and configs, truncated or oversized
certificates and credentials. Every refusal is a NetconfError with a reason; nothing crashes."""
from __future__ import annotations

import struct
from pathlib import Path

import pytest

from libzt import NetconfError
from libzt import netconf as nc

CONF = (Path(__file__).resolve().parent.parent / "vectors" / "capture" / "networkconfig_A_0f2e12b3166b6fa3.conf"
        ).read_bytes()
ENTRIES = nc.parse_dictionary(CONF)


def conf_with(**changes: bytes | None) -> bytes:
    """The stored config with some values replaced (None: the key removed)."""
    out = [(k, changes.get(k, v)) for k, v in ENTRIES if changes.get(k, v) is not None]
    known = {k for k, _ in ENTRIES}
    out += [(k, v) for k, v in changes.items() if k not in known and v is not None]
    return nc.serialize_dictionary(out)


# ---- dictionaries ---------------------------------------------------------------------------------------


def test_dictionary_escapes_and_separators() -> None:
    raw = b"a=x\\0y\\r\\n\\\\\\e\\q\r\nb=\xff\x80\n\nc="
    assert nc.parse_dictionary(raw) == [("a", b"x\0y\r\n\\=q"), ("b", b"\xff\x80"), ("c", b"")]
    assert nc.parse_dictionary(b"a=1\0b=2") == [("a", b"1")]  # a NUL ends the dictionary, as a C string
    assert nc.parse_dictionary(b"") == []
    value = bytes(range(256))
    assert nc.parse_dictionary(nc.serialize_dictionary([("k", value)])) == [("k", value)]
    assert nc.parse_dictionary(b"k=1\nk=2") == [("k", b"1"), ("k", b"2")]  # (the first is the one read)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"v=7\nno equals sign", "without '='"),
        (b"=value", "empty key"),
        (b"a=dangling\\", "lone backslash"),
        (b"k" * 256 + b"=1", "longer than 255"),
        (b"a=" + b"x" * (1 << 20), "larger than 1 MiB"),
    ],
)
def test_malformed_dictionaries(raw: bytes, reason: str) -> None:
    with pytest.raises(NetconfError, match=reason):
        nc.parse_dictionary(raw)
    with pytest.raises(NetconfError, match=reason):
        nc.NetworkConfig.from_bytes(raw)


# ---- network configs ---------------------------------------------------------------------------------------


def com_with_qualifiers(qualifiers: list[tuple[int, int, int]], signer: bytes = bytes(5)) -> bytes:
    return b"\x01" + struct.pack(">H", len(qualifiers)) + b"".join(struct.pack(">QQQ", *q) for q in qualifiers) + signer


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"nwid": None}, "no network ID"),
        ({"nwid": b"0"}, "no network ID"),
        ({"nwid": b"zz"}, "no network ID"),  # no hex digits: 0, as ZeroTier reads it
        ({"id": None}, "no issued-to"),
        ({"t": b"2"}, "unknown network type"),
        ({"n": b"n" * 128}, "127"),
        ({"C": b""}, "format"),
        ({"C": b"\x02" + dict(ENTRIES)["C"][1:]}, "format"),
        ({"C": dict(ENTRIES)["C"][:-1]}, "truncated"),
        ({"C": dict(ENTRIES)["C"] + b"\0"}, "after the certificate"),
        ({"C": com_with_qualifiers([(i, 0, 0) for i in range(9)])}, "more than 8"),
        ({"C": com_with_qualifiers([(1, 0, 0), (0, 0, 0)])}, "out of order"),
        ({"RT": dict(ENTRIES)["RT"][:-1]}, "route"),
        ({"RT": b"\x00" + b"\x00" * 5}, "without a target"),
        ({"RT": b"\x04\x0a\x00\x00\x00\x00\x21" + b"\x00" * 5}, "prefix too long"),
        ({"RT": b"\x09" + b"\x00" * 10}, "route address"),
        ({"I": b"\x04\x0a\x00\x00\x01\x00\x21"}, "prefix too long"),
        ({"I": b"\x04\x0a\x00\x00"}, "malformed static IP"),
        ({"I": b"\x04\x0a\x00\x00\x01\x00\x18" * 33}, "more than 32"),
        ({"S": b"\x00" * 7}, "8 bytes"),
        ({"R": b"\x25\x01\x08"}, "shorter"),
        ({"R": b"\x01\x00" * 1025}, "maximum"),
        ({"DNS": b"\x00" * 127}, "DNS"),
        ({"DNS": b"\x00" * 132 + b"\x00"}, "after the DNS"),
        ({"DNS": b"\x00" * 128 + b"\x04\x01"}, "DNS server"),
        ({"COO": dict(ENTRIES)["COO"][:-1]}, "truncated"),
        ({"COO": dict(ENTRIES)["COO"][:28] + b"\x00\x11"}, "16 things"),
        ({"TAG": b"\x00" * 34 + b"\x01\x00\x40"}, "not 96 bytes"),
        ({"CAP": b"\x00" * 20 + b"\x00\x41"}, "64 rules"),
        ({"CAP": b"\x00" * 20 + b"\x00\x00\x08"}, "custody chain limit"),
    ],
)
def test_malformed_configs(changes: dict[str, bytes | None], reason: str) -> None:
    raw = conf_with(**changes)
    with pytest.raises(NetconfError, match=reason):
        nc.NetworkConfig.from_bytes(raw)
    with pytest.raises(NetconfError, match=reason):
        nc.reserialize_network_config(raw)


def test_tolerated_oddities() -> None:
    assert nc.NetworkConfig.from_bytes(conf_with(mtu=b"64")).mtu == 1280  # clamped, as ZeroTier clamps
    assert nc.NetworkConfig.from_bytes(conf_with(mtu=b"ffffffffffffffffff")).mtu == 10000
    assert nc.NetworkConfig.from_bytes(conf_with(nwid=b"F2E12B3166B6FA3")).network_id == 0x0F2E12B3166B6FA3
    assert nc.NetworkConfig.from_bytes(conf_with(I=b"\x03\x00\x02ab" + dict(ENTRIES)["I"])).static_ips == (
        nc.NetworkConfig.from_bytes(CONF).static_ips)  # reserved address types are skipped
    # More than four certificates of ownership: the first four are kept.
    coo = dict(ENTRIES)["COO"]
    assert len(nc.NetworkConfig.from_bytes(conf_with(COO=coo * 6)).coos) == 4
    # Keys nobody knows are ignored; so is everything a config does not say.
    assert nc.NetworkConfig.from_bytes(conf_with(zzz=b"?")).name == "ztref"
    minimal = nc.NetworkConfig.from_bytes(b"v=7\nnwid=1\nid=2")
    assert (minimal.private, minimal.mtu, minimal.rules, minimal.com) == (True, 2800, (), None)


def test_legacy_config_keys() -> None:
    raw = (b"v=5\nnwid=8056c2e21c000001\nid=89e92ceee5\nn=old\neb=1\np=0\n"
           b"v4s=10.1.2.3/8,10.0.0.0/8,junk\nv6s=fd00::1/64\net=806,800,0\nab=1122334455")
    config = nc.NetworkConfig.from_bytes(raw)
    assert config.type is nc.NetworkType.PUBLIC and config.broadcast_enabled and config.ndp_emulation
    assert [str(ip) for ip in config.static_ips] == ["10.1.2.3/8", "fd00::1/64"]  # a network address is skipped
    assert [r["type"] for r in config.rules] == ["MATCH_ETHERTYPE", "ACTION_ACCEPT", "MATCH_ETHERTYPE",
                                                 "ACTION_ACCEPT", "ACTION_ACCEPT"]
    assert config.specialists == (nc.Specialist(0x1122334455, frozenset({"ACTIVE_BRIDGE"})),)
    assert nc.NetworkConfig.from_bytes(b"v=1\nnwid=1\nid=2").rules == ({"type": "ACTION_ACCEPT"},)


# ---- certificates and credentials ---------------------------------------------------------------------------


def test_every_truncation_of_a_certificate_is_refused() -> None:
    com = dict(ENTRIES)["C"]
    assert nc.MembershipCertificate.from_bytes(com).issued_to == 0x74355AC5DB
    for n in range(len(com)):
        with pytest.raises(NetconfError, match=r"truncated|format"):
            nc.MembershipCertificate.from_bytes(com[:n])
    with pytest.raises(NetconfError, match="bytes after"):
        nc.MembershipCertificate.from_bytes(com + b"\0")


def credentials_payload() -> bytes:
    """COM, then the stored config's certificate of ownership, as A sends them."""
    return dict(ENTRIES)["C"] + b"\0" + b"\0\0" * 3 + b"\0\x01" + dict(ENTRIES)["COO"]


def test_truncated_credentials_are_refused_or_stop_at_a_section_boundary() -> None:
    payload = credentials_payload()
    assert nc.reserialize_credentials(payload) == payload
    complete_prefixes = {273, 275, 277, 279}  # after the COM list and after each count: older senders stop there
    for n in range(len(payload)):
        if n in complete_prefixes or n in (0, 272):  # nothing at all; the COMs without their 0 terminator
            nc.parse_credentials(payload[:n])
            continue
        with pytest.raises(NetconfError):
            nc.parse_credentials(payload[:n])


def test_credential_signatures_of_the_wrong_length_are_refused() -> None:
    payload = bytearray(credentials_payload())
    coo_sig_len = len(payload) - 2 - 96 - 2  # the COO's signature length field
    assert payload[coo_sig_len : coo_sig_len + 2] == b"\x00\x60"
    payload[coo_sig_len + 1] = 0x40
    with pytest.raises(NetconfError, match="not 96 bytes"):
        nc.parse_credentials(bytes(payload))


def test_tampered_credentials_no_longer_verify() -> None:
    from test_netconf_build import CONTROLLER

    payload = bytearray(credentials_payload())
    assert [c["signature_valid"] for c in nc.parse_credentials(bytes(payload), CONTROLLER).coos] == [True]
    payload[-120] ^= 0x01  # inside the COO's things
    creds = nc.parse_credentials(bytes(payload), CONTROLLER)
    assert creds.coos[0]["signature_valid"] is False and creds.coms[0].signature_valid is True


def test_sso_keys() -> None:
    v0 = nc.NetworkConfig.from_bytes(conf_with(ssov=b"0", ssoe=b"1", aurl=b"https://sso.example/x?a=b",
                                               aexpt=b"-0000000000000010"))
    assert v0.sso["enabled"] and v0.sso["authentication_url"] == "https://sso.example/x?a=b"
    assert v0.sso["authentication_expiry"] == -16
    fields = {"iurl": b"https://issuer", "ssoce": b"https://central", "sson": b"nonce", "ssos": b"state",
              "ssocid": b"client"}
    v1 = nc.NetworkConfig.from_bytes(conf_with(ssov=b"1", ssoe=b"1", **fields))
    assert (v1.sso["issuer_url"], v1.sso["central_endpoint_url"], v1.sso["nonce"], v1.sso["state"],
            v1.sso["client_id"], v1.sso["provider"]) == ("https://issuer", "https://central", "nonce", "state",
                                                         "client", "default")
    for raw in (conf_with(ssov=b"0", ssoe=b"1", aurl=b"u", aexpt=b"5"), conf_with(ssov=b"1", ssoe=b"1", **fields),
                conf_with(ssov=b"a000000", ssoe=b"0")):  # (a version nobody knows: kept, so it reads back)
        once = nc.reserialize_network_config(raw)
        assert nc.reserialize_network_config(once) == once
        assert nc.NetworkConfig.from_bytes(once) == nc.NetworkConfig.from_bytes(raw)
    disabled = nc.NetworkConfig.from_bytes(conf_with(ssov=b"1", ssoe=b"0", **fields))
    assert disabled.sso["issuer_url"] == "" and disabled.sso["provider"] == ""  # ignored unless enabled
