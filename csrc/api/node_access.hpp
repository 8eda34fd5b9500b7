// SPDX-License-Identifier: Apache-2.0
// How every zts_* / ztx_* call reaches the running node: the runtime lock, then the node lock for
// the call itself, then (node lock released) whatever the call produced for lwIP.
#pragma once

#include "ZeroTierSockets.h"
#include "api/runtime.hpp"

namespace zt::api {

// libzt's check at the top of every node, network, address and socket call: while no node runs
// the call answers ZTS_ERR_SERVICE before looking at its arguments (libzt 1.8.4 does the same,
// except where a call's comment in ZeroTierSockets.h says otherwise).
inline bool node_running() {
    Runtime& rt = runtime();
    std::lock_guard<std::mutex> g(rt.mutex);
    return rt.running();
}

// Runs fn(config) while no node runs: the shape of every zts_init_* call (ZTS_ERR_SERVICE otherwise,
// and after zts_node_free).
template <typename Fn>
int configure(Fn&& fn) {
    Runtime& rt = runtime();
    std::lock_guard<std::mutex> g(rt.mutex);
    if (rt.freed || rt.running()) return ZTS_ERR_SERVICE;
    return fn(rt.config);
}

// Runs fn(service, node) under the node lock; ZTS_ERR_SERVICE if no node runs.
template <typename Fn>
int with_node(Fn&& fn) {
    Runtime& rt = runtime();
    std::lock_guard<std::mutex> g(rt.mutex);
    if (!rt.running()) return ZTS_ERR_SERVICE;
    osdep::Service& service = *rt.service;
    int result = ZTS_ERR_SERVICE;
    {
        auto lock = service.lock();
        Node* node = service.node();
        if (node == nullptr) return ZTS_ERR_SERVICE;
        result = fn(service, *node);
        service.after_api_call();
    }
    service.drain_stack();
    return result;
}

// Runs fn(network, node) for a joined network; ZTS_ERR_NO_RESULT if not joined.
template <typename Fn>
int with_network(std::uint64_t net_id, Fn&& fn) {
    return with_node([&](osdep::Service&, Node& node) -> int {
        Network* net = node.network(net_id);
        return net == nullptr ? ZTS_ERR_NO_RESULT : fn(*net, node);
    });
}

}  // namespace zt::api
