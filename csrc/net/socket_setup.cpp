// SPDX-License-Identifier: Apache-2.0
#include "net/socket_setup.hpp"

#include <cerrno>

namespace zt::net {

namespace {

// The options an application can set on a TCP socket before connecting it or listening on it (those
// lwIP has); the options Linux's accepted connections inherit from their listener, among others.
constexpr struct {
    int level;
    int name;
} kInheritedOptions[] = {
    {SOL_SOCKET, SO_REUSEADDR}, {SOL_SOCKET, SO_KEEPALIVE},   {SOL_SOCKET, SO_LINGER},
    {SOL_SOCKET, SO_RCVBUF},    {IPPROTO_IP, IP_TOS},         {IPPROTO_IP, IP_TTL},
    {IPPROTO_TCP, TCP_NODELAY}, {IPPROTO_TCP, TCP_KEEPIDLE},  {IPPROTO_TCP, TCP_KEEPINTVL},
    {IPPROTO_TCP, TCP_KEEPCNT}, {IPPROTO_IPV6, IPV6_V6ONLY},
};

std::uint16_t port_of(const sockaddr_storage& ss) {
    if (ss.ss_family == AF_INET) return reinterpret_cast<const sockaddr_in&>(ss).sin_port;
    if (ss.ss_family == AF_INET6) return reinterpret_cast<const sockaddr_in6&>(ss).sin6_port;
    return 0;
}

}  // namespace

const SocketSetup::Option* SocketSetup::find(int level, int name) const {
    for (const Option& o : options) {
        if (o.level == level && o.name == name) return &o;
    }
    return nullptr;
}

SocketSetup::Option* SocketSetup::find(int level, int name) {
    return const_cast<Option*>(static_cast<const SocketSetup*>(this)->find(level, name));
}

bool has_local_port(int lwip_fd) {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    return lwip_getsockname(lwip_fd, reinterpret_cast<sockaddr*>(&ss), &len) == 0 && port_of(ss) != 0;
}

SocketSetup read_options(int lwip_fd) {
    SocketSetup setup;
    for (const auto& o : kInheritedOptions) {
        SocketSetup::Option saved{o.level, o.name, sizeof saved.value, {}};
        if (lwip_getsockopt(lwip_fd, o.level, o.name, saved.value, &saved.len) != 0) continue;
        saved.len = setup_option_size(o.level, o.name);  // lwIP leaves most lengths as they were given
        setup.options.push_back(saved);
    }
    return setup;
}

socklen_t setup_option_size(int level, int name) {
    return level == SOL_SOCKET && name == SO_LINGER ? sizeof(struct linger) : sizeof(int);
}

bool is_setup_option(int level, int name) {
    for (const auto& o : kInheritedOptions) {
        if (o.level == level && o.name == name) return true;
    }
    return false;
}

void apply_options(int lwip_fd, const SocketSetup& setup) {
    for (const SocketSetup::Option& o : setup.options) lwip_setsockopt(lwip_fd, o.level, o.name, o.value, o.len);
}

SocketSetup read_setup(int lwip_fd) {
    SocketSetup setup = read_options(lwip_fd);
    socklen_t len = sizeof setup.local;
    if (lwip_getsockname(lwip_fd, reinterpret_cast<sockaddr*>(&setup.local), &len) == 0 && port_of(setup.local) != 0) {
        setup.local_len = len;
    }
    return setup;
}

int renew(SocketTable& table, SocketTable::Use& use, const SocketSetup& setup) {
    const int family = use.state().family == AF_INET6 ? AF_INET6 : AF_INET;
    const int fresh = lwip_socket(family, SOCK_STREAM, 0);
    if (fresh < 0) return errno;
    SocketTable::guard_events(fresh, true);
    apply_options(fresh, setup);
    const int old = table.replace(use, fresh);
    if (old < 0) {
        const int err = errno;
        lwip_close(fresh);
        return err;
    }
    lwip_close(old);  // before binding: it may hold the application's local port
    // Another thread's bind or connect may have come first, now that the fresh socket is in place.
    if (setup.local_len != 0 && !has_local_port(use.lwip()) &&
        lwip_bind(use.lwip(), reinterpret_cast<const sockaddr*>(&setup.local), setup.local_len) < 0) {
        return errno;
    }
    return 0;
}

}  // namespace zt::net
