// SPDX-License-Identifier: Apache-2.0
#include "api/netconf_spec.hpp"

#include <arpa/inet.h>

#include <cstring>
#include <string>

#include "osdep/clock.hpp"

namespace zt::api {

namespace {

constexpr std::uint64_t kDefaultCredentialTimeMaxDelta = 30 * 60 * 1000;

bool reject(const char** why, const char* reason) {
    if (why != nullptr) *why = reason;
    return false;
}

// A NUL-terminated string within its fixed-size field.
bool field_text(const char* field, std::size_t size, std::string* out) {
    const void* nul = std::memchr(field, '\0', size);
    if (nul == nullptr) return false;
    out->assign(field, static_cast<const char*>(nul) - field);
    return true;
}

bool parse_ip(const char* field, std::size_t size, InetAddress* out) {
    std::string text;
    if (!field_text(field, size, &text)) return false;
    std::uint8_t ip[16];
    if (inet_pton(AF_INET, text.c_str(), ip) == 1) {
        *out = InetAddress::v4(ip, 0);
        return true;
    }
    if (inet_pton(AF_INET6, text.c_str(), ip) == 1) {
        *out = InetAddress::v6(ip, 0);
        return true;
    }
    return false;
}

bool bits_fit(const InetAddress& a, unsigned bits) {
    return bits <= (a.family == InetAddress::Family::kV4 ? 32u : 128u);
}

bool rules_from_c(const std::uint8_t* rules, std::size_t len, std::size_t max, std::vector<Rule>* out,
                  const char** why) {
    if (rules == nullptr && len > 0) return reject(why, "netconf spec: rules is NULL but rules_len is not 0");
    return parse_rules(rules, len, max, out, why);
}

bool addresses_from_c(const ztx_netconf_spec_t& in, NetworkConfig* nc, const char** why) {
    if (in.static_ip_count > sizeof in.static_ips / sizeof in.static_ips[0]) {
        return reject(why, "netconf spec: static_ip_count too large");
    }
    for (unsigned i = 0; i < in.static_ip_count; ++i) {
        ManagedIp ip;
        if (!parse_ip(in.static_ips[i].ip, sizeof in.static_ips[i].ip, &ip.ip)) {
            return reject(why, "netconf spec: a static IP is not an IP address");
        }
        ip.bits = in.static_ips[i].bits;
        if (!bits_fit(ip.ip, ip.bits)) return reject(why, "netconf spec: a static IP's prefix is too long");
        nc->static_ips.push_back(ip);
    }
    if (in.route_count > sizeof in.routes / sizeof in.routes[0]) {
        return reject(why, "netconf spec: route_count too large");
    }
    for (unsigned i = 0; i < in.route_count; ++i) {
        const ztx_managed_route_t& r = in.routes[i];
        ManagedRoute route;
        if (!parse_ip(r.target, sizeof r.target, &route.target)) {
            return reject(why, "netconf spec: a route target is not an IP address");
        }
        route.bits = r.bits;
        if (!bits_fit(route.target, route.bits)) return reject(why, "netconf spec: a route's prefix is too long");
        std::string via;
        if (!field_text(r.via, sizeof r.via, &via)) return reject(why, "netconf spec: a route's via is not terminated");
        if (!via.empty() && !parse_ip(r.via, sizeof r.via, &route.via)) {
            return reject(why, "netconf spec: a route's via is not an IP address");
        }
        route.flags = r.flags;
        route.metric = r.metric;
        nc->routes.push_back(route);
    }
    if (in.dns_server_count > sizeof in.dns_servers / sizeof in.dns_servers[0]) {
        return reject(why, "netconf spec: more than 4 DNS servers");
    }
    if (!field_text(in.dns_domain, sizeof in.dns_domain, &nc->dns.domain)) {
        return reject(why, "netconf spec: dns_domain is not terminated");
    }
    for (unsigned i = 0; i < in.dns_server_count; ++i) {
        InetAddress server;
        if (!parse_ip(in.dns_servers[i], sizeof in.dns_servers[i], &server)) {
            return reject(why, "netconf spec: a DNS server is not an IP address");
        }
        nc->dns.servers.push_back(server);
    }
    return true;
}

}  // namespace

bool netconf_spec_from_c(const ztx_netconf_spec_t& in, NetconfSpec* out, const char** why) {
    NetconfSpec spec;
    NetworkConfig& nc = spec.base;
    nc.network_id = in.network_id;
    nc.issued_to = in.member_id;
    nc.timestamp = in.timestamp != 0 ? in.timestamp : static_cast<std::uint64_t>(osdep::now_ms());
    nc.credential_time_max_delta =
        in.credential_time_max_delta != 0 ? in.credential_time_max_delta : kDefaultCredentialTimeMaxDelta;
    nc.revision = in.revision;
    nc.type = in.is_private ? NetworkConfig::Type::kPrivate : NetworkConfig::Type::kPublic;
    if (!field_text(in.name, sizeof in.name, &nc.name)) return reject(why, "netconf spec: name is not terminated");
    nc.mtu = in.mtu != 0 ? in.mtu : kNetworkDefaultMtu;
    nc.multicast_limit = in.multicast_limit;
    nc.flags = in.flags;
    nc.remote_trace_target = in.remote_trace_target & kAddressMask;
    if (in.remote_trace_level < 0 || in.remote_trace_level > 255) {
        return reject(why, "netconf spec: remote_trace_level out of range");
    }
    nc.remote_trace_level = static_cast<std::uint8_t>(in.remote_trace_level);
    if (!addresses_from_c(in, &nc, why)) return false;
    if (in.specialist_count > sizeof in.specialists / sizeof in.specialists[0]) {
        return reject(why, "netconf spec: specialist_count too large");
    }
    nc.specialists.assign(in.specialists, in.specialists + in.specialist_count);
    if (!rules_from_c(in.rules, in.rules_len, kMaxNetworkRules, &nc.rules, why)) return false;
    if (in.capability_count > sizeof in.capabilities / sizeof in.capabilities[0]) {
        return reject(why, "netconf spec: capability_count too large");
    }
    for (unsigned i = 0; i < in.capability_count; ++i) {
        NetconfSpec::CapabilitySpec c;
        c.id = in.capabilities[i].id;
        if (!rules_from_c(in.capabilities[i].rules, in.capabilities[i].rules_len, kMaxNetworkRules, &c.rules, why)) {
            return false;
        }
        if (c.rules.size() > kMaxCapabilityRules) return reject(why, "netconf spec: a capability with more than 64 rules");
        spec.capabilities.push_back(std::move(c));
    }
    if (in.tag_count > sizeof in.tags / sizeof in.tags[0]) return reject(why, "netconf spec: tag_count too large");
    for (unsigned i = 0; i < in.tag_count; ++i) spec.tags.emplace_back(in.tags[i].id, in.tags[i].value);
    *out = std::move(spec);
    return true;
}

}  // namespace zt::api
