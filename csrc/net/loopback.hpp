// SPDX-License-Identifier: Apache-2.0
// The stack's loopback interface: 127.0.0.1/8 and ::1, as any host has. Debian's lwIP is built
// without its own (LWIP_HAVE_LOOPIF 0: the Hurd provides one), so without this a socket could not
// reach the process itself unless some ZeroTier network was up. Packets sent to it go through
// lwIP's netif_loop_output, which hands them back to the tcpip thread.
//
// Caveat (lwIP's, see ack_storm.hpp): a TCP connection with both ends in this process whose two
// applications both stop reading with full receive windows starts an ACK storm inside the tcpip
// thread that never ends. UDP, and TCP where either end keeps reading, are not affected.
#pragma once

namespace zt::net {

// Adds the interface (once; core lock held by the caller).
void add_loopback_locked();

}  // namespace zt::net
