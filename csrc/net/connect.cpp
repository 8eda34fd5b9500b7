// SPDX-License-Identifier: Apache-2.0
#include "net/connect.hpp"

#include <algorithm>
#include <cerrno>
#include <memory>

#include "net/ephemeral_port.hpp"
#include "net/lwip.hpp"
#include "net/readiness_fd.hpp"
#include "net/socket_setup.hpp"
#include "net/stream_state.hpp"
#include "osdep/clock.hpp"

namespace zt::net {

namespace {

// Failures another attempt can turn into a connection.
bool worth_retrying(int err) {
    switch (err) {
        case ECONNREFUSED:  // nobody listening yet
        case ECONNRESET:
        case ECONNABORTED:  // the interface changed under it (lwIP giving up on the SYN is ETIMEDOUT)
        case EHOSTUNREACH:  // no route yet: the address or the network is still being set up
        case ENETUNREACH:
        case ETIMEDOUT:
            return true;
        default:
            return false;
    }
}

}  // namespace

int connect_outcome(SocketTable::State& state, int err) {
    if (!state.connect_pending) return err;
    state.connect_pending = false;
    // lwIP's words for an attempt that freed its PCB (a reset; an abort: unanswered SYNs, the node
    // stopped, the address left). Other errors of calls made meanwhile leave the attempt going.
    if (err == ECONNRESET || err == ECONNABORTED) state.renew_due.store(true, std::memory_order_relaxed);
    switch (err) {
        case ECONNRESET:
            return ECONNREFUSED;
        case ECONNABORTED:  // lwIP aborted the PCB in SYN_SENT: unanswered SYNs (or its address left)
            return ETIMEDOUT;
        default:
            return err;
    }
}

namespace {

// One attempt: connect_once without putting a failed socket back as it was. *spent: lwIP's socket
// lost its PCB to the failure (a reset, given-up SYNs, an abort), so another connect needs a new one.
int attempt(SocketTable& table, SocketTable::Use& use, const sockaddr* addr, socklen_t len, std::int64_t deadline_ms,
            bool* spent) {
    *spent = false;
    // The local port is ours to choose, not lwIP's: see net/ephemeral_port.hpp.
    if (use.state().type == SOCK_STREAM) {
        const int err = bind_ephemeral_if_unbound(use.lwip());
        if (err != 0) return err;
    }
    if (lwip_connect(use.lwip(), addr, len) == 0) return 0;
    if (errno != EINPROGRESS) return errno;
    // Its outcome shows later, in SO_ERROR or the next call's error (connect_outcome).
    use.state().connect_pending = use.state().type == SOCK_STREAM;
    readiness::sync(use.fd());  // no longer hung up: a selector must not see it ready while it waits
    if (use.state().nonblocking) return EINPROGRESS;
    const int w = table.wait(use, POLLOUT, deadline_ms);
    if (w < 0) return errno;
    if (w == 0) return ETIMEDOUT;
    int err = 0;
    socklen_t err_len = sizeof err;
    if (lwip_getsockopt(use.lwip(), SOL_SOCKET, SO_ERROR, &err, &err_len) < 0) return errno;
    if (err != 0 && table.interrupted()) {
        use.state().connect_pending = false;
        use.state().renew_due.store(true, std::memory_order_relaxed);  // spent all the same
        return ENETDOWN;  // the node stopped: not how lwIP saw it
    }
    *spent = err != 0;
    return connect_outcome(use.state(), err);
}

// The setup the socket's first connect began with (connect_setup), read now if none is kept.
std::shared_ptr<const SocketSetup> first_connect_setup(SocketTable& table, SocketTable::Use& use) {
    if (std::shared_ptr<const SocketSetup> kept = table.connect_setup(use)) return kept;
    return table.keep_connect_setup_if_none(use, std::make_shared<const SocketSetup>(read_setup(use.lwip())));
}

}  // namespace

int finish_spent_attempt(SocketTable& table, SocketTable::Use& use) {
    const bool unseen = use.state().connect_pending;
    const bool failed = unseen || use.state().renew_due.load(std::memory_order_relaxed);
    if (!stream_spent(use.lwip())) return 0;
    // No attempt failed, yet lwIP freed the PCB: a connection was made (or accepted) and has ended
    // since (a reset, an abort, TIME_WAIT over). Linux keeps such a socket connected; lwIP would say
    // ENOTCONN. The connection's own error stays for the next call to report, as on Linux.
    if (!failed) return EISCONN;
    int err = 0;
    if (unseen) {  // reported now, as Linux's connect reports a failure no call has seen
        socklen_t err_len = sizeof err;
        if (lwip_getsockopt(use.lwip(), SOL_SOCKET, SO_ERROR, &err, &err_len) < 0) err = 0;
        err = connect_outcome(use.state(), err);
    }
    if (use.state().renew_due.load(std::memory_order_relaxed)) renew_after_failed_connect(table, use);
    return err;
}

int connect_once(SocketTable& table, SocketTable::Use& use, const sockaddr* addr, socklen_t len,
                 std::int64_t deadline_ms) {
    if (use.state().type == SOCK_STREAM) {
        const int err = finish_spent_attempt(table, use);
        if (err != 0) return err;
        // Read before the first attempt (a later one would take our own ephemeral port for the
        // application's): a failure takes the PCB, and with it the options and local address.
        first_connect_setup(table, use);
    }
    bool spent = false;
    const int err = attempt(table, use, addr, len, deadline_ms, &spent);
    if (spent) renew_after_failed_connect(table, use);
    return err;
}

void renew_after_failed_connect(SocketTable& table, SocketTable::Use& use) {
    // As Linux leaves a socket whose blocking connect failed: unconnected (receives say ENOTCONN) and
    // ready for another connect, which a loop that connects until its server is up relies on. lwIP's
    // socket stays spent (every later call said ENOTCONN). If the renewal cannot be done now (another
    // thread is in a call on the socket), the next connect does it.
    std::shared_ptr<const SocketSetup> setup = table.take_connect_setup(use);
    if (setup && renew(table, use, *setup) != 0) table.keep_connect_setup_if_none(use, std::move(setup));
}

int connect_until(SocketTable& table, SocketTable::Use& use, const sockaddr* addr, socklen_t len,
                  std::int64_t deadline_ms) {
    const bool stream = use.state().type == SOCK_STREAM;
    if (stream) {
        const int err = finish_spent_attempt(table, use);
        if (err != 0) return err;
    }
    const std::shared_ptr<const SocketSetup> setup = stream ? first_connect_setup(table, use) : nullptr;
    for (;;) {
        bool spent = false;
        const int err = attempt(table, use, addr, len, deadline_ms, &spent);
        const bool last = err == 0 || !worth_retrying(err);
        const std::int64_t retry_at = std::min(osdep::now_ms() + kConnectRetryIntervalMs, deadline_ms);
        if (!last && !table.pause(use, retry_at)) return errno;  // closed by another thread, or the node stopped
        if (last || osdep::now_ms() >= deadline_ms) {
            if (spent) renew_after_failed_connect(table, use);  // as connect_once leaves a failed socket
            return err;
        }
        // A failed TCP attempt leaves lwIP's socket without a PCB: the next one needs a new socket.
        if (stream && renew(table, use, *setup) != 0) return err;
    }
}

}  // namespace zt::net
