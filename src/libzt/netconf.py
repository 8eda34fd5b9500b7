# SPDX-License-Identifier: Apache-2.0
"""Virtual networks as ZeroTier describes them: network configs, certificates, credentials, flow rules.

Everything here runs the node's own native parsers, builders and rules engine, so what these
functions accept, produce and decide is exactly what a node would. Bytes are ZeroTier's wire and
storage forms: a network config is a *Dictionary* (``key=value`` lines, binary values escaped), as a
controller sends it and as ``networks.d/<nwid>.conf`` stores it.

Overview
    :class:`NetworkConfig` reads a config; :func:`build_network_config` makes and signs one (the
    controller's side); :func:`sign_config_chunks` and :class:`ConfigAssembler` carry it over the
    wire. :class:`MembershipCertificate` and :func:`parse_credentials` read the credentials members
    exchange. Rules are the objects of ZeroTier's controller REST API
    (``{"type": "MATCH_ETHERTYPE", "etherType": 2048, "not": False, "or": False}``);
    :func:`rules_to_bytes` serializes them, :func:`evaluate_rules` runs them on a :class:`Frame`.

Usage::

    config = NetworkConfig.from_bytes(Path("networks.d/0f2e12b3166b6fa3.conf").read_bytes())
    config.name, config.static_ips           # "ztref", (IPv4Interface('10.147.17.149/24'),)
    config.com.verify(controller)             # True
"""
from __future__ import annotations

import enum
import ipaddress
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Optional, Union

from libzt._bindings import vl2 as ll
from libzt._bindings.constants import library_enum
from libzt.errors import NetconfError
from libzt.identity import BytesLike, Identity

IPInterface = Union[ipaddress.IPv4Interface, ipaddress.IPv6Interface]
IPAddress = Union[ipaddress.IPv4Address, ipaddress.IPv6Address]
IPNetwork = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]
Rule = dict[str, Any]  # one rule as ZeroTier's controller REST API writes it
RulesLike = Union[BytesLike, Iterable[Mapping[str, Any]]]  # serialized rules, or REST API objects

MAX_CONFIG_SIZE = 1 << 20  # the largest dictionary a member reassembles
MAX_CHUNK_DATA = 9740  # dictionary bytes per signed chunk

# How much one config carries: the capacities of the C spec (ztx_netconf_spec_t), i.e. ZeroTier's limits.
MAX_STATIC_IPS = ll.spec_capacity("static_ips")  # ZT_MAX_ZT_ASSIGNED_ADDRESSES
MAX_ROUTES = ll.spec_capacity("routes")  # ZT_MAX_NETWORK_ROUTES
MAX_SPECIALISTS = ll.spec_capacity("specialists")  # ZT_MAX_NETWORK_SPECIALISTS
MAX_CAPABILITIES = ll.spec_capacity("capabilities")
MAX_TAGS = ll.spec_capacity("tags")
MAX_DNS_SERVERS = ll.spec_capacity("dns_servers")  # ZT_MAX_DNS_SERVERS

FLAG_ENABLE_BROADCAST = 0x2
FLAG_NDP_EMULATION = 0x4
FLAG_UNSUPPORTED_MATCH_RESULT = 0x8
FLAG_DISABLE_COMPRESSION = 0x10

# MATCH_CHARACTERISTICS bits (the low 12 are the TCP flags).
CHARACTERISTIC_INBOUND = 0x8000000000000000
CHARACTERISTIC_MULTICAST = 0x4000000000000000
CHARACTERISTIC_BROADCAST = 0x2000000000000000
CHARACTERISTIC_SENDER_IP_AUTHENTICATED = 0x1000000000000000
CHARACTERISTIC_SENDER_MAC_AUTHENTICATED = 0x0800000000000000
TCP_FIN, TCP_SYN, TCP_RST, TCP_PSH, TCP_ACK, TCP_URG, TCP_ECE, TCP_CWR, TCP_NS = (1 << i for i in range(9))


