// SPDX-License-Identifier: Apache-2.0
// ztx_controller_*: the application decides network configs; the core signs and sends them.
#include "ZeroTierSockets.h"
#include "api/arg_error.hpp"
#include "api/netconf_spec.hpp"
#include "api/node_access.hpp"
#include "api/runtime.hpp"
#include "libzt_ext.h"
#include "osdep/clock.hpp"

namespace {

using zt::api::arg_error;
using zt::api::with_node;
using zt::api::Runtime;
using zt::api::runtime;

zt::ErrorCode error_code(int error) {
    switch (error) {
        case ZTX_NC_ERR_NOT_FOUND: return zt::ErrorCode::kObjectNotFound;
        case ZTX_NC_ERR_ACCESS_DENIED: return zt::ErrorCode::kNetworkAccessDenied;
        default: return zt::ErrorCode::kUnsupportedOperation;
    }
}

}  // namespace

extern "C" {

int ztx_controller_set_handler(ztx_controller_handler_t handler) {
    Runtime& rt = runtime();
    std::lock_guard<std::mutex> g(rt.mutex);
    rt.controller_handler = handler;
    rt.config.controller = handler != nullptr;  // for the next start
    if (rt.running()) {
        auto lock = rt.service->lock();
        if (zt::Node* node = rt.service->node()) node->set_controller(handler != nullptr);
    }
    return ZTS_ERR_OK;
}

int ztx_controller_respond(uint64_t request_id, const ztx_netconf_spec_t* spec) {
    if (spec == nullptr) return arg_error("ztx_controller_respond: spec must not be NULL");
    zt::NetconfSpec s;
    const char* why = nullptr;
    if (!zt::api::netconf_spec_from_c(*spec, &s, &why)) return arg_error(why);
    return with_node([&](zt::osdep::Service&, zt::Node& node) -> int {
        return node.controller_respond(zt::osdep::now_ms(), request_id, s, &why) ? ZTS_ERR_OK : arg_error(why);
    });
}

int ztx_controller_respond_error(uint64_t request_id, int error) {
    if (error != ZTX_NC_ERR_NOT_FOUND && error != ZTX_NC_ERR_ACCESS_DENIED && error != ZTX_NC_ERR_UNSUPPORTED) {
        return arg_error("ztx_controller_respond_error: error must be a ZTX_NC_ERR_* code");
    }
    return with_node([&](zt::osdep::Service&, zt::Node& node) -> int {
        return node.controller_respond_error(zt::osdep::now_ms(), request_id, error_code(error))
                   ? ZTS_ERR_OK
                   : arg_error("ztx_controller_respond_error: no such pending request");
    });
}

int ztx_controller_push(const ztx_netconf_spec_t* spec) {
    if (spec == nullptr) return arg_error("ztx_controller_push: spec must not be NULL");
    zt::NetconfSpec s;
    const char* why = nullptr;
    if (!zt::api::netconf_spec_from_c(*spec, &s, &why)) return arg_error(why);
    return with_node([&](zt::osdep::Service&, zt::Node& node) -> int {
        return node.controller_push(zt::osdep::now_ms(), s, &why) ? ZTS_ERR_OK : arg_error(why);
    });
}

int ztx_controller_revoke(uint64_t network_id, uint64_t member_id, const uint64_t* notify, unsigned count) {
    if (notify == nullptr && count > 0) return arg_error("ztx_controller_revoke: notify must not be NULL");
    std::vector<uint64_t> to(notify, notify + count);
    return with_node([&](zt::osdep::Service&, zt::Node& node) -> int {
        return node.controller_revoke(zt::osdep::now_ms(), network_id, member_id, to)
                   ? ZTS_ERR_OK
                   : arg_error("ztx_controller_revoke: this node does not control that network");
    });
}

}  // extern "C"
