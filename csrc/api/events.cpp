// SPDX-License-Identifier: Apache-2.0
#include "api/events.hpp"

#include "osdep/quiet_thread.hpp"

namespace zt::api {

EventDispatcher::~EventDispatcher() { stop(); }

void EventDispatcher::set_handler(Handler h) {
    std::lock_guard<std::mutex> g(mutex_);
    handler_ = h;
}

bool EventDispatcher::has_handler() const {
    std::lock_guard<std::mutex> g(mutex_);
    return handler_ != nullptr;
}

void EventDispatcher::start() {
    std::lock_guard<std::mutex> g(mutex_);
    if (thread_.joinable()) return;
    stopping_ = false;
    pthread_sigmask(SIG_SETMASK, nullptr, &application_mask_);  // the starting thread's: the application's
    thread_ = osdep::start_quiet_thread("zt-events", [this] { run(); });
}

void EventDispatcher::stop() {
    {
        std::lock_guard<std::mutex> g(mutex_);
        if (!thread_.joinable()) return;
        stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.get_id() == std::this_thread::get_id()) {
        thread_.detach();  // stopped from inside a handler: let it finish on its own
        return;
    }
    thread_.join();
}

void EventDispatcher::post(std::unique_ptr<OwnedEvent> e) {
    {
        std::lock_guard<std::mutex> g(mutex_);
        if (handler_ == nullptr) return;  // nobody listens: nothing to keep
        if (queue_.size() >= kMaxQueued) {
            ++dropped_;
            return;
        }
        queue_.push_back(std::move(e));
    }
    cv_.notify_one();
}

std::uint64_t EventDispatcher::dropped() const {
    std::lock_guard<std::mutex> g(mutex_);
    return dropped_;
}

void EventDispatcher::post_task(std::function<void()> fn) {
    auto e = std::make_unique<OwnedEvent>();
    e->task = std::move(fn);
    {
        std::lock_guard<std::mutex> g(mutex_);
        // Bounded as events are: a task is a peer's config request, and any peer may send them.
        if (queue_.size() >= kMaxQueued) {
            ++dropped_;
            return;
        }
        queue_.push_back(std::move(e));
    }
    cv_.notify_one();
}

void EventDispatcher::run() {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
        cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) return;  // stopping, and everything was delivered
        std::unique_ptr<OwnedEvent> e = std::move(queue_.front());
        queue_.pop_front();
        Handler h = handler_;
        delivering_ = true;
        lock.unlock();
        {
            // The application's code runs with the application's signal mask, not this quiet thread's:
            // what it starts, a child process above all, inherits the mask in force (a child with
            // SIGTERM blocked would outlive terminate()).
            const osdep::SignalMaskScope application(SIG_SETMASK, application_mask_);
            if (e->task) {
                e->task();
            } else if (h != nullptr) {
                h(&e->msg);
            }
        }
        e.reset();
        lock.lock();
        delivering_ = false;
        if (queue_.empty()) idle_cv_.notify_all();
    }
}

bool EventDispatcher::wait_idle(int timeout_ms) {
    std::unique_lock<std::mutex> lock(mutex_);
    if (thread_.get_id() == std::this_thread::get_id()) return false;
    const auto idle = [this] { return queue_.empty() && !delivering_; };
    if (!thread_.joinable()) return idle();
    return idle_cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms), idle);
}

}  // namespace zt::api