def _identity_handle(identity: Optional[Identity]) -> Any:
    if identity is None:
        return None
    if not isinstance(identity, Identity):
        raise TypeError(f"expected an Identity, not {type(identity).__name__}")
    return identity._handle


def _hex_id(text: str) -> int:
    return int(text, 16)


# ---- addresses ----------------------------------------------------------------------------------


def mac_address(network_id: int, node_id: int) -> int:
    """The MAC a member has on a network, as a 48-bit integer."""
    return ll.mac_from_address(network_id, node_id)


def node_id_from_mac(network_id: int, mac: int) -> int:
    """The 40-bit address behind a member's MAC (the first octet is not checked)."""
    return ll.address_from_mac(network_id, mac)


def sixplane_address(network_id: int, node_id: int) -> ipaddress.IPv6Interface:
    """The member's 6PLANE address (``zts_addr_compute_6plane``); the network's prefix is /40 and each
    member owns the /80 around its address."""
    return ipaddress.IPv6Interface(f"{ll.addr_compute(network_id, node_id, True, NetconfError)}/40")


def rfc4193_address(network_id: int, node_id: int) -> ipaddress.IPv6Interface:
    """The member's RFC 4193 address (``zts_addr_compute_rfc4193``) in the network's /88."""
    return ipaddress.IPv6Interface(f"{ll.addr_compute(network_id, node_id, False, NetconfError)}/88")


def adhoc_network_id(start_port: int, end_port: int) -> int:
    """The ad-hoc network admitting IPv6 TCP/UDP to ``start_port..end_port`` (``zts_net_compute_adhoc_id``)."""
    for port in (start_port, end_port):
        if not 0 <= port <= 0xFFFF:
            raise NetconfError(f"port out of range: {port}")
    return ll.net_compute_adhoc_id(start_port, end_port)


# ---- dictionaries ---------------------------------------------------------------------------------

_ESCAPES = {0: b"\\0", 13: b"\\r", 10: b"\\n", 92: b"\\\\", 61: b"\\e"}


def parse_dictionary(data: BytesLike) -> list[tuple[str, bytes]]:
    """The entries of a Dictionary in order, values unescaped (the first of equal keys is the one
    ZeroTier reads)."""
    return ll.dictionary_parse(bytes(data), NetconfError)


def serialize_dictionary(entries: Iterable[tuple[str, Union[bytes, str, int, bool]]]) -> bytes:
    """A Dictionary from entries: ints as 16 hex digits, bools as ``1``/``0``, values escaped."""
    lines = []
    for key, value in entries:
        if not key or any(c in key for c in "=\r\n\0"):
            raise NetconfError(f"dictionary: invalid key {key!r}")
        if isinstance(value, bool):
            raw = b"1" if value else b"0"
        elif isinstance(value, int):
            raw = f"{value:016x}".encode()
        elif isinstance(value, str):
            raw = value.encode("utf-8")
        else:
            raw = bytes(value)
        escaped = b"".join(_ESCAPES.get(b, bytes([b])) for b in raw)
        lines.append(key.encode("utf-8", "surrogateescape") + b"=" + escaped)
    return b"\n".join(lines)


# ---- certificates and credentials -------------------------------------------------------------------


@dataclass(frozen=True)
class Qualifier:
    id: int
    value: int
    max_delta: int


