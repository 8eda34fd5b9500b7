// SPDX-License-Identifier: Apache-2.0
#include "net/time_wait_reopen.hpp"

#include <atomic>
#include <cstring>

#include "net/lwip.hpp"
#include "net/time_wait_owner.hpp"
#include "zt/ip_numbers.hpp"

extern "C" {
#include <lwip/priv/tcp_priv.h>  // tcp_tw_pcbs, tcp_listen_pcbs, TCP_SEQ_GT
}

namespace zt::net {

namespace {

constexpr std::uint8_t kFin = 0x01, kSyn = 0x02, kRst = 0x04, kAck = 0x10;

std::atomic<std::uint64_t> g_reopened{0};

std::uint16_t be16(const std::uint8_t* p) { return static_cast<std::uint16_t>((p[0] << 8) | p[1]); }
std::uint32_t be32(const std::uint8_t* p) {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}

// An address of the packet (4 or 16 bytes, network order) against a PCB's.
bool same_address(const ip_addr_t& a, const std::uint8_t* bytes, bool v6) {
    if (v6) return IP_IS_V6_VAL(a) && std::memcmp(ip_2_ip6(&a)->addr, bytes, 16) == 0;
    return IP_IS_V4_VAL(a) && std::memcmp(&ip_2_ip4(&a)->addr, bytes, 4) == 0;
}

bool someone_listens_on(u16_t port) {
    for (struct tcp_pcb_listen* l = tcp_listen_pcbs.listen_pcbs; l != nullptr; l = l->next) {
        if (l->local_port == port) return true;
    }
    return false;
}

}  // namespace

void reopen_time_wait_for_syn(std::uint16_t ethertype, const std::uint8_t* packet, std::size_t len) {
    if (tcp_tw_pcbs == nullptr) return;  // the usual case: nothing to look at
    const std::uint8_t* src = nullptr;
    const std::uint8_t* dst = nullptr;
    const std::uint8_t* tcp = nullptr;
    bool v6 = false;
    if (ethertype == kEthertypeIpv4) {
        if (len < 20 || (packet[0] >> 4) != 4 || packet[9] != kIpProtoTcp) return;
        if ((be16(packet + 6) & 0x3fff) != 0) return;  // a fragment: lwIP reassembles it first
        const std::size_t header = static_cast<std::size_t>(packet[0] & 0x0f) * 4;
        if (header < 20 || len < header + 20) return;
        src = packet + 12;
        dst = packet + 16;
        tcp = packet + header;
    } else if (ethertype == kEthertypeIpv6) {
        // Only a TCP header right after the fixed header: a SYN carries no extension headers.
        if (len < kIpv6HeaderLen + 20 || (packet[0] >> 4) != 6 || packet[6] != kIpProtoTcp) return;
        src = packet + 8;
        dst = packet + 24;
        tcp = packet + kIpv6HeaderLen;
        v6 = true;
    } else {
        return;
    }
    if ((tcp[13] & (kSyn | kAck | kRst | kFin)) != kSyn) return;
    const u16_t remote_port = be16(tcp);
    const u16_t local_port = be16(tcp + 2);
    const u32_t seqno = be32(tcp + 4);
    for (struct tcp_pcb* pcb = tcp_tw_pcbs; pcb != nullptr; pcb = pcb->next) {
        if (pcb->local_port != local_port || pcb->remote_port != remote_port) continue;
        if (!same_address(pcb->remote_ip, src, v6) || !same_address(pcb->local_ip, dst, v6)) continue;
        // rcv_nxt: the old connection's next expected sequence number (past its FIN).
        if (!TCP_SEQ_GT(seqno, pcb->rcv_nxt) || !someone_listens_on(local_port)) return;
        if (!release_time_wait_owner(pcb)) return;  // its socket still needs it (net/time_wait_owner.hpp)
        tcp_abort(pcb);                             // TIME_WAIT: unlinked and freed, nothing sent
        g_reopened.fetch_add(1, std::memory_order_relaxed);
        return;  // at most one PCB matches an exact 4-tuple
    }
}

std::uint64_t time_wait_reopened() { return g_reopened.load(std::memory_order_relaxed); }

}  // namespace zt::net
