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
