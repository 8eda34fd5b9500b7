// SPDX-License-Identifier: Apache-2.0
#include "net/datagram_defaults.hpp"

#include "net/lwip.hpp"

namespace zt::net {

void apply_datagram_defaults(int lwip_fd) {
    // lwIP reads both as one byte, and applies them to IPv6 sockets as well.
    const unsigned char ttl = 1;
    const unsigned char loop = 1;
    lwip_setsockopt(lwip_fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof ttl);
    lwip_setsockopt(lwip_fd, IPPROTO_IP, IP_MULTICAST_LOOP, &loop, sizeof loop);
}

}  // namespace zt::net
