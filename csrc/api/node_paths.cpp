// SPDX-License-Identifier: Apache-2.0
// Which physical paths the node may use: the secondary port, port mapping (UPnP / NAT-PMP), the
// TCP fallback relay and the interface blacklist (zts_init_*: only while the node is stopped, else ZTS_ERR_SERVICE), and
// what the node bound and mapped (ztx_node_get_ports, ztx_node_get_port_mapping).
#include <cstdio>
#include <cstring>
#include <string>

#include "ZeroTierSockets.h"
#include "libzt_ext.h"
#include "api/arg_error.hpp"
#include "api/node_access.hpp"
#include "api/runtime.hpp"

namespace {

using zt::api::arg_error;
using zt::api::configure;
using zt::api::with_node;

// Interface names are at most IFNAMSIZ - 1 = 15 characters on Linux: a longer prefix matches nothing.
constexpr unsigned kMaxInterfacePrefix = 15;

}  // namespace

extern "C" {

int zts_init_allow_secondary_port(unsigned int allowed) {
    return configure([&](zt::osdep::ServiceConfig& c) -> int {
        c.allow_secondary_port = allowed != 0;
        return ZTS_ERR_OK;
    });
}

int zts_init_allow_port_mapping(unsigned int allowed) {
    return configure([&](zt::osdep::ServiceConfig& c) -> int {
        c.allow_port_mapping = allowed != 0;
        return ZTS_ERR_OK;
    });
}

int zts_init_blacklist_if(const char* prefix, unsigned int len) {
    if (prefix == nullptr || len == 0 || len > kMaxInterfacePrefix) {
        return arg_error("zts_init_blacklist_if: prefix must be 1 to 15 characters (an interface name prefix)");
    }
    const std::string p(prefix, strnlen(prefix, len));
    if (p.empty()) return arg_error("zts_init_blacklist_if: prefix must not be empty");
    return configure([&](zt::osdep::ServiceConfig& c) -> int {
        c.interface_blacklist.push_back(p);
        return ZTS_ERR_OK;
    });
}

int zts_init_allow_tcp_relay(int allowed) {
    return configure([&](zt::osdep::ServiceConfig& c) -> int {
        c.allow_tcp_relay = allowed != 0;
        return ZTS_ERR_OK;
    });
}

int zts_init_force_tcp_relay(int enabled) {
    return configure([&](zt::osdep::ServiceConfig& c) -> int {
        c.force_tcp_relay = enabled != 0;
        return ZTS_ERR_OK;
    });
}

int zts_init_set_tcp_relay(const char* tcp_relay_addr, unsigned short tcp_relay_port) {
    if (tcp_relay_addr == nullptr || tcp_relay_port == 0) {
        return arg_error("zts_init_set_tcp_relay: need an IPv4 address and a port other than 0");
    }
    const std::string text = std::string(tcp_relay_addr, strnlen(tcp_relay_addr, 64)) + "/" +
                             std::to_string(tcp_relay_port);
    zt::InetAddress a;
    // ZeroTier's TCP fallback carries IPv4 only, and so does the relay connection itself.
    if (!zt::InetAddress::from_string(text, &a) || a.family != zt::InetAddress::Family::kV4) {
        return arg_error("zts_init_set_tcp_relay: the relay address must be an IPv4 address such as 203.0.113.7");
    }
    return configure([&](zt::osdep::ServiceConfig& c) -> int {
        c.tcp_relay_address = text;
        return ZTS_ERR_OK;
    });
}

int ztx_init_set_tcp_relay_after(unsigned int ms) {
    return configure([&](zt::osdep::ServiceConfig& c) -> int {
        c.tcp_relay_after_ms = ms;
        return ZTS_ERR_OK;
    });
}

int ztx_node_tcp_relay_active(void) {
    return with_node([&](zt::osdep::Service& svc, zt::Node&) -> int { return svc.tcp_relay_active() ? 1 : 0; });
}

int ztx_init_set_secondary_port_rebind_after(unsigned int ms) {
    if (ms == 0) return arg_error("ztx_init_set_secondary_port_rebind_after: ms must be > 0");
    return configure([&](zt::osdep::ServiceConfig& c) -> int {
        c.secondary_port_rebind_after_ms = ms;
        return ZTS_ERR_OK;
    });
}

int ztx_init_set_port_mapping_refresh(unsigned int ms) {
    return configure([&](zt::osdep::ServiceConfig& c) -> int {
        c.port_mapping_refresh_ms = ms;
        return ZTS_ERR_OK;
    });
}

int ztx_node_get_ports(unsigned short* primary, unsigned short* secondary, unsigned short* mapping) {
    return with_node([&](zt::osdep::Service& svc, zt::Node&) -> int {
        if (primary != nullptr) *primary = svc.port();
        if (secondary != nullptr) *secondary = svc.secondary_port();
        if (mapping != nullptr) *mapping = svc.mapping_port();
        return ZTS_ERR_OK;
    });
}

int ztx_node_get_port_mapping(char* addr, unsigned addr_len, char* method, unsigned method_len) {
    if (addr == nullptr || method == nullptr || addr_len < ZTS_INET6_ADDRSTRLEN + 7 || method_len < 8) {
        return arg_error("ztx_node_get_port_mapping: need addr of at least 53 bytes and method of at least 8");
    }
    return with_node([&](zt::osdep::Service& svc, zt::Node&) -> int {
        const std::vector<zt::InetAddress> ext = svc.mapped_addresses();
        const std::string text = ext.empty() ? std::string() : ext.front().to_string();
        const std::string how = ext.empty() ? std::string() : svc.mapping_method();
        std::snprintf(addr, addr_len, "%s", text.c_str());
        std::snprintf(method, method_len, "%s", how.c_str());
        return ZTS_ERR_OK;
    });
}

}  // extern "C"
