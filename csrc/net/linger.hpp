// SPDX-License-Identifier: Apache-2.0
// close() with SO_LINGER on, as Linux's close(2) does it.
//
// lwIP 2.1.3 cannot linger on a non-blocking socket, and the table's lwIP sockets all are: with data
// not yet acknowledged and a linger time set, lwip_close clears the connection's callbacks, fails
// with EWOULDBLOCK and keeps the socket, which nobody can close any more (its descriptor is gone).
// Its test for data also reads fields a listening PCB does not have (do_close_internal). Linux's
// close waits, whatever O_NONBLOCK says, up to the linger time for the connection to deliver what
// was sent, and then lets it go on alone (no reset: that is SO_LINGER with a time of 0); it ignores
// SO_LINGER on a listening socket. Here the same, before lwip_close, which then closes without
// lingering (SO_LINGER off) or, for a time of 0, with lwIP's reset. Nothing signals the last ACK, so
// the connection is looked at every kLingerLookMs.
#pragma once

namespace zt::net {

// Before lwip_close of `lwip_fd`, when SO_LINGER is on: for a TCP connection with data unsent or
// unacknowledged, waits until it is acknowledged, the linger time ends, or `give_up()` (the node
// stops: then a reset); then turns lingering off, unless the time is 0 on a socket that is not
// listening (a reset, as asked).
void linger_before_close(int lwip_fd, bool (*give_up)(void*), void* arg);

}  // namespace zt::net
