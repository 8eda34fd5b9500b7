// SPDX-License-Identifier: Apache-2.0
#include "net/dns_servers.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <map>

#include <lwip/dns.h>

namespace zt::net {
namespace {

struct DnsSources {
    std::array<ip_addr_t, DNS_MAX_SERVERS> application{};  // all zero: the application set none
    std::map<std::uint64_t, std::vector<ip_addr_t>> pushed;  // by network ID, only those pushing some
};

DnsSources& sources() {
    static DnsSources s;  // guarded by lwIP's core lock
    return s;
}

bool to_ip_addr(const InetAddress& in, ip_addr_t* out) {
    std::memset(out, 0, sizeof *out);
    if (in.family == InetAddress::Family::kV4) {
        IP_SET_TYPE_VAL(*out, IPADDR_TYPE_V4);
        std::memcpy(&ip_2_ip4(out)->addr, in.ip, 4);
        return !ip_addr_isany(out);
    }
    if (in.family == InetAddress::Family::kV6) {
        IP_SET_TYPE_VAL(*out, IPADDR_TYPE_V6);
        std::memcpy(ip_2_ip6(out)->addr, in.ip, 16);
        ip6_addr_clear_zone(ip_2_ip6(out));
        return !ip_addr_isany(out);
    }
    return false;
}

// Writes the winning source into lwIP's server table.
void apply() {
    DnsSources& s = sources();
    const bool application = std::any_of(s.application.begin(), s.application.end(),
                                         [](const ip_addr_t& a) { return !ip_addr_isany(&a); });
    const std::vector<ip_addr_t>* pushed = s.pushed.empty() ? nullptr : &s.pushed.begin()->second;
    for (unsigned i = 0; i < DNS_MAX_SERVERS; ++i) {
        ip_addr_t server = *IP_ADDR_ANY;
        if (application) server = s.application[i];
        else if (pushed != nullptr && i < pushed->size()) server = (*pushed)[i];
        dns_setserver(static_cast<u8_t>(i), &server);
    }
}

}  // namespace

void dns_set_application_server(unsigned index, const ip_addr_t& server) {
    if (index >= DNS_MAX_SERVERS) return;
    sources().application[index] = server;
    apply();
}

void dns_set_network_servers(std::uint64_t network_id, const std::vector<InetAddress>& servers) {
    std::vector<ip_addr_t> usable;
    for (const InetAddress& a : servers) {
        ip_addr_t server;
        if (to_ip_addr(a, &server)) usable.push_back(server);
    }
    auto& pushed = sources().pushed;
    if (usable.empty()) pushed.erase(network_id);
    else pushed[network_id] = std::move(usable);
    apply();
}

void dns_forget_network(std::uint64_t network_id) {
    sources().pushed.erase(network_id);
    apply();
}

void dns_forget_all_networks() {
    sources().pushed.clear();
    apply();
}

}  // namespace zt::net
