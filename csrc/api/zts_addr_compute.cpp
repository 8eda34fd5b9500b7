// SPDX-License-Identifier: Apache-2.0
// The zts_* functions of ZeroTierSockets.h that only compute (no node needed): the IPv6 addresses
// ZeroTier derives from network and node IDs, and ad-hoc network IDs. Same argument checks and
// results as libzt's src/Controls.cpp.
#include <cstring>

#include "ZeroTierSockets.h"
#include "api/ip_text.hpp"
#include "zt/vl2_address.hpp"

namespace {

// libzt writes only the 16 address bytes; we also set the length and family so the result is a
// usable sockaddr, and leave the port, flow info and scope as the caller had them.
void write_in6(const zt::InetAddress& a, zts_sockaddr_storage* ss) {
    auto* in6 = reinterpret_cast<zts_sockaddr_in6*>(ss);
    in6->sin6_len = sizeof(zts_sockaddr_in6);
    in6->sin6_family = ZTS_AF_INET6;
    std::memcpy(&in6->sin6_addr, a.ip, 16);
}

int compute_str(uint64_t net_id, uint64_t node_id, char* dst, unsigned int len,
                zt::InetAddress (*make)(uint64_t, uint64_t)) {
    if (net_id == 0 || node_id == 0 || dst == nullptr || len != ZTS_IP_MAX_STR_LEN) return ZTS_ERR_ARG;
    zt::api::format_ipv6(make(net_id, node_id).ip, dst, len);  // as libzt writes it (lwIP's text)
    return ZTS_ERR_OK;
}

}  // namespace

extern "C" {

int zts_addr_compute_6plane(const uint64_t net_id, const uint64_t node_id, struct zts_sockaddr_storage* addr) {
    if (addr == nullptr || net_id == 0 || node_id == 0) return ZTS_ERR_ARG;
    write_in6(zt::sixplane_address(net_id, node_id), addr);
    return ZTS_ERR_OK;
}

int zts_addr_compute_rfc4193(const uint64_t net_id, const uint64_t node_id, struct zts_sockaddr_storage* addr) {
    if (addr == nullptr || net_id == 0 || node_id == 0) return ZTS_ERR_ARG;
    write_in6(zt::rfc4193_address(net_id, node_id), addr);
    return ZTS_ERR_OK;
}

int zts_addr_compute_rfc4193_str(uint64_t net_id, uint64_t node_id, char* dst, unsigned int len) {
    return compute_str(net_id, node_id, dst, len, zt::rfc4193_address);
}

int zts_addr_compute_6plane_str(uint64_t net_id, uint64_t node_id, char* dst, unsigned int len) {
    return compute_str(net_id, node_id, dst, len, zt::sixplane_address);
}

uint64_t zts_net_compute_adhoc_id(uint16_t start_port, uint16_t end_port) {
    return zt::adhoc_network_id(start_port, end_port);
}

}  // extern "C"
