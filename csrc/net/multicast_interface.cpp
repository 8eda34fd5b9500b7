// SPDX-License-Identifier: Apache-2.0
#include "net/multicast_interface.hpp"

#include <atomic>

#include "net/lwip.hpp"
#include "net/netif.hpp"

namespace zt::net {

namespace {

std::atomic<int> g_index{0};
struct netif* g_ipv4 = nullptr;  // core lock

}  // namespace

void choose_multicast_interface(const struct netif* leaving) {
    struct netif* chosen = nullptr;
    struct netif* chosen_ipv4 = nullptr;  // IPv4 multicast leaves from the interface's address
    struct netif* n = nullptr;
    NETIF_FOREACH(n) {
        if (n == leaving || !is_virtual_netif(n) || !netif_is_up(n)) continue;
        if (chosen == nullptr || netif_get_index(n) < netif_get_index(chosen)) chosen = n;
        if (!ip4_addr_isany_val(*netif_ip4_addr(n)) &&
            (chosen_ipv4 == nullptr || netif_get_index(n) < netif_get_index(chosen_ipv4))) {
            chosen_ipv4 = n;
        }
    }
    ip4_set_default_multicast_netif(chosen_ipv4);
    g_ipv4 = chosen_ipv4;
    g_index.store(chosen == nullptr ? 0 : netif_get_index(chosen), std::memory_order_relaxed);
}

int multicast_interface() { return g_index.load(std::memory_order_relaxed); }

struct netif* ipv4_multicast_netif() { return g_ipv4; }

}  // namespace zt::net
