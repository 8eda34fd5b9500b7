// SPDX-License-Identifier: Apache-2.0
// The OS half of a socket's readiness descriptor (net/readiness_fd.hpp): an AF_UNIX datagram socket
// pair whose exposed end polls readable, writable, both or neither, as told. Kept apart from the
// lwIP half because lwIP's socket headers and the system's define the same names.
//
// The exposed end is readable while a byte sent from the control end waits in its queue, and
// unwritable while a datagram it sent (larger than a quarter of its minimal send buffer) waits unread
// in the control end's queue.
#pragma once

namespace zt::net {

struct ReadinessPair {
    int exposed = -1;  // the application's descriptor
    int control = -1;  // ours: its peer
    bool readable = false;  // what `exposed` polls as now
    bool writable = true;
};

// A new pair polling writable only; false with errno set (EMFILE, ...) if it cannot be made.
bool open_readiness_pair(ReadinessPair* out);
// Moves the exposed end to (readable, writable). Only transitions cost system calls, none of which
// can block.
void set_readiness(ReadinessPair& pair, bool readable, bool writable);
void close_readiness_pair(ReadinessPair& pair);

}  // namespace zt::net
