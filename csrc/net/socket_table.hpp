// SPDX-License-Identifier: Apache-2.0
// The sockets the application holds, and how blocking calls wait on them.
//
// Descriptors are ours, not lwIP's: the table numbers sockets from 0 like libzt (whose lwIP has
// LWIP_SOCKET_OFFSET 0), the lowest free first as POSIX does, and maps each to the lwIP socket
// underneath. That socket can change: a failed blocking connect leaves a fresh one in its place, and
// zts_connect starts over on a fresh one for each attempt (lwIP frees a TCP socket's PCB when an
// attempt fails; net/connect.hpp, net/socket_setup.hpp).
//
// Our lwIP is built without LWIP_NETCONN_FULLDUPLEX (lwipopts.h): closing a socket while another thread is
// blocked inside lwIP on it is unsafe. So lwIP sockets are always non-blocking underneath; a blocking
// call here retries its non-blocking operation and waits in lwip_poll in short slices, watching for
// a close from another thread or node shutdown. close() marks the socket, waits until no call is
// inside it, and only then closes it in lwIP. Blocking semantics (O_NONBLOCK, timeouts) are the
// application's view, kept here.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <unordered_map>
#include <vector>

namespace zt::net {

struct SocketSetup;  // net/socket_setup.hpp

class SocketTable {
  public:
    // Most sockets open at once in the process, the table's RLIMIT_NOFILE: beyond it socket() and
    // accept() fail with EMFILE. Sized for servers: 16 times libzt's own build (1024, its lwIP's
    // MEMP_NUM_NETCONN). A socket costs no OS descriptor unless its readiness descriptor is asked for
    // (net/readiness_fd.hpp), and memory only while open. Why not more: lwIP finds a free socket slot
    // by walking its array from the start, taking a lock per slot (sockets.c, alloc_socket), so a
    // new socket costs time in proportion to the sockets open (measured: 65,536 sockets took 60 s to
    // open, 16,384 take a few). As with the OS's FD_SETSIZE, zts_bsd_select sees only descriptors
    // below ZTS_FD_SETSIZE (1024); zts_bsd_poll sees all.
    static constexpr int kMaxSockets = 16384;
    static constexpr unsigned kShutRead = 1;
    static constexpr unsigned kShutWrite = 2;

    struct State {
        int lwip_fd = -1;  // the lwIP socket underneath
        int family = 0;
        int type = 0;
        int refs = 0;  // calls in progress
        bool closing = false;
        bool nonblocking = false;  // as the application set it
        int recv_timeout_ms = -1;  // -1: wait forever
        int send_timeout_ms = -1;
        bool connect_pending = false;  // a TCP connect was started whose outcome nobody has seen yet
        // A TCP socket was seen connecting or connected: a receive with nothing to read waits (one
        // that never connected fails instead, api/zts_bsd.cpp recv_blocking), asked once per socket.
        std::atomic<bool> seen_connecting{false};
        // A call reported the TCP connection's reset or abort (api/zts_bsd.cpp, reset_reported_before).
        std::atomic<bool> reset_reported{false};
        // What shutdown() shut (kShutRead, kShutWrite). lwIP knows no shutdown of a UDP or raw
        // socket, and its TCP shutdown for reading resets the connection when data comes, so those
        // are ours alone; a TCP connection's writing end lwIP shuts, and this remembers it
        // (api/zts_bsd.cpp shutdown_datagram, shutdown_stream).
        std::atomic<unsigned> shut{0};
        // Sequentially consistent (a plain load on x86): api/ext_readiness.cpp relies on it.
        bool read_shut() const { return (shut.load() & kShutRead) != 0; }
        bool write_shut() const { return (shut.load() & kShutWrite) != 0; }
        // How long the previous wait took (receive assist: net/receive_assist.hpp); calls on other threads
        // may wait on the same socket.
        std::atomic<std::int64_t> last_wait_us{0};
        // Something was sent since the last wait to receive: the next one awaits an answer.
        std::atomic<bool> sent_since_receive_wait{false};
        // What the first TCP connect began with, to put a fresh lwIP socket in place after a failed
        // one (net/connect.hpp); under the table's mutex (connect_setup() and the two after it).
        std::shared_ptr<const SocketSetup> connect_setup;
        // A TCP connect's failure was reported; lwIP's socket is spent until a fresh one replaces it.
        std::atomic<bool> renew_due{false};
        // A listening TCP socket's options, for the connections it accepts (net/accept_inherit.hpp):
        // lwIP's listening PCB keeps few of them. Under the table's mutex (accept_setup()).
        std::shared_ptr<const SocketSetup> accept_setup;
    };

