# SPDX-License-Identifier: Apache-2.0
"""Replays traffic captured between official ZeroTier nodes and decodes every datagram with our code.

tests/vectors/capture/ (see its capture.json): two official libzt 1.8.4 nodes A and B join a network
through a zerotier-one 1.14.1 root that is also the controller, then talk TCP directly. Everything ran
on one namespace's loopback, 10.200.0.1, with a UDP port per node. Each datagram is classified,
fragments are reassembled, every packet is dearmored with the key its source and destination agree,
and every verb is decoded by the parsers the node itself uses. Run with ``-s`` for a summary.
"""
from __future__ import annotations

import collections
import json
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from libzt import Identity, World, wire
from support.pcap_reader import UdpDatagram, read_udp

CAPTURE = Path(__file__).resolve().parent.parent / "vectors" / "capture"
SPEC = json.loads((CAPTURE / "capture.json").read_text())
PLANET = World.from_bytes((CAPTURE / "planet.bin").read_bytes())
HOST = "10.200.0.1"
PORTS = {29993: "root_controller", 29994: "A", 29995: "B"}
IDENTITIES = {name: Identity.from_string(text) for name, text in SPEC["identities"].items()}
NAME_OF_ADDRESS = {ident.address: name for name, ident in IDENTITIES.items()}
PORT_OF = {name: port for port, name in PORTS.items()}
NETWORK_ID = SPEC["network"]["id"]
SOFTWARE_VERSION = {"root_controller": "1.14.1", "A": "1.8.4", "B": "1.8.4"}  # what each announced
ETHERTYPE_IPV4, ETHERTYPE_ARP, ETHERTYPE_IPV6 = 0x0800, 0x0806, 0x86DD


@dataclass(frozen=True)
class Received:
    """One complete packet: the datagram that completed it, and what decoding it gave."""

    datagram: UdpDatagram
    armored: bytes
    plain: bytes
    key: bytes
    decoded: dict[str, Any]
    pieces: int

    @property
    def verb(self) -> str:
        v = self.decoded["verb"]
        return f"{v}({self.fields['in_re_verb']})" if v in ("OK", "ERROR") else v

    @property
    def fields(self) -> dict[str, Any]:
        return self.decoded["fields"]

    @property
    def sender(self) -> str:
        return NAME_OF_ADDRESS[self.decoded["source"]]

    @property
    def receiver(self) -> str:
        return NAME_OF_ADDRESS[self.decoded["destination"]]


@dataclass
class Replay:
    datagrams: list[UdpDatagram]
    kinds: collections.Counter[str]
    packets: list[Received]
    junk: list[UdpDatagram]

    def of(self, verb: str) -> list[Received]:
        return [p for p in self.packets if p.verb == verb]

    def summary(self) -> str:
        verbs = collections.Counter(p.verb for p in self.packets)
        suites = collections.Counter(p.decoded["suite"] for p in self.packets)
        hops = collections.Counter(p.decoded["hops"] for p in self.packets)
        return (
            f"{len(self.datagrams)} datagrams: {dict(self.kinds)}\n"
            f"{len(self.packets)} packets by verb: {dict(sorted(verbs.items()))}\n"
            f"by cipher suite: {dict(sorted(suites.items()))}; by hop count: {dict(sorted(hops.items()))}"
        )


def key_between(a: str, b: str) -> bytes:
    return IDENTITIES[a].agree(IDENTITIES[b])