@dataclass(frozen=True)
class MembershipCertificate:
    """A certificate of membership: the controller's word that an identity belongs to a network."""

    qualifiers: tuple[Qualifier, ...]
    timestamp: int
    network_id: int
    issued_to: int
    signed_by: int
    signature: bytes
    signature_valid: Optional[bool]  # None: no controller identity was given to check it

    @classmethod
    def _from_json(cls, j: Mapping[str, Any]) -> MembershipCertificate:
        return cls(
            qualifiers=tuple(Qualifier(q["id"], q["value"], q["max_delta"]) for q in j["qualifiers"]),
            timestamp=j["timestamp"],
            network_id=_hex_id(j["network_id"]),
            issued_to=_hex_id(j["issued_to"]),
            signed_by=_hex_id(j["signed_by"]),
            signature=bytes.fromhex(j["signature"]),
            signature_valid=j.get("signature_valid"),
        )

    @classmethod
    def from_bytes(cls, data: BytesLike, controller: Optional[Identity] = None) -> MembershipCertificate:
        return cls._from_json(ll.com_parse(bytes(data), _identity_handle(controller), NetconfError))


def issue_membership_certificate(network_id: int, member: Identity, controller: Identity, *, timestamp: int,
                                 max_delta: int) -> bytes:
    """The standard 7-qualifier certificate a controller issues, signed."""
    return ll.com_issue(timestamp, max_delta, network_id, _identity_handle(member), _identity_handle(controller),
                        NetconfError)


def verify_membership_certificate(certificate: BytesLike, controller: Identity) -> bool:
    """True if the certificate is signed by the network's controller, ``controller``."""
    return ll.com_verify(bytes(certificate), _identity_handle(controller), NetconfError)


def certificates_agree(mine: BytesLike, theirs: BytesLike, their_identity: Identity) -> bool:
    """Whether a peer whose identity is ``their_identity`` and whose certificate is ``theirs`` may talk
    to the holder of ``mine``: same network, timestamps within OUR allowed delta, and (for current
    controllers) ``theirs`` bound to that very identity."""
    return ll.com_agrees(bytes(mine), bytes(theirs), _identity_handle(their_identity), NetconfError)


@dataclass(frozen=True)
class CredentialSet:
    """The credentials of a NETWORK_CREDENTIALS payload or a network config, as decoded dicts
    (``signature_valid`` present when a controller identity was given)."""

    coms: tuple[MembershipCertificate, ...]
    capabilities: tuple[dict[str, Any], ...]
    tags: tuple[dict[str, Any], ...]
    revocations: tuple[dict[str, Any], ...]
    coos: tuple[dict[str, Any], ...]


def parse_credentials(payload: BytesLike, controller: Optional[Identity] = None) -> CredentialSet:
    """Decode a NETWORK_CREDENTIALS payload."""
    j = ll.credentials_parse(bytes(payload), _identity_handle(controller), NetconfError)
    return CredentialSet(
        coms=tuple(MembershipCertificate._from_json(c) for c in j["coms"]),
        capabilities=tuple(j["capabilities"]),
        tags=tuple(j["tags"]),
        revocations=tuple(j["revocations"]),
        coos=tuple(j["coos"]),
    )


def verify_capability(capability: BytesLike, controller: Identity, holders: Sequence[Identity] = ()) -> bool:
    """Whether a serialized capability's chain of custody is valid: issued by ``controller``, each
    later entry signed by the previous holder (their identities in ``holders``)."""
    handles = [_identity_handle(h) for h in holders]
    return ll.capability_verify(bytes(capability), _identity_handle(controller), handles, NetconfError)


def transfer_capability(capability: BytesLike, holder: Identity, to: int) -> bytes:
    """Hand a capability on from its current ``holder`` (who needs its private key) to node ``to``."""
    return ll.capability_transfer(bytes(capability), _identity_handle(holder), to, NetconfError)


def reserialize_credentials(payload: BytesLike) -> bytes:
    """Parse a NETWORK_CREDENTIALS payload and write it again with the node's own serializers."""
    return ll.credentials_reserialize(bytes(payload), NetconfError)


# ---- network configs ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    """A managed route. ``target`` is normally a network; a controller may also give an interface
    (``10.1.2.3/24``), whose host bits then travel as written, as ZeroTier's controller sends them."""

    target: Union[IPNetwork, IPInterface]
    via: Optional[IPAddress] = None  # None: on-link
    flags: int = 0
    metric: int = 0


