// SPDX-License-Identifier: Apache-2.0
// What a new datagram socket starts with where lwIP's defaults are not Linux's: multicast with a TTL
// (hop limit) of 1, so that it stays on the network it is sent to unless the program says otherwise,
// and looped back to the host's own members of the group (lwIP: TTL 255, no loop).
#pragma once

namespace zt::net {

void apply_datagram_defaults(int lwip_fd);

}  // namespace zt::net
