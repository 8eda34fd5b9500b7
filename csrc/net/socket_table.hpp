// SPDX-License-Identifier: Apache-2.0
// The lwIP sockets the application holds, and how blocking calls wait on them.
//
// Debian's lwIP is built without LWIP_NETCONN_FULLDUPLEX: closing a socket while another thread is
// blocked inside lwIP on it is unsafe. So lwIP sockets are always non-blocking underneath; a blocking
// call here retries its non-blocking operation and waits in lwip_poll in short slices, watching for
// a close from another thread or node shutdown. close() marks the socket, waits until no call is
// inside it, and only then closes it in lwIP. Blocking semantics (O_NONBLOCK, timeouts) are the
// application's view, kept here.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

namespace zt::net {

class SocketTable {
  public:
    struct State {
        int family = 0;
        int type = 0;
        int refs = 0;  // calls in progress
        bool closing = false;
        bool nonblocking = false;  // as the application set it
        int recv_timeout_ms = -1;  // -1: wait forever
        int send_timeout_ms = -1;
        // A TCP connect was started and its outcome not seen yet. lwIP reports a refused connection
        // (RST in reply to the SYN) as ECONNRESET; while this is set, that means ECONNREFUSED.
        bool connect_pending = false;
    };

    // A call in progress on a socket; releases it when it goes out of scope.
    class Use {
      public:
        Use(SocketTable* t, int fd, State* s) : table_(t), fd_(fd), state_(s) {}
        Use(Use&& o) noexcept : table_(o.table_), fd_(o.fd_), state_(o.state_) { o.table_ = nullptr; }
        Use(const Use&) = delete;
        ~Use();
        State& state() { return *state_; }
        int fd() const { return fd_; }
        bool closing() const;

      private:
        SocketTable* table_;
        int fd_;
        State* state_;
    };

    static SocketTable& instance();

    // A socket lwIP just created (made non-blocking underneath here).
    void add(int fd, int family, int type);
    // For a socket lwip_socket() just made: keeps events of closed sockets off it. lwIP goes on
    // delivering events of a netconn after its socket is closed, by socket number; once the number
    // is reused, the new socket polls readable and writable for nothing (a non-blocking connect
    // then looks complete while lwIP is still connecting, and a send fails with EINPROGRESS).
    // This routes the netconn's events through a check that the number is still its own (accepted
    // sockets inherit it from their listener) and clears what the slot may already hold.
    static void guard_events(int fd, bool tcp);
    // Begins a call on fd; nothing (errno EBADF) if it is not ours or is being closed.
    std::optional<Use> acquire(int fd);
    // Marks the socket closed for new calls, waits for calls in progress (they notice within a poll
    // slice), then closes it in lwIP. Returns lwip_close's result.
    int close(int fd);
    // Node shutdown: every socket stops waiting; closing stays the application's call.
    void interrupt_all();
    bool interrupted() const;
    void clear_interrupt();
    std::size_t size() const;

    // Waits (in slices) until fd polls ready for `events` (host poll bits) or the deadline (ms since
    // epoch of osdep::now_ms, -1 none) passes or the socket is closing. 1 ready, 0 timeout, -1 with
    // errno set (EBADF when closed meanwhile, ENETDOWN when the node stopped).
    int wait(Use& use, short events, std::int64_t deadline_ms);

  private:
    void release(int fd);

    mutable std::mutex mutex_;
    std::condition_variable released_;
    std::unordered_map<int, State> sockets_;
    bool interrupted_ = false;
};

}  // namespace zt::net
