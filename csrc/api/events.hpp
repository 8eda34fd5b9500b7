// SPDX-License-Identifier: Apache-2.0
// Delivers zts_event_msg_t events to the application's handler on a thread of their own, so a slow
// handler never stalls the node. Each message owns its payload until the handler returns.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
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
    void post(std::unique_ptr<OwnedEvent> e);

  private:
    void run();

    mutable std::mutex mutex_;
    std::condition_variable cv_;
    std::deque<std::unique_ptr<OwnedEvent>> queue_;
    Handler handler_ = nullptr;
    std::thread thread_;
    bool stopping_ = false;
};

}  // namespace zt::api