@dataclass(frozen=True)
class Specialist:
    node_id: int
    roles: frozenset[str]  # "ACTIVE_BRIDGE", "ANCHOR", "MULTICAST_REPLICATOR"


@dataclass(frozen=True)
class Dns:
    """The DNS a network pushes (ZeroTier's ``DNS`` entry): a search domain and up to 4 servers."""

    domain: str = ""
    servers: tuple[IPAddress, ...] = ()


# The values are the compiled header's (ZTS_NETWORK_TYPE_PRIVATE 0, _PUBLIC 1), not copies.
NetworkType = library_enum("NetworkType", "ZTS_NETWORK_TYPE_", __name__, "``PRIVATE`` or ``PUBLIC``.")


@dataclass(frozen=True)
class NetworkConfig:
    """A network's configuration as its controller issued it (every field of the dictionary)."""

    network_id: int
    timestamp: int
    credential_time_max_delta: int
    revision: int
    issued_to: int
    remote_trace_target: int
    remote_trace_level: int
    flags: int
    multicast_limit: int
    type: NetworkType
    name: str
    mtu: int
    specialists: tuple[Specialist, ...]
    routes: tuple[Route, ...]
    static_ips: tuple[IPInterface, ...]
    rules: tuple[Rule, ...]
    com: Optional[MembershipCertificate]
    capabilities: tuple[dict[str, Any], ...]
    tags: tuple[dict[str, Any], ...]
    coos: tuple[dict[str, Any], ...]
    dns: Dns
    sso: dict[str, Any]

    @classmethod
    def from_bytes(cls, data: BytesLike, controller: Optional[Identity] = None) -> NetworkConfig:
        """Parse a config dictionary; with the controller's identity, every signed credential's
        ``signature_valid`` (and ``com.signature_valid``) says whether it verifies."""
        j = ll.netconf_parse(bytes(data), _identity_handle(controller), NetconfError)
        return cls(
            network_id=_hex_id(j["network_id"]),
            timestamp=j["timestamp"],
            credential_time_max_delta=j["credential_time_max_delta"],
            revision=j["revision"],
            issued_to=_hex_id(j["issued_to"]),
            remote_trace_target=_hex_id(j["remote_trace_target"]),
            remote_trace_level=j["remote_trace_level"],
            flags=j["flags"],
            multicast_limit=j["multicast_limit"],
            type=NetworkType[j["type"]],
            name=j["name"],
            mtu=j["mtu"],
            specialists=tuple(
                Specialist(_hex_id(s["address"]), frozenset(s["roles"])) for s in j["specialists"]
            ),
            routes=tuple(
                Route(
                    ipaddress.ip_network(r["target"], strict=False),
                    None if r["via"] is None else ipaddress.ip_address(r["via"]),
                    r["flags"],
                    r["metric"],
                )
                for r in j["routes"]
            ),
            static_ips=tuple(ipaddress.ip_interface(ip) for ip in j["static_ips"]),
            rules=tuple(j["rules"]),
            com=None if j["com"] is None else MembershipCertificate._from_json(j["com"]),
            capabilities=tuple(j["capabilities"]),
            tags=tuple(j["tags"]),
            coos=tuple(j["coos"]),
            dns=Dns(j["dns"]["domain"], tuple(ipaddress.ip_address(s) for s in j["dns"]["servers"])),
            sso=j["sso"],
        )

    @property
    def private(self) -> bool:
        return self.type is NetworkType.PRIVATE

    @property
    def broadcast_enabled(self) -> bool:
        return bool(self.flags & FLAG_ENABLE_BROADCAST)

    @property
    def ndp_emulation(self) -> bool:
        return bool(self.flags & FLAG_NDP_EMULATION)

    @property
    def mac(self) -> int:
        """The MAC of the member this config was issued to."""
        return mac_address(self.network_id, self.issued_to)


