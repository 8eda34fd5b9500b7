// SPDX-License-Identifier: Apache-2.0
#include "net/connect.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "net/ephemeral_port.hpp"
#include "net/lwip.hpp"
#include "osdep/clock.hpp"

namespace zt::net {

namespace {

// What a fresh lwIP socket must inherit from the one it replaces.
struct SocketSetup {
    struct Option {
        int level;
        int name;
        socklen_t len;
        unsigned char value[16];  // an int or a struct linger
    };
    std::vector<Option> options;
    sockaddr_storage local{};
    socklen_t local_len = 0;  // 0: not bound by the application
};

// The options an application can have set before connecting a TCP socket (those lwIP has).
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

SocketSetup read_setup(int lwip_fd) {
    SocketSetup setup;
    for (const auto& o : kInheritedOptions) {
        SocketSetup::Option saved{o.level, o.name, sizeof saved.value, {}};
        if (lwip_getsockopt(lwip_fd, o.level, o.name, saved.value, &saved.len) == 0) setup.options.push_back(saved);
    }
    socklen_t len = sizeof setup.local;
    if (lwip_getsockname(lwip_fd, reinterpret_cast<sockaddr*>(&setup.local), &len) == 0 && port_of(setup.local) != 0) {
        setup.local_len = len;
    }
    return setup;
}

// Replaces use's spent lwIP socket with a fresh one set up like the first. 0 or an errno.
int renew(SocketTable& table, SocketTable::Use& use, const SocketSetup& setup) {
    const int family = use.state().family == AF_INET6 ? AF_INET6 : AF_INET;
    const int fresh = lwip_socket(family, SOCK_STREAM, 0);
    if (fresh < 0) return errno;
    SocketTable::guard_events(fresh, true);
    for (const SocketSetup::Option& o : setup.options) lwip_setsockopt(fresh, o.level, o.name, o.value, o.len);
    const int old = table.replace(use, fresh);
    if (old < 0) {
        const int err = errno;
        lwip_close(fresh);
        return err;
    }
    lwip_close(old);  // before binding: it may hold the application's local port
    if (setup.local_len != 0 &&
        lwip_bind(use.lwip(), reinterpret_cast<const sockaddr*>(&setup.local), setup.local_len) < 0) {
        return errno;
    }
    return 0;
}

// Failures another attempt can turn into a connection.
bool worth_retrying(int err) {
    switch (err) {
        case ECONNREFUSED:  // nobody listening yet
        case ECONNRESET:
        case ECONNABORTED:  // the interface changed under it (lwIP giving up on the SYN is ETIMEDOUT)
        case EHOSTUNREACH:  // no route yet: the address or the network is still being set up
        case ENETUNREACH:
        case ETIMEDOUT:
            return true;
        default:
            return false;
    }
}

}  // namespace

int connect_outcome(SocketTable::State& state, int err) {
    if (!state.connect_pending) return err;
    state.connect_pending = false;
    switch (err) {
        case ECONNRESET:
            return ECONNREFUSED;
        case ECONNABORTED:  // lwIP aborted the PCB in SYN_SENT: unanswered SYNs (or its address left)
            return ETIMEDOUT;
        default:
            return err;
    }
}

int connect_once(SocketTable& table, SocketTable::Use& use, const sockaddr* addr, socklen_t len,
                 std::int64_t deadline_ms) {
    // The local port is ours to choose, not lwIP's: see net/ephemeral_port.hpp.
    if (use.state().type == SOCK_STREAM) {
        const int err = bind_ephemeral_before_connect(use.lwip());
        if (err != 0) return err;
    }
    if (lwip_connect(use.lwip(), addr, len) == 0) return 0;
    if (errno != EINPROGRESS) return errno;
    // Its outcome shows later, in SO_ERROR or the next call's error (connect_outcome).
    use.state().connect_pending = use.state().type == SOCK_STREAM;
    if (use.state().nonblocking) return errno;
    const int w = table.wait(use, POLLOUT, deadline_ms);
    if (w < 0) return errno;
    if (w == 0) return ETIMEDOUT;
    int err = 0;
    socklen_t err_len = sizeof err;
    if (lwip_getsockopt(use.lwip(), SOL_SOCKET, SO_ERROR, &err, &err_len) < 0) return errno;
    if (err != 0 && table.interrupted()) {
        use.state().connect_pending = false;
        return ENETDOWN;  // the node stopped: not how lwIP saw it
    }
    return connect_outcome(use.state(), err);
}

int connect_until(SocketTable& table, SocketTable::Use& use, const sockaddr* addr, socklen_t len,
                  std::int64_t deadline_ms) {
    const bool stream = use.state().type == SOCK_STREAM;
    const SocketSetup setup = stream ? read_setup(use.lwip()) : SocketSetup{};
    for (;;) {
        const int err = connect_once(table, use, addr, len, deadline_ms);
        if (err == 0 || !worth_retrying(err)) return err;
        const std::int64_t retry_at = std::min(osdep::now_ms() + kConnectRetryIntervalMs, deadline_ms);
        if (!table.pause(use, retry_at)) return errno;
        if (osdep::now_ms() >= deadline_ms) return err;
        // A failed TCP attempt leaves lwIP's socket without a PCB: the next one needs a new socket.
        if (stream && renew(table, use, setup) != 0) return err;
    }
}

}  // namespace zt::net
