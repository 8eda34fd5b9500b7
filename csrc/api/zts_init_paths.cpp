// SPDX-License-Identifier: Apache-2.0
// zts_init_* calls that decide which physical paths the node may use: the secondary port, port
// mapping (UPnP / NAT-PMP) and the interface blacklist. Like every init call: only while the node
// is stopped (else ZTS_ERR_SERVICE).
#include <cstring>
#include <string>

#include "ZeroTierSockets.h"
#include "api/arg_error.hpp"
#include "api/runtime.hpp"

namespace {

using zt::api::arg_error;
using zt::api::Runtime;
using zt::api::runtime;

// Interface names are at most IFNAMSIZ - 1 = 15 characters on Linux: a longer prefix matches nothing.
constexpr unsigned kMaxInterfacePrefix = 15;

template <typename Fn>
int configure(Fn&& fn) {
    Runtime& rt = runtime();
    std::lock_guard<std::mutex> g(rt.mutex);
    if (rt.freed || rt.running()) return ZTS_ERR_SERVICE;
    return fn(rt.config);
}

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

}  // extern "C"
