// SPDX-License-Identifier: Apache-2.0
#include "net/readiness_pair.hpp"

#include <cerrno>

#include <sys/socket.h>
#include <unistd.h>

namespace zt::net {

namespace {
// A datagram this large charges the exposed end's send buffer (set to the kernel's minimum) past a
// quarter, the point where AF_UNIX stops polling writable.
constexpr int kBlockingDatagram = 1024;
}  // namespace

bool open_readiness_pair(ReadinessPair* out) {
    int pair[2];
    if (::socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, pair) != 0) return false;
    const int smallest = 1;  // the kernel raises it to its minimum
    ::setsockopt(pair[0], SOL_SOCKET, SO_SNDBUF, &smallest, sizeof smallest);
    *out = ReadinessPair{};
    out->exposed = pair[0];
    out->control = pair[1];
    return true;
}

void set_readiness(ReadinessPair& p, bool readable, bool writable) {
    // Called at the end of socket calls and in the middle of some (a connect under way): the errno
    // of the call must survive the EAGAIN that ends the loops below.
    const int saved_errno = errno;
    char buf[kBlockingDatagram] = {};
    if (readable != p.readable) {
        if (readable) {
            if (::send(p.control, buf, 1, MSG_DONTWAIT) == 1) p.readable = true;
        } else {
            while (::recv(p.exposed, buf, sizeof buf, MSG_DONTWAIT) > 0) {
            }
            p.readable = false;
        }
    }
    if (writable != p.writable) {
        if (!writable) {
            if (::send(p.exposed, buf, sizeof buf, MSG_DONTWAIT) == static_cast<ssize_t>(sizeof buf)) {
                p.writable = false;
            }
        } else {
            while (::recv(p.control, buf, sizeof buf, MSG_DONTWAIT) > 0) {
            }
            p.writable = true;
        }
    }
    errno = saved_errno;
}

void close_readiness_pair(ReadinessPair& p) {
    ::close(p.exposed);
    ::close(p.control);
    p.exposed = p.control = -1;
}

}  // namespace zt::net
