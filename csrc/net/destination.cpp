// SPDX-License-Identifier: Apache-2.0
#include "net/destination.hpp"

#include "net/multicast_interface.hpp"
#include "zt/inet_address.hpp"

namespace zt::net {

namespace {

// The address the socket is bound to, or a zeroed storage (family AF_UNSPEC) if lwIP gives none.
sockaddr_storage bound_address(int lwip_fd) {
    sockaddr_storage local{};
    socklen_t len = sizeof local;
    if (lwip_getsockname(lwip_fd, reinterpret_cast<sockaddr*>(&local), &len) != 0) local = sockaddr_storage{};
    return local;
}

// This host's IPv4 address for a socket (network byte order): the one it is bound to, else loopback.
std::uint32_t this_host_v4(const sockaddr_storage& local) {
    if (local.ss_family == AF_INET) {
        const std::uint32_t own = reinterpret_cast<const sockaddr_in&>(local).sin_addr.s_addr;
        if (own != 0) return own;
    } else if (local.ss_family == AF_INET6) {
        const std::uint8_t* own = reinterpret_cast<const sockaddr_in6&>(local).sin6_addr.s6_addr;
        if (zt::is_v4_mapped(own) && zt::mapped_v4(own) != 0) return zt::mapped_v4(own);
    }
    return PP_HTONL(INADDR_LOOPBACK);
}

}  // namespace

const sockaddr* destination(int lwip_fd, const sockaddr* to, sockaddr_in6* scratch, DestinationUse use) {
    static_assert(sizeof(sockaddr_in6) >= sizeof(sockaddr_in), "scratch holds either family");
    if (to->sa_family == AF_INET) {
        const auto& v4 = reinterpret_cast<const sockaddr_in&>(*to);
        if (v4.sin_addr.s_addr != 0) return to;
        auto* out = reinterpret_cast<sockaddr_in*>(scratch);
        *out = v4;
        out->sin_addr.s_addr = this_host_v4(bound_address(lwip_fd));
        return reinterpret_cast<const sockaddr*>(out);
    }
    if (to->sa_family != AF_INET6) return to;
    const auto& v6 = reinterpret_cast<const sockaddr_in6&>(*to);
    const std::uint8_t* a = v6.sin6_addr.s6_addr;
    if (zt::is_unspecified_v6(a)) {
        *scratch = v6;
        const sockaddr_storage local = bound_address(lwip_fd);
        const std::uint8_t* own = reinterpret_cast<const sockaddr_in6&>(local).sin6_addr.s6_addr;
        if (local.ss_family == AF_INET6 && zt::is_v4_mapped(own)) {
            zt::set_v4_mapped(scratch->sin6_addr.s6_addr, PP_HTONL(INADDR_LOOPBACK));
        } else {
            scratch->sin6_addr.s6_addr[15] = 1;  // ::1
        }
        return reinterpret_cast<const sockaddr*>(scratch);
    }
    if (zt::is_v4_mapped(a) && zt::mapped_v4(a) == 0) {
        *scratch = v6;
        zt::set_v4_mapped(scratch->sin6_addr.s6_addr, this_host_v4(bound_address(lwip_fd)));
        return reinterpret_cast<const sockaddr*>(scratch);
    }
    const bool link_scope_multicast = a[0] == 0xff && (a[1] & 0x0f) <= 2;
    if (use != DestinationUse::kSend || !link_scope_multicast || v6.sin6_scope_id != 0) return to;
    const sockaddr_storage local = bound_address(lwip_fd);
    if (local.ss_family == AF_INET6 &&
        !zt::is_unspecified_v6(reinterpret_cast<const sockaddr_in6&>(local).sin6_addr.s6_addr)) {
        return to;  // bound to an address: lwIP routes by it
    }
    *scratch = v6;
    scratch->sin6_scope_id = static_cast<std::uint32_t>(multicast_interface());
    return reinterpret_cast<const sockaddr*>(scratch);
}

}  // namespace zt::net
