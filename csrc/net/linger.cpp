// SPDX-License-Identifier: Apache-2.0
#include "net/linger.hpp"

#include <chrono>
#include <cstdint>
#include <thread>

#include "net/lwip.hpp"
#include "net/stack.hpp"
#include "net/stream_state.hpp"
#include "osdep/clock.hpp"

extern "C" {
#include <lwip/api.h>
#include <lwip/tcp.h>
}

namespace zt::net {

namespace {

// Short beside a round trip on a slow path, long beside the lock it takes.
constexpr auto kLingerLookMs = std::chrono::milliseconds(10);

enum class Connection { kNone, kListening, kDelivering, kDelivered };

Connection connection_of(int lwip_fd) {
    CoreLock lock;
    const struct netconn* conn = tcp_netconn_locked(lwip_fd);
    if (conn == nullptr || conn->pcb.tcp == nullptr) return Connection::kNone;
    const struct tcp_pcb* pcb = conn->pcb.tcp;
    switch (pcb->state) {
        case LISTEN:
            return Connection::kListening;  // a tcp_pcb_listen: no unsent or unacked to look at
        case ESTABLISHED:
        case CLOSE_WAIT:
        case FIN_WAIT_1:
        case CLOSING:
        case LAST_ACK:  // where Linux's close waits: data, or this side's FIN, still to be acknowledged
            return pcb->unsent != nullptr || pcb->unacked != nullptr ? Connection::kDelivering
                                                                      : Connection::kDelivered;
        default:
            return Connection::kNone;  // connecting (its SYN is in unacked), or over
    }
}

void set_linger(int lwip_fd, int on, int seconds) {
    const struct linger l {on, seconds};
    lwip_setsockopt(lwip_fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
}

}  // namespace

void linger_before_close(int lwip_fd, bool (*give_up)(void*), void* arg) {
    struct linger l {};
    socklen_t len = sizeof l;
    if (lwip_getsockopt(lwip_fd, SOL_SOCKET, SO_LINGER, &l, &len) != 0 || l.l_onoff == 0) return;
    Connection c = connection_of(lwip_fd);
    if (l.l_linger == 0 && c != Connection::kListening) return;  // lwip_close resets it, as asked
    const std::int64_t deadline = osdep::now_ms() + static_cast<std::int64_t>(l.l_linger) * 1000;
    while (c == Connection::kDelivering && osdep::now_ms() < deadline) {
        if (give_up(arg)) {
            set_linger(lwip_fd, 1, 0);
            return;
        }
        std::this_thread::sleep_for(kLingerLookMs);
        c = connection_of(lwip_fd);
    }
    set_linger(lwip_fd, 0, 0);  // delivered, or the time is up: lwip_close closes, and the rest goes on alone
}

}  // namespace zt::net
