// SPDX-License-Identifier: Apache-2.0
// zts_net_*, zts_addr_*, zts_route_is_assigned and the network core queries, with libzt's argument
// rules and return values, and ztx_net_get_info / ztx_net_list (the same, as one struct). The raw
// Ethernet tap (ztx_tap_*) is in ext_tap.cpp, the controller calls in ext_controller.cpp.
#include <arpa/inet.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "ZeroTierSockets.h"
#include "api/arg_error.hpp"
#include "api/convert.hpp"
#include "api/node_access.hpp"
#include "api/runtime.hpp"
#include "libzt_ext.h"

namespace {

using zt::api::arg_error;
using zt::api::node_running;
using zt::api::with_network;
using zt::api::with_node;

bool family_matches(const zt::InetAddress& a, unsigned int family) {
    return (family == ZTS_AF_INET && a.family == zt::InetAddress::Family::kV4) ||
           (family == ZTS_AF_INET6 && a.family == zt::InetAddress::Family::kV6);
}

int copy_ip_string(const zt::InetAddress& a, char* dst, unsigned int len) {
    const std::string s = a.ip_string();
    if (s.size() + 1 > len) return arg_error("buffer too small for the address (use ZTS_INET6_ADDRSTRLEN)");
    std::memcpy(dst, s.c_str(), s.size() + 1);
    return ZTS_ERR_OK;
}

}  // namespace

