// SPDX-License-Identifier: Apache-2.0
#include "net/linger.hpp"

#include <chrono>
#include <cstdint>
#include <thread>

#include "net/lwip.hpp"
#include "net/stack.hpp"
#include "osdep/clock.hpp"

extern "C" {
#include <lwip/api.h>
#include <lwip/priv/sockets_priv.h>  // struct lwip_sock: the netconn of a socket
#include <lwip/tcp.h>
}

namespace zt::net {

namespace {

// Short beside a round trip on a slow path, long beside the lock it takes.
constexpr auto kLingerLookMs = std::chrono::milliseconds(10);

// lwIP's own test for whether a close must linger (do_close_internal).
bool data_outstanding(int lwip_fd) {
    CoreLock lock;
    const struct lwip_sock* sock = lwip_socket_dbg_get_socket(lwip_fd);
    if (sock == nullptr || sock->conn == nullptr) return false;
    if (NETCONNTYPE_GROUP(netconn_type(sock->conn)) != NETCONN_TCP) return false;
    const struct tcp_pcb* pcb = sock->conn->pcb.tcp;
    return pcb != nullptr && pcb->state != LISTEN && (pcb->unsent != nullptr || pcb->unacked != nullptr);
}

}  // namespace

void linger_before_close(int lwip_fd, const std::function<bool()>& give_up) {
    struct linger l {};
    socklen_t len = sizeof l;
    if (lwip_getsockopt(lwip_fd, SOL_SOCKET, SO_LINGER, &l, &len) != 0 || l.l_onoff == 0 || l.l_linger <= 0) return;
    const std::int64_t deadline = osdep::now_ms() + static_cast<std::int64_t>(l.l_linger) * 1000;
    while (data_outstanding(lwip_fd)) {
        if (give_up() || osdep::now_ms() >= deadline) {
            const struct linger reset {1, 0};  // lwip_close then aborts the connection: a RST
            lwip_setsockopt(lwip_fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
            return;
        }
        std::this_thread::sleep_for(kLingerLookMs);
    }
}

}  // namespace zt::net