def reserialize_network_config(data: BytesLike) -> bytes:
    """Parse a config dictionary and write it again as the node stores it."""
    return ll.netconf_reserialize(bytes(data), NetconfError)


def adhoc_network_config(network_id: int, node_id: int, now: int) -> bytes:
    """The config a member of an ad-hoc network (ID starting 0xff) gives itself, as a dictionary."""
    return ll.netconf_adhoc(network_id, node_id, now, NetconfError)


def _route_target(target: Union[IPNetwork, IPInterface]) -> tuple[str, int]:
    if isinstance(target, (ipaddress.IPv4Interface, ipaddress.IPv6Interface)):
        return str(target.ip), target.network.prefixlen
    return str(target.network_address), target.prefixlen


@dataclass
class NetconfSpec:
    """What a controller decides for one member; the core adds the credentials (certificate of
    membership, certificate of ownership of the static IPs), signs and sends. The one description of
    a config to issue, for :func:`build_network_config` and for the controller (``ztx_netconf_spec_t``)."""

    network_id: int
    member_id: int
    name: str = ""
    private: bool = True
    timestamp: int = 0  # ms; 0: now
    credential_time_max_delta: int = 0  # ms; 0: 30 minutes
    revision: int = 0
    mtu: int = 2800
    multicast_limit: int = 32
    flags: int = FLAG_ENABLE_BROADCAST
    remote_trace_target: int = 0
    remote_trace_level: int = 0
    static_ips: list[Union[str, IPInterface]] = field(default_factory=list)  # "10.147.17.5/24" or an interface
    routes: list[Route] = field(default_factory=list)
    specialists: list[int] = field(default_factory=list)  # address | role bits
    rules: RulesLike = field(default_factory=lambda: [{"type": "ACTION_ACCEPT"}])
    capabilities: list[tuple[int, RulesLike]] = field(default_factory=list)  # (capability ID, its rules)
    tags: list[tuple[int, int]] = field(default_factory=list)  # (tag ID, value)
    dns_domain: str = ""
    dns_servers: list[str] = field(default_factory=list)

    def _fields(self) -> ll.NetconfSpecFields:
        static_ips = []
        for ip in self.static_ips:
            iface = ipaddress.ip_interface(ip)
            static_ips.append((str(iface.ip), iface.network.prefixlen))
        routes = [(*_route_target(r.target), "" if r.via is None else str(r.via), r.flags, r.metric)
                  for r in self.routes]
        return {
            "network_id": self.network_id,
            "member_id": self.member_id,
            "timestamp": self.timestamp,
            "credential_time_max_delta": self.credential_time_max_delta,
            "revision": self.revision,
            "private": self.private,
            "name": self.name,
            "mtu": self.mtu,
            "multicast_limit": self.multicast_limit,
            "flags": self.flags,
            "remote_trace_target": self.remote_trace_target,
            "remote_trace_level": self.remote_trace_level,
            "static_ips": static_ips,
            "routes": routes,
            "specialists": list(self.specialists),
            "rules": _rule_bytes(self.rules),
            "capabilities": [(cap_id, _rule_bytes(rules)) for cap_id, rules in self.capabilities],
            "tags": list(self.tags),
            "dns_domain": self.dns_domain,
            "dns_servers": list(self.dns_servers),
        }

    def to_c(self) -> tuple[Any, list[Any]]:
        """A ``ztx_netconf_spec_t *`` for this spec and the buffers it points into (keep both alive
        while the struct is used); :class:`~libzt.NetconfError` if it does not fit."""
        keep: list[Any] = []
        return ll.fill_netconf_spec(self._fields(), keep, NetconfError), keep


