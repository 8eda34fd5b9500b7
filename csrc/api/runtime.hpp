// SPDX-License-Identifier: Apache-2.0
// The one node of this process, as libzt has it: configuration gathered by zts_init_* before
// zts_node_start, then the running service. `mutex` guards everything here but the reported
// addresses (see there); the node itself is guarded by the service's lock (take it after this one,
// never before).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "api/events.hpp"
#include "osdep/service.hpp"

namespace zt::api {

class Runtime final : public osdep::ServiceListener {
  public:
    std::mutex mutex;
    osdep::ServiceConfig config;
    std::unique_ptr<osdep::Service> service;
    EventDispatcher events;
    bool started = false;  // a node has run: zts_node_free has something to release
    bool freed = false;    // after zts_node_free nothing can start again

    bool running() const { return service && service->running(); }

    // ServiceListener: node events become zts_event_msg_t on the event thread.
    void on_node_event(const NodeEvent& e) override;
    void on_store(const char* what, const std::vector<std::uint8_t>& data) override;
    void on_config_request(const ConfigRequest& request) override;
    // NETIF_UP and NETIF_LINK_UP when a network's interface comes up; NETIF_LINK_DOWN, NETIF_DOWN
    // and NETIF_REMOVED when it goes away.
    void on_netif(const net::NetifChange& change) override;

    void post_node_event(int code);  // NODE_UP/DOWN/...: with the node's info
    // STACK_UP/STACK_DOWN: the sockets' stack is usable from now on / no longer (no payload).
    void post_stack_event(int code);
    // A new node starts with nothing reported: its networks' addresses are news again. Only while
    // no node runs (the core thread is the one user of what it clears).
    void forget_reported_addresses() { reported_addresses_.clear(); }

    // The controller application's handler (ztx_controller_set_handler); guarded by `mutex`.
    ztx_controller_handler_t controller_handler = nullptr;

  private:
    void post_network_event(int code, const Network& net);
    void post_address_events(const Network& net);
    // Addresses already reported per network (for ADDR_ADDED/REMOVED and READY events). Used on the
    // core thread under the node lock only (on_node_event), not under `mutex`: taking it there would
    // break the lock order.
    std::map<std::uint64_t, std::vector<ManagedIp>> reported_addresses_;
};

Runtime& runtime();

}  // namespace zt::api
