// SPDX-License-Identifier: Apache-2.0
// lwIP's source-based IPv4 route hook (declared in include/lwipopts.h), called under the core lock:
// with the socket's address as src before lwIP's routing, and with src == nullptr after it found no
// interface for dest.
extern "C" {
#include <lwip/ip4_addr.h>
#include <lwip/netif.h>
}

#include "net/multicast_interface.hpp"

namespace {

struct netif* netif_with_address(const ip4_addr_t* address) {
    struct netif* n = nullptr;
    NETIF_FOREACH(n) {
        if (netif_is_up(n) && ip4_addr_cmp(netif_ip4_addr(n), address)) return n;
    }
    return nullptr;
}

}  // namespace

struct netif* lwip_port_ip4_route_src(const ip4_addr_t* src, const ip4_addr_t* dest) {
    const bool from_an_address = src != nullptr && !ip4_addr_isany(src);
    const bool limited_broadcast = dest->addr == PP_HTONL(IPADDR_BROADCAST);
    // Multicast and the limited broadcast from a socket bound to an address leave on the interface
    // that has the address, as Linux sends them; lwIP would take its default multicast interface
    // (the first network's) even for a socket bound to another network's address, and has no route
    // at all for 255.255.255.255.
    if (from_an_address && (ip4_addr_ismulticast(dest) || limited_broadcast)) {
        return netif_with_address(src);
    }
    // Otherwise the limited broadcast goes where multicast goes by default; everything else is routed
    // as lwIP routes it.
    if (limited_broadcast) return zt::net::ipv4_multicast_netif();
    return nullptr;
}
