// SPDX-License-Identifier: Apache-2.0
#include "net/socket_table.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <iterator>

#include "net/linger.hpp"
#include "net/lwip.hpp"
#include "net/readiness_fd.hpp"
#include "net/receive_assist.hpp"
#include "net/stack.hpp"
#include "osdep/clock.hpp"

extern "C" {
#include <lwip/api.h>
#include <lwip/priv/sockets_priv.h>  // struct lwip_sock, lwip_socket_dbg_get_socket
}

namespace zt::net {

// lwIP's socket array holds every socket of the table plus the spare lwIP sockets the glue may hold
// for a moment (lwipopts.h), so the application meets the table's EMFILE, never lwIP's ENFILE.
static_assert(MEMP_NUM_NETCONN >= SocketTable::kMaxSockets + 64, "lwIP's socket array must exceed kMaxSockets");

namespace {
// How long one lwip_poll waits before a blocked call looks at close/shutdown again: the most a
// close from another thread waits for the call to leave.
constexpr int kPollSliceMs = 50;
}  // namespace

SocketTable& SocketTable::instance() {
    static SocketTable* t = new SocketTable();  // lives as long as lwIP: the whole process
    return *t;
}

SocketTable::Use::~Use() {
    if (table_ == nullptr) return;
    readiness::sync(fd_);  // the call may have drained the socket or filled its send buffer
    table_->release(fd_);
}

bool SocketTable::Use::closing() const {
    std::lock_guard<std::mutex> g(table_->mutex_);
    return state_->closing;
}

void SocketTable::make_nonblocking(int lwip_fd) {
    const int flags = lwip_fcntl(lwip_fd, F_GETFL, 0);
    lwip_fcntl(lwip_fd, F_SETFL, (flags < 0 ? 0 : flags) | O_NONBLOCK);
}

int SocketTable::add(int lwip_fd, int family, int type, int recv_timeout_ms, int send_timeout_ms) {
    make_nonblocking(lwip_fd);
    std::lock_guard<std::mutex> g(mutex_);
    int fd = -1;
    if (!freed_.empty()) {
        fd = *freed_.begin();  // the lowest free, as POSIX does
        freed_.erase(freed_.begin());
    } else if (next_fresh_ < kMaxSockets) {
        fd = next_fresh_++;
    } else {
        // The process's limit (EMFILE), not the system's (ENFILE): other processes are not affected.
        lwip_close(lwip_fd);
        errno = EMFILE;
        return -1;
    }
    State& s = sockets_[fd];
    s.lwip_fd = lwip_fd;
    s.family = family;
    s.type = type;
    s.recv_timeout_ms = recv_timeout_ms;
    s.send_timeout_ms = send_timeout_ms;
    return fd;
}

namespace {

std::atomic<netconn_callback> g_lwip_event{nullptr};  // lwIP's own event_callback (sockets.c)

// lwIP (2.1.3) delivers events of a netconn whose socket was already closed: the socket number
// they carry may belong to a new socket by then, which then polls readable and writable for
// nothing (its event counters are per number, and lwIP's event_callback does not check the
// netconn). Events are passed on only when the number still belongs to their netconn.
void guarded_event(struct netconn* conn, enum netconn_evt evt, u16_t len) {
    if (conn != nullptr && conn->socket >= 0) {
        SYS_ARCH_DECL_PROTECT(lev);
        SYS_ARCH_PROTECT(lev);
        const struct lwip_sock* sock = lwip_socket_dbg_get_socket(conn->socket);
        const bool ours = sock != nullptr && sock->conn == conn;
        SYS_ARCH_UNPROTECT(lev);
        if (!ours) return;  // closed: nobody can be waiting for it
    }
    g_lwip_event.load(std::memory_order_relaxed)(conn, evt, len);
    if (conn != nullptr && conn->socket >= 0) readiness::sync_lwip(conn->socket);
}

}  // namespace

void SocketTable::guard_events(int fd, bool tcp) {
    struct lwip_sock* sock = lwip_socket_dbg_get_socket(fd);
    if (sock == nullptr) return;
    if (sock->conn != nullptr && sock->conn->callback != guarded_event) {
        g_lwip_event = sock->conn->callback;  // the same for every socket; accepted ones inherit ours
        sock->conn->callback = guarded_event;
    }
    SYS_ARCH_DECL_PROTECT(lev);
    SYS_ARCH_PROTECT(lev);
    sock->rcvevent = 0;
    sock->sendevent = tcp ? 0 : 1;  // a TCP socket is writable once connected; UDP and raw at once
    sock->errevent = 0;
    SYS_ARCH_UNPROTECT(lev);
}

void SocketTable::wake_readers_for_good(int lwip_fd) {
    CoreLock lock;
    struct lwip_sock* sock = lwip_socket_dbg_get_socket(lwip_fd);
    if (sock != nullptr && sock->conn != nullptr && sock->conn->callback != nullptr) {
        sock->conn->callback(sock->conn, NETCONN_EVT_RCVPLUS, 0);
    }
}

std::optional<SocketTable::Use> SocketTable::acquire(int fd) {
    std::lock_guard<std::mutex> g(mutex_);
    auto it = sockets_.find(fd);
    if (it == sockets_.end() || it->second.closing) {
        errno = EBADF;
        return std::nullopt;
    }
    ++it->second.refs;
    return Use(this, fd, &it->second);
}

void SocketTable::release(int fd) {
    std::lock_guard<std::mutex> g(mutex_);
    auto it = sockets_.find(fd);
    if (it != sockets_.end() && --it->second.refs == 0) released_.notify_all();
}

int SocketTable::close(int fd) {
    int lwip_fd = -1;
    {
        std::unique_lock<std::mutex> lock(mutex_);
        auto it = sockets_.find(fd);
        if (it == sockets_.end() || it->second.closing) {
            errno = EBADF;
            return -1;
        }
        State& s = it->second;
        s.closing = true;
        stopping_.notify_all();
        released_.wait(lock, [&] { return s.refs == 0; });
        lwip_fd = s.lwip_fd;
        sockets_.erase(it);
        freed_.insert(fd);
        while (!freed_.empty() && *freed_.rbegin() == next_fresh_ - 1) {
            freed_.erase(std::prev(freed_.end()));
            --next_fresh_;
        }
    }
    readiness::close(fd);
    linger_before_close(
        lwip_fd, [](void* table) { return static_cast<SocketTable*>(table)->interrupted(); }, this);
    return lwip_close(lwip_fd);
}

int SocketTable::replace(Use& use, int new_lwip_fd) {
    make_nonblocking(new_lwip_fd);
    int old = -1;
    {
        std::lock_guard<std::mutex> g(mutex_);
        if (use.state_->refs != 1) {
            errno = EBUSY;
            return -1;
        }
        old = use.state_->lwip_fd;
        use.state_->lwip_fd = new_lwip_fd;
        use.lwip_fd_ = new_lwip_fd;
        // Nothing the old socket's connection left applies to the fresh one.
        use.state_->connect_pending = false;
        use.state_->renew_due.store(false, std::memory_order_relaxed);
        use.state_->seen_connecting.store(false, std::memory_order_relaxed);
        use.state_->reset_reported.store(false, std::memory_order_relaxed);
        use.state_->sent_since_receive_wait.store(false, std::memory_order_relaxed);
        use.state_->shut.store(0);  // a connection shut down, then taken for a failed connect's
    }
    readiness::rebind(use.fd_, new_lwip_fd);
    return old;
}

std::shared_ptr<const SocketSetup> SocketTable::connect_setup(Use& use) const {
    std::lock_guard<std::mutex> g(mutex_);
    return use.state_->connect_setup;
}

std::shared_ptr<const SocketSetup> SocketTable::keep_connect_setup_if_none(Use& use,
                                                                         std::shared_ptr<const SocketSetup> setup) {
    std::lock_guard<std::mutex> g(mutex_);
    if (!use.state_->connect_setup) use.state_->connect_setup = std::move(setup);
    return use.state_->connect_setup;
}

std::shared_ptr<const SocketSetup> SocketTable::take_connect_setup(Use& use) {
    std::lock_guard<std::mutex> g(mutex_);
    return std::move(use.state_->connect_setup);
}

std::shared_ptr<const SocketSetup> SocketTable::accept_setup(Use& use) const {
    std::lock_guard<std::mutex> g(mutex_);
    return use.state_->accept_setup;
}

void SocketTable::set_accept_setup(Use& use, std::shared_ptr<const SocketSetup> setup) {
    std::lock_guard<std::mutex> g(mutex_);
    use.state_->accept_setup = std::move(setup);
}

void SocketTable::interrupt_all() {
    {
        std::lock_guard<std::mutex> g(mutex_);
        interrupted_ = true;
        stopping_.notify_all();
    }
    readiness::set_interrupted(true);
}

bool SocketTable::interrupted() const {
    std::lock_guard<std::mutex> g(mutex_);
    return interrupted_;
}

void SocketTable::clear_interrupt() {
    {
        std::lock_guard<std::mutex> g(mutex_);
        interrupted_ = false;
    }
    readiness::set_interrupted(false);
}

std::size_t SocketTable::size() const {
    std::lock_guard<std::mutex> g(mutex_);
    return sockets_.size();
}

bool SocketTable::has_room() const {
    std::lock_guard<std::mutex> g(mutex_);
    return !freed_.empty() || next_fresh_ < kMaxSockets;
}

int SocketTable::wait(Use& use, short events, std::int64_t deadline_ms, std::int64_t wake_at_ms) {
    const auto started = std::chrono::steady_clock::now();
    // Assisted while this socket's waits end quickly (see net/receive_assist.hpp).
    bool assisting =
        receive_assist_enabled() && use.state().last_wait_us.load(std::memory_order_relaxed) <= kAssistUs;
    const bool answer =
        events == POLLIN && use.state().sent_since_receive_wait.exchange(false, std::memory_order_relaxed);
    const auto done = [&](int result) {
        const auto took = std::chrono::steady_clock::now() - started;
        use.state().last_wait_us.store(std::chrono::duration_cast<std::chrono::microseconds>(took).count(),
                                       std::memory_order_relaxed);
        return result;
    };
    for (;;) {
        {
            std::lock_guard<std::mutex> g(mutex_);
            if (use.state().closing) {
                errno = EBADF;
                return -1;
            }
            if (interrupted_) {
                errno = ENETDOWN;
                return -1;
            }
        }
        // Nothing more to wait for: a receive now reads what is queued, or the end (a wait that began
        // before the shutdown wakes with it: wake_readers_for_good).
        if ((events & POLLIN) != 0 && use.state().read_shut()) {
            return done(1);
        }
        int slice = kPollSliceMs;
        const std::int64_t now = deadline_ms >= 0 || wake_at_ms >= 0 ? osdep::now_ms() : 0;
        if (deadline_ms >= 0) {
            const std::int64_t left = deadline_ms - now;
            if (left <= 0) return done(0);
            if (left < slice) slice = static_cast<int>(left);
        }
        if (wake_at_ms >= 0) {
            const std::int64_t left = wake_at_ms - now;
            if (left <= 0) {
                errno = EINTR;
                return done(-1);
            }
            if (left < slice) slice = static_cast<int>(left);
        }
        pollfd p{use.lwip(), events, 0};
        if (assisting) {
            assisting = false;
            const int us = static_cast<int>(std::min<std::int64_t>(kAssistUs, slice * 1000));
            if (assist_receive(use.lwip(), events, us, answer ? AssistWait::kAnswer : AssistWait::kStream)) {
                // lwip_poll confirms at once whether the socket is ready; if not, the wait goes on the
                // ordinary way (the core thread has the node's sockets back).
                const int r = lwip_poll(&p, 1, 0);
                if (r < 0) return -1;
                if (r > 0) return done(1);
            }
        }
        const int r = lwip_poll(&p, 1, slice);
        if (r < 0) return -1;
        if (r > 0) return done(1);
    }
}

bool SocketTable::pause(Use& use, std::int64_t deadline_ms) {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
        if (use.state().closing) {
            errno = EBADF;
            return false;
        }
        if (interrupted_) {
            errno = ENETDOWN;
            return false;
        }
        const std::int64_t left = deadline_ms - osdep::now_ms();
        if (left <= 0) return true;
        stopping_.wait_for(lock, std::chrono::milliseconds(left));
    }
}

}  // namespace zt::net
