// SPDX-License-Identifier: Apache-2.0
// Connecting a socket of the table: one attempt (zts_bsd_connect), or attempts until a deadline
// (zts_connect). Results are errno values: 0 once connected.
//
// Why retry at all: ZeroTier links are transport-triggered. The first packets to a member may go
// nowhere while the path to it forms or its address is being assigned, and a listener may not be
// up yet. lwIP's own SYN retransmissions (3 s, then 6 s, ...) cover a lost SYN; what they cannot
// cover is an attempt that failed outright (no route yet, refused, aborted): lwIP frees the PCB
// then, so the next attempt runs on a fresh lwIP socket put under the same descriptor, with the
// options and local address the application had given the first one.
#pragma once

#include "net/lwip.hpp"

#include <cstdint>

#include "net/socket_table.hpp"

namespace zt::net {

// How often zts_connect tries again after a failed attempt: libzt's rate, four a second.
constexpr int kConnectRetryIntervalMs = 250;

// Starts a connection and, for a blocking socket, waits for the handshake until deadline_ms
// (osdep::now_ms scale, -1 for none). 0 when connected; EINPROGRESS on a non-blocking socket;
// ETIMEDOUT at the deadline or when lwIP gave up on its SYNs; ECONNREFUSED when the peer answered the
// SYN with a reset; otherwise the failure's errno (connect_outcome).
int connect_once(SocketTable& table, SocketTable::Use& use, const sockaddr* addr, socklen_t len,
                 std::int64_t deadline_ms);

// What a connection error means to the application: lwIP reports a reset in reply to our SYN as
// ECONNRESET, POSIX (and libzt) as ECONNREFUSED; it aborts a connection whose SYNs went unanswered
// (ECONNABORTED, after TCP_SYNMAXRTX retransmissions), where connect(2) says ETIMEDOUT. Only a
// connect whose outcome was not seen yet can have been refused or timed out, so this also marks that
// outcome as seen.
int connect_outcome(SocketTable::State& state, int err);

// Blocking sockets only: attempts until one connects or deadline_ms passes, kConnectRetryIntervalMs
// apart. At the deadline: ETIMEDOUT if an attempt was still under way, else the last attempt's
// errno. Failures that another attempt cannot change (EISCONN, EBADF, EAFNOSUPPORT, ...) and the
// socket's close or node shutdown end it at once.
int connect_until(SocketTable& table, SocketTable::Use& use, const sockaddr* addr, socklen_t len,
                  std::int64_t deadline_ms);

}  // namespace zt::net
