// SPDX-License-Identifier: Apache-2.0
// ztx_socket_readiness_fd: the OS descriptor that mirrors a socket's readiness (net/readiness_fd.hpp).
#include "api/socket_call.hpp"
#include "libzt_ext.h"
#include "net/readiness_fd.hpp"

int ztx_socket_readiness_fd(int fd) {
    if (!zt::api::node_running()) return ZTS_ERR_SERVICE;
    auto use = zt::api::sockets().acquire(fd);
    if (!use) return zt::api::fail_errno();
    const int os_fd = zt::net::readiness::open(fd, use->lwip());
    // Looked at after the descriptor is there: a shutdown meanwhile either found it or is seen here.
    if (os_fd >= 0 && use->state().read_shut()) {
        zt::net::readiness::shut_read(fd);
    }
    return os_fd < 0 ? zt::api::fail_errno() : os_fd;
}
