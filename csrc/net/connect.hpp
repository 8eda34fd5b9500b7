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
// SYN with a reset; otherwise the failure's errno (connect_outcome). A blocking TCP connect that
// failed leaves the socket as before it (a fresh lwIP socket with the same options and local address),
// as Linux does: unconnected, and ready for another connect.
int connect_once(SocketTable& table, SocketTable::Use& use, const sockaddr* addr, socklen_t len,
                 std::int64_t deadline_ms);

// A failed TCP connect's socket, put back as it was before the connect (a fresh lwIP socket with the
// options and local address connect_once kept). connect_once does it for a blocking connect; the
// application's getsockopt(SO_ERROR) for one that waited non-blocking while the socket is blocking
// (libzt.socket's blocking connect, as CPython's, waits that way).
void renew_after_failed_connect(SocketTable& table, SocketTable::Use& use);

// Before a TCP connect: a socket whose last attempt failed and whose lwIP socket is spent gets a
// fresh one first. If no call had seen that failure (a time limit ended the wait for it; lwIP gave
// up on the SYNs later), this reports it: its errno (the connect then ends with it, as Linux's does).
// A socket whose connection was made and has ended since is still connected to Linux's connect:
// EISCONN. Otherwise 0.
int finish_spent_attempt(SocketTable& table, SocketTable::Use& use);

// What a connection error means to the application: lwIP reports a reset in reply to our SYN as
// ECONNRESET, POSIX (and libzt) as ECONNREFUSED; it aborts a connection whose SYNs went unanswered
// (ECONNABORTED, after TCP_SYNMAXRTX retransmissions), where connect(2) says ETIMEDOUT. Only a
// connect whose outcome was not seen yet can have been refused or timed out, so this also marks that
// outcome as seen.
int connect_outcome(SocketTable::State& state, int err);

// Blocking sockets only: attempts until one connects or deadline_ms passes, kConnectRetryIntervalMs
// apart. At the deadline: ETIMEDOUT if an attempt was still under way, else the last attempt's
// errno. Failures that another attempt cannot change (EISCONN, EBADF, EAFNOSUPPORT, ...) and the
// socket's close or node shutdown end it at once. A failed socket is left as connect_once leaves it.
int connect_until(SocketTable& table, SocketTable::Use& use, const sockaddr* addr, socklen_t len,
                  std::int64_t deadline_ms);

}  // namespace zt::net