@pytest.fixture(scope="module")
def replay() -> Replay:
    datagrams, skipped = read_udp(CAPTURE / "fresh-join-and-tcp.pcap")
    assert skipped == 0, "the capture holds only IPv4 UDP"
    kinds: collections.Counter[str] = collections.Counter()
    packets: list[Received] = []
    junk: list[UdpDatagram] = []
    # Each node reassembles what it receives; a relayed packet passes through two of them.
    defragmenters = {port: wire.Defragmenter() for port in PORTS}
    pieces: collections.Counter[tuple[bytes, int]] = collections.Counter()
    for d in datagrams:
        assert (d.source_ip, d.destination_ip) == (HOST, HOST)
        assert d.source_port in PORTS and d.destination_port in PORTS
        kind = wire.classify(d.payload)
        if kind is wire.DatagramKind.INVALID:
            # RENDEZVOUS makes the introduced peers send each other 4 junk bytes with IP TTL 2, to
            # open NAT state; a receiver ignores anything shorter than a beacon.
            assert len(d.payload) == 4 and d.ttl == 2, d
            kinds["nat-opening junk"] += 1
            junk.append(d)
            continue
        kinds[kind.name.lower()] += 1
        pieces[d.payload[:8], d.destination_port] += 1
        armored = defragmenters[d.destination_port].add(d.payload, d.time_ms)
        if armored is None:
            continue
        header = wire.decode(armored)
        key = key_between(NAME_OF_ADDRESS[header["source"]], NAME_OF_ADDRESS[header["destination"]])
        plain = wire.dearmor(key, armored)
        decoded = wire.decode(armored, key)
        packets.append(Received(d, armored, plain, key, decoded, pieces[armored[:8], d.destination_port]))
    for defragmenter in defragmenters.values():
        assert defragmenter.dropped == 0
        assert defragmenter.in_progress == 0, "every fragmented packet was completed"
    result = Replay(datagrams, kinds, packets, junk)
    print("\n" + result.summary())
    return result


def test_every_datagram_is_a_packet_a_fragment_or_nat_opening_junk(replay: Replay) -> None:
    assert sum(replay.kinds.values()) == len(replay.datagrams) == 1017, replay.summary()
    assert replay.kinds == {"packet": 652, "fragment": 364, "nat-opening junk": 1}, replay.summary()
    assert "beacon" not in replay.kinds  # nobody sends legacy LAN beacons any more


def test_every_packet_dearmors_decompresses_and_decodes(replay: Replay) -> None:
    failures = [p.decoded for p in replay.packets if "error" in p.decoded]
    assert not failures, failures[:3]
    verbs = collections.Counter(p.verb for p in replay.packets)
    assert verbs == {
        "FRAME": 593,
        "HELLO": 14,
        "OK(HELLO)": 13,
        "MULTICAST_LIKE": 4,
        "NETWORK_CREDENTIALS": 4,
        "NETWORK_CONFIG_REQUEST": 2,
        "OK(NETWORK_CONFIG_REQUEST)": 2,
        "NETWORK_CONFIG": 2,
        "OK(ECHO)": 2,
        "MULTICAST_GATHER": 2,
        "OK(MULTICAST_GATHER)": 2,
        "WHOIS": 2,
        "OK(WHOIS)": 2,
        "MULTICAST_FRAME": 2,
        "OK(MULTICAST_FRAME)": 2,
        "RENDEZVOUS": 2,
        "PUSH_DIRECT_PATHS": 2,
    }, replay.summary()
    suites = collections.Counter(p.decoded["suite"] for p in replay.packets)
    assert suites == {0: 14, 1: 17, 3: 621}, replay.summary()


def test_lz4_is_used_where_the_reference_uses_it(replay: Replay) -> None:
    # Compression only when the payload exceeds 64 bytes and shrinks; never for unicast frames.
    compressed = collections.Counter(p.verb for p in replay.packets if len(p.plain) > len(p.armored))
    assert compressed == {
        "NETWORK_CREDENTIALS": 4,
        "NETWORK_CONFIG_REQUEST": 2,
        "OK(NETWORK_CONFIG_REQUEST)": 2,
        "NETWORK_CONFIG": 2,
    }


def test_dearmored_bytes_are_what_the_inspector_decoded(replay: Replay) -> None:
    for p in replay.packets:
        again = wire.decode(p.plain)  # already plain: decoded without a key
        assert again["verb"] == p.decoded["verb"]
        if p.verb != "HELLO":  # (HELLO's moon list needs the key)
            assert again["fields"] == p.fields
        assert p.plain[27] & 0x80 == 0, "decompressed"


