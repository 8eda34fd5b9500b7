// SPDX-License-Identifier: Apache-2.0
// ztx_socket_get_limits: how many sockets a process may hold (net/socket_table.hpp) and how often
// TIME_WAIT connections gave up their local port to a new one (net/ephemeral_port.hpp).
#include "api/arg_error.hpp"
#include "api/socket_call.hpp"
#include "libzt_ext.h"
#include "net/ephemeral_port.hpp"
#include "net/time_wait_reopen.hpp"

int ztx_socket_get_limits(ztx_socket_limits_t* out) {
    if (out == nullptr) return zt::api::arg_error("ztx_socket_get_limits: out must not be NULL");
    out->max_sockets = zt::net::SocketTable::kMaxSockets;
    out->open_sockets = static_cast<int>(zt::api::sockets().size());
    out->time_wait_recycled = zt::net::time_wait_recycled();
    out->time_wait = zt::net::time_wait_count();
    out->time_wait_reopened = zt::net::time_wait_reopened();
    return ZTS_ERR_OK;
}
