// SPDX-License-Identifier: Apache-2.0
#include "net/datagram_source.hpp"

#include <cstdint>

#include "net/stack.hpp"
#include "zt/inet_address.hpp"

namespace zt::net {

namespace {

// The IPv4 source toward dest (network order), or false without a route. Core lock held.
bool ipv4_source(std::uint32_t dest, std::uint32_t* source) {
    ip4_addr_t d;
    d.addr = dest;
    struct netif* n = ip4_route(&d);
    if (n == nullptr) return false;
    *source = netif_ip4_addr(n)->addr;
    return *source != 0;
}

}  // namespace

bool fill_in_datagram_source(const sockaddr_storage& peer, sockaddr_storage* local) {
    CoreLock lock;
    if (peer.ss_family == AF_INET && local->ss_family == AF_INET) {
        auto* mine = reinterpret_cast<sockaddr_in*>(local);
        if (mine->sin_addr.s_addr != 0) return false;
        return ipv4_source(reinterpret_cast<const sockaddr_in*>(&peer)->sin_addr.s_addr, &mine->sin_addr.s_addr);
    }
    if (peer.ss_family != AF_INET6 || local->ss_family != AF_INET6) return false;
    const auto* theirs = reinterpret_cast<const sockaddr_in6*>(&peer);
    auto* mine = reinterpret_cast<sockaddr_in6*>(local);
    if (!is_unspecified_v6(mine->sin6_addr.s6_addr)) return false;
    if (is_v4_mapped(theirs->sin6_addr.s6_addr)) {
        std::uint32_t source = 0;
        if (!ipv4_source(mapped_v4(theirs->sin6_addr.s6_addr), &source)) return false;
        set_v4_mapped(mine->sin6_addr.s6_addr, source);
        return true;
    }
    ip6_addr_t dest;
    inet6_addr_to_ip6addr(&dest, &theirs->sin6_addr);
    // A zone only on an address with a scope (lwIP asserts that), as lwIP's own sockets set it.
    if (ip6_addr_has_scope(&dest, IP6_UNKNOWN)) {
        ip6_addr_set_zone(&dest, static_cast<u8_t>(theirs->sin6_scope_id));
    } else {
        ip6_addr_clear_zone(&dest);
    }
    struct netif* n = ip6_route(IP6_ADDR_ANY6, &dest);
    if (n == nullptr) return false;
    const ip_addr_t* source = ip6_select_source_address(n, &dest);
    if (source == nullptr) return false;
    inet6_addr_from_ip6addr(&mine->sin6_addr, ip_2_ip6(source));
    return true;
}

}  // namespace zt::net