def test_suites_follow_the_peer_version_rule(replay: Replay) -> None:
    """HELLO is suite 0. Anything else is AES-GMAC-SIV (3) once the sender knows the receiver speaks
    protocol 12, i.e. has had a HELLO or OK(HELLO) from it, and Salsa20/12 (1) before. A HELLO's
    version is recorded only after the OK(HELLO) is built, so the first OK to a new peer is suite 1."""
    knows_version_of: set[tuple[str, str]] = set()
    learned_from_hello: set[tuple[str, str]] = set()
    checked = collections.Counter()
    for p in replay.packets:
        suite = p.decoded["suite"]
        assert (p.armored[18] & 0x80 != 0) == (suite == 1), "the legacy flag goes with suite 1 only"
        if p.verb == "HELLO":
            assert suite == 0
        elif p.decoded["hops"] == 0:  # (relayed copies are the same bytes)
            expected = 3 if (p.sender, p.receiver) in knows_version_of else 1
            assert suite == expected, p.decoded
            checked[suite] += 1
        if p.verb == "OK(HELLO)" and (p.sender, p.receiver) in learned_from_hello:
            knows_version_of.add((p.sender, p.receiver))  # the HELLO's version, recorded after replying
        if PORTS[p.datagram.destination_port] != p.receiver:
            continue  # not yet at its destination
        if p.verb == "OK(HELLO)":
            knows_version_of.add((p.receiver, p.sender))
        elif p.verb == "HELLO":
            learned_from_hello.add((p.receiver, p.sender))
    assert checked[1] > 0 and checked[3] > 0, checked


def test_udp_endpoints_agree_with_packet_addresses(replay: Replay) -> None:
    for p in replay.packets:
        from_node = PORTS[p.datagram.source_port]
        if p.decoded["hops"] == 0:
            assert from_node == p.sender, p.decoded
        else:
            assert from_node == "root_controller", "only the root relays"
        assert PORTS[p.datagram.destination_port] in (p.receiver, "root_controller")


def test_relayed_copies_dearmor_and_differ_only_in_hops(replay: Replay) -> None:
    relayed = [p for p in replay.packets if p.decoded["hops"] > 0]
    assert len(relayed) == 7, replay.summary()
    originals = {p.armored[:8]: p for p in replay.packets if p.decoded["hops"] == 0}
    for p in relayed:
        original = originals[p.armored[:8]]
        assert p.armored[:18] == original.armored[:18] and p.armored[19:] == original.armored[19:]
        assert p.armored[18] == original.armored[18] + p.decoded["hops"]
        assert p.plain[27:] == original.plain[27:]


def test_hello(replay: Replay) -> None:
    hellos = replay.of("HELLO")
    assert {(p.sender, p.receiver) for p in hellos} >= {("A", "root_controller"), ("B", "root_controller"),
                                                         ("root_controller", "A"), ("A", "B"), ("B", "A")}
    for p in hellos:
        f = p.fields
        assert f["protocol"] == 12
        assert f["version"] == SOFTWARE_VERSION[p.sender]
        assert f["identity"] == IDENTITIES[p.sender].public
        assert f["destination"] == f"{HOST}/{PORT_OF[p.receiver]}"
        assert (f["planet_id"], f["planet_timestamp"]) == (PLANET.id, PLANET.timestamp)
        assert f["moons"] == []
        assert p.decoded["size"] == 137


def test_ok_hello_answers_a_hello(replay: Replay) -> None:
    hellos = {p.decoded["id"]: p for p in replay.of("HELLO")}
    oks = replay.of("OK(HELLO)")
    for ok in oks:
        f = ok.fields
        hello = hellos[f["in_re_id"]]
        assert (hello.sender, hello.receiver) == (ok.receiver, ok.sender)
        assert f["timestamp_echo"] == hello.fields["timestamp"]
        assert f["protocol"] == 12 and f["version"] == SOFTWARE_VERSION[ok.sender]
        assert f["external"] == f"{HOST}/{PORT_OF[ok.receiver]}"
        assert f["worlds"] == []  # everyone already has the current planet
        assert ok.datagram.time_ms >= hello.datagram.time_ms


