// SPDX-License-Identifier: Apache-2.0
// lwIP's protocol counters (LWIP_STATS), as zts_stats_get_all reports them: sent, received, dropped,
// and errors (checksum, length, memory, routing, protocol and option errors together).
#pragma once

#include "ZeroTierSockets.h"

namespace zt::net {

// Fills the etharp/ip4/ip6/icmp4/icmp6/udp/tcp/nd6 fields of `out` and adds lwIP's link errors (the
// other link fields are the node's);
// takes the core lock. Zeros if the stack has not started.
void read_stack_stats(zts_stats_counter_t* out);

}  // namespace zt::net
