// SPDX-License-Identifier: Apache-2.0
#include "net/port_unreachable.hpp"

#include "net/lwip.hpp"

#include <cstdint>
#include <cstring>

#include "net/readiness_fd.hpp"
#include "zt/bytes.hpp"

extern "C" {
#include <lwip/api.h>                // struct netconn: its event callback
#include <lwip/icmp.h>
#include <lwip/prot/icmp6.h>
#include <lwip/priv/sockets_priv.h>  // struct lwip_sock: errevent
#include <lwip/raw.h>
#include <lwip/udp.h>
}

namespace zt::net {

namespace {

// The datagram an ICMP port unreachable answers: its addresses and ports, as our side sent it.
struct RefusedDatagram {
    int family = 0;  // 4 or 6
    std::uint8_t from_ip[16] = {};  // ours (IPv4 in the first 4 bytes)
    std::uint8_t to_ip[16] = {};    // the peer's
    std::uint16_t from_port = 0;
    std::uint16_t to_port = 0;
};

constexpr std::size_t kIcmpHeader = 8;  // type, code, checksum, 4 unused bytes; then the quoted packet
constexpr std::size_t kMostRead = 60 + kIcmpHeader + 60 + 4;  // IPv4 headers with all their options

// ICMP destination unreachable, code port unreachable (RFC 792); the IPv4 packet it quotes.
bool read_ipv4(const std::uint8_t* p, std::size_t len, RefusedDatagram* out) {
    if (len < 20 || p[9] != IP_PROTO_ICMP) return false;
    const std::size_t icmp = static_cast<std::size_t>(p[0] & 0x0f) * 4;
    if (icmp < 20 || icmp + kIcmpHeader + 20 > len || p[icmp] != ICMP_DUR || p[icmp + 1] != ICMP_DUR_PORT) return false;
    const std::uint8_t* quoted = p + icmp + kIcmpHeader;
    const std::size_t quoted_header = static_cast<std::size_t>(quoted[0] & 0x0f) * 4;
    if ((quoted[0] >> 4) != 4 || quoted[9] != IP_PROTO_UDP || quoted_header < 20) return false;
    if (icmp + kIcmpHeader + quoted_header + 4 > len) return false;  // the two ports
    out->family = 4;
    std::memcpy(out->from_ip, quoted + 12, 4);
    std::memcpy(out->to_ip, quoted + 16, 4);
    out->from_port = static_cast<std::uint16_t>(load_be(quoted + quoted_header, 2));
    out->to_port = static_cast<std::uint16_t>(load_be(quoted + quoted_header + 2, 2));
    return true;
}

// ICMPv6 destination unreachable, code port unreachable (RFC 4443), straight after the fixed header
// (as every IPv6 stack sends it), quoting an IPv6 packet whose next header is UDP.
bool read_ipv6(const std::uint8_t* p, std::size_t len, RefusedDatagram* out) {
    constexpr std::size_t icmp = 40;
    constexpr std::size_t quoted_at = icmp + kIcmpHeader;
    if (len < quoted_at + 40 + 4 || p[6] != IP6_NEXTH_ICMP6) return false;
    if (p[icmp] != ICMP6_TYPE_DUR || p[icmp + 1] != ICMP6_DUR_PORT) return false;
    const std::uint8_t* quoted = p + quoted_at;
    if ((quoted[0] >> 4) != 6 || quoted[6] != IP6_NEXTH_UDP) return false;
    out->family = 6;
    std::memcpy(out->from_ip, quoted + 8, 16);
    std::memcpy(out->to_ip, quoted + 24, 16);
    out->from_port = static_cast<std::uint16_t>(load_be(quoted + 40, 2));
    out->to_port = static_cast<std::uint16_t>(load_be(quoted + 42, 2));
    return true;
}

// Whether lwIP's address `a` is the one `ip` names (family 4 or 6; zones aside).
bool same_address(const ip_addr_t& a, int family, const std::uint8_t* ip) {
    if (family == 4) return IP_IS_V4_VAL(a) && std::memcmp(&ip_2_ip4(&a)->addr, ip, 4) == 0;
    return IP_IS_V6_VAL(a) && std::memcmp(ip_2_ip6(&a)->addr, ip, 16) == 0;
}

// Marks the connected UDP socket that sent `d`, which came back on interface `netif_index`: the
// first that matches, as Linux looks one socket up.
void refuse_first_connected(const RefusedDatagram& d, u8_t netif_index) {
    for (struct udp_pcb* pcb = udp_pcbs; pcb != nullptr; pcb = pcb->next) {
        if ((pcb->flags & UDP_FLAGS_CONNECTED) == 0 || pcb->local_port != d.from_port ||
            pcb->remote_port != d.to_port || !same_address(pcb->remote_ip, d.family, d.to_ip)) {
            continue;
        }
        if (!ip_addr_isany(&pcb->local_ip) && !same_address(pcb->local_ip, d.family, d.from_ip)) continue;
        if (pcb->netif_idx != NETIF_NO_INDEX && pcb->netif_idx != netif_index) continue;  // bound to another
        if (IP_IS_V6_VAL(pcb->remote_ip) && ip6_addr_has_zone(ip_2_ip6(&pcb->remote_ip)) &&
            ip6_addr_zone(ip_2_ip6(&pcb->remote_ip)) != netif_index) {
            continue;  // the same link-local address on another network
        }
        // A socket's netconn: lwIP's own users of UDP (DNS, DHCP) give their PCBs no argument.
        auto* conn = static_cast<struct netconn*>(pcb->recv_arg);
        if (conn == nullptr || conn->callback == nullptr) continue;
        conn->callback(conn, NETCONN_EVT_ERROR, 0);  // sets errevent, wakes poll and select
        return;
    }
}

// Reads an IPv4 or IPv6 packet that is an ICMP or ICMPv6 port unreachable quoting a UDP datagram.
// False for anything else, and for one too short to say.
bool read_port_unreachable(const std::uint8_t* packet, std::size_t len, RefusedDatagram* out) {
    if (len < 1) return false;
    if ((packet[0] >> 4) == 4) return read_ipv4(packet, len, out);
    if ((packet[0] >> 4) == 6) return read_ipv6(packet, len, out);
    return false;
}

// lwIP's raw input, for every ICMP or ICMPv6 packet it accepted (core lock held); never takes it.
u8_t on_icmp(void*, struct raw_pcb*, struct pbuf* p, const ip_addr_t*) {
    // Not one sent to a group or a broadcast address: anyone could send it, and Linux drops it.
    const ip_addr_t* to = ip_current_dest_addr();
    if (ip_addr_ismulticast(to) || ip_addr_isbroadcast(to, ip_current_netif())) return 0;
    std::uint8_t packet[kMostRead];
    const std::size_t len = pbuf_copy_partial(p, packet, sizeof packet, 0);  // from the IP header on
    RefusedDatagram refused;
    if (read_port_unreachable(packet, len, &refused)) {
        refuse_first_connected(refused, netif_get_index(ip_current_input_netif()));
    }
    return 0;
}

}  // namespace

void watch_port_unreachable_locked() {
    for (struct raw_pcb* pcb : {raw_new_ip_type(IPADDR_TYPE_V4, IP_PROTO_ICMP), raw_new_ip_type(IPADDR_TYPE_V6, IP6_NEXTH_ICMP6)}) {
        if (pcb != nullptr) raw_recv(pcb, on_icmp, nullptr);  // kept for the life of the process, as lwIP
    }
}

bool take_udp_refusal(int lwip_fd) {
    struct lwip_sock* sock = lwip_socket_dbg_get_socket(lwip_fd);
    // Read without lwIP's lock first: every UDP send and receive asks, and almost none was refused.
    if (sock == nullptr || __atomic_load_n(&sock->errevent, __ATOMIC_RELAXED) == 0) return false;
    bool refused = false;
    {
        SYS_ARCH_DECL_PROTECT(lev);
        SYS_ARCH_PROTECT(lev);
        if (sock->errevent != 0) {
            sock->errevent = 0;
            refused = true;
        }
        SYS_ARCH_UNPROTECT(lev);
    }
    if (refused) readiness::sync_lwip(lwip_fd);
    return refused;
}

}  // namespace zt::net
