// SPDX-License-Identifier: Apache-2.0
#include "net/busy_poll.hpp"

#include <sched.h>

#include <chrono>
#include <cstdlib>

#include "net/lwip.hpp"

extern "C" {
#include <lwip/priv/sockets_priv.h>  // struct lwip_sock, lwip_socket_dbg_get_socket
}

namespace zt::net {

int busy_poll_us() {
    static const int us = [] {
        const char* text = std::getenv("LIBZT_BUSY_POLL_US");
        if (text == nullptr || *text == '\0') return kDefaultBusyPollUs;
        const long v = std::strtol(text, nullptr, 10);
        return v < 0 ? 0 : (v > 100000 ? 100000 : static_cast<int>(v));
    }();
    return us;
}

namespace {

// lwIP's own readiness counters, read without its lock (a stale value only costs a poll).
bool looks_ready(const volatile struct lwip_sock* sock, short events) {
    if ((events & POLLIN) != 0 && (sock->rcvevent > 0 || sock->lastdata.pbuf != nullptr)) return true;
    if ((events & POLLOUT) != 0 && sock->sendevent > 0) return true;
    return sock->errevent > 0;
}

}  // namespace

bool watch(int lwip_fd, short events, int us) {
    const struct lwip_sock* sock = lwip_socket_dbg_get_socket(lwip_fd);
    if (sock == nullptr) return true;  // gone: let lwip_poll say how
    const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(us);
    do {
        if (looks_ready(sock, events)) return true;
        // Lets another thread of this CPU run (the one that will bring the data, perhaps).
        sched_yield();
    } while (std::chrono::steady_clock::now() < until);
    return looks_ready(sock, events);
}

}  // namespace zt::net
