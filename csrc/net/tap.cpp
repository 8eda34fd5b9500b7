// SPDX-License-Identifier: Apache-2.0
#include "net/tap.hpp"

#include <chrono>

namespace zt::net {

void TapQueue::enable(bool on) {
    std::lock_guard<std::mutex> g(mutex_);
    enabled_ = on;
    closed_ = false;
    if (!on) frames_.clear();
    cv_.notify_all();
}

bool TapQueue::enabled() const {
    std::lock_guard<std::mutex> g(mutex_);
    return enabled_;
}

void TapQueue::push(std::vector<std::uint8_t> frame) {
    {
        std::lock_guard<std::mutex> g(mutex_);
        if (!enabled_) return;
        if (frames_.size() >= kMaxQueued) {
            frames_.pop_front();
            ++dropped_;
        }
        frames_.push_back(std::move(frame));
    }
    cv_.notify_one();
}

bool TapQueue::pop(std::vector<std::uint8_t>* frame, int timeout_ms) {
    std::unique_lock<std::mutex> lock(mutex_);
    auto ready = [this] { return !frames_.empty() || !enabled_ || closed_; };
    if (timeout_ms < 0) {
        cv_.wait(lock, ready);
    } else if (!cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms), ready)) {
        return false;
    }
    if (frames_.empty()) return false;
    *frame = std::move(frames_.front());
    frames_.pop_front();
    return true;
}

std::uint64_t TapQueue::dropped() const {
    std::lock_guard<std::mutex> g(mutex_);
    return dropped_;
}

void TapQueue::close() {
    std::lock_guard<std::mutex> g(mutex_);
    closed_ = true;
    enabled_ = false;
    frames_.clear();
    cv_.notify_all();
}

}  // namespace zt::net