def test_whois_is_answered_with_the_identity(replay: Replay) -> None:
    asked = {p.decoded["id"]: p for p in replay.of("WHOIS")}
    assert len(asked) == 2
    for ok in replay.of("OK(WHOIS)"):
        whois = asked[ok.fields["in_re_id"]]
        assert whois.receiver == ok.sender == "root_controller"
        wanted = whois.fields["addresses"]
        assert [Identity.from_string(t).address for t in ok.fields["identities"]] == wanted
        assert ok.fields["identities"] == [IDENTITIES[NAME_OF_ADDRESS[a]].public for a in wanted]


def test_rendezvous_introduces_a_and_b(replay: Replay) -> None:
    introductions = {(p.receiver, NAME_OF_ADDRESS[p.fields["peer"]], p.fields["at"]) for p in replay.of("RENDEZVOUS")}
    assert introductions == {("A", "B", f"{HOST}/29995"), ("B", "A", f"{HOST}/29994")}
    assert all(p.sender == "root_controller" for p in replay.of("RENDEZVOUS"))
    first = min(p.datagram.time_ms for p in replay.of("RENDEZVOUS"))
    assert all(j.time_ms >= first for j in replay.junk)


def test_push_direct_paths(replay: Replay) -> None:
    for p in replay.of("PUSH_DIRECT_PATHS"):
        assert p.fields["paths"] == [{"flags": 0, "address": f"{HOST}/{PORT_OF[p.sender]}"}]


def test_network_config_request(replay: Replay) -> None:
    for p in replay.of("NETWORK_CONFIG_REQUEST"):
        f = p.fields
        assert p.receiver == "root_controller" and f["network_id"] == NETWORK_ID
        assert NETWORK_ID.startswith(IDENTITIES["root_controller"].address)  # the controller's address
        metadata = p.plain[f["metadata_offset"] : f["metadata_offset"] + f["metadata_len"]]
        assert b"majv=0000000000000001\nminv=0000000000000008\nrevv=0000000000000004" in metadata
        assert (f["revision"], f["config_timestamp"]) == (0, 0)  # nothing held yet


def verify_chunk(p: Received) -> bytes:
    """Checks the chunk's signature by the controller and returns the chunk's dictionary data."""
    f = p.fields
    assert f["network_id"] == NETWORK_ID and f["has_trailer"]
    assert f["chunk_index"] + f["data_len"] <= f["total_length"]
    signed = p.plain[f["signed_offset"] : f["signed_offset"] + f["signed_len"]]
    signature = p.plain[f["signature_offset"] : f["signature_offset"] + 96]
    assert f["signature_offset"] + 96 == len(p.plain)
    assert IDENTITIES["root_controller"].verify(signed, signature)
    assert not IDENTITIES["A"].verify(signed, signature)
    return p.plain[f["data_offset"] : f["data_offset"] + f["data_len"]]


def test_network_config_chunks_are_signed_by_the_controller(replay: Replay) -> None:
    requests = {p.decoded["id"]: p for p in replay.of("NETWORK_CONFIG_REQUEST")}
    for ok in replay.of("OK(NETWORK_CONFIG_REQUEST)"):
        assert requests[ok.fields["in_re_id"]].sender == ok.receiver
        data = verify_chunk(ok)
        assert f"nwid={NETWORK_ID}".encode() in data
        assert f"id={IDENTITIES[ok.receiver].address}".encode() in data
    pushes = {p.decoded["id"]: p for p in replay.of("NETWORK_CONFIG")}
    for p in pushes.values():
        assert p.sender == "root_controller"
        assert f"nwid={NETWORK_ID}".encode() in verify_chunk(p)
    # The receiver acknowledges a pushed config with an OK whose in-re verb is ECHO (sic), carrying
    # the network ID and the config update ID.
    acks = replay.of("OK(ECHO)")
    assert len(acks) == len(pushes) == 2
    for ack in acks:
        push = pushes[ack.fields["in_re_id"]]
        body = ack.plain[28 + 9 :]
        assert body.hex() == push.fields["network_id"] + push.fields["update_id"]


