// SPDX-License-Identifier: Apache-2.0
#include "net/ipv6_membership.hpp"

#include <cerrno>

#include "net/multicast_interface.hpp"
#include "net/stack.hpp"

namespace zt::net {

int resolve_ipv6_membership_interface(ipv6_mreq* mreq) {
    if (mreq->ipv6mr_interface > 0xFFu) return ENODEV;
    if (mreq->ipv6mr_interface == 0) {
        const int chosen = multicast_interface();
        if (chosen == 0) return ENODEV;
        mreq->ipv6mr_interface = static_cast<unsigned>(chosen);
        return 0;
    }
    CoreLock lock;
    return netif_get_by_index(static_cast<u8_t>(mreq->ipv6mr_interface)) != nullptr ? 0 : ENODEV;
}

}  // namespace zt::net
