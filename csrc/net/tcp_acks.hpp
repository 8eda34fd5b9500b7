// SPDX-License-Identifier: Apache-2.0
// Sends the ACKs lwIP decided to send "now" and then withheld.
//
// lwIP 2.1.3 (and its master branch) loses an immediate ACK when Nagle's algorithm holds back data:
// tcp_receive sets TF_ACK_NOW for every second in-order segment, tcp_output then finds a sub-MSS
// segment waiting behind unacknowledged data, stops for Nagle, and returns without the empty ACK it
// would have sent had nothing been queued; the fast timer only looks at TF_ACK_DELAY, so the flag
// just stays set. With data flowing both ways this stalls a connection until the peer's
// retransmission timeout (1.5-3 s each time): the peer waits for ACKs it never gets.
#pragma once

namespace zt::net {

// Sends an empty ACK on every TCP connection with TF_ACK_NOW still set (core lock held).
void send_withheld_acks_locked();

// Also does so every kWithheldAckCheckMs from lwIP's own timer, for segments that did not arrive
// through a ZeroTier network (the loopback interface). Call once, core lock held.
void start_withheld_ack_timer_locked();

}  // namespace zt::net