def test_multicast(replay: Replay) -> None:
    own_ip = {name: SPEC["assigned_ips"][name] for name in ("A", "B")}
    for p in replay.of("MULTICAST_LIKE"):
        for s in p.fields["subscriptions"]:
            # Broadcast (ADI 0) and ARP's group for the node's own address: the broadcast MAC with
            # the IPv4 address being resolved as the ADI.
            assert s["network_id"] == NETWORK_ID and s["mac"] == "ff:ff:ff:ff:ff:ff"
            assert s["adi"] in (0, int.from_bytes(bytes(map(int, own_ip[p.sender].split("."))), "big"))
    for p in replay.of("MULTICAST_GATHER"):
        assert p.fields["network_id"] == NETWORK_ID and p.fields["flags"] & 1  # COM attached
    other_leaf = {"A": "B", "B": "A"}
    for p in replay.of("OK(MULTICAST_GATHER)") + replay.of("OK(MULTICAST_FRAME)"):
        assert p.fields["members"] == [IDENTITIES[other_leaf[p.receiver]].address]
    for p in replay.of("MULTICAST_FRAME"):
        assert p.fields["ethertype"] == ETHERTYPE_ARP and p.fields["to"] == "ff:ff:ff:ff:ff:ff"


def test_network_credentials_carry_a_membership_certificate(replay: Replay) -> None:
    for p in replay.of("NETWORK_CREDENTIALS"):
        assert p.fields["com_network_ids"] == [NETWORK_ID]


def test_frames_carry_arp_and_ipv4_between_the_assigned_addresses(replay: Replay) -> None:
    ethertypes = collections.Counter(p.fields["ethertype"] for p in replay.of("FRAME"))
    assert ethertypes == {ETHERTYPE_IPV4: 591, ETHERTYPE_ARP: 2}, ethertypes
    assert ETHERTYPE_IPV6 not in ethertypes  # the network assigns no IPv6 (6plane and rfc4193 off)
    addresses = set(SPEC["assigned_ips"].values())
    protocols: collections.Counter[int] = collections.Counter()
    for p in replay.of("FRAME"):
        f = p.fields
        assert f["network_id"] == NETWORK_ID
        frame = p.plain[f["payload_offset"] : f["payload_offset"] + f["payload_len"]]
        if f["ethertype"] == ETHERTYPE_IPV4:
            source, destination = (".".join(map(str, frame[i : i + 4])) for i in (12, 16))
            assert {source, destination} == addresses
            assert struct.unpack(">H", frame[2:4])[0] == len(frame)
            protocols[frame[9]] += 1
    assert set(protocols) == {6}, protocols  # TCP only
    # Frames of the 2800-byte virtual MTU need two datagrams at the physical MTU of 1432.
    assert max(p.pieces for p in replay.of("FRAME")) == 2
    assert max(len(p.armored) for p in replay.packets) == 28 + 8 + 2 + 2800


def test_fragmented_packets_split_into_as_many_pieces_as_the_reference_splits(replay: Replay) -> None:
    # The reference fills the head to the MTU; we spread the bytes evenly over the same number of
    # pieces (equal datagrams can leave in one segmented send). Receivers, the reference's too
    # (tests/interop), take each piece's length from its datagram, so both reassemble the same.
    fragmented = [p for p in replay.packets if p.pieces > 1]
    assert fragmented and all(p.decoded["fragmented"] for p in fragmented)
    for p in fragmented:
        pieces = wire.fragment(p.armored, 1432)
        assert len(pieces) == p.pieces
        assert all(len(piece) <= 1432 for piece in pieces)
        assert pieces[0] + b"".join(piece[16:] for piece in pieces[1:]) == p.armored


@pytest.mark.parametrize("verb", ["HELLO", "OK(HELLO)", "WHOIS", "OK(WHOIS)", "RENDEZVOUS", "PUSH_DIRECT_PATHS"])
def test_our_builders_reproduce_captured_payloads_byte_for_byte(replay: Replay, verb: str) -> None:
    packets = replay.of(verb)
    assert packets
    for p in packets:
        assert wire.reencode(p.plain, p.key) == p.plain
