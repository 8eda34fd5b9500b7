// SPDX-License-Identifier: Apache-2.0
#include "net/ipv6_hop_options.hpp"

#include <cerrno>
#include <cstring>

#include "ZeroTierSockets.h"

namespace zt::net {

namespace {

constexpr int kNotOurs = -1;
constexpr int kDefaultUnicastHops = IP_DEFAULT_TTL;
constexpr int kDefaultMulticastHops = 1;

int lwip_option_for(int family, int type, int level, int name, LwipHopOption* out) {
    if (family != AF_INET6 || level != ZTS_IPPROTO_IPV6) return kNotOurs;
    switch (name) {
        case ZTS_IPV6_UNICAST_HOPS: out->name = IP_TTL; out->one_byte = false; return 0;
        case ZTS_IPV6_MULTICAST_HOPS: out->name = IP_MULTICAST_TTL; break;
        case ZTS_IPV6_MULTICAST_LOOP: out->name = IP_MULTICAST_LOOP; break;
        default: return kNotOurs;
    }
    out->one_byte = true;
    return type == SOCK_DGRAM ? 0 : ENOPROTOOPT;
}

}  // namespace

int ipv6_hop_setting(int family, int type, int level, int name, const void* value, socklen_t len, LwipHopOption* out) {
    const int status = lwip_option_for(family, type, level, name, out);
    if (status != 0) return status;
    int v = 0;
    if (value == nullptr || len < sizeof v) return EINVAL;
    std::memcpy(&v, value, sizeof v);
    if (name == ZTS_IPV6_MULTICAST_LOOP ? (v != 0 && v != 1) : (v < -1 || v > 255)) return EINVAL;
    if (v == -1) v = name == ZTS_IPV6_UNICAST_HOPS ? kDefaultUnicastHops : kDefaultMulticastHops;
    out->value = v;
    out->byte = static_cast<unsigned char>(v);
    return 0;
}

int ipv6_hop_reading(int family, int type, int level, int name, LwipHopOption* out) {
    return lwip_option_for(family, type, level, name, out);
}

}  // namespace zt::net
