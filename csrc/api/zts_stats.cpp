// SPDX-License-Identifier: Apache-2.0
// zts_stats_get_all: the counters of the TCP/IP stack, as libzt reports them.
//
// The link layer under lwIP is the virtual Ethernet between the stack and ZeroTier; the node
// counts its frames (lwIP leaves link counting to the driver, which is us). Everything above it
// comes from lwIP's own statistics (lwip_stats), which exist only in an lwIP built with
// LWIP_STATS; each protocol's block is there only when lwIP counts that protocol. Errors are the
// sum of lwIP's error kinds (checksum, length, memory, routing, protocol, option, other), as libzt
// sums them; IPv4 and IPv6 errors include their fragmentation errors.
#include <cstring>

#include "ZeroTierSockets.h"
#include "api/arg_error.hpp"
#include "api/node_access.hpp"
#include "net/lwip.hpp"
#include "net/stack.hpp"

extern "C" {
#include <lwip/stats.h>
}

namespace {

#if LWIP_STATS
uint32_t errors(const stats_proto& s) {
    return static_cast<uint32_t>(s.chkerr + s.lenerr + s.memerr + s.rterr + s.proterr + s.opterr + s.err);
}

// tx, rx, drop and err of one protocol block.
void copy(const stats_proto& s, uint32_t* tx, uint32_t* rx, uint32_t* drop, uint32_t* err) {
    *tx = s.xmit;
    *rx = s.recv;
    *drop = s.drop;
    *err = errors(s);
}
#endif

// Fills every counter lwIP keeps; false if this lwIP keeps none.
bool fill_from_lwip(zts_stats_counter_t* dst) {
#if LWIP_STATS
    zt::net::CoreLock lock;  // lwIP updates these on its thread, under this lock
    const stats_& st = lwip_stats;
#if ETHARP_STATS
    copy(st.etharp, &dst->etharp_tx, &dst->etharp_rx, &dst->etharp_drop, &dst->etharp_err);
#endif
#if IP_STATS
    copy(st.ip, &dst->ip4_tx, &dst->ip4_rx, &dst->ip4_drop, &dst->ip4_err);
#endif
#if IPFRAG_STATS
    dst->ip4_err += errors(st.ip_frag);
#endif
#if IP6_STATS
    copy(st.ip6, &dst->ip6_tx, &dst->ip6_rx, &dst->ip6_drop, &dst->ip6_err);
#endif
#if IP6_FRAG_STATS
    dst->ip6_err += errors(st.ip6_frag);
#endif
#if ICMP_STATS
    copy(st.icmp, &dst->icmp4_tx, &dst->icmp4_rx, &dst->icmp4_drop, &dst->icmp4_err);
#endif
#if ICMP6_STATS
    copy(st.icmp6, &dst->icmp6_tx, &dst->icmp6_rx, &dst->icmp6_drop, &dst->icmp6_err);
#endif
#if UDP_STATS
    copy(st.udp, &dst->udp_tx, &dst->udp_rx, &dst->udp_drop, &dst->udp_err);
#endif
#if TCP_STATS
    copy(st.tcp, &dst->tcp_tx, &dst->tcp_rx, &dst->tcp_drop, &dst->tcp_err);
#endif
#if ND6_STATS
    copy(st.nd6, &dst->nd6_tx, &dst->nd6_rx, &dst->nd6_drop, &dst->nd6_err);
#endif
#if LINK_STATS
    // Should a driver of ours ever count at lwIP's link level too, its errors are link errors.
    dst->link_err += errors(st.link);
#endif
    return true;
#else
    (void)dst;
    return false;
#endif
}

}  // namespace

extern "C" int zts_stats_get_all(zts_stats_counter_t* dst) {
    if (dst == nullptr) return zt::api::arg_error("zts_stats_get_all: dst must not be NULL");
    std::memset(dst, 0, sizeof *dst);
    const int r = zt::api::with_node([&](zt::osdep::Service&, zt::Node& n) -> int {
        const zt::NodeStats& s = n.stats();
        dst->link_tx = static_cast<uint32_t>(s.frames_out);
        dst->link_rx = static_cast<uint32_t>(s.frames_in);
        dst->link_drop = static_cast<uint32_t>(s.frames_dropped);
        return ZTS_ERR_OK;
    });
    if (r != ZTS_ERR_OK) return r;
    // Not under the node lock: lwIP's core lock comes first in this library's lock order.
    return fill_from_lwip(dst) ? ZTS_ERR_OK : ZTS_ERR_NO_RESULT;
}
