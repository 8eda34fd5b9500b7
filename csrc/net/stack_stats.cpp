// SPDX-License-Identifier: Apache-2.0
#include "net/stack_stats.hpp"

#include "net/lwip.hpp"
#include "net/stack.hpp"

#include <lwip/stats.h>

#include <cstdint>

namespace zt::net {

namespace {

struct Counters {
    std::uint32_t* tx;
    std::uint32_t* rx;
    std::uint32_t* drop;
    std::uint32_t* err;
};

std::uint32_t errors(const struct stats_proto& p) {
    return static_cast<std::uint32_t>(p.chkerr) + p.lenerr + p.memerr + p.rterr + p.proterr + p.opterr + p.err;
}

void copy(const struct stats_proto& p, Counters c) {
    *c.tx = p.xmit;
    *c.rx = p.recv;
    *c.drop = p.drop;
    *c.err = errors(p);
}

}  // namespace

void read_stack_stats(zts_stats_counter_t* out) {
    if (!stack_running()) return;
    CoreLock core;  // lwIP updates its counters under it
    copy(lwip_stats.etharp, {&out->etharp_tx, &out->etharp_rx, &out->etharp_drop, &out->etharp_err});
    copy(lwip_stats.ip, {&out->ip4_tx, &out->ip4_rx, &out->ip4_drop, &out->ip4_err});
    copy(lwip_stats.ip6, {&out->ip6_tx, &out->ip6_rx, &out->ip6_drop, &out->ip6_err});
    copy(lwip_stats.icmp, {&out->icmp4_tx, &out->icmp4_rx, &out->icmp4_drop, &out->icmp4_err});
    copy(lwip_stats.icmp6, {&out->icmp6_tx, &out->icmp6_rx, &out->icmp6_drop, &out->icmp6_err});
    copy(lwip_stats.udp, {&out->udp_tx, &out->udp_rx, &out->udp_drop, &out->udp_err});
    copy(lwip_stats.tcp, {&out->tcp_tx, &out->tcp_rx, &out->tcp_drop, &out->tcp_err});
    copy(lwip_stats.nd6, {&out->nd6_tx, &out->nd6_rx, &out->nd6_drop, &out->nd6_err});
    // Reassembly is part of IP in libzt's counters; lwIP keeps it apart.
    out->ip4_err += errors(lwip_stats.ip_frag);
    out->ip6_err += errors(lwip_stats.ip6_frag);
    // Our netif driver counts frames itself (the link fields are the node's), but lwIP's own link-level
    // errors are link errors too.
    out->link_err += errors(lwip_stats.link);
}

}  // namespace zt::net
