// SPDX-License-Identifier: Apache-2.0
// close() with SO_LINGER on and a time set, as a blocking close(2) does it.
//
// lwIP 2.1.3 cannot linger on a non-blocking socket, and the table's lwIP sockets all are: with data
// not yet acknowledged, lwip_close clears the connection's callbacks, fails with EWOULDBLOCK and
// keeps the socket, which nobody can close any more (its descriptor is gone), while the connection
// goes on with nobody told when it ends. close(2) waits up to the linger time for the peer to
// acknowledge the data, then resets the connection. Here the same, before lwip_close: nothing
// signals the last ACK, so the connection is looked at every kLingerLookMs.
#pragma once

#include <functional>

namespace zt::net {

// Returns once `lwip_fd`, a socket about to be closed, need not linger: SO_LINGER off or 0, not TCP,
// or no data left unsent or unacknowledged. At the linger time's end, or when `give_up` says so (the
// node stops), sets it to close with a reset (SO_LINGER 0) first.
void linger_before_close(int lwip_fd, const std::function<bool()>& give_up);

}  // namespace zt::net