extern "C" {

int zts_net_join(uint64_t net_id) {
    if (!node_running()) return ZTS_ERR_SERVICE;
    if (net_id == 0) return arg_error("zts_net_join: network ID must not be 0");
    return with_node([&](zt::osdep::Service& s, zt::Node&) -> int { return s.join(net_id) ? ZTS_ERR_OK : ZTS_ERR_GENERAL; });
}

int zts_net_leave(uint64_t net_id) {
    if (!node_running()) return ZTS_ERR_SERVICE;
    if (net_id == 0) return arg_error("zts_net_leave: network ID must not be 0");
    return with_node([&](zt::osdep::Service& s, zt::Node&) -> int {
        s.leave(net_id);  // leaving a network we are not in is not an error, as in libzt
        return ZTS_ERR_OK;
    });
}

int zts_net_transport_is_ready(uint64_t net_id) {
    if (!node_running()) return ZTS_ERR_SERVICE;
    if (net_id == 0) return arg_error("zts_net_transport_is_ready: network ID must not be 0");
    const int r = with_network(net_id, [](zt::Network& n, zt::Node&) -> int {
        return n.has_config() && n.status() == zt::Network::Status::kOk && !n.config().static_ips.empty() ? 1 : 0;
    });
    return r == ZTS_ERR_NO_RESULT ? 0 : r;
}

uint64_t zts_net_get_mac(uint64_t net_id) {
    if (!node_running()) return static_cast<uint64_t>(ZTS_ERR_SERVICE);  // as libzt: (uint64_t)-2
    uint64_t mac = 0;
    with_network(net_id, [&](zt::Network& n, zt::Node&) -> int {
        mac = n.mac();
        return ZTS_ERR_OK;
    });
    return mac;
}

int zts_net_get_mac_str(uint64_t net_id, char* dst, unsigned int len) {
    if (!node_running()) return ZTS_ERR_SERVICE;
    if (dst == nullptr || len < ZTS_MAC_ADDRSTRLEN) return arg_error("zts_net_get_mac_str: dst must hold ZTS_MAC_ADDRSTRLEN");
    return with_network(net_id, [&](zt::Network& n, zt::Node&) -> int {
        const std::string text = zt::mac_text(n.mac());  // 17 characters; dst holds ZTS_MAC_ADDRSTRLEN
        std::memcpy(dst, text.c_str(), text.size() + 1);
        return ZTS_ERR_OK;
    });
}

int zts_net_get_broadcast(uint64_t net_id) {
    if (!node_running()) return ZTS_ERR_SERVICE;
    if (net_id == 0) return arg_error("network ID must not be 0");
    return with_network(net_id, [](zt::Network& n, zt::Node&) -> int {
        return n.has_config() && n.config().broadcast_enabled() ? 1 : 0;
    });
}

int zts_net_get_mtu(uint64_t net_id) {
    if (!node_running()) return ZTS_ERR_SERVICE;
    return with_network(net_id, [](zt::Network& n, zt::Node&) -> int {
        return n.has_config() ? static_cast<int>(n.config().mtu) : static_cast<int>(zt::kNetworkDefaultMtu);
    });
}

int zts_net_get_name(uint64_t net_id, char* dst, unsigned int len) {
    if (!node_running()) return ZTS_ERR_SERVICE;
    // libzt insists on a buffer of exactly ZTS_MAX_NETWORK_SHORT_NAME_LENGTH bytes.
    if (net_id == 0 || dst == nullptr || len != ZTS_MAX_NETWORK_SHORT_NAME_LENGTH) {
        return arg_error("zts_net_get_name: dst must be ZTS_MAX_NETWORK_SHORT_NAME_LENGTH bytes");
    }
    return with_network(net_id, [&](zt::Network& n, zt::Node&) -> int {
        std::memset(dst, 0, len);
        if (n.has_config()) std::strncpy(dst, n.config().name.c_str(), len - 1);
        return ZTS_ERR_OK;
    });
}

int zts_net_get_status(uint64_t net_id) {
    if (!node_running()) return ZTS_ERR_SERVICE;
    return with_network(net_id, [](zt::Network& n, zt::Node&) -> int { return static_cast<int>(n.status()); });
}

int zts_net_get_type(uint64_t net_id) {
    if (!node_running()) return ZTS_ERR_SERVICE;
    return with_network(net_id, [](zt::Network& n, zt::Node&) -> int {
        return n.has_config() && n.config().is_public() ? ZTS_NETWORK_TYPE_PUBLIC : ZTS_NETWORK_TYPE_PRIVATE;
    });
}

// ---- addresses and routes ---------------------------------------------------------------------------

int zts_addr_get(uint64_t net_id, unsigned int family, struct zts_sockaddr_storage* addr) {
    if (!node_running()) return ZTS_ERR_SERVICE;
    if (net_id == 0 || (family != ZTS_AF_INET && family != ZTS_AF_INET6) || addr == nullptr) {
        return arg_error("zts_addr_get: need a network ID, ZTS_AF_INET or ZTS_AF_INET6, and addr");
    }
    return with_network(net_id, [&](zt::Network& n, zt::Node&) -> int {
        if (!n.has_config()) return ZTS_ERR_NO_RESULT;
        for (const zt::ManagedIp& ip : n.config().static_ips) {
            if (family_matches(ip.ip, family)) {
                zt::api::to_zts_sockaddr_with_bits(ip.ip, ip.bits, addr);
                return ZTS_ERR_OK;
            }
        }
        return ZTS_ERR_NO_RESULT;
    });
}

int zts_addr_is_assigned(uint64_t net_id, unsigned int family) {
    if (!node_running()) return 0;  // "not assigned", as libzt answers before start
    if (net_id == 0) return arg_error("network ID must not be 0");
    zts_sockaddr_storage ss;
    const int r = zts_addr_get(net_id, family, &ss);
    if (r == ZTS_ERR_SERVICE || r == ZTS_ERR_ARG) return r == ZTS_ERR_SERVICE ? 0 : r;
    return r == ZTS_ERR_OK ? 1 : 0;
}

int zts_addr_get_str(uint64_t net_id, unsigned int family, char* dst, unsigned int len) {
    if (net_id == 0 || dst == nullptr || len < ZTS_INET6_ADDRSTRLEN) {
        return arg_error("zts_addr_get_str: dst must hold ZTS_INET6_ADDRSTRLEN bytes");
    }
    zts_sockaddr_storage ss;
    const int r = zts_addr_get(net_id, family, &ss);
    if (r != ZTS_ERR_OK) return r;
    const void* ip = family == ZTS_AF_INET ? static_cast<const void*>(&reinterpret_cast<zts_sockaddr_in*>(&ss)->sin_addr)
                                           : static_cast<const void*>(&reinterpret_cast<zts_sockaddr_in6*>(&ss)->sin6_addr);
    if (::inet_ntop(family == ZTS_AF_INET ? AF_INET : AF_INET6, ip, dst, len) == nullptr) return ZTS_ERR_GENERAL;
    return ZTS_ERR_OK;
}

int zts_addr_get_all(uint64_t net_id, struct zts_sockaddr_storage* addr, unsigned int* count) {
    if (!node_running()) return ZTS_ERR_SERVICE;
    if (net_id == 0 || addr == nullptr || count == nullptr || *count != ZTS_MAX_ASSIGNED_ADDRESSES) {
        return arg_error("zts_addr_get_all: addr must hold ZTS_MAX_ASSIGNED_ADDRESSES and *count say so");
    }
    return with_network(net_id, [&](zt::Network& n, zt::Node&) -> int {
        std::memset(addr, 0, sizeof(zts_sockaddr_storage) * ZTS_MAX_ASSIGNED_ADDRESSES);
        if (!n.has_config() || n.config().static_ips.empty()) return ZTS_ERR_NO_RESULT;
        unsigned i = 0;
        for (const zt::ManagedIp& ip : n.config().static_ips) {
            if (i >= ZTS_MAX_ASSIGNED_ADDRESSES) break;
            zt::api::to_zts_sockaddr_with_bits(ip.ip, ip.bits, &addr[i++]);
        }
        *count = i;
        return ZTS_ERR_OK;
    });
}

int zts_route_is_assigned(uint64_t net_id, unsigned int family) {
    if (!node_running()) return ZTS_ERR_SERVICE;
    return with_network(net_id, [&](zt::Network& n, zt::Node&) -> int {
        if (!n.has_config()) return 0;
        for (const zt::ManagedRoute& r : n.config().routes) {
            if (family_matches(r.target, family)) return 1;
        }
        return 0;
    });
}

int zts_core_query_addr_count(uint64_t net_id) {
    if (!node_running()) return ZTS_ERR_SERVICE;
    return with_network(net_id, [](zt::Network& n, zt::Node&) -> int {
        return n.has_config() ? static_cast<int>(n.config().static_ips.size()) : 0;
    });
}

int zts_core_query_addr(uint64_t net_id, unsigned int idx, char* addr, unsigned int len) {
    if (!node_running()) return ZTS_ERR_SERVICE;
    if (addr == nullptr) return arg_error("zts_core_query_addr: addr must not be NULL");
    return with_network(net_id, [&](zt::Network& n, zt::Node&) -> int {
        if (!n.has_config() || idx >= n.config().static_ips.size()) return arg_error("zts_core_query_addr: no such index");
        return copy_ip_string(n.config().static_ips[idx].ip, addr, len);
    });
}

int zts_core_query_route_count(uint64_t net_id) {
    if (!node_running()) return ZTS_ERR_SERVICE;
    return with_network(net_id, [](zt::Network& n, zt::Node&) -> int {
        return n.has_config() ? static_cast<int>(n.config().routes.size()) : 0;
    });
}

int zts_core_query_route(uint64_t net_id, unsigned int idx, char* target, char* via, unsigned int len, uint16_t* flags,
                         uint16_t* metric) {
    if (!node_running()) return ZTS_ERR_SERVICE;
    if (target == nullptr || via == nullptr || flags == nullptr || metric == nullptr) {
        return arg_error("zts_core_query_route: arguments must not be NULL");
    }
    return with_network(net_id, [&](zt::Network& n, zt::Node&) -> int {
        if (!n.has_config() || idx >= n.config().routes.size()) return arg_error("zts_core_query_route: no such index");
        const zt::ManagedRoute& r = n.config().routes[idx];
        std::memset(target, 0, len);
        std::memset(via, 0, len);
        int rc = copy_ip_string(r.target, target, len);
        if (rc != ZTS_ERR_OK) return rc;
        rc = r.via.is_nil() ? (len >= 8 ? (std::strcpy(via, "0.0.0.0"), ZTS_ERR_OK) : arg_error("buffer too small"))
                            : copy_ip_string(r.via, via, len);
        *flags = r.flags;
        *metric = r.metric;
        return rc;
    });
}

int zts_core_query_mc_count(uint64_t net_id) {
    if (!node_running()) return ZTS_ERR_SERVICE;
    return with_network(net_id, [](zt::Network& n, zt::Node&) -> int { return static_cast<int>(n.groups().size()); });
}

int zts_core_query_mc(uint64_t net_id, unsigned int idx, uint64_t* mac, uint32_t* adi) {
    if (!node_running()) return ZTS_ERR_SERVICE;
    if (mac == nullptr || adi == nullptr) return arg_error("zts_core_query_mc: arguments must not be NULL");
    return with_network(net_id, [&](zt::Network& n, zt::Node&) -> int {
        const std::set<zt::MulticastGroup> groups = n.groups();
        if (idx >= groups.size()) return arg_error("zts_core_query_mc: no such index");
        auto it = groups.begin();
        std::advance(it, idx);
        *mac = it->mac;
        *adi = it->adi;
        return ZTS_ERR_OK;
    });
}

int ztx_net_get_info(uint64_t net_id, zts_net_info_t* out) {
    if (out == nullptr) return arg_error("ztx_net_get_info: out must not be NULL");
    return with_node([&](zt::osdep::Service& s, zt::Node& node) -> int {
        zt::Network* n = node.network(net_id);
        if (n == nullptr) return ZTS_ERR_NO_RESULT;
        zt::api::fill_net_info(*n, s.identity().address(), out);
        return ZTS_ERR_OK;
    });
}

// What ztx_net_get_dns reports is what the controller's spec can carry (and ZeroTier's limits).
static_assert(sizeof(ztx_netconf_spec_t::dns_servers) / sizeof(ztx_netconf_spec_t::dns_servers[0]) ==
              ZTX_MAX_DNS_SERVERS);
static_assert(sizeof(ztx_netconf_spec_t::dns_domain) == ZTX_DNS_DOMAIN_LEN);

int ztx_net_get_dns(uint64_t net_id, ztx_net_dns_t* out) {
    if (out == nullptr) return arg_error("ztx_net_get_dns: out must not be NULL");
    return with_node([&](zt::osdep::Service&, zt::Node& node) -> int {
        zt::Network* n = node.network(net_id);
        if (n == nullptr) return ZTS_ERR_NO_RESULT;
        std::memset(out, 0, sizeof *out);
        if (!n->has_config()) return ZTS_ERR_OK;
        const zt::NetworkDns& dns = n->config().dns;
        std::memcpy(out->domain, dns.domain.data(), std::min(dns.domain.size(), sizeof out->domain - 1));
        for (const zt::InetAddress& server : dns.servers) {
            if (out->server_count >= ZTX_MAX_DNS_SERVERS) break;
            zt::api::to_zts_sockaddr(server, &out->server_addr[out->server_count++]);
        }
        return ZTS_ERR_OK;
    });
}

int ztx_net_list(uint64_t* ids, unsigned* count) {
    if (ids == nullptr || count == nullptr) return arg_error("ztx_net_list: arguments must not be NULL");
    return with_node([&](zt::osdep::Service&, zt::Node& node) -> int {
        const std::vector<uint64_t> all = node.network_ids();
        unsigned n = 0;
        for (uint64_t id : all) {
            if (n >= *count) break;
            ids[n++] = id;
        }
        *count = n;
        return static_cast<int>(all.size());
    });
}

}  // extern "C"
