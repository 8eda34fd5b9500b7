// SPDX-License-Identifier: Apache-2.0
#include "net/port_unreachable.hpp"

#include "net/lwip.hpp"

#include <cstring>

#include "net/readiness_fd.hpp"
#include "zt/bytes.hpp"

extern "C" {
#include <lwip/api.h>                // struct netconn: its event callback
#include <lwip/priv/sockets_priv.h>  // struct lwip_sock: errevent
#include <lwip/udp.h>
}

namespace zt::net {

namespace {

constexpr std::uint16_t kEthertypeIpv4 = 0x0800;
constexpr std::uint16_t kEthertypeIpv6 = 0x86dd;
constexpr std::uint8_t kIcmp = 1;
constexpr std::uint8_t kIcmp6 = 58;
constexpr std::uint8_t kUdp = 17;
constexpr std::size_t kIcmpHeader = 8;  // type, code, checksum, 4 unused bytes; then the quoted packet

// ICMP destination unreachable, code port unreachable (RFC 792); the IPv4 packet it quotes.
bool read_ipv4(const std::uint8_t* p, std::size_t len, RefusedDatagram* out) {
    if (len < 20 || (p[0] >> 4) != 4 || p[9] != kIcmp) return false;
    const std::size_t icmp = static_cast<std::size_t>(p[0] & 0x0f) * 4;
    if ((load_be(p + 6, 2) & 0x1fff) != 0) return false;  // not the first fragment: no ICMP header here
    if (icmp < 20 || icmp + kIcmpHeader + 20 > len || p[icmp] != 3 || p[icmp + 1] != 3) return false;
    const std::uint8_t* quoted = p + icmp + kIcmpHeader;
    const std::size_t quoted_header = static_cast<std::size_t>(quoted[0] & 0x0f) * 4;
    if ((quoted[0] >> 4) != 4 || quoted[9] != kUdp || quoted_header < 20) return false;
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
    if (len < quoted_at + 40 + 4 || (p[0] >> 4) != 6 || p[6] != kIcmp6) return false;
    if (p[icmp] != 1 || p[icmp + 1] != 4) return false;
    const std::uint8_t* quoted = p + quoted_at;
    if ((quoted[0] >> 4) != 6 || quoted[6] != kUdp) return false;
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

}  // namespace

bool read_port_unreachable(std::uint16_t ethertype, const std::uint8_t* packet, std::size_t len,
                           RefusedDatagram* out) {
    if (ethertype == kEthertypeIpv4) return read_ipv4(packet, len, out);
    if (ethertype == kEthertypeIpv6) return read_ipv6(packet, len, out);
    return false;
}

void refuse_connected_udp(const RefusedDatagram& d) {
    for (struct udp_pcb* pcb = udp_pcbs; pcb != nullptr; pcb = pcb->next) {
        if ((pcb->flags & UDP_FLAGS_CONNECTED) == 0 || pcb->local_port != d.from_port ||
            pcb->remote_port != d.to_port || !same_address(pcb->remote_ip, d.family, d.to_ip)) {
            continue;
        }
        if (!ip_addr_isany(&pcb->local_ip) && !same_address(pcb->local_ip, d.family, d.from_ip)) continue;
        // Every UDP PCB with an argument is a socket's netconn: lwIP's own users of UDP (DNS, the one
        // compiled in) pass none, and never connect.
        auto* conn = static_cast<struct netconn*>(pcb->recv_arg);
        if (conn == nullptr || conn->callback == nullptr) continue;
        conn->callback(conn, NETCONN_EVT_ERROR, 0);  // sets errevent, wakes poll and select
    }
}

bool take_udp_refusal(int lwip_fd) {
    bool refused = false;
    {
        SYS_ARCH_DECL_PROTECT(lev);
        SYS_ARCH_PROTECT(lev);
        struct lwip_sock* sock = lwip_socket_dbg_get_socket(lwip_fd);
        if (sock != nullptr && sock->errevent != 0) {
            sock->errevent = 0;
            refused = true;
        }
        SYS_ARCH_UNPROTECT(lev);
    }
    if (refused) readiness::sync_lwip(lwip_fd);
    return refused;
}

}  // namespace zt::net
