// SPDX-License-Identifier: Apache-2.0
// Coalesces the pure ACKs lwIP sends while it takes in one batch of frames.
//
// lwIP acknowledges every second full segment at once. The frames of a bulk stream reach lwIP in
// batches (one recvmmsg's worth), so most of those ACKs are superseded before the batch is over by
// a later ACK of the same connection, yet each costs a ZeroTier packet: encryption and a datagram
// here, a datagram, decryption and TCP input at the sender. Within a batch, a pure ACK is held back,
// and replaced by the next one of its connection that acknowledges more; what is held leaves when
// the batch ends, or before any other frame of the interface (so nothing is reordered). Duplicate
// ACKs (the same acknowledgment again: the sender's signal of a lost segment) and window updates are
// never merged. This is what a Linux receiver gets from GRO: one ACK per aggregated burst.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "net/pure_ack.hpp"

namespace zt::net {

class AckCoalescer {
  public:
    struct Held {
        std::uint64_t src_mac;
        std::uint64_t dst_mac;
        std::uint16_t ethertype;
        PureAck ack;
        std::vector<std::uint8_t> packet;  // the IP packet
    };

    // Core lock held throughout (like lwIP's output path).
    void begin_batch() { batching_ = true; }
    // During a batch: true if the frame (an IP packet) was held; false if it must go now, after
    // what is held (take_held()).
    bool hold(std::uint64_t src_mac, std::uint64_t dst_mac, std::uint16_t ethertype, const std::uint8_t* packet,
              std::size_t len);
    // What is held, in the order it must leave; held_ is empty afterwards.
    std::vector<Held> take_held();
    bool batching() const { return batching_; }
    void end_batch() { batching_ = false; }
    bool has_held() const { return !held_.empty(); }

  private:
    bool batching_ = false;
    std::vector<Held> held_;  // at most one per connection
};

}  // namespace zt::net
