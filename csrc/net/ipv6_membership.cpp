// SPDX-License-Identifier: Apache-2.0
#include "net/ipv6_membership.hpp"

#include <cerrno>

#include "net/stack.hpp"

namespace zt::net {

namespace {

bool is_zerotier(const struct netif* n) { return n->name[0] == 'z' && n->name[1] == 't'; }  // net/netif.cpp

}  // namespace

int resolve_ipv6_membership_interface(ipv6_mreq* mreq) {
    if (mreq->ipv6mr_interface > 0xFFu) return ENODEV;
    CoreLock lock;
    if (mreq->ipv6mr_interface != 0) {
        return netif_get_by_index(static_cast<u8_t>(mreq->ipv6mr_interface)) != nullptr ? 0 : ENODEV;
    }
    struct netif* n = nullptr;
    NETIF_FOREACH(n) {  // newest first: the lowest index is the network joined first
        if (is_zerotier(n) && netif_is_up(n)) mreq->ipv6mr_interface = netif_get_index(n);
    }
    return mreq->ipv6mr_interface != 0 ? 0 : ENODEV;
}

}  // namespace zt::net
