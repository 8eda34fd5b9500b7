// SPDX-License-Identifier: Apache-2.0
#include "net/broadcast.hpp"

#include <cerrno>
#include <cstdint>
#include <cstring>

#include "net/stack.hpp"
#include "zt/inet_address.hpp"

namespace zt::net {

namespace {

// The IPv4 address (network order) `to` names, if it names one for a socket of `family`: an IPv6
// socket's IPv4 peers are v4-mapped.
bool ipv4_of(int family, const sockaddr* to, std::uint32_t* out) {
    if (family == AF_INET && to->sa_family == AF_INET) {
        *out = reinterpret_cast<const sockaddr_in*>(to)->sin_addr.s_addr;
        return true;
    }
    if (family != AF_INET6 || to->sa_family != AF_INET6) return false;
    const std::uint8_t* a = reinterpret_cast<const sockaddr_in6*>(to)->sin6_addr.s6_addr;
    if (!is_v4_mapped(a)) return false;
    std::memcpy(out, a + 12, 4);
    return true;
}

}  // namespace

bool is_ipv4_broadcast(int family, const sockaddr* to) {
    std::uint32_t addr = 0;
    if (!ipv4_of(family, to, &addr)) return false;
    // 0.0.0.0 is no broadcast for Linux (lwIP's test says it is), and one with its lowest bit clear
    // has host bits that are not all set for any prefix: no lock for most unicast destinations.
    if (addr == 0 || (lwip_ntohl(addr) & 1U) == 0) return false;
    CoreLock lock;
    ip4_addr_t dest;
    dest.addr = addr;
    const struct netif* n = ip4_route(&dest);
    if (n == nullptr) return false;  // no route: lwIP says so, as Linux does before it looks further
    if (addr == PP_HTONL(IPADDR_BROADCAST)) return true;
    // A /31 has no broadcast address (RFC 3021, as Linux): both its addresses are hosts. (lwIP's test
    // takes the odd one for one.)
    if ((lwip_ntohl(ip4_addr_get_u32(netif_ip4_netmask(n))) & 2U) != 0) return false;
    return ip4_addr_isbroadcast(&dest, n);
}

int broadcast_refusal(SocketTable::Use& use, const sockaddr* to, BroadcastUse how) {
    const int type = use.state().type;
    if (type == SOCK_RAW || (type == SOCK_STREAM && how == BroadcastUse::kSend)) return 0;
    if (!is_ipv4_broadcast(use.state().family, to)) return 0;
    // Nobody answers a SYN sent to everyone: lwIP would send one anyway, and wait.
    if (type == SOCK_STREAM) return ENETUNREACH;
    int allowed = 0;
    socklen_t len = sizeof allowed;
    if (lwip_getsockopt(use.lwip(), SOL_SOCKET, SO_BROADCAST, &allowed, &len) == 0 && allowed != 0) return 0;
    return EACCES;
}

}  // namespace zt::net
