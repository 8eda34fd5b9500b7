// SPDX-License-Identifier: Apache-2.0
#include "api/vl2_json.hpp"

#include <cstdio>

#include "zt/vl2_address.hpp"

namespace zt::api {

namespace {

std::string hex64(std::uint64_t v) {
    char buf[20];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
    return buf;
}

std::string prefix_text(const std::uint8_t* ip, bool v6, unsigned bits) {
    const InetAddress a = v6 ? InetAddress::v6(ip, static_cast<std::uint16_t>(bits))
                             : InetAddress::v4(ip, static_cast<std::uint16_t>(bits));
    return a.to_string();
}

std::uint64_t be(const Rule& r, std::size_t at, std::size_t n) { return load_be(r.value.data() + at, n); }

const char* rule_type_name(RuleType t) {
    switch (t) {
        case RuleType::kActionDrop: return "ACTION_DROP";
        case RuleType::kActionAccept: return "ACTION_ACCEPT";
        case RuleType::kActionTee: return "ACTION_TEE";
        case RuleType::kActionWatch: return "ACTION_WATCH";
        case RuleType::kActionRedirect: return "ACTION_REDIRECT";
        case RuleType::kActionBreak: return "ACTION_BREAK";
        case RuleType::kActionPriority: return "ACTION_PRIORITY";
        case RuleType::kMatchSourceZtAddress: return "MATCH_SOURCE_ZEROTIER_ADDRESS";
        case RuleType::kMatchDestZtAddress: return "MATCH_DEST_ZEROTIER_ADDRESS";
        case RuleType::kMatchVlanId: return "MATCH_VLAN_ID";
        case RuleType::kMatchVlanPcp: return "MATCH_VLAN_PCP";
        case RuleType::kMatchVlanDei: return "MATCH_VLAN_DEI";
        case RuleType::kMatchMacSource: return "MATCH_MAC_SOURCE";
        case RuleType::kMatchMacDest: return "MATCH_MAC_DEST";
        case RuleType::kMatchIpv4Source: return "MATCH_IPV4_SOURCE";
        case RuleType::kMatchIpv4Dest: return "MATCH_IPV4_DEST";
        case RuleType::kMatchIpv6Source: return "MATCH_IPV6_SOURCE";
        case RuleType::kMatchIpv6Dest: return "MATCH_IPV6_DEST";
        case RuleType::kMatchIpTos: return "MATCH_IP_TOS";
        case RuleType::kMatchIpProtocol: return "MATCH_IP_PROTOCOL";
        case RuleType::kMatchEthertype: return "MATCH_ETHERTYPE";
        case RuleType::kMatchIcmp: return "MATCH_ICMP";
        case RuleType::kMatchIpSourcePortRange: return "MATCH_IP_SOURCE_PORT_RANGE";
        case RuleType::kMatchIpDestPortRange: return "MATCH_IP_DEST_PORT_RANGE";
        case RuleType::kMatchCharacteristics: return "MATCH_CHARACTERISTICS";
        case RuleType::kMatchFrameSizeRange: return "MATCH_FRAME_SIZE_RANGE";
        case RuleType::kMatchRandom: return "MATCH_RANDOM";
        case RuleType::kMatchTagsDifference: return "MATCH_TAGS_DIFFERENCE";
        case RuleType::kMatchTagsBitwiseAnd: return "MATCH_TAGS_BITWISE_AND";
        case RuleType::kMatchTagsBitwiseOr: return "MATCH_TAGS_BITWISE_OR";
        case RuleType::kMatchTagsBitwiseXor: return "MATCH_TAGS_BITWISE_XOR";
        case RuleType::kMatchTagsEqual: return "MATCH_TAGS_EQUAL";
        case RuleType::kMatchTagSender: return "MATCH_TAG_SENDER";
        case RuleType::kMatchTagReceiver: return "MATCH_TAG_RECEIVER";
        case RuleType::kMatchIntegerRange: return "INTEGER_RANGE";  // (sic: the REST API's name)
    }
    return nullptr;
}

// The fields after "type", as the controller's REST API renders them (_renderRule).
void rule_fields(JsonWriter& j, const Rule& r) {
    switch (r.type()) {
        case RuleType::kActionTee:
        case RuleType::kActionWatch:
        case RuleType::kActionRedirect:
            j.key("address").str(address_to_hex(be(r, 0, 8) & kAddressMask));
            j.key("flags").num(be(r, 8, 4));
            if (r.type() != RuleType::kActionRedirect) j.key("length").num(be(r, 12, 2));
            break;
        case RuleType::kMatchSourceZtAddress:
        case RuleType::kMatchDestZtAddress: j.key("zt").str(address_to_hex(be(r, 0, 5))); break;
        case RuleType::kMatchVlanId: j.key("vlanId").num(be(r, 0, 2)); break;
        case RuleType::kMatchVlanPcp: j.key("vlanPcp").num(r.value[0]); break;
        case RuleType::kMatchVlanDei: j.key("vlanDei").num(r.value[0]); break;
        case RuleType::kMatchMacSource:
        case RuleType::kMatchMacDest: j.key("mac").str(mac_text(be(r, 0, 6))); break;
        case RuleType::kMatchIpv4Source:
        case RuleType::kMatchIpv4Dest: j.key("ip").str(prefix_text(r.value.data(), false, r.value[4])); break;
        case RuleType::kMatchIpv6Source:
        case RuleType::kMatchIpv6Dest: j.key("ip").str(prefix_text(r.value.data(), true, r.value[16])); break;
        case RuleType::kMatchIpTos:
            j.key("mask").num(r.value[0]).key("start").num(r.value[1]).key("end").num(r.value[2]);
            break;
        case RuleType::kMatchIpProtocol: j.key("ipProtocol").num(r.value[0]); break;
        case RuleType::kMatchEthertype: j.key("etherType").num(be(r, 0, 2)); break;
        case RuleType::kMatchIcmp:
            j.key("icmpType").num(r.value[0]);
            j.key("icmpCode");
            if ((r.value[2] & 0x01) != 0) j.num(r.value[1]);
            else j.null();
            break;
        case RuleType::kMatchIpSourcePortRange:
        case RuleType::kMatchIpDestPortRange:
        case RuleType::kMatchFrameSizeRange: j.key("start").num(be(r, 0, 2)).key("end").num(be(r, 2, 2)); break;
        case RuleType::kMatchCharacteristics: j.key("mask").str(hex64(be(r, 0, 8))); break;
        case RuleType::kMatchRandom: j.key("probability").num(be(r, 0, 4)); break;
        case RuleType::kMatchTagsDifference:
        case RuleType::kMatchTagsBitwiseAnd:
        case RuleType::kMatchTagsBitwiseOr:
        case RuleType::kMatchTagsBitwiseXor:
        case RuleType::kMatchTagsEqual:
        case RuleType::kMatchTagSender:
        case RuleType::kMatchTagReceiver: j.key("id").num(be(r, 0, 4)).key("value").num(be(r, 4, 4)); break;
        case RuleType::kMatchIntegerRange: {
            // The end as ZeroTier holds it: the start plus a 32-bit offset.
            const std::uint64_t start = be(r, 0, 8);
            const auto span = static_cast<std::uint32_t>(be(r, 8, 8) - start);
            j.key("start").str(hex64(start)).key("end").str(hex64(start + span));
            j.key("idx").num(be(r, 16, 2));
            j.key("little").boolean((r.value[18] & 0x80) != 0);
            j.key("bits").num((r.value[18] & 63u) + 1);
            break;
        }
        default: break;
    }
}

void write_rule(JsonWriter& j, const Rule& r) {
    j.begin_object();
    const char* name = rule_type_name(r.type());
    if (name != nullptr) {
        j.key("type").str(name);
    } else {
        // A type this engine does not know: its number and value, so nothing is lost.
        j.key("type").str("UNKNOWN");
        j.key("typeId").num(r.t & kRuleTypeMask);
        j.key("value").str(to_hex(r.value.data(), r.len));
    }
    rule_fields(j, r);
    if (!r.is_action()) j.key("not").boolean(r.negated()).key("or").boolean(r.ored());
    j.end_object();
}

void signature_fields(JsonWriter& j, const Signature& sig, const Identity* controller, bool valid) {
    j.key("signature").str(to_hex(sig.data(), sig.size()));
    if (controller != nullptr) j.key("signature_valid").boolean(valid);
}

void write_tag(JsonWriter& j, const Tag& t, const Identity* controller) {
    j.begin_object();
    j.key("id").num(t.id).key("value").num(t.value);
    j.key("network_id").str(hex64(t.network_id)).key("timestamp").num(t.timestamp);
    j.key("issued_to").str(address_to_hex(t.issued_to)).key("signed_by").str(address_to_hex(t.signed_by));
    signature_fields(j, t.signature, controller, controller != nullptr && t.verify(*controller));
    j.end_object();
}

void write_capability(JsonWriter& j, const Capability& c, const Identity* controller) {
    j.begin_object();
    j.key("id").num(c.id).key("network_id").str(hex64(c.network_id)).key("timestamp").num(c.timestamp);
    j.key("rules");
    write_rules_json(j, c.rules);
    j.key("max_custody_chain_length").num(c.max_custody_chain_length);
    j.key("custody").begin_array();
    for (const auto& entry : c.custody) {
        j.begin_object();
        j.key("to").str(address_to_hex(entry.to)).key("from").str(address_to_hex(entry.from));
        j.key("signature").str(to_hex(entry.signature.data(), entry.signature.size()));
        j.end_object();
    }
    j.end_array();
    j.key("issued_to").str(address_to_hex(c.issued_to()));
    if (controller != nullptr) j.key("signature_valid").boolean(c.verify(*controller));
    j.end_object();
}

const char* thing_name(CertificateOfOwnership::Thing t) {
    switch (t) {
        case CertificateOfOwnership::Thing::kMac: return "MAC";
        case CertificateOfOwnership::Thing::kIpv4: return "IPV4";
        case CertificateOfOwnership::Thing::kIpv6: return "IPV6";
        case CertificateOfOwnership::Thing::kNull: break;
    }
    return "UNKNOWN";
}

void write_coo(JsonWriter& j, const CertificateOfOwnership& c, const Identity* controller) {
    j.begin_object();
    j.key("id").num(c.id).key("network_id").str(hex64(c.network_id)).key("timestamp").num(c.timestamp);
    j.key("flags").num(c.flags);
    j.key("things").begin_array();
    for (const auto& thing : c.things) {
        j.begin_object().key("type").str(thing_name(thing.type));
        switch (thing.type) {
            case CertificateOfOwnership::Thing::kMac: j.key("value").str(mac_text(load_be(thing.value, 6))); break;
            case CertificateOfOwnership::Thing::kIpv4:
                j.key("value").str(InetAddress::v4(thing.value, 0).ip_string());
                break;
            case CertificateOfOwnership::Thing::kIpv6:
                j.key("value").str(InetAddress::v6(thing.value, 0).ip_string());
                break;
            default: j.key("value").str(to_hex(thing.value, sizeof thing.value)); break;
        }
        j.end_object();
    }
    j.end_array();
    j.key("issued_to").str(address_to_hex(c.issued_to)).key("signed_by").str(address_to_hex(c.signed_by));
    signature_fields(j, c.signature, controller, controller != nullptr && c.verify(*controller));
    j.end_object();
}

const char* credential_type_name(Revocation::CredentialType t) {
    switch (t) {
        case Revocation::CredentialType::kCom: return "COM";
        case Revocation::CredentialType::kCapability: return "CAPABILITY";
        case Revocation::CredentialType::kTag: return "TAG";
        case Revocation::CredentialType::kCoo: return "COO";
        case Revocation::CredentialType::kRevocation: return "REVOCATION";
        case Revocation::CredentialType::kNull: break;
    }
    return "NULL";
}

void write_revocation(JsonWriter& j, const Revocation& v, const Identity* controller) {
    j.begin_object();
    j.key("id").num(v.id).key("network_id").str(hex64(v.network_id)).key("credential_id").num(v.credential_id);
    j.key("threshold").num(v.threshold).key("flags").num(v.flags);
    j.key("target").str(address_to_hex(v.target)).key("signed_by").str(address_to_hex(v.signed_by));
    j.key("credential_type").str(credential_type_name(v.credential_type));
    signature_fields(j, v.signature, controller, controller != nullptr && v.verify(*controller));
    j.end_object();
}

void write_specialist(JsonWriter& j, std::uint64_t s) {
    j.begin_object().key("address").str(address_to_hex(s & kAddressMask)).key("roles").begin_array();
    if ((s & kSpecialistActiveBridge) != 0) j.str("ACTIVE_BRIDGE");
    if ((s & kSpecialistAnchor) != 0) j.str("ANCHOR");
    if ((s & kSpecialistMulticastReplicator) != 0) j.str("MULTICAST_REPLICATOR");
    j.end_array().end_object();
}

void write_sso(JsonWriter& j, const NetworkSso& s) {
    j.begin_object();
    j.key("version").num(s.version).key("enabled").boolean(s.enabled);
    j.key("authentication_url").str(s.authentication_url);
    j.key("authentication_expiry").num_signed(s.authentication_expiry);
    j.key("issuer_url").str(s.issuer_url).key("central_endpoint_url").str(s.central_endpoint_url);
    j.key("nonce").str(s.nonce).key("state").str(s.state).key("client_id").str(s.client_id);
    j.key("provider").str(s.provider);
    j.end_object();
}

}  // namespace

void write_rules_json(JsonWriter& j, const std::vector<Rule>& rules) {
    j.begin_array();
    for (const Rule& r : rules) write_rule(j, r);
    j.end_array();
}

void write_com_json(JsonWriter& j, const CertificateOfMembership& com, const Identity* controller) {
    j.begin_object();
    j.key("qualifiers").begin_array();
    for (const auto& q : com.qualifiers()) {
        j.begin_object().key("id").num(q.id).key("value").num(q.value).key("max_delta").num(q.max_delta).end_object();
    }
    j.end_array();
    j.key("timestamp").num(com.timestamp()).key("network_id").str(hex64(com.network_id()));
    j.key("issued_to").str(address_to_hex(com.issued_to())).key("signed_by").str(address_to_hex(com.signed_by()));
    signature_fields(j, com.signature(), controller, controller != nullptr && com.verify(*controller));
    j.end_object();
}

void write_bundle_json(JsonWriter& j, const CredentialBundle& b, const Identity* controller) {
    j.begin_object();
    j.key("coms").begin_array();
    for (const auto& com : b.coms) write_com_json(j, com, controller);
    j.end_array().key("capabilities").begin_array();
    for (const auto& c : b.capabilities) write_capability(j, c, controller);
    j.end_array().key("tags").begin_array();
    for (const auto& t : b.tags) write_tag(j, t, controller);
    j.end_array().key("revocations").begin_array();
    for (const auto& v : b.revocations) write_revocation(j, v, controller);
    j.end_array().key("coos").begin_array();
    for (const auto& c : b.coos) write_coo(j, c, controller);
    j.end_array().end_object();
}

void write_netconf_json(JsonWriter& j, const NetworkConfig& nc, const Identity* controller) {
    j.begin_object();
    j.key("network_id").str(hex64(nc.network_id)).key("timestamp").num(nc.timestamp);
    j.key("credential_time_max_delta").num(nc.credential_time_max_delta).key("revision").num(nc.revision);
    j.key("issued_to").str(address_to_hex(nc.issued_to));
    j.key("remote_trace_target").str(address_to_hex(nc.remote_trace_target));
    j.key("remote_trace_level").num(nc.remote_trace_level);
    j.key("flags").num(nc.flags);
    j.key("broadcast").boolean(nc.broadcast_enabled()).key("ndp_emulation").boolean(nc.ndp_emulation());
    j.key("multicast_limit").num(nc.multicast_limit);
    j.key("type").str(nc.is_public() ? "PUBLIC" : "PRIVATE");
    j.key("name").str(nc.name).key("mtu").num(nc.mtu);
    j.key("specialists").begin_array();
    for (const std::uint64_t s : nc.specialists) write_specialist(j, s);
    j.end_array().key("routes").begin_array();
    for (const auto& r : nc.routes) {
        InetAddress target = r.target;
        target.port = static_cast<std::uint16_t>(r.bits);
        j.begin_object().key("target").str(target.to_string()).key("via");
        if (r.via.is_nil()) j.null();
        else j.str(r.via.ip_string());
        j.key("flags").num(r.flags).key("metric").num(r.metric).end_object();
    }
    j.end_array().key("static_ips").begin_array();
    for (const auto& ip : nc.static_ips) {
        InetAddress a = ip.ip;
        a.port = static_cast<std::uint16_t>(ip.bits);
        j.str(a.to_string());
    }
    j.end_array().key("rules");
    write_rules_json(j, nc.rules);
    j.key("com");
    if (nc.com) write_com_json(j, *nc.com, controller);
    else j.null();
    j.key("capabilities").begin_array();
    for (const auto& c : nc.capabilities) write_capability(j, c, controller);
    j.end_array().key("tags").begin_array();
    for (const auto& t : nc.tags) write_tag(j, t, controller);
    j.end_array().key("coos").begin_array();
    for (const auto& c : nc.coos) write_coo(j, c, controller);
    j.end_array();
    j.key("dns").begin_object().key("domain").str(nc.dns.domain).key("servers").begin_array();
    for (const auto& s : nc.dns.servers) j.str(s.ip_string());
    j.end_array().end_object();
    j.key("sso");
    write_sso(j, nc.sso);
    j.end_object();
}

void write_dictionary_json(JsonWriter& j, const Dictionary& d) {
    j.begin_array();
    for (const auto& [k, v] : d.entries()) j.begin_array().str(k).str(to_hex(v.data(), v.size())).end_array();
    j.end_array();
}

}  // namespace zt::api
