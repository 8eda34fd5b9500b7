// SPDX-License-Identifier: Apache-2.0
// lwIP's source-based IPv4 route hook (declared in include/lwipopts.h), called under the core lock.
extern "C" {
#include <lwip/ip4_addr.h>
#include <lwip/netif.h>
}

struct netif* lwip_port_ip4_route_src(const ip4_addr_t* src, const ip4_addr_t* dest) {
    // Multicast from a socket bound to an address leaves on the interface that has the address, as
    // Linux sends it; lwIP would take its default multicast interface (net/multicast_interface), the
    // first network's, even for a socket bound to another network's address. Everything else is
    // routed as lwIP routes it.
    if (src == nullptr || ip4_addr_isany(src) || !ip4_addr_ismulticast(dest)) return nullptr;
    struct netif* n = nullptr;
    NETIF_FOREACH(n) {
        if (netif_is_up(n) && ip4_addr_cmp(netif_ip4_addr(n), src)) return n;
    }
    return nullptr;
}
