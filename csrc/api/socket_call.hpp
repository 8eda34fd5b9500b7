// SPDX-License-Identifier: Apache-2.0
// What every socket call of the C API shares: is the node there, and how a failure reaches the
// caller (ZTS_ERR_SOCKET with zts_errno set, as libzt does). zts_errno uses Linux numbering, the
// host's, so errno values from lwIP pass through unchanged.
#pragma once

#include <cerrno>
#include <cstdint>
#include <mutex>

#include "ZeroTierSockets.h"
#include "api/errno.hpp"
#include "api/node_access.hpp"
#include "api/runtime.hpp"
#include "net/socket_table.hpp"
#include "osdep/clock.hpp"

namespace zt::api {

inline net::SocketTable& sockets() { return net::SocketTable::instance(); }

// Records errno for the caller (zts_errno) and returns ZTS_ERR_SOCKET.
inline int fail(int err) {
    set_zts_errno(err);
    return ZTS_ERR_SOCKET;
}
inline int fail_errno() { return fail(errno); }

// A raw lwIP result: negative becomes ZTS_ERR_SOCKET with zts_errno from errno.
template <typename T>
T finish(T r) {
    if (r < 0) return static_cast<T>(fail_errno());
    return r;
}

// -1 (no deadline) for a negative timeout, else that many ms from now on osdep::now_ms.
inline std::int64_t deadline_after(int timeout_ms) {
    return timeout_ms < 0 ? -1 : osdep::now_ms() + timeout_ms;
}

}  // namespace zt::api
