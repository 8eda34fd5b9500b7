// SPDX-License-Identifier: Apache-2.0
// Delivers zts_event_msg_t events to the application's handler on a thread of their own, so a slow
// handler never stalls the node. Each message owns its payload until the handler returns.
#pragma once

#include <signal.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "ZeroTierSockets.h"
#include "libzt_ext.h"

namespace zt::api {

struct OwnedEvent {
    zts_event_msg_t msg{};
    std::unique_ptr<zts_node_info_t> node;
    std::unique_ptr<zts_peer_info_t> peer;
    std::vector<std::uint8_t> bytes;  // STORE_* payloads and extension payload data
    ztx_user_message_t user_message{};
    ztx_echo_reply_t echo{};
    std::unique_ptr<zts_net_info_t> network;
    std::unique_ptr<zts_addr_info_t> addr;
    std::unique_ptr<zts_netif_info_t> netif;
    // Work for the event thread instead of a message (controller requests): run in event order.
    std::function<void()> task;
};

class EventDispatcher {
  public:
    using Handler = void (*)(void*);

    ~EventDispatcher();
    void set_handler(Handler h);
    bool has_handler() const;
    // Starts the delivery thread (idempotent).
    void start();
    // Delivers everything queued, then stops the thread.
    void stop();
    // Queues an event; beyond kMaxQueued undelivered events the newest are dropped (and counted):
    // a handler that cannot keep up must not make the node run out of memory.
    static constexpr std::size_t kMaxQueued = 65536;
    void post(std::unique_ptr<OwnedEvent> e);
    std::uint64_t dropped() const;
    // Runs fn on the event thread, in order with the events (regardless of the event handler); within
    // the same bound (a task beyond it is dropped and counted).
    void post_task(std::function<void()> fn);
    // Waits until everything queued so far has been delivered and no handler runs; false after
    // `timeout_ms`, or at once on the event thread itself (it would wait for itself).
    bool wait_idle(int timeout_ms);

  private:
    void run();

    mutable std::mutex mutex_;
    std::condition_variable cv_;
    std::condition_variable idle_cv_;  // a delivery ended with nothing left to deliver
    bool delivering_ = false;
    std::deque<std::unique_ptr<OwnedEvent>> queue_;
    Handler handler_ = nullptr;
    std::thread thread_;
    sigset_t application_mask_{};  // in force while a handler or task runs (osdep/quiet_thread.hpp)
    bool stopping_ = false;
    std::uint64_t dropped_ = 0;
};

}  // namespace zt::api
