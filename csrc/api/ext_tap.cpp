// SPDX-License-Identifier: Apache-2.0
// ztx_tap_*: a network's raw Ethernet frames. Enabled, the tap takes the frames the network delivers
// to this node (read them with ztx_tap_read) and sends frames onto it (ztx_tap_write).
#include <cstring>
#include <memory>
#include <mutex>
#include <vector>

#include "ZeroTierSockets.h"
#include "api/arg_error.hpp"
#include "api/node_access.hpp"
#include "api/runtime.hpp"
#include "libzt_ext.h"
#include "osdep/clock.hpp"

namespace {

using zt::api::arg_error;
using zt::api::with_node;
using zt::api::Runtime;
using zt::api::runtime;

}  // namespace

extern "C" {

int ztx_tap_enable(uint64_t net_id, int enabled) {
    if (net_id == 0) return arg_error("ztx_tap_enable: network ID must not be 0");
    return with_node([&](zt::osdep::Service& s, zt::Node&) -> int {
        s.tap(net_id)->enable(enabled != 0);
        return ZTS_ERR_OK;
    });
}

int ztx_tap_write(uint64_t net_id, const void* frame, size_t len) {
    if (frame == nullptr || len < 14) return arg_error("ztx_tap_write: an Ethernet frame is at least 14 bytes");
    const auto* f = static_cast<const uint8_t*>(frame);
    return with_node([&](zt::osdep::Service&, zt::Node& node) -> int {
        zt::Network* net = node.network(net_id);
        if (net == nullptr) return ZTS_ERR_NO_RESULT;
        const uint64_t dst = zt::load_be(f, 6);
        uint64_t src = zt::load_be(f + 6, 6);
        if (src == 0) src = net->mac();  // a convenience: an all-zero source means "ours"
        const auto ethertype = static_cast<uint16_t>(zt::load_be(f + 12, 2));
        return node.send_frame(zt::osdep::now_ms(), net_id, src, dst, ethertype, f + 14, len - 14) ? ZTS_ERR_OK
                                                                                                  : ZTS_ERR_GENERAL;
    });
}

int ztx_tap_read(uint64_t net_id, void* buf, size_t* len, int timeout_ms) {
    if (buf == nullptr || len == nullptr) return arg_error("ztx_tap_read: arguments must not be NULL");
    std::shared_ptr<zt::net::TapQueue> tap;
    {
        Runtime& rt = runtime();
        std::lock_guard<std::mutex> g(rt.mutex);
        if (!rt.running()) return ZTS_ERR_SERVICE;
        tap = rt.service->tap(net_id);
    }
    std::vector<uint8_t> frame;
    if (!tap->pop(&frame, timeout_ms)) return ZTS_ERR_NO_RESULT;  // waits without any lock held
    if (frame.size() > *len) return arg_error("ztx_tap_read: buffer smaller than the frame");
    std::memcpy(buf, frame.data(), frame.size());
    *len = frame.size();
    return ZTS_ERR_OK;
}

}  // extern "C"
