// SPDX-License-Identifier: Apache-2.0
// zts_stats_get_all: the counters of the TCP/IP stack, as libzt reports them.
//
// The link layer under lwIP is the virtual Ethernet between the stack and ZeroTier; the node counts
// its frames (lwIP leaves link counting to the driver, which is us). Everything above it comes from
// lwIP's own statistics (net/stack_stats.hpp).
#include <cstring>

#include "ZeroTierSockets.h"
#include "api/arg_error.hpp"
#include "api/node_access.hpp"
#include "net/stack_stats.hpp"

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
    zt::net::read_stack_stats(dst);
    return ZTS_ERR_OK;
}
