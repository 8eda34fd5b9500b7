// SPDX-License-Identifier: Apache-2.0
#include "api/bsd_translate.hpp"

#include <netinet/tcp.h>
#include <poll.h>

#include <cstring>

namespace zt::api {

bool sockaddr_to_host(const zts_sockaddr* in, zts_socklen_t in_len, sockaddr_storage* out, socklen_t* out_len) {
    std::memset(out, 0, sizeof *out);
    if (in == nullptr || in_len < 2) return false;
    if (in->sa_family == ZTS_AF_INET) {
        if (in_len < sizeof(zts_sockaddr_in)) return false;
        const auto* z = reinterpret_cast<const zts_sockaddr_in*>(in);
        auto* h = reinterpret_cast<sockaddr_in*>(out);
        h->sin_family = AF_INET;
        h->sin_port = z->sin_port;
        std::memcpy(&h->sin_addr, &z->sin_addr, 4);
        *out_len = sizeof(sockaddr_in);
        return true;
    }
    if (in->sa_family == ZTS_AF_INET6) {
        if (in_len < sizeof(zts_sockaddr_in6)) return false;
        const auto* z = reinterpret_cast<const zts_sockaddr_in6*>(in);
        auto* h = reinterpret_cast<sockaddr_in6*>(out);
        h->sin6_family = AF_INET6;
        h->sin6_port = z->sin6_port;
        h->sin6_flowinfo = z->sin6_flowinfo;
        std::memcpy(&h->sin6_addr, &z->sin6_addr, 16);
        h->sin6_scope_id = z->sin6_scope_id;
        *out_len = sizeof(sockaddr_in6);
        return true;
    }
    return false;
}

void sockaddr_from_host(const sockaddr_storage& in, zts_sockaddr* out, zts_socklen_t* len) {
    zts_sockaddr_storage z;
    std::memset(&z, 0, sizeof z);
    zts_socklen_t full = 0;
    if (in.ss_family == AF_INET) {
        const auto* h = reinterpret_cast<const sockaddr_in*>(&in);
        auto* s = reinterpret_cast<zts_sockaddr_in*>(&z);
        s->sin_len = sizeof(zts_sockaddr_in);
        s->sin_family = ZTS_AF_INET;
        s->sin_port = h->sin_port;
        std::memcpy(&s->sin_addr, &h->sin_addr, 4);
        full = sizeof(zts_sockaddr_in);
    } else if (in.ss_family == AF_INET6) {
        const auto* h = reinterpret_cast<const sockaddr_in6*>(&in);
        auto* s = reinterpret_cast<zts_sockaddr_in6*>(&z);
        s->sin6_len = sizeof(zts_sockaddr_in6);
        s->sin6_family = ZTS_AF_INET6;
        s->sin6_port = h->sin6_port;
        s->sin6_flowinfo = h->sin6_flowinfo;
        std::memcpy(&s->sin6_addr, &h->sin6_addr, 16);
        s->sin6_scope_id = h->sin6_scope_id;
        full = sizeof(zts_sockaddr_in6);
    }
    if (out != nullptr && len != nullptr) std::memcpy(out, &z, *len < full ? *len : full);
    if (len != nullptr) *len = full;
}

namespace {

struct OptionMap {
    int zts_level;
    int zts_name;
    int host_level;
    int host_name;
};

constexpr OptionMap kOptions[] = {
    {ZTS_SOL_SOCKET, ZTS_SO_DEBUG, SOL_SOCKET, SO_DEBUG},
    {ZTS_SOL_SOCKET, ZTS_SO_ACCEPTCONN, SOL_SOCKET, SO_ACCEPTCONN},
    {ZTS_SOL_SOCKET, ZTS_SO_REUSEADDR, SOL_SOCKET, SO_REUSEADDR},
    {ZTS_SOL_SOCKET, ZTS_SO_KEEPALIVE, SOL_SOCKET, SO_KEEPALIVE},
    {ZTS_SOL_SOCKET, ZTS_SO_DONTROUTE, SOL_SOCKET, SO_DONTROUTE},
    {ZTS_SOL_SOCKET, ZTS_SO_BROADCAST, SOL_SOCKET, SO_BROADCAST},
    {ZTS_SOL_SOCKET, ZTS_SO_LINGER, SOL_SOCKET, SO_LINGER},
    {ZTS_SOL_SOCKET, ZTS_SO_OOBINLINE, SOL_SOCKET, SO_OOBINLINE},
    {ZTS_SOL_SOCKET, ZTS_SO_REUSEPORT, SOL_SOCKET, SO_REUSEPORT},
    {ZTS_SOL_SOCKET, ZTS_SO_SNDBUF, SOL_SOCKET, SO_SNDBUF},
    {ZTS_SOL_SOCKET, ZTS_SO_RCVBUF, SOL_SOCKET, SO_RCVBUF},
    {ZTS_SOL_SOCKET, ZTS_SO_SNDLOWAT, SOL_SOCKET, SO_SNDLOWAT},
    {ZTS_SOL_SOCKET, ZTS_SO_RCVLOWAT, SOL_SOCKET, SO_RCVLOWAT},
    {ZTS_SOL_SOCKET, ZTS_SO_SNDTIMEO, SOL_SOCKET, SO_SNDTIMEO},
    {ZTS_SOL_SOCKET, ZTS_SO_RCVTIMEO, SOL_SOCKET, SO_RCVTIMEO},
    {ZTS_SOL_SOCKET, ZTS_SO_ERROR, SOL_SOCKET, SO_ERROR},
    {ZTS_SOL_SOCKET, ZTS_SO_TYPE, SOL_SOCKET, SO_TYPE},
    {ZTS_SOL_SOCKET, ZTS_SO_NO_CHECK, SOL_SOCKET, SO_NO_CHECK},
    {ZTS_SOL_SOCKET, ZTS_SO_BINDTODEVICE, SOL_SOCKET, SO_BINDTODEVICE},
    {ZTS_IPPROTO_IP, ZTS_IP_TOS, IPPROTO_IP, IP_TOS},
    {ZTS_IPPROTO_IP, ZTS_IP_TTL, IPPROTO_IP, IP_TTL},
    {ZTS_IPPROTO_IP, ZTS_IP_ADD_MEMBERSHIP, IPPROTO_IP, IP_ADD_MEMBERSHIP},
    {ZTS_IPPROTO_IP, ZTS_IP_DROP_MEMBERSHIP, IPPROTO_IP, IP_DROP_MEMBERSHIP},
    {ZTS_IPPROTO_IP, ZTS_IP_MULTICAST_TTL, IPPROTO_IP, IP_MULTICAST_TTL},
    {ZTS_IPPROTO_IP, ZTS_IP_MULTICAST_IF, IPPROTO_IP, IP_MULTICAST_IF},
    {ZTS_IPPROTO_IP, ZTS_IP_MULTICAST_LOOP, IPPROTO_IP, IP_MULTICAST_LOOP},
    {ZTS_IPPROTO_IP, ZTS_IP_PKTINFO, IPPROTO_IP, IP_PKTINFO},
    {ZTS_IPPROTO_TCP, ZTS_TCP_NODELAY, IPPROTO_TCP, TCP_NODELAY},
    {ZTS_IPPROTO_TCP, ZTS_TCP_KEEPIDLE, IPPROTO_TCP, TCP_KEEPIDLE},
    {ZTS_IPPROTO_TCP, ZTS_TCP_KEEPINTVL, IPPROTO_TCP, TCP_KEEPINTVL},
    {ZTS_IPPROTO_TCP, ZTS_TCP_KEEPCNT, IPPROTO_TCP, TCP_KEEPCNT},
    {ZTS_IPPROTO_IPV6, ZTS_IPV6_CHECKSUM, IPPROTO_IPV6, IPV6_CHECKSUM},
    {ZTS_IPPROTO_IPV6, ZTS_IPV6_JOIN_GROUP, IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP},
    {ZTS_IPPROTO_IPV6, ZTS_IPV6_LEAVE_GROUP, IPPROTO_IPV6, IPV6_DROP_MEMBERSHIP},
    {ZTS_IPPROTO_IPV6, ZTS_IPV6_V6ONLY, IPPROTO_IPV6, IPV6_V6ONLY},
};

struct FlagMap {
    int zts;
    int host;
};

constexpr FlagMap kMsgFlags[] = {
    {ZTS_MSG_PEEK, MSG_PEEK},
    {ZTS_MSG_WAITALL, MSG_WAITALL},
    {ZTS_MSG_OOB, MSG_OOB},
    {ZTS_MSG_DONTWAIT, MSG_DONTWAIT},
    {ZTS_MSG_MORE, MSG_MORE},
};

constexpr FlagMap kPollEvents[] = {
    {ZTS_POLLIN, POLLIN},       {ZTS_POLLOUT, POLLOUT},       {ZTS_POLLERR, POLLERR},
    {ZTS_POLLNVAL, POLLNVAL},   {ZTS_POLLRDNORM, POLLRDNORM}, {ZTS_POLLRDBAND, POLLRDBAND},
    {ZTS_POLLPRI, POLLPRI},     {ZTS_POLLWRNORM, POLLWRNORM}, {ZTS_POLLWRBAND, POLLWRBAND},
    {ZTS_POLLHUP, POLLHUP},
};

template <std::size_t N>
int map_bits(const FlagMap (&table)[N], int bits, bool to_host) {
    int out = 0;
    for (const FlagMap& f : table) {
        if (bits & (to_host ? f.zts : f.host)) out |= to_host ? f.host : f.zts;
    }
    return out;
}

}  // namespace

bool sockopt_to_host(int level, int optname, int* host_level, int* host_optname) {
    for (const OptionMap& m : kOptions) {
        if (m.zts_level == level && m.zts_name == optname) {
            *host_level = m.host_level;
            *host_optname = m.host_name;
            return true;
        }
    }
    return false;
}

int msg_flags_to_host(int zts_flags) { return map_bits(kMsgFlags, zts_flags, true); }
int msg_flags_from_host(int host_flags) {
    // Only what recvmsg reports back; ZTS_MSG_TRUNC shares its value with ZTS_MSG_OOB.
    int out = 0;
    if (host_flags & MSG_TRUNC) out |= ZTS_MSG_TRUNC;
    if (host_flags & MSG_CTRUNC) out |= ZTS_MSG_CTRUNC;
    return out;
}
short poll_events_to_host(short zts_events) { return static_cast<short>(map_bits(kPollEvents, zts_events, true)); }
short poll_events_from_host(short host_events) {
    return static_cast<short>(map_bits(kPollEvents, host_events, false));
}

}  // namespace zt::api
