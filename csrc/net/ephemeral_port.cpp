// SPDX-License-Identifier: Apache-2.0
#include "net/ephemeral_port.hpp"

#include <array>
#include <atomic>
#include <cerrno>

#include "net/lwip.hpp"
#include "net/stack.hpp"
#include "net/time_wait_owner.hpp"

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

// A port given out less than this long ago may still name a connection the peer holds in TIME_WAIT
// (the peer closed first: this side kept nothing). 2*MSL, the longest a TIME_WAIT lasts.
constexpr u32_t kQuietMs = 2 * TCP_MSL;

// Core lock held. Returns 0 when no port can be had.
u16_t choose_locked() {
    // Everything here is guarded by the core lock, the tables included (96 KB: not on the stack).
    static std::array<std::uint8_t, kPorts> holders;  // PCBs holding each port, saturating at 255
    static std::array<u32_t, kPorts> given_at;        // sys_now() when each port was last given out
    static std::array<bool, kPorts> given;
    static unsigned cursor = kFirstPort + lwip_port_rand() % kPorts;
    const u32_t now = sys_now();
    const auto give = [&](unsigned port) {
        cursor = port;
        given[port - kFirstPort] = true;
        given_at[port - kFirstPort] = now;
        return static_cast<u16_t>(port);
    };

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
    // A free port that has been quiet for 2*MSL, in the cursor's order; meanwhile, of the free ports
    // given out lately, the one given out longest ago.
    unsigned lru = 0;
    u32_t lru_age = 0;
    for (unsigned step = 1; step <= kPorts; ++step) {
        const unsigned port = kFirstPort + (cursor - kFirstPort + step) % kPorts;
        const unsigned i = port - kFirstPort;
        if (holders[i] != 0) continue;
        if (!given[i] || now - given_at[i] >= kQuietMs) return give(port);
        if (lru == 0 || now - given_at[i] > lru_age) {
            lru = port;
            lru_age = now - given_at[i];
        }
    }
    // Every port is held, or was given out lately. A port given out lately and free again may name a
    // connection that ended with the peer closing first: this side kept nothing, the peer keeps the
    // four-tuple in TIME_WAIT, and that TIME_WAIT answers a new SYN to the same address and port with
    // an ACK unless the SYN starts beyond the old connection's data (the initial sequence number's
    // clock runs at 250 KB/s). lwIP's SYN_SENT answers each such ACK with a RST and its SYN again and
    // counts it as a retransmission: after six, it aborts the connect (ETIMEDOUT), within half a second.
    // One of our own TIME_WAITs has no such peer (this side closed first), so the oldest is dropped
    // instead, unless its port was given out more lately than the free one. lwIP adds a PCB entering
    // TIME_WAIT at the head of tcp_tw_pcbs, so the last one that holds its port alone is the oldest.
    // Not one that a socket still needs (net/time_wait_owner.hpp).
    struct tcp_pcb* oldest = nullptr;
    for (struct tcp_pcb* pcb = tcp_tw_pcbs; pcb != nullptr; pcb = pcb->next) {
        if (in_range(pcb->local_port) && holders[pcb->local_port - kFirstPort] == 1 && release_time_wait_owner(pcb)) {
            oldest = pcb;
        }
    }
    if (oldest != nullptr && lru != 0) {
        const unsigned i = oldest->local_port - kFirstPort;
        if (given[i] && now - given_at[i] < lru_age) oldest = nullptr;  // the free port is the older
    }
    if (oldest == nullptr) return lru == 0 ? 0 : give(lru);  // 0: all live connections or listeners
    const u16_t port = oldest->local_port;
    tcp_abort(oldest);  // TIME_WAIT: unlinked and freed, nothing sent, no callback
    g_recycled.fetch_add(1, std::memory_order_relaxed);
    return give(port);
}

}  // namespace

int bind_ephemeral_if_unbound(int lwip_fd) {
    CoreLock lock;
    const struct lwip_sock* sock = lwip_socket_dbg_get_socket(lwip_fd);
    if (sock == nullptr || sock->conn == nullptr) return 0;  // lwip_connect or lwip_listen reports it
    struct netconn* conn = sock->conn;
    if (NETCONNTYPE_GROUP(netconn_type(conn)) != NETCONN_TCP || conn->pcb.tcp == nullptr) return 0;
    struct tcp_pcb* pcb = conn->pcb.tcp;
    if (pcb->state != CLOSED || pcb->local_port != 0) return 0;  // bound by the application, or connected
    const u16_t port = choose_locked();
    if (port == 0) return EADDRNOTAVAIL;
    // The wildcard address lwip_bind would pass for 0.0.0.0 or [::] (netconn_bind's dual-stack rule):
    // a connection's local address is still chosen by route when it starts (tcp_connect).
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
