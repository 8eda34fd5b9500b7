// SPDX-License-Identifier: Apache-2.0
// The one node of this process, as libzt has it: configuration gathered by zts_init_* before
// zts_node_start, then the running service. `mutex` guards everything here; the node itself is
// guarded by the service's lock (take it after this one, never before).
#pragma once

#include <memory>
#include <mutex>

#include "api/events.hpp"
#include "osdep/service.hpp"

namespace zt::api {

class Runtime final : public osdep::ServiceListener {
  public:
    std::mutex mutex;
    osdep::ServiceConfig config;
    std::unique_ptr<osdep::Service> service;
    EventDispatcher events;
    bool freed = false;  // after zts_node_free nothing can start again

    bool running() const { return service && service->running(); }

    // ServiceListener: node events become zts_event_msg_t on the event thread.
    void on_node_event(const NodeEvent& e) override;
    void on_store(const char* what, const std::vector<std::uint8_t>& data) override;

    void post_node_event(int code);  // NODE_UP/DOWN/...: with the node's info
};

Runtime& runtime();

}  // namespace zt::api
