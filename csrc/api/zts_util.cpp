// SPDX-License-Identifier: Apache-2.0
// Address utilities of ZeroTierSockets.h (no node needed): text <-> sockaddr, family of a literal,
// lwIP-style conversions, and a sleep. Results and text as libzt's (api/ip_text), with three
// repairs of libzt 1.8.4, each a crash or a wrong answer there:
//  - zts_util_get_ip_family answers ZTS_ERR_ARG for text that is no address (libzt: -1, which
//    reads as ZTS_ERR_SOCKET with a stale zts_errno);
//  - zts_util_ipstr_to_saddr checks the output length and zeroes the sockaddr (libzt writes
//    past a short buffer, leaves sin_len and scope as they were, and takes any text starting
//    with "::", "::1" included, for the unspecified address);
//  - NULL pointers are refused, never dereferenced.
#include <cerrno>
#include <cstring>
#include <ctime>

#include "ZeroTierSockets.h"
#include "api/arg_error.hpp"
#include "api/errno.hpp"
#include "api/ip_text.hpp"

namespace {

using zt::api::arg_error;

constexpr int kIpAddrTypeV6 = 6;  // lwIP's IPADDR_TYPE_V6; anything else reads as IPv4, as in lwIP

}  // namespace

extern "C" {

void zts_util_delay(unsigned long milliseconds) {
    timespec left{static_cast<time_t>(milliseconds / 1000), static_cast<long>(milliseconds % 1000) * 1000000L};
    while (nanosleep(&left, &left) != 0 && errno == EINTR) {
    }
}

int zts_util_get_ip_family(const char* ipstr) {
    const int family = zt::api::literal_family(ipstr);
    return family != 0 ? family : arg_error("zts_util_get_ip_family: not an IPv4 or IPv6 address");
}

int zts_util_ipstr_to_saddr(const char* src_ipstr, unsigned short port, struct zts_sockaddr* dstaddr,
                            zts_socklen_t* addrlen) {
    if (dstaddr == nullptr || addrlen == nullptr) {
        return arg_error("zts_util_ipstr_to_saddr: dstaddr and addrlen must not be NULL");
    }
    zts_sockaddr_storage ss;
    zts_socklen_t len = 0;
    if (!zt::api::literal_to_sockaddr(src_ipstr, port, &ss, &len)) {
        return arg_error("zts_util_ipstr_to_saddr: not an IPv4 or IPv6 address");
    }
    if (*addrlen < len) return arg_error("zts_util_ipstr_to_saddr: *addrlen too small for the address");
    std::memcpy(dstaddr, &ss, len);
    *addrlen = len;
    return ZTS_ERR_OK;
}

int zts_util_ntop(struct zts_sockaddr* addr, zts_socklen_t addrlen, char* dst_str, int len, unsigned short* port) {
    if (addr == nullptr || dst_str == nullptr) return arg_error("zts_util_ntop: addr and dst_str must not be NULL");
    if (addrlen < sizeof(zts_sockaddr_in) || addrlen > sizeof(zts_sockaddr_storage)) {
        return arg_error("zts_util_ntop: addrlen is not the size of a sockaddr");
    }
    if (len != ZTS_INET6_ADDRSTRLEN) return arg_error("zts_util_ntop: len must be ZTS_INET6_ADDRSTRLEN");
    if (!zt::api::sockaddr_to_text(addr, addrlen, dst_str, port)) {
        return arg_error("zts_util_ntop: not an IPv4 or IPv6 sockaddr");
    }
    return ZTS_ERR_OK;
}

char* zts_ipaddr_ntoa(const zts_ip_addr* addr) {
    thread_local char text[zt::api::kIpTextMax];
    if (addr == nullptr) return nullptr;
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(&addr->u_addr);
    const bool ok = addr->type == kIpAddrTypeV6 ? zt::api::format_ipv6(bytes, text, sizeof text)
                                                : zt::api::format_ipv4(bytes, text, sizeof text);
    return ok ? text : nullptr;
}

int zts_ipaddr_aton(const char* cp, zts_ip_addr* addr) {
    zts_ip_addr parsed;
    std::memset(&parsed, 0, sizeof parsed);
    auto* bytes = reinterpret_cast<std::uint8_t*>(&parsed.u_addr);
    if (cp == nullptr) return 0;
    // As lwIP's ipaddr_aton: a colon makes it IPv6.
    if (std::strchr(cp, ':') != nullptr) {
        if (!zt::api::parse_ipv6(cp, bytes)) return 0;
        parsed.type = kIpAddrTypeV6;
    } else if (!zt::api::parse_ipv4(cp, bytes)) {
        return 0;
    }
    if (addr != nullptr) *addr = parsed;  // NULL: only a check, as lwIP allows
    return 1;
}

const char* zts_inet_ntop(int family, const void* src, char* dst, zts_socklen_t size) {
    if (family != ZTS_AF_INET && family != ZTS_AF_INET6) {
        zt::api::set_zts_errno(ZTS_EAFNOSUPPORT);
        return nullptr;
    }
    if (src == nullptr || dst == nullptr) {
        zt::api::set_zts_errno(ZTS_EINVAL);
        return nullptr;
    }
    const auto* ip = static_cast<const std::uint8_t*>(src);
    if (!(family == ZTS_AF_INET ? zt::api::format_ipv4(ip, dst, size) : zt::api::format_ipv6(ip, dst, size))) {
        zt::api::set_zts_errno(ENOSPC);  // as POSIX inet_ntop (zts_errno shares Linux's numbering)
        return nullptr;
    }
    return dst;
}

int zts_inet_pton(int family, const char* src, void* dst) {
    if (family != ZTS_AF_INET && family != ZTS_AF_INET6) {
        zt::api::set_zts_errno(ZTS_EAFNOSUPPORT);
        return -1;
    }
    if (src == nullptr || dst == nullptr) {
        zt::api::set_zts_errno(ZTS_EINVAL);
        return -1;
    }
    std::uint8_t ip[16];
    const bool ok = family == ZTS_AF_INET ? zt::api::parse_ipv4(src, ip) : zt::api::parse_ipv6(src, ip);
    if (!ok) return 0;
    std::memcpy(dst, ip, family == ZTS_AF_INET ? 4 : 16);
    return 1;
}

}  // extern "C"
