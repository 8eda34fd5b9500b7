// SPDX-License-Identifier: Apache-2.0
// ZeroTierSockets.h speaks lwIP's own constants and BSD-style sockaddrs (with a length byte); the
// lwIP we link (Debian's) was built against the host's headers, so it speaks Linux constants and
// Linux sockaddrs. Everything crossing the zts_bsd_* boundary is translated here, both ways.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include "ZeroTierSockets.h"

namespace zt::api {

// Socket addresses. to_host rejects a family other than IPv4/IPv6 and lengths that lie.
bool sockaddr_to_host(const zts_sockaddr* in, zts_socklen_t in_len, sockaddr_storage* out, socklen_t* out_len);
// Writes at most *len bytes (truncating like the kernel) and sets *len to the full length.
void sockaddr_from_host(const sockaddr_storage& in, zts_sockaddr* out, zts_socklen_t* len);

// Socket options: false if the (level, option) pair has no equivalent here.
bool sockopt_to_host(int level, int optname, int* host_level, int* host_optname);
int msg_flags_to_host(int zts_flags);
int msg_flags_from_host(int host_flags);  // recvmsg output flags (truncation)
short poll_events_to_host(short zts_events);
short poll_events_from_host(short host_events);

}  // namespace zt::api
