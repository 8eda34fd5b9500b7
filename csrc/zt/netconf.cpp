// SPDX-License-Identifier: Apache-2.0
// NetworkConfig to and from its Dictionary form (keys: docs/protocol/vl2.md section 3.2).
#include "zt/netconf.hpp"

#include <algorithm>
#include <cstring>

#include "zt/rule_table.hpp"
#include "zt/vl2_address.hpp"

namespace zt {

namespace {

// Keys, as ZeroTier names them in NetworkConfig.hpp.
constexpr const char* kKeyVersion = "v";
constexpr const char* kKeyNetworkId = "nwid";
constexpr const char* kKeyTimestamp = "ts";
constexpr const char* kKeyCredentialTimeMaxDelta = "ctmd";
constexpr const char* kKeyRevision = "r";
constexpr const char* kKeyIssuedTo = "id";
constexpr const char* kKeyRemoteTraceTarget = "tt";
constexpr const char* kKeyRemoteTraceLevel = "tl";
constexpr const char* kKeyFlags = "f";
constexpr const char* kKeyMulticastLimit = "ml";
constexpr const char* kKeyType = "t";
constexpr const char* kKeyName = "n";
constexpr const char* kKeyMtu = "mtu";
constexpr const char* kKeyCom = "C";
constexpr const char* kKeyCapabilities = "CAP";
constexpr const char* kKeyTags = "TAG";
constexpr const char* kKeyCoos = "COO";
constexpr const char* kKeySpecialists = "S";
constexpr const char* kKeyRoutes = "RT";
constexpr const char* kKeyStaticIps = "I";
constexpr const char* kKeyRules = "R";
constexpr const char* kKeyDns = "DNS";
constexpr const char* kKeySsoVersion = "ssov";
constexpr const char* kKeySsoEnabled = "ssoe";
constexpr const char* kKeyAuthenticationUrl = "aurl";
constexpr const char* kKeyAuthenticationExpiry = "aexpt";
constexpr const char* kKeyIssuerUrl = "iurl";
constexpr const char* kKeyCentralEndpointUrl = "ssoce";
constexpr const char* kKeyNonce = "sson";
constexpr const char* kKeyState = "ssos";
constexpr const char* kKeyClientId = "ssocid";
constexpr const char* kKeySsoProvider = "ssop";
// Written only for requesters older than netconf version 6 (ZeroTier before 1.2).
constexpr const char* kKeyLegacyBroadcast = "eb";
constexpr const char* kKeyLegacyPrivate = "p";
constexpr const char* kKeyLegacyIpv4Static = "v4s";
constexpr const char* kKeyLegacyIpv6Static = "v6s";
constexpr const char* kKeyLegacyEthertypes = "et";
constexpr const char* kKeyLegacyActiveBridges = "ab";
constexpr std::uint64_t kFirstBinaryVersion = 6;

constexpr std::size_t kDnsDomainLen = 128;
constexpr std::size_t kDnsServers = 4;
constexpr std::uint16_t kEthertypeAny = 0;

bool reject(const char** why, const char* reason) {
    if (why != nullptr) *why = reason;
    return false;
}

Reader reader_of(const std::string& blob) { return Reader(blob.data(), blob.size()); }

std::string bytes_of(const std::vector<std::uint8_t>& v) { return std::string(v.begin(), v.end()); }

bool prefix_bits_valid(const InetAddress& a, unsigned bits) {
    return (a.family == InetAddress::Family::kV4 && bits <= 32) ||
           (a.family == InetAddress::Family::kV6 && bits <= 128);
}

// ---- binary fields -----------------------------------------------------------------------------

bool read_com(const std::string& blob, NetworkConfig* nc, const char** why) {
    Reader r = reader_of(blob);
    CertificateOfMembership com;
    if (!CertificateOfMembership::parse(r, &com, why)) return false;
    if (r.remaining() != 0) return reject(why, "network config: bytes after the certificate of membership");
    nc->com = std::move(com);
    return true;
}

template <typename T>
bool read_all(const std::string& blob, std::size_t max, std::vector<T>* out, const char* too_many, const char** why) {
    Reader r = reader_of(blob);
    while (r.remaining() > 0) {
        if (out->size() >= max) return reject(why, too_many);
        T item;
        if (!T::parse(r, &item, why)) return false;
        out->push_back(std::move(item));
    }
    std::stable_sort(out->begin(), out->end(), [](const T& a, const T& b) { return a.id < b.id; });
    return true;
}

bool read_coos(const std::string& blob, NetworkConfig* nc, const char** why) {
    Reader r = reader_of(blob);
    while (r.remaining() > 0) {
        CertificateOfOwnership coo;
        if (!CertificateOfOwnership::parse(r, &coo, why)) return false;
        if (nc->coos.size() < kMaxCoos) nc->coos.push_back(std::move(coo));  // later ones are dropped, as ZeroTier does
    }
    return true;
}

bool read_specialists(const std::string& blob, NetworkConfig* nc, const char** why) {
    if (blob.size() % 8 != 0) return reject(why, "network config: specialists are not 8 bytes each");
    if (blob.size() / 8 > kMaxSpecialists) return reject(why, "network config: more than 256 specialists");
    Reader r = reader_of(blob);
    while (r.remaining() > 0) nc->specialists.push_back(r.u64());
    return true;
}

bool read_routes(const std::string& blob, NetworkConfig* nc, const char** why) {
    Reader r = reader_of(blob);
    while (r.remaining() > 0) {
        if (nc->routes.size() >= kMaxRoutes) return reject(why, "network config: more than 128 routes");
        ManagedRoute route;
        if (!InetAddress::deserialize(r, &route.target) || !InetAddress::deserialize(r, &route.via)) {
            return reject(why, "network config: malformed route address");
        }
        route.flags = r.u16();
        route.metric = r.u16();
        if (!r.ok()) return reject(why, "network config: truncated route");
        route.bits = route.target.port;  // the prefix length travels in the port field
        route.target.port = 0;
        if (route.target.is_nil()) return reject(why, "network config: route without a target");
        if (!prefix_bits_valid(route.target, route.bits)) return reject(why, "network config: route prefix too long");
        nc->routes.push_back(route);
    }
    return true;
}

bool read_static_ips(const std::string& blob, NetworkConfig* nc, const char** why) {
    Reader r = reader_of(blob);
    while (r.remaining() > 0) {
        ManagedIp ip;
        if (!InetAddress::deserialize(r, &ip.ip)) return reject(why, "network config: malformed static IP");
        if (ip.ip.is_nil()) continue;  // reserved address types: nothing to assign
        if (nc->static_ips.size() >= kMaxStaticIps) return reject(why, "network config: more than 32 static IPs");
        ip.bits = ip.ip.port;
        ip.ip.port = 0;
        if (!prefix_bits_valid(ip.ip, ip.bits)) return reject(why, "network config: static IP prefix too long");
        nc->static_ips.push_back(ip);
    }
    return true;
}

bool read_dns(const std::string& blob, NetworkConfig* nc, const char** why) {
    if (blob.size() < kDnsDomainLen) return reject(why, "network config: DNS field shorter than its domain");
    // The domain is NUL-padded to 128 bytes; ZeroTier keeps at most 127 of them.
    std::size_t domain_len = 0;
    while (domain_len < kDnsDomainLen - 1 && blob[domain_len] != '\0') ++domain_len;
    nc->dns.domain.assign(blob, 0, domain_len);
    Reader r(blob.data() + kDnsDomainLen, blob.size() - kDnsDomainLen);
    for (std::size_t i = 0; i < kDnsServers; ++i) {
        InetAddress server;
        if (!InetAddress::deserialize(r, &server)) return reject(why, "network config: malformed DNS server");
        server.port = 0;
        if (!server.is_nil()) nc->dns.servers.push_back(server);
    }
    if (r.remaining() != 0) return reject(why, "network config: bytes after the DNS servers");
    return true;
}

// ---- legacy (netconf version < 6) ----------------------------------------------------------------

template <typename Each>
void for_each_item(const std::string& list, Each each) {
    std::size_t at = 0;
    while (at <= list.size()) {
        std::size_t comma = list.find(',', at);
        if (comma == std::string::npos) comma = list.size();
        if (comma > at) each(std::string_view(list).substr(at, comma - at));
        at = comma + 1;
    }
}

// ZeroTier skips "network" entries (a prefix with all host bits zero).
bool is_network_address(const InetAddress& a, unsigned bits) {
    if (a.family == InetAddress::Family::kV4) {
        if (bits == 0 || bits >= 32) return false;
        return (load_be(a.ip, 4) & (0xffffffffULL >> bits)) == 0;
    }
    if (a.family == InetAddress::Family::kV6) {
        if (bits == 0 || bits >= 128) return false;
        for (unsigned i = bits; i < 128; ++i) {
            if ((a.ip[i / 8] >> (7 - i % 8)) & 1) return false;
        }
        return true;
    }
    return false;
}

void read_legacy(const Dictionary& d, NetworkConfig* nc) {
    nc->flags = kNetconfFlagNdpEmulation;  // always on for old controllers
    if (d.get_bool(kKeyLegacyBroadcast)) nc->flags |= kNetconfFlagEnableBroadcast;
    nc->type = d.get_bool(kKeyLegacyPrivate, true) ? NetworkConfig::Type::kPrivate : NetworkConfig::Type::kPublic;
    for (const char* key : {kKeyLegacyIpv4Static, kKeyLegacyIpv6Static}) {
        for_each_item(d.get(key).value_or(""), [nc](std::string_view item) {
            InetAddress a;
            if (nc->static_ips.size() >= kMaxStaticIps || !InetAddress::from_string(item, &a)) return;
            if (!prefix_bits_valid(a, a.port) || is_network_address(a, a.port)) return;
            ManagedIp ip;
            ip.ip = a;
            ip.ip.port = 0;
            ip.bits = a.port;
            nc->static_ips.push_back(ip);
        });
    }
    const std::optional<std::string> ethertypes = d.get(kKeyLegacyEthertypes);
    if (ethertypes && !ethertypes->empty()) {
        // Each allowed ethertype becomes "MATCH_ETHERTYPE, ACCEPT" (0: ACCEPT anything).
        for_each_item(*ethertypes, [nc](std::string_view item) {
            if (nc->rules.size() + 2 > kMaxNetworkRules) return;
            const auto et = static_cast<std::uint16_t>(hex_prefix_value(item) & 0xffff);
            if (et != kEthertypeAny) {
                Rule match;
                match.t = static_cast<std::uint8_t>(RuleType::kMatchEthertype);
                match.len = static_cast<std::uint8_t>(rule_value_length(RuleType::kMatchEthertype));
                match.set(rule_value::kEthertype, et);
                nc->rules.push_back(match);
            }
            nc->rules.push_back(Rule{});  // ACCEPT
        });
    } else {
        nc->rules.push_back(Rule{});
    }
    for_each_item(d.get(kKeyLegacyActiveBridges).value_or(""), [nc](std::string_view item) {
        if (nc->specialists.size() < kMaxSpecialists) {
            nc->specialists.push_back((hex_prefix_value(item) & kAddressMask) | kSpecialistActiveBridge);
        }
    });
}

void read_sso(const Dictionary& d, NetworkSso* sso) {
    sso->version = d.get_u64(kKeySsoVersion, 0);
    sso->enabled = d.get_bool(kKeySsoEnabled, false);
    if (!sso->enabled) return;
    sso->authentication_url = d.get(kKeyAuthenticationUrl).value_or("");
    if (sso->version == 0) {
        sso->authentication_expiry = d.get_i64(kKeyAuthenticationExpiry, 0);
    } else if (sso->version == 1) {
        sso->issuer_url = d.get(kKeyIssuerUrl).value_or("");
        sso->central_endpoint_url = d.get(kKeyCentralEndpointUrl).value_or("");
        sso->nonce = d.get(kKeyNonce).value_or("");
        sso->state = d.get(kKeyState).value_or("");
        sso->client_id = d.get(kKeyClientId).value_or("");
        sso->provider = d.get(kKeySsoProvider).value_or("default");
    }
}

bool read_binary_fields(const Dictionary& d, NetworkConfig* nc, const char** why) {
    if (auto v = d.get(kKeyCom); v && !read_com(*v, nc, why)) return false;
    if (auto v = d.get(kKeyCapabilities);
        v && !read_all(*v, kMaxCapabilities, &nc->capabilities, "network config: more than 128 capabilities", why)) {
        return false;
    }
    if (auto v = d.get(kKeyTags); v && !read_all(*v, kMaxTags, &nc->tags, "network config: more than 128 tags", why)) {
        return false;
    }
    if (auto v = d.get(kKeyCoos); v && !read_coos(*v, nc, why)) return false;
    if (auto v = d.get(kKeySpecialists); v && !read_specialists(*v, nc, why)) return false;
    if (auto v = d.get(kKeyRoutes); v && !read_routes(*v, nc, why)) return false;
    if (auto v = d.get(kKeyStaticIps); v && !read_static_ips(*v, nc, why)) return false;
    if (auto v = d.get(kKeyRules); v) {
        const auto* data = reinterpret_cast<const std::uint8_t*>(v->data());
        if (!parse_rules(data, v->size(), kMaxNetworkRules, &nc->rules, why)) {
            return false;
        }
    }
    if (auto v = d.get(kKeyDns); v && !read_dns(*v, nc, why)) return false;
    return true;
}

}  // namespace

bool NetworkConfig::from_dictionary(const Dictionary& d, NetworkConfig* out, const char** why) {
    NetworkConfig nc;
    nc.network_id = d.get_u64(kKeyNetworkId, 0);
    if (nc.network_id == 0) return reject(why, "network config: no network ID");
    nc.issued_to = d.get_u64(kKeyIssuedTo, 0) & kAddressMask;
    if (nc.issued_to == 0) return reject(why, "network config: no issued-to address");
    nc.timestamp = d.get_u64(kKeyTimestamp, 0);
    nc.credential_time_max_delta = d.get_u64(kKeyCredentialTimeMaxDelta, 0);
    nc.revision = d.get_u64(kKeyRevision, 0);
    nc.remote_trace_target = d.get_u64(kKeyRemoteTraceTarget, 0) & kAddressMask;
    nc.remote_trace_level = static_cast<std::uint8_t>(d.get_u64(kKeyRemoteTraceLevel, 0));
    nc.multicast_limit = static_cast<std::uint32_t>(d.get_u64(kKeyMulticastLimit, 0));
    nc.name = d.get(kKeyName).value_or("");
    if (nc.name.size() > kMaxNetworkNameLen) return reject(why, "network config: name longer than 127 bytes");
    const std::uint64_t mtu = d.get_u64(kKeyMtu, kNetworkDefaultMtu);
    nc.mtu = static_cast<unsigned>(std::clamp<std::uint64_t>(mtu, kNetworkMinMtu, kNetworkMaxMtu));

    if (d.get_u64(kKeyVersion, 0) < kFirstBinaryVersion) {
        read_legacy(d, &nc);
    } else {
        nc.flags = d.get_u64(kKeyFlags, 0);
        const std::uint64_t type = d.get_u64(kKeyType, static_cast<std::uint64_t>(Type::kPrivate));
        if (type > static_cast<std::uint64_t>(Type::kPublic)) {
            return reject(why, "network config: unknown network type");
        }
        nc.type = static_cast<Type>(type);
        if (!read_binary_fields(d, &nc, why)) return false;
        read_sso(d, &nc.sso);
    }
    *out = std::move(nc);
    return true;
}

Dictionary NetworkConfig::to_dictionary() const {
    Dictionary d;
    // The readable fields first, then the binary ones, in ZeroTier's order.
    d.set_u64(kKeyVersion, kNetconfVersion);
    d.set_u64(kKeyNetworkId, network_id);
    d.set_u64(kKeyTimestamp, timestamp);
    d.set_u64(kKeyCredentialTimeMaxDelta, credential_time_max_delta);
    d.set_u64(kKeyRevision, revision);
    d.set_address(kKeyIssuedTo, issued_to);
    d.set_address(kKeyRemoteTraceTarget, remote_trace_target);
    d.set_u64(kKeyRemoteTraceLevel, remote_trace_level);
    d.set_u64(kKeyFlags, flags);
    d.set_u64(kKeyMulticastLimit, multicast_limit);
    d.set_u64(kKeyType, static_cast<std::uint64_t>(type));
    d.set(kKeyName, name);
    d.set_u64(kKeyMtu, mtu);

    std::vector<std::uint8_t> blob;
    Writer w(blob);
    if (com) {
        com->serialize(w);
        d.set(kKeyCom, bytes_of(blob));
    }
    const auto add_blob = [&d, &blob](const char* key) {
        if (!blob.empty()) d.set(key, bytes_of(blob));
    };
    blob.clear();
    for (const auto& c : capabilities) c.serialize(w);
    add_blob(kKeyCapabilities);
    blob.clear();
    for (const auto& t : tags) t.serialize(w);
    add_blob(kKeyTags);
    blob.clear();
    for (const auto& c : coos) c.serialize(w);
    add_blob(kKeyCoos);
    blob.clear();
    for (const std::uint64_t s : specialists) w.u64(s);
    add_blob(kKeySpecialists);
    blob.clear();
    for (const auto& route : routes) {
        InetAddress target = route.target;
        target.port = static_cast<std::uint16_t>(route.bits);
        target.serialize(w);
        route.via.serialize(w);
        w.u16(route.flags);
        w.u16(route.metric);
    }
    add_blob(kKeyRoutes);
    blob.clear();
    for (const auto& ip : static_ips) {
        InetAddress a = ip.ip;
        a.port = static_cast<std::uint16_t>(ip.bits);
        a.serialize(w);
    }
    add_blob(kKeyStaticIps);
    blob.clear();
    serialize_rules(w, rules);
    add_blob(kKeyRules);
    blob.clear();
    // DNS is always written: the domain NUL-padded to 128 bytes, then exactly four servers.
    std::uint8_t domain[kDnsDomainLen] = {};
    std::memcpy(domain, dns.domain.data(), std::min(dns.domain.size(), kDnsDomainLen - 1));
    w.bytes(domain, sizeof domain);
    for (std::size_t i = 0; i < kDnsServers; ++i) {
        InetAddress server = i < dns.servers.size() ? dns.servers[i] : InetAddress{};
        server.port = 0;
        server.serialize(w);
    }
    d.set(kKeyDns, bytes_of(blob));

    // (ZeroTier writes nothing for versions other than 0 and 1; we keep the version so a config
    // reads back as it was.)
    d.set_u64(kKeySsoVersion, sso.version);
    d.set_bool(kKeySsoEnabled, sso.enabled);
    if (sso.version == 0 && sso.enabled) {
        if (!sso.authentication_url.empty()) d.set(kKeyAuthenticationUrl, sso.authentication_url);
        d.set_i64(kKeyAuthenticationExpiry, sso.authentication_expiry);
    } else if (sso.version == 1) {
        d.set(kKeyIssuerUrl, sso.issuer_url);
        d.set(kKeyCentralEndpointUrl, sso.central_endpoint_url);
        d.set(kKeyNonce, sso.nonce);
        d.set(kKeyState, sso.state);
        d.set(kKeyClientId, sso.client_id);
        d.set(kKeySsoProvider, sso.provider);
    }
    return d;
}

bool NetworkConfig::permits_bridging(std::uint64_t address) const {
    for (const std::uint64_t s : specialists) {
        if ((s & kAddressMask) == address && (s & kSpecialistActiveBridge) != 0) return true;
    }
    return false;
}

const Tag* NetworkConfig::tag(std::uint32_t id) const {
    for (const Tag& t : tags) {
        if (t.id == id) return &t;
    }
    return nullptr;
}

// ---- ownership -----------------------------------------------------------------------------------

namespace {

// Whether `ip` lies in the prefix of `ours` (first `prefix_bytes` bytes), when we hold `ours`.
bool in_our_prefix(const NetworkConfig& config, const InetAddress& ours, const InetAddress& ip,
                   std::size_t prefix_bytes) {
    for (const ManagedIp& s : config.static_ips) {
        if (s.ip.same_ip(ours)) return std::memcmp(ip.ip, ours.ip, prefix_bytes) == 0;
    }
    return false;
}

}  // namespace

bool ConfigOwnership::owns_ip(const InetAddress& ip) const {
    for (const auto& coo : coos_) {
        if (coo.owns(ip)) return true;
    }
    if (!inbound_ || ip.family != InetAddress::Family::kV6 || !config_.ndp_emulation()) return false;
    // These addresses embed their owner's ZeroTier address, so they need no certificate.
    return in_our_prefix(config_, sixplane_address(config_.network_id, config_.issued_to), ip, 5) ||
           in_our_prefix(config_, rfc4193_address(config_.network_id, config_.issued_to), ip, 11);
}

bool ConfigOwnership::owns_mac(std::uint64_t mac) const {
    for (const auto& coo : coos_) {
        if (coo.owns_mac(mac)) return true;
    }
    return false;
}

}  // namespace zt
