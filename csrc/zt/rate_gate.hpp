// SPDX-License-Identifier: Apache-2.0
// Small rate limiters for the protocol's "at most one X per Y ms" rules.
#pragma once

#include <algorithm>
#include <cstdint>

namespace zt {

// Allows one event per `period` milliseconds.
class RateGate {
  public:
    bool allow(std::int64_t now, std::int64_t period) {
        if (now - last_ < period) return false;
        last_ = now;
        return true;
    }
    void reset() { last_ = INT64_MIN / 2; }

  private:
    std::int64_t last_ = INT64_MIN / 2;
};

// Allows up to `limit` events per window; the window restarts after `window` ms of quiet.
class WindowGate {
  public:
    bool allow(std::int64_t now, std::int64_t window, unsigned limit) {
        if (now - window_start_ >= window) {
            window_start_ = now;
            count_ = 0;
        }
        if (count_ >= limit) return false;
        ++count_;
        return true;
    }

  private:
    std::int64_t window_start_ = INT64_MIN / 2;
    unsigned count_ = 0;
};

// A token bucket: bursts of `capacity`, refilled at one token per `refill_ms`.
class TokenBucket {
  public:
    bool take(std::int64_t now, unsigned capacity, std::int64_t refill_ms) {
        if (last_ == INT64_MIN) {
            tokens_ = capacity;
            last_ = now;
        }
        if (now > last_) {
            const std::int64_t gained = (now - last_) / refill_ms;
            if (gained > 0) {
                tokens_ = static_cast<unsigned>(std::min<std::int64_t>(capacity, tokens_ + gained));
                last_ += gained * refill_ms;
            }
        }
        if (tokens_ == 0) return false;
        --tokens_;
        return true;
    }

  private:
    std::int64_t last_ = INT64_MIN;
    unsigned tokens_ = 0;
};

}  // namespace zt