    // A call in progress on a socket; releases it when it goes out of scope.
    class Use {
      public:
        Use(SocketTable* t, int fd, State* s) : table_(t), fd_(fd), lwip_fd_(s->lwip_fd), state_(s) {}
        Use(Use&& o) noexcept : table_(o.table_), fd_(o.fd_), lwip_fd_(o.lwip_fd_), state_(o.state_) {
            o.table_ = nullptr;
        }
        Use(const Use&) = delete;
        ~Use();
        State& state() { return *state_; }
        int fd() const { return fd_; }         // the application's descriptor
        int lwip() const { return lwip_fd_; }  // lwIP's, for lwip_* calls
        bool closing() const;

      private:
        friend class SocketTable;
        SocketTable* table_;
        int fd_;
        int lwip_fd_;  // fixed for the whole call, unless this call replaces the socket
        State* state_;
    };

    static SocketTable& instance();

    // Takes a socket lwIP just created (made non-blocking underneath here) and returns the
    // application's descriptor for it, or -1 with errno EMFILE when kMaxSockets are open (lwIP's
    // socket is then closed). An accepted socket takes its listener's time limits (SO_RCVTIMEO and
    // SO_SNDTIMEO, -1 for none) here, before another thread can reach its descriptor.
    int add(int lwip_fd, int family, int type, int recv_timeout_ms = -1, int send_timeout_ms = -1);
    // For a socket lwip_socket() just made: keeps events of closed sockets off it. lwIP goes on
    // delivering events of a netconn after its socket is closed, by socket number; once the number
    // is reused, the new socket polls readable and writable for nothing (a non-blocking connect
    // then looks complete while lwIP is still connecting, and a send fails with EINPROGRESS).
    // This routes the netconn's events through a check that the number is still its own (accepted
    // sockets inherit it from their listener) and clears what the slot may already hold.
    static void guard_events(int lwip_fd, bool tcp);
    // After a shutdown(SHUT_RD) of ours (State::shut): lwIP's socket polls readable for good, and
    // every poll or select waiting on it for reading wakes now, as lwIP does for its own SHUT_RD (an
    // event that counts one more thing to read, which no receive takes back); a wait for writing
    // alone sees a hang-up at its next look (poll_sockets: within its slice). Takes the core lock.
    static void wake_readers_for_good(int lwip_fd);
    // Begins a call on fd; nothing (errno EBADF) if it is not ours or is being closed.
    std::optional<Use> acquire(int fd);
    // Marks the socket closed for new calls, waits for calls in progress (they notice within a poll
    // slice), then closes it in lwIP. Returns lwip_close's result.
    int close(int fd);
    // Puts a fresh lwIP socket (made non-blocking here) under `use`'s descriptor and returns the
    // one it replaces, for the caller to close. Only while `use` is the one call on the socket (a
    // call in another thread could still be inside lwIP with the old one): otherwise -1, errno EBUSY.
    int replace(Use& use, int new_lwip_fd);
    // State::connect_setup: the kept one (or nullptr); keeps `setup` unless one is kept already and
    // returns the one kept; takes it out.
    std::shared_ptr<const SocketSetup> connect_setup(Use& use) const;
    std::shared_ptr<const SocketSetup> keep_connect_setup_if_none(Use& use, std::shared_ptr<const SocketSetup> setup);
    std::shared_ptr<const SocketSetup> take_connect_setup(Use& use);
    // State::accept_setup: the kept one (nullptr: not listening); replaces it.
    std::shared_ptr<const SocketSetup> accept_setup(Use& use) const;
    void set_accept_setup(Use& use, std::shared_ptr<const SocketSetup> setup);
    // Node shutdown: every socket stops waiting; closing stays the application's call.
    void interrupt_all();
    bool interrupted() const;
    void clear_interrupt();
    std::size_t size() const;
    // Whether add() would find a free descriptor now (another thread may take it first).
    bool has_room() const;

    // Waits (in slices) until fd polls ready for `events` (host poll bits) or the deadline (ms since
    // epoch of osdep::now_ms, -1 none) passes or the socket is closing. 1 ready, 0 timeout, -1 with
    // errno set (EBADF when closed meanwhile, ENETDOWN when the node stopped, EINTR when wake_at_ms
    // (same clock, -1 none) came first: the caller's chance to do something else, such as let a
    // language runtime run its signal handlers, before it waits again for the same deadline).
    int wait(Use& use, short events, std::int64_t deadline_ms, std::int64_t wake_at_ms = -1);
    // Sleeps until the deadline unless the socket is closed or the node stops first: true after a
    // full sleep, false with errno set (EBADF, ENETDOWN) otherwise.
    bool pause(Use& use, std::int64_t deadline_ms);

  private:
    void release(int fd);
    static void make_nonblocking(int lwip_fd);

    mutable std::mutex mutex_;
    std::condition_variable released_;  // a call left a socket
    std::condition_variable stopping_;  // a socket began closing, or the node stopped
    std::unordered_map<int, State> sockets_;  // element addresses are stable
    // Free descriptors: every one from next_fresh_ up, and those below it in freed_ (so the lowest
    // free one is found without a scan of the open ones).
    std::set<int> freed_;
    int next_fresh_ = 0;
    bool interrupted_ = false;
};

}  // namespace zt::net