def build_network_config(spec: NetconfSpec, controller: Identity, member: Identity) -> bytes:
    """The signed config (dictionary bytes) a controller sends ``member``: the spec plus a certificate
    of membership, a certificate of ownership for its static IPs, and its tags and capabilities."""
    if not controller.has_secret:
        raise NetconfError("the controller identity has no private key")
    c_spec, _keep = spec.to_c()  # (the buffers c_spec points into live until the return)
    return ll.netconf_build(c_spec, _identity_handle(controller), _identity_handle(member), NetconfError)


# ---- config chunks ------------------------------------------------------------------------------------


def sign_config_chunks(dictionary: BytesLike, network_id: int, controller: Identity,
                       update_id: Optional[int] = None) -> list[bytes]:
    """The chunks a controller sends (each the payload of a NETWORK_CONFIG, or of an OK after its
    in-re header), signed by ``controller``. ``update_id`` defaults to a random non-zero value."""
    if update_id is None:
        update_id = int.from_bytes(os.urandom(8), "big") or 1
    return ll.config_chunks(_identity_handle(controller), network_id, update_id, bytes(dictionary), NetconfError)


class ConfigAssembler:
    """A member's reassembly of config chunks: up to 3 updates in flight, duplicates ignored, every
    chunk's signature checked against the controller before anything is kept."""

    __slots__ = ("_handle",)

    def __init__(self) -> None:
        self._handle = ll.config_assembler_new()

    def add(self, chunk: BytesLike, controller: Identity, *, from_controller: bool = False,
            packet_id: int = 0) -> Optional[tuple[int, bytes]]:
        """``(update ID, dictionary)`` once ``chunk`` completes a config, else None;
        :class:`~libzt.NetconfError` if the chunk is rejected. ``from_controller``: it came straight
        from the controller, the only source an unsigned legacy config is taken from (its update ID
        is then ``packet_id``)."""
        return ll.config_assembler_add(self._handle, _identity_handle(controller), from_controller, packet_id,
                                       bytes(chunk), NetconfError)


# ---- rules ----------------------------------------------------------------------------------------------

MAX_NETWORK_RULES = ll.MAX_NETWORK_RULES  # ZT_MAX_NETWORK_RULES
MAX_CAPABILITY_RULES = ll.MAX_CAPABILITY_RULES  # ZT_MAX_CAPABILITY_RULES


def rules_to_bytes(rules: Iterable[Mapping[str, Any]]) -> bytes:
    """Serialize rules given as ZeroTier's REST API objects (what :func:`parse_rules` returns). Each
    must be complete (the core's rule table says which fields may be left out); a bad one raises
    :class:`~libzt.NetconfError` naming it (``rules[2].etherType: ...``)."""
    items = [dict(r) if isinstance(r, Mapping) else r for r in rules]
    try:
        text = json.dumps(items)
    except (TypeError, ValueError) as exc:
        raise NetconfError(f"rules: not JSON ({exc})") from None
    return ll.rules_from_json(text, MAX_NETWORK_RULES, False, NetconfError)


def parse_rules(data: BytesLike) -> list[Rule]:
    """Rules in their serialized form (``R`` of a config) as REST API objects."""
    return ll.rules_parse(bytes(data), NetconfError)


def reserialize_rules(data: BytesLike) -> bytes:
    """Parse serialized rules and write them again with the node's serializer."""
    return ll.rules_reserialize(bytes(data), NetconfError)


class Verdict(enum.IntEnum):
    NO_MATCH = 0  # the table ended (or BROKE) without deciding
    DROP = 1
    ACCEPT = 2
    SUPER_ACCEPT = 3  # accepted as a TEE/REDIRECT target, past the addressing checks


