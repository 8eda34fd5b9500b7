// SPDX-License-Identifier: Apache-2.0
#include "net/ephemeral_port.hpp"

#include <array>
#include <atomic>
#include <cerrno>

#include "net/lwip.hpp"
#include "net/stack.hpp"

extern "C" {
#include <lwip/api.h>
#include <lwip/priv/sockets_priv.h>  // struct lwip_sock: the netconn of a socket
#include <lwip/priv/tcp_priv.h>      // tcp_pcb_lists, tcp_tw_pcbs
}

namespace zt::net {

namespace {

// lwIP's own range (TCP_LOCAL_PORT_RANGE_START/END in tcp.c): IANA's dynamic ports, 49152-65535.
constexpr unsigned kFirstPort = 0xc000;
constexpr unsigned kLastPort = 0xffff;
constexpr unsigned kPorts = kLastPort - kFirstPort + 1;

std::atomic<std::uint64_t> g_recycled{0};

bool in_range(u16_t port) { return port >= kFirstPort; }  // kLastPort is the largest u16_t

// Core lock held. Returns 0 when no port can be had.
u16_t choose_locked() {
    // Everything here is guarded by the core lock, the tables included (16 KB: not on the stack).
    static std::array<std::uint8_t, kPorts> holders;  // PCBs holding each port, saturating at 255
    static unsigned cursor = kFirstPort + lwip_port_rand() % kPorts;

    holders.fill(0);
    for (struct tcp_pcb** list : tcp_pcb_lists) {
        // The listen list holds struct tcp_pcb_listen, which begins like struct tcp_pcb (lwIP walks
        // it the same way).
        for (struct tcp_pcb* pcb = *list; pcb != nullptr; pcb = pcb->next) {
            if (!in_range(pcb->local_port)) continue;
            std::uint8_t& n = holders[pcb->local_port - kFirstPort];
            if (n != 255) ++n;
        }
    }
    for (unsigned step = 1; step <= kPorts; ++step) {
        const unsigned port = kFirstPort + (cursor - kFirstPort + step) % kPorts;
        if (holders[port - kFirstPort] == 0) {
            cursor = port;
            return static_cast<u16_t>(port);
        }
    }
    // Every port is held. lwIP adds a PCB entering TIME_WAIT at the head of tcp_tw_pcbs, so the last
    // one that holds its port alone entered TIME_WAIT longest ago.
    struct tcp_pcb* oldest = nullptr;
    for (struct tcp_pcb* pcb = tcp_tw_pcbs; pcb != nullptr; pcb = pcb->next) {
        if (in_range(pcb->local_port) && holders[pcb->local_port - kFirstPort] == 1) oldest = pcb;
    }
    if (oldest == nullptr) return 0;  // every port belongs to a live connection or a listener
    const u16_t port = oldest->local_port;
    tcp_abort(oldest);  // TIME_WAIT: unlinked and freed, nothing sent, no callback (it has no netconn)
    g_recycled.fetch_add(1, std::memory_order_relaxed);
    cursor = port;
    return port;
}

}  // namespace

int bind_ephemeral_before_connect(int lwip_fd) {
    CoreLock lock;
    const struct lwip_sock* sock = lwip_socket_dbg_get_socket(lwip_fd);
    if (sock == nullptr || sock->conn == nullptr) return 0;  // lwip_connect reports it
    struct netconn* conn = sock->conn;
    if (NETCONNTYPE_GROUP(netconn_type(conn)) != NETCONN_TCP || conn->pcb.tcp == nullptr) return 0;
    struct tcp_pcb* pcb = conn->pcb.tcp;
    if (pcb->state != CLOSED || pcb->local_port != 0) return 0;  // bound by the application, or connected
    const u16_t port = choose_locked();
    if (port == 0) return EADDRNOTAVAIL;
    // The wildcard address lwip_bind would pass for 0.0.0.0 or [::] (netconn_bind's dual-stack rule):
    // the local address is still chosen by route when the connection starts (tcp_connect).
    const ip_addr_t* any = IP4_ADDR_ANY;
    if (NETCONNTYPE_ISIPV6(netconn_type(conn))) any = netconn_get_ipv6only(conn) ? IP6_ADDR_ANY : IP_ANY_TYPE;
    return tcp_bind(pcb, any, port) == ERR_OK ? 0 : EADDRNOTAVAIL;
}

std::uint16_t choose_ephemeral_port() {
    CoreLock lock;
    const u16_t port = choose_locked();
    if (port == 0) errno = EADDRNOTAVAIL;
    return port;
}

std::uint64_t time_wait_recycled() { return g_recycled.load(std::memory_order_relaxed); }

std::uint64_t time_wait_count() {
    CoreLock lock;
    std::uint64_t n = 0;
    for (const struct tcp_pcb* pcb = tcp_tw_pcbs; pcb != nullptr; pcb = pcb->next) ++n;
    return n;
}

}  // namespace zt::net
