// SPDX-License-Identifier: Apache-2.0
// The raw virtual Ethernet of one network, for applications and tests that speak Ethernet
// themselves: frames the network delivers to us queue here (when a reader enabled the tap), and
// frames written here go out on the network as if our own stack had sent them.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <vector>

namespace zt::net {

class TapQueue {
  public:
    static constexpr std::size_t kMaxQueued = 1024;  // a reader that falls behind loses the oldest frames

    void enable(bool on);
    bool enabled() const;
    // Queues one Ethernet frame (dst, src, ethertype, payload) if enabled.
    void push(std::vector<std::uint8_t> frame);
    // Waits up to timeout_ms (<0: forever) for a frame; false on timeout or when disabled.
    bool pop(std::vector<std::uint8_t>* frame, int timeout_ms);
    std::uint64_t dropped() const;
    void close();  // wakes readers; the tap stays disabled

  private:
    mutable std::mutex mutex_;
    std::condition_variable cv_;
    std::deque<std::vector<std::uint8_t>> frames_;
    bool enabled_ = false;
    bool closed_ = false;
    std::uint64_t dropped_ = 0;
};

}  // namespace zt::net