@dataclass(frozen=True)
class Frame:
    """An Ethernet frame as the rules see it. We are ``zt_dest`` inbound and ``zt_source`` outbound."""

    ethertype: int
    payload: bytes = b""  # after the ethertype
    zt_source: int = 0
    zt_dest: int = 0
    mac_source: int = 0
    mac_dest: int = 0
    vlan_id: int = 0
    inbound: bool = False
    sender_tags: Mapping[int, int] = field(default_factory=dict)
    receiver_tags: Mapping[int, int] = field(default_factory=dict)
    # What the sender's certificates of ownership list: IP addresses, or MACs as "aa:bb:cc:dd:ee:ff".
    sender_owns: Sequence[str] = ()
    # Our network config (dictionary bytes): with NDP emulation, inbound addresses in the network's
    # 6PLANE and RFC4193 prefixes count as the sender's own, as they embed its address.
    config: Optional[bytes] = None

    def _fields(self, flags: int) -> ll.FrameFields:
        owns = []
        for item in self.sender_owns:
            if item.count(":") == 5 and "." not in item and len(item) == 17:
                owns.append((1, bytes.fromhex(item.replace(":", ""))))
            else:
                ip = ipaddress.ip_address(item)
                owns.append((2 if ip.version == 4 else 3, ip.packed))
        return {
            "zt_source": self.zt_source, "zt_dest": self.zt_dest, "mac_source": self.mac_source,
            "mac_dest": self.mac_dest, "ethertype": self.ethertype, "vlan_id": self.vlan_id,
            "inbound": self.inbound, "netconf_flags": flags, "payload": bytes(self.payload),
            "sender_tags": dict(self.sender_tags), "receiver_tags": dict(self.receiver_tags), "sender_owns": owns,
            "config": None if self.config is None else bytes(self.config),
        }  # fmt: skip


@dataclass(frozen=True)
class FilterResult:
    verdict: Verdict
    redirect_to: Optional[int] = None
    tee_to: Optional[int] = None  # TEE/WATCH: where a copy goes
    tee_length: int = 0
    watch: bool = False
    qos_bucket: Optional[int] = None  # ACTION_PRIORITY
    capability: Optional[int] = None  # filter_frame: index of the capability that accepted
    capability_tee_to: Optional[int] = None
    capability_tee_length: int = 0
    capability_watch: bool = False

    @classmethod
    def _from_c(cls, r: Mapping[str, int]) -> FilterResult:
        return cls(
            verdict=Verdict(r["verdict"]),
            redirect_to=r["redirect_to"] or None,
            tee_to=r["tee_to"] or None,
            tee_length=r["tee_length"],
            watch=bool(r["watch"]),
            qos_bucket=None if r["qos_bucket"] < 0 else r["qos_bucket"],
            capability=None if r["capability"] < 0 else r["capability"],
            capability_tee_to=r["capability_tee_to"] or None,
            capability_tee_length=r["capability_tee_length"],
            capability_watch=bool(r["capability_watch"]),
        )


def _rule_bytes(rules: RulesLike) -> bytes:
    if isinstance(rules, (bytes, bytearray, memoryview)):
        return bytes(rules)
    return rules_to_bytes(rules)


def evaluate_rules(rules: RulesLike, frame: Frame, *, unsupported_match_result: bool = False) -> FilterResult:
    """Run one rule table on ``frame``. ``unsupported_match_result`` is the network's flag 0x8: what a
    MATCH of a type the engine does not know yields."""
    flags = FLAG_UNSUPPORTED_MATCH_RESULT if unsupported_match_result else 0
    return FilterResult._from_c(ll.rules_evaluate(_rule_bytes(rules), None, frame._fields(flags), NetconfError))


def filter_frame(rules: RulesLike, frame: Frame, capabilities: Sequence[tuple[int, RulesLike]] = (), *,
                 unsupported_match_result: bool = False) -> FilterResult:
    """A frame's final verdict: the network's rules, then each capability in order until one accepts;
    what nothing accepts is dropped."""
    flags = FLAG_UNSUPPORTED_MATCH_RESULT if unsupported_match_result else 0
    caps = [(cap_id, _rule_bytes(r)) for cap_id, r in capabilities]
    return FilterResult._from_c(ll.rules_evaluate(_rule_bytes(rules), caps, frame._fields(flags), NetconfError))
