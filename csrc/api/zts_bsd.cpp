// SPDX-License-Identifier: Apache-2.0
// zts_bsd_*: BSD socket calls over lwIP, and ztx_accept/_send*/_recv*/_socket_wait, the blocking ones
// with the caller's time limit (libzt_ext.h). ZeroTierSockets.h's constants and structures are lwIP's
// own (net/lwip_options_check.hpp checks it), so addresses, options and flags pass through as they
// are; blocking is emulated over non-blocking lwIP sockets (net/socket_table), and errors are returned
// as ZTS_ERR_SOCKET with zts_errno set, as libzt does. Calls that need the node answer
// ZTS_ERR_SERVICE while it is stopped; closing always works.
#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "ZeroTierSockets.h"
#include "api/socket_call.hpp"
#include "libzt_ext.h"
#include "net/accept_inherit.hpp"
#include "net/broadcast.hpp"
#include "net/connect.hpp"
#include "net/datagram_defaults.hpp"
#include "net/datagram_source.hpp"
#include "net/destination.hpp"
#include "net/ephemeral_port.hpp"
#include "net/hop_options.hpp"
#include "net/ipv6_membership.hpp"
#include "net/port_unreachable.hpp"
#include "net/readiness_fd.hpp"
#include "net/lwip.hpp"
#include "net/socket_setup.hpp"
#include "net/socket_table.hpp"
#include "net/stack.hpp"
#include "net/stream_state.hpp"
#include "osdep/clock.hpp"
#include "zt/inet_address.hpp"

namespace {

using zt::api::deadline_after;
using zt::api::fail;
using zt::api::fail_errno;
using zt::api::finish;
using zt::api::node_running;
using zt::net::SocketTable;

SocketTable& table() { return zt::api::sockets(); }

// How long a blocking call may wait (osdep::now_ms clock, -1 none), and when it comes back with
// EINTR if still waiting.
struct Limit {
    std::int64_t deadline_ms;
    std::int64_t wake_at_ms;
};

// The limit of a call in direction `events`: the socket's SO_RCVTIMEO/SO_SNDTIMEO for a zts_bsd_*
// call (wait == nullptr), else the caller's ztx_wait_t, whose deadline the first call that gets it
// fixes for every later one (a call resumed after EINTR, the next piece of a sendall).
Limit limit_of(SocketTable::Use& use, short events, ztx_wait_t* wait) {
    if (wait == nullptr) {
        return {deadline_after((events & POLLOUT) != 0 ? use.state().send_timeout_ms : use.state().recv_timeout_ms), -1};
    }
    if (wait->deadline_ms == 0 && wait->timeout_ms < 0) wait->deadline_ms = -1;
    // Without a time limit or a wake there is no clock to read (every call of a Python thread other
    // than the main one on a socket without a timeout: both ends of a ping-pong server, say).
    if (wait->deadline_ms == -1 && wait->wake_ms <= 0) return {-1, -1};
    const std::int64_t now = zt::osdep::now_ms();
    // now_ms counts whole milliseconds already begun: one more keeps the wait from ending before
    // timeout_ms have passed.
    if (wait->deadline_ms == 0) wait->deadline_ms = now + wait->timeout_ms + 1;
    return {wait->deadline_ms, wait->wake_ms > 0 ? now + wait->wake_ms : -1};
}

// Runs a non-blocking lwIP operation until it succeeds, fails for real, or (for a blocking socket)
// the wait for `events` times out (EAGAIN), reaches its wake time (EINTR), the socket is closed by
// another thread, or the node stops.
template <typename Op>
ssize_t blocking(SocketTable::Use& use, short events, bool dontwait, ztx_wait_t* wait, Op op) {
    const Limit limit = limit_of(use, events, wait);
    for (;;) {
        const ssize_t r = op();
        if (r >= 0) {
            use.state().connect_pending = false;  // data moved: the connection was made
            if (events == POLLOUT) use.state().sent_since_receive_wait.store(true, std::memory_order_relaxed);
            return r;
        }
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            // The node stopped under the call (lwIP saw its connection aborted): say that.
            errno = table().interrupted() ? ENETDOWN : zt::net::connect_outcome(use.state(), errno);
            return r;
        }
        if (dontwait || use.state().nonblocking) return r;
        const int w = table().wait(use, events, limit.deadline_ms, limit.wake_at_ms);
        if (w < 0) return -1;
        if (w == 0) {
            errno = EAGAIN;  // the time limit expired, as Linux reports SO_RCVTIMEO/SO_SNDTIMEO
            return -1;
        }
    }
}

// Whether a UDP socket has a peer set by connect() (lwIP has no peer address for a raw socket).
bool datagram_connected(int lwip_fd) {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    return lwip_getpeername(lwip_fd, reinterpret_cast<sockaddr*>(&ss), &len) == 0;
}

// Whether lwIP's error (errno) is a reset or abort of the connection that an earlier call reported.
// On Linux it is the error of one call, the first to meet it, whatever that call made of it
// (ECONNREFUSED for a connect's outcome, say); lwIP keeps it for every send and two receives (its
// stored error, and its mailbox's mark). Afterwards a receive returns the end of the stream and a
// send says EPIPE, as on Linux. Looked at inside the operation, before blocking() maps errors.
bool reset_reported_before(SocketTable::State& state) {
    if (errno != ECONNRESET && errno != ECONNABORTED) return false;
    return state.reset_reported.exchange(true, std::memory_order_relaxed);
}

// Whether the peer of a connected UDP socket refused a datagram since a call last asked
// (net/port_unreachable.hpp); the asking clears it. Raw sockets are not told, as on Linux.
bool udp_refused(SocketTable::Use& use) {
    return use.state().type == ZTS_SOCK_DGRAM && zt::net::take_udp_refusal(use.lwip());
}

// The largest UDP payload a datagram from a socket of `family` can carry: 65535 less the IPv4 and
// UDP headers; from an IPv6 socket, 40 bytes less again (lwIP counts the IPv6 header in the same
// 16-bit total; Linux does not), though one to an IPv4-mapped address takes the IPv4 limit. lwIP's
// length arithmetic wraps for larger ones and says ENOBUFS, where Linux says EMSGSIZE.
std::size_t max_udp_payload(int family) { return family == ZTS_AF_INET6 ? 65535 - 40 - 8 : 65535 - 20 - 8; }

// Whether a datagram to `to` (nullptr: the socket's peer) leaves over IPv4: an IPv4 or IPv4-mapped
// destination. Without either, the socket's family says.
bool leaves_over_ipv4(int lwip_fd, int family, const sockaddr* to) {
    sockaddr_storage peer{};
    if (to == nullptr) {
        socklen_t len = sizeof peer;
        if (lwip_getpeername(lwip_fd, reinterpret_cast<sockaddr*>(&peer), &len) != 0) return family == ZTS_AF_INET;
        to = reinterpret_cast<const sockaddr*>(&peer);
    }
    if (to->sa_family == AF_INET) return true;
    return to->sa_family == AF_INET6 && zt::is_v4_mapped(reinterpret_cast<const sockaddr_in6*>(to)->sin6_addr.s6_addr);
}

// A send of `len` bytes to `to` (nullptr: none given): blocking() on `op`, with send(2)'s errors
// where lwIP's differ. A UDP datagram too long to carry: EMSGSIZE; one without an address on a
// socket without a peer: EDESTADDRREQ (lwIP tries to route it to the unspecified address:
// EHOSTUNREACH); both looked at only once the send failed. On a stream socket, inside the
// operation, so that what blocking() does with an error applies to these too (a connect's outcome,
// the node's stop) and a connect under way is waited for: net/stream_state.hpp.
template <typename Op>
ssize_t send_blocking(SocketTable::Use& use, std::size_t len, const sockaddr* to, int flags, ztx_wait_t* wait,
                      Op op) {
    const bool dontwait = (flags & ZTS_MSG_DONTWAIT) != 0;
    const bool nothing_to_send = len == 0;
    if (use.state().type != ZTS_SOCK_STREAM) {
        // The peer refused an earlier datagram (net/port_unreachable.hpp). Linux says so when it
        // allocates the next one: one too long to carry fails before that, and leaves it pending
        // (IPv4's limit, the lower: an IPv6 socket may be sending to a v4-mapped peer).
        if (len <= max_udp_payload(ZTS_AF_INET) && udp_refused(use)) {
            errno = ECONNREFUSED;
            return -1;
        }
        if (use.state().write_shut()) {
            // Shut for sending (lwIP knows no shutdown of a datagram socket): EPIPE, as Linux, which
            // meets the shutdown only when it allocates the datagram. Before that it refuses an IPv4
            // socket's datagram over 65535 bytes, then one without a destination, then one longer
            // than its destination's IP carries (here: lwIP's limit, as an unshut socket's send).
            const bool udp = use.state().type == ZTS_SOCK_DGRAM;
            const int family = use.state().family;
            if (udp && family == ZTS_AF_INET && len > 65535) {
                errno = EMSGSIZE;
            } else if (udp && to == nullptr && !datagram_connected(use.lwip())) {
                errno = EDESTADDRREQ;
            } else if (udp && len > max_udp_payload(leaves_over_ipv4(use.lwip(), family, to) ? ZTS_AF_INET
                                                                                              : ZTS_AF_INET6)) {
                errno = EMSGSIZE;
            } else {
                errno = EPIPE;
            }
            return -1;
        }
        const ssize_t r = blocking(use, POLLOUT, dontwait, wait, op);
        if (r < 0 && errno == ENOBUFS && use.state().type == ZTS_SOCK_DGRAM &&
            len > max_udp_payload(use.state().family)) {
            errno = EMSGSIZE;  // refused for its length (lwIP's own EMSGSIZE, past 65535, stands)
            return r;
        }
        if (r < 0 && to == nullptr && use.state().type == ZTS_SOCK_DGRAM && errno != ENETDOWN &&
            !datagram_connected(use.lwip())) {
            errno = EDESTADDRREQ;
        }
        return r;
    }
    return blocking(use, POLLOUT, dontwait, wait, [&]() -> ssize_t {
        if (!nothing_to_send) {
            const ssize_t r = op();
            if (r >= 0) return r;
        }
        if (nothing_to_send || errno == ENOTCONN || errno == EINPROGRESS) {
            const int lwip_err = errno;  // meaningful only after a send
            const int err = zt::net::stream_send_refusal(use.lwip());
            if (err == 0 && nothing_to_send) return 0;
            errno = err != 0 ? err : lwip_err;  // 0 after a refusal: the state moved on; lwIP's word stands
        }
        if (reset_reported_before(use.state())) errno = EPIPE;
        return -1;
    });
}

// A receive: blocking() on `op`, with recv(2)'s answers on a stream socket where lwIP's differ
// (net/stream_state.hpp): one that never connected fails with ENOTCONN instead of waiting forever;
// one whose connection ended (or was reset, once reported) returns the end of the stream however
// often it is asked.
template <typename Op>
ssize_t recv_blocking(SocketTable::Use& use, int flags, ztx_wait_t* wait, Op op) {
    const bool stream = use.state().type == ZTS_SOCK_STREAM;
    const bool dontwait = (flags & ZTS_MSG_DONTWAIT) != 0;
    const ssize_t r = blocking(use, POLLIN, dontwait, wait, [&]() -> ssize_t {
        if (udp_refused(use)) {
            errno = ECONNREFUSED;  // before what is queued, as Linux (net/port_unreachable.hpp)
            return -1;
        }
        const ssize_t n = op();
        if (n < 0 && stream && reset_reported_before(use.state())) return 0;
        // Shut for reading, and nothing queued: the end, as Linux's: always for a stream, for a
        // datagram socket only when the call blocks (a non-blocking one says EAGAIN).
        if (n < 0 && errno == EAGAIN && use.state().read_shut() &&
            (stream || (!dontwait && !use.state().nonblocking))) {
            return 0;
        }
        if (n < 0 && errno == EAGAIN && stream && !use.state().seen_connecting.load(std::memory_order_relaxed)) {
            if (zt::net::stream_never_connected(use.lwip())) {
                errno = ENOTCONN;
                return -1;
            }
            use.state().seen_connecting.store(true, std::memory_order_relaxed);
            errno = EAGAIN;
        }
        return n;
    });
    if (r < 0 && errno == ENOTCONN && stream && !zt::net::stream_never_connected(use.lwip())) return 0;
    return r;
}

// An address the application gives: IPv4 or IPv6, and as long as its family's structure.
bool valid_address(const zts_sockaddr* addr, zts_socklen_t len) {
    if (addr->sa_family == ZTS_AF_INET) return len >= sizeof(zts_sockaddr_in);
    if (addr->sa_family == ZTS_AF_INET6) return len >= sizeof(zts_sockaddr_in6);
    return false;
}

const sockaddr* as_lwip(const zts_sockaddr* addr) { return reinterpret_cast<const sockaddr*>(addr); }

// The port of a valid_address (sin_port and sin6_port are at the same place, in network order).
static_assert(offsetof(zts_sockaddr_in, sin_port) == offsetof(zts_sockaddr_in6, sin6_port), "port offsets differ");
std::uint16_t port_of(const zts_sockaddr* addr) { return reinterpret_cast<const zts_sockaddr_in*>(addr)->sin_port; }

// A UDP datagram addressed to port 0, which Linux refuses (EINVAL) and lwIP sent.
bool udp_to_port_zero(SocketTable::Use& use, const zts_sockaddr* addr) {
    return use.state().type == ZTS_SOCK_DGRAM && port_of(addr) == 0;
}

// bind(port 0) on a TCP socket: the port is chosen like the one a connect gets
// (net/ephemeral_port.hpp), since lwIP's own choice refuses every port a TIME_WAIT connection holds.
int bind_tcp_ephemeral(SocketTable::Use& use, const zts_sockaddr* addr, zts_socklen_t addrlen) {
    zts_sockaddr_storage with_port{};
    std::memcpy(&with_port, addr, addrlen);
    // Another thread may bind the chosen port before we do: then choose again, a few times.
    for (int attempt = 0; attempt < 8; ++attempt) {
        const std::uint16_t port = zt::net::choose_ephemeral_port();
        if (port == 0) return fail_errno();
        reinterpret_cast<zts_sockaddr_in*>(&with_port)->sin_port = lwip_htons(port);
        if (lwip_bind(use.lwip(), reinterpret_cast<const sockaddr*>(&with_port), addrlen) == 0) return ZTS_ERR_OK;
        if (errno != EADDRINUSE) return fail_errno();
    }
    return fail(EADDRINUSE);
}

// An address lwIP returned, given to the application as the kernel does: truncated to the room it
// has, and *len set to the address's full length.
void address_out(const sockaddr_storage& ss, zts_sockaddr* out, zts_socklen_t* len) {
    const zts_socklen_t full = ss.ss_family == AF_INET    ? sizeof(zts_sockaddr_in)
                               : ss.ss_family == AF_INET6 ? sizeof(zts_sockaddr_in6)
                                                          : 0;
    if (out != nullptr && len != nullptr) std::memcpy(out, &ss, *len < full ? *len : full);
    if (len != nullptr) *len = full;
}

// Records a shutdown of ours (State::shut); one for reading makes the socket readable for good and
// wakes its waiting readers, its readiness descriptor's too.
void mark_shut(SocketTable::Use& use, unsigned bits) {
    // Sequentially consistent, as shut_read's look at the registry and the other side's in
    // ztx_readiness_fd: a descriptor opened meanwhile is either found or sees the shutdown.
    use.state().shut.fetch_or(bits);
    if ((bits & SocketTable::kShutRead) != 0) {
        zt::net::readiness::shut_read(use.fd());
        SocketTable::wake_readers_for_good(use.lwip());
    }
}

// shutdown() of a UDP or raw socket, which lwIP refuses (EOPNOTSUPP), as Linux does it: once shut
// for reading, a receive reads what is queued (datagrams still arrive) and then the end, at once,
// and a thread waiting to receive wakes; once shut for sending, a send fails with EPIPE; poll says
// readable, and hung up once both are shut. A socket without a peer gets all that and ENOTCONN
// (Linux does it so, which is how a program wakes the readers of an unconnected socket).
int shutdown_datagram(SocketTable::Use& use, int how) {
    const unsigned bits = how == ZTS_SHUT_RD   ? SocketTable::kShutRead
                          : how == ZTS_SHUT_WR ? SocketTable::kShutWrite
                                               : SocketTable::kShutRead | SocketTable::kShutWrite;
    mark_shut(use, bits);
    return datagram_connected(use.lwip()) ? ZTS_ERR_OK : fail(ENOTCONN);
}

// shutdown() of a TCP socket as Linux does it. Shut for reading, a connection still takes the
// peer's data: a receive reads what is there, then the end at once, and poll says readable (lwIP
// would drain what is queued and answer data that comes later with a reset). Shut for writing, it
// sends its FIN (lwIP's shutdown), and saying so again is no error. Shut both ways, it is both,
// not the close lwIP makes of it (which forgets the peer's address and resets on data too). A
// socket without a connection says ENOTCONN and stays as it was (lwIP's shutdown freed its PCB:
// every option and a later connect failed). Linux marks it shut all the same (a receive then says
// 0 rather than ENOTCONN): not done here, where the mark would make a later listener's accept wait
// spin. A listener's or a connect's shutdown is lwIP's, as before.
int shutdown_stream(SocketTable::Use& use, int how) {
    switch (zt::net::stream_shutdown_meets(use.lwip())) {
        case zt::net::StreamShutdown::kListeningOrConnecting: return finish(lwip_shutdown(use.lwip(), how));
        case zt::net::StreamShutdown::kNoConnection: return fail(ENOTCONN);
        case zt::net::StreamShutdown::kConnection: break;
    }
    // Claimed before lwIP's call: two threads shutting at once must not both ask lwIP (the second
    // would be refused, ENOTCONN, where Linux answers 0).
    if (how != ZTS_SHUT_RD && (use.state().shut.fetch_or(SocketTable::kShutWrite) & SocketTable::kShutWrite) == 0 &&
        lwip_shutdown(use.lwip(), ZTS_SHUT_WR) < 0) {
        const int err = errno;
        use.state().shut.fetch_and(~SocketTable::kShutWrite);
        return fail(err);
    }
    if (how != ZTS_SHUT_WR) mark_shut(use, SocketTable::kShutRead);
    return ZTS_ERR_OK;
}

// The flags of a send or receive that lwIP gets: blocking is ours (MSG_DONTWAIT is decided here), and
// so is MSG_OOB (out_of_band_refusal).
int lwip_flags(int flags) { return flags & (MSG_PEEK | MSG_WAITALL | MSG_MORE); }

enum class Direction { kSend, kReceive };

// MSG_OOB. lwIP has no urgent data: a receive asking for the urgent byte took the next ordinary bytes
// instead. Now on TCP it is EINVAL, Linux's answer when no urgent byte waits (none ever does here: a
// peer's arrives in line, as with SO_OOBINLINE); UDP ignores the flag and raw sockets refuse it
// (EOPNOTSUPP), as Linux. To send, IPv4 UDP and raw sockets refuse it, as Linux, and IPv6 UDP ignores
// it, as Linux; TCP sends the bytes in line, without the urgent pointer: the nearest lwIP comes to
// Linux's urgent byte, and what a program such as ftplib's abort() needs (its ABOR is read in line).
int out_of_band_refusal(const SocketTable::State& state, int flags, Direction direction) {
    if ((flags & MSG_OOB) == 0) return 0;
    if (state.type == SOCK_RAW) return EOPNOTSUPP;
    if (direction == Direction::kSend) return state.type == SOCK_DGRAM && state.family == AF_INET ? EOPNOTSUPP : 0;
    return state.type == SOCK_STREAM ? EINVAL : 0;
}

bool valid_msg(const zts_msghdr* m) {
    return m != nullptr && m->msg_iovlen >= 0 && m->msg_iovlen <= 1024 && (m->msg_iov != nullptr || m->msg_iovlen == 0);
}

// recv/recvfrom with ZTX_MSG_TRUNC, through recvmsg: lwIP's recv and recvfrom answer what they
// copied, its recvmsg the datagram's whole length, which is what MSG_TRUNC asks for.
ssize_t recv_whole_length(int fd, void* buf, size_t len, int flags, zts_sockaddr* addr, zts_socklen_t* addrlen,
                          ztx_wait_t* wait) {
    zts_iovec iov{buf, len};
    zts_msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    if (addr != nullptr && addrlen != nullptr) {
        msg.msg_name = addr;
        msg.msg_namelen = *addrlen;
    }
    const ssize_t r = ztx_recvmsg(fd, &msg, flags, wait);
    if (r >= 0 && msg.msg_name != nullptr) *addrlen = msg.msg_namelen;
    return r;
}

}  // namespace

extern "C" {

int zts_bsd_socket(int family, int type, int protocol) {
    if (!node_running()) return ZTS_ERR_SERVICE;
    if (family != ZTS_AF_INET && family != ZTS_AF_INET6) return fail(EAFNOSUPPORT);
    // Linux's answers (inet_create): a type it does not know at all is EINVAL (so is a protocol past
    // IP's 8 bits, which lwIP cut to them), one it knows but not for IP ESOCKTNOSUPPORT; a stream
    // socket is TCP and a datagram socket UDP (0 naming either), any other protocol
    // EPROTONOSUPPORT, where lwIP took any as its type's own (UDP-Lite is not built). A raw
    // socket's protocol is the one it carries.
    constexpr int kLinuxSocketTypes = 11;  // SOCK_STREAM .. SOCK_PACKET
    constexpr int kIpProtocols = 256;      // Linux's IPPROTO_MAX
    if (type < 0 || type >= kLinuxSocketTypes || protocol < 0 || protocol >= kIpProtocols) return fail(EINVAL);
    if (type != ZTS_SOCK_STREAM && type != ZTS_SOCK_DGRAM && type != ZTS_SOCK_RAW) return fail(ESOCKTNOSUPPORT);
    if ((type == ZTS_SOCK_STREAM && protocol != 0 && protocol != IPPROTO_TCP) ||
        (type == ZTS_SOCK_DGRAM && protocol != 0 && protocol != IPPROTO_UDP)) {
        return fail(EPROTONOSUPPORT);
    }
    zt::net::ensure_stack();
    const int lwip_fd = lwip_socket(family, type, protocol);
    if (lwip_fd < 0) return fail_errno();
    if (type == ZTS_SOCK_DGRAM) zt::net::apply_datagram_defaults(lwip_fd);
    SocketTable::guard_events(lwip_fd, type == ZTS_SOCK_STREAM);
    const int fd = table().add(lwip_fd, family, type);
    return fd < 0 ? fail_errno() : fd;
}

int zts_bsd_bind(int fd, const struct zts_sockaddr* addr, zts_socklen_t addrlen) {
    if (!node_running()) return ZTS_ERR_SERVICE;
    if (addr == nullptr || addrlen < sizeof(zts_sockaddr_in) || addrlen > sizeof(zts_sockaddr_storage)) return ZTS_ERR_ARG;
    auto use = table().acquire(fd);
    if (!use) return fail_errno();
    if (!valid_address(addr, addrlen)) return fail(EAFNOSUPPORT);
    // A socket is bound once (Linux: EINVAL), explicitly or by a send or connect that chose its port.
    // lwIP's udp_bind moves a bound socket to the new port, and its tcp_bind would put an already
    // bound PCB on its bound list a second time, making the list a loop that every later walk of it
    // (port choice, lwIP's and ours) never leaves. (A raw socket has no port: lwIP names its protocol
    // there.)
    if (use->state().type != ZTS_SOCK_RAW && zt::net::has_local_port(use->lwip())) return fail(EINVAL);
    if (use->state().type == ZTS_SOCK_STREAM && port_of(addr) == 0) return bind_tcp_ephemeral(*use, addr, addrlen);
    return finish(lwip_bind(use->lwip(), as_lwip(addr), addrlen));
}

int zts_bsd_connect(int fd, const struct zts_sockaddr* addr, zts_socklen_t addrlen) {
    if (!node_running()) return ZTS_ERR_SERVICE;
    if (addr == nullptr || addrlen < sizeof(zts_sockaddr_in) || addrlen > sizeof(zts_sockaddr_storage)) return ZTS_ERR_ARG;
    auto use = table().acquire(fd);
    if (!use) return fail_errno();
    if (!valid_address(addr, addrlen)) return fail(EAFNOSUPPORT);
    sockaddr_in6 scratch{};
    const sockaddr* to =
        zt::net::destination(use->lwip(), as_lwip(addr), &scratch, zt::net::DestinationUse::kConnect);
    const int refused = zt::net::broadcast_refusal(*use, to, zt::net::BroadcastUse::kConnect);
    if (refused != 0) return fail(refused);
    // Blocking: wait for the handshake (SO_SNDTIMEO bounds it, as on Linux).
    const int err = zt::net::connect_once(table(), *use, to, addrlen,
                                          deadline_after(use->state().send_timeout_ms));
    return err == 0 ? ZTS_ERR_OK : fail(err);
}

int zts_bsd_listen(int fd, int backlog) {
    if (!node_running()) return ZTS_ERR_SERVICE;
    auto use = table().acquire(fd);
    if (!use) return fail_errno();
    return finish(zt::net::listen_keeping_options(table(), *use, backlog));
}

// The blocking calls take a time limit (ztx_wait_t, libzt_ext.h); the zts_bsd_* calls are them with
// the socket's own SO_RCVTIMEO/SO_SNDTIMEO (wait == nullptr).
int ztx_accept(int fd, struct zts_sockaddr* addr, zts_socklen_t* addrlen, ztx_wait_t* wait) {
    if (!node_running()) return ZTS_ERR_SERVICE;
    auto use = table().acquire(fd);
    if (!use) return fail_errno();
    // At the limit, fail before taking a connection off the queue (it stays there for a later
    // accept, as on Linux, instead of being reset when its socket finds no descriptor).
    if (!table().has_room()) return fail(EMFILE);
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    const ssize_t r = blocking(*use, POLLIN, false, wait,
                               [&] { return static_cast<ssize_t>(lwip_accept(use->lwip(), reinterpret_cast<sockaddr*>(&ss), &len)); });
    if (r < 0) return fail_errno();
    if (use->state().family == AF_INET6 && ss.ss_family == AF_INET) {
        // An IPv4 peer of a dual-stack listener: lwIP's accept says IPv4, its getpeername (as Linux's
        // accept) the IPv4-mapped IPv6 address a program of an IPv6 socket expects.
        const sockaddr_in v4 = reinterpret_cast<const sockaddr_in&>(ss);
        sockaddr_in6 mapped{};
        mapped.sin6_len = sizeof mapped;
        mapped.sin6_family = AF_INET6;
        mapped.sin6_port = v4.sin_port;
        zt::set_v4_mapped(mapped.sin6_addr.s6_addr, v4.sin_addr.s_addr);
        std::memcpy(&ss, &mapped, sizeof mapped);
    }
    zt::net::inherit_options(table(), *use, static_cast<int>(r));
    // With the listener's time limits, as Linux's accepted sockets have them.
    const int child = table().add(static_cast<int>(r), use->state().family, use->state().type,
                                  use->state().recv_timeout_ms, use->state().send_timeout_ms);
    if (child < 0) return fail_errno();
    if (addr != nullptr && addrlen != nullptr) address_out(ss, addr, addrlen);
    return child;
}

int zts_bsd_accept(int fd, struct zts_sockaddr* addr, zts_socklen_t* addrlen) {
    return ztx_accept(fd, addr, addrlen, nullptr);
}

int zts_bsd_setsockopt(int fd, int level, int optname, const void* optval, zts_socklen_t optlen) {
    if (!node_running()) return ZTS_ERR_SERVICE;
    auto use = table().acquire(fd);
    if (!use) return fail_errno();
    if (level == ZTS_SOL_SOCKET && (optname == ZTS_SO_RCVTIMEO || optname == ZTS_SO_SNDTIMEO)) {
        // Blocking is ours, so are its timeouts.
        if (optval == nullptr || optlen < sizeof(zts_timeval)) return fail(EINVAL);
        const auto* tv = static_cast<const zts_timeval*>(optval);
        if (tv->tv_sec < 0 || tv->tv_usec < 0 || tv->tv_usec >= 1000000) return fail(EDOM);
        const long long ms = static_cast<long long>(tv->tv_sec) * 1000 + tv->tv_usec / 1000;
        const int value = ms == 0 ? -1 : static_cast<int>(ms > 0x7fffffff ? 0x7fffffff : ms);
        (optname == ZTS_SO_RCVTIMEO ? use->state().recv_timeout_ms : use->state().send_timeout_ms) = value;
        return ZTS_ERR_OK;
    }
    zt::net::LwipHopOption hop;
    const int hop_status =
        zt::net::hop_setting(use->state().family, use->state().type, level, optname, optval, optlen, &hop);
    if (hop_status > 0) return fail(hop_status);
    if (hop_status == 0) {  // from here on, lwIP's option it stands for (a listener keeps IP_TTL for accepted sockets)
        level = IPPROTO_IP;
        optname = hop.name;
        optval = hop.data();
        optlen = hop.size();
    }
    zts_linger clamped{};
    if (level == ZTS_SOL_SOCKET && optname == ZTS_SO_LINGER && optval != nullptr && optlen >= sizeof(zts_linger)) {
        // lwIP keeps the time in 16 signed bits after clamping it to 0xFFFF: 32768 s and more would
        // turn lingering off. The most it can keep instead.
        clamped = *static_cast<const zts_linger*>(optval);
        if (clamped.l_linger > 0x7fff) clamped.l_linger = 0x7fff;
        optval = &clamped;
        optlen = sizeof clamped;
    }
    if (level == ZTS_IPPROTO_IPV6 && optname == ZTS_IPV6_V6ONLY && use->state().family == AF_INET6 &&
        use->state().type != ZTS_SOCK_RAW && zt::net::has_local_port(use->lwip())) {
        return fail(EINVAL);  // Linux decides the families a socket takes when it binds
    }
    if (use->state().type == ZTS_SOCK_STREAM && zt::net::is_setup_option(level, optname)) {
        return finish(zt::net::set_stream_option(table(), *use, level, optname, optval, optlen));
    }
    ipv6_mreq membership{};
    if (level == ZTS_IPPROTO_IPV6 && (optname == ZTS_IPV6_JOIN_GROUP || optname == ZTS_IPV6_LEAVE_GROUP) &&
        optval != nullptr && optlen >= sizeof membership) {
        std::memcpy(&membership, optval, sizeof membership);
        const int err = zt::net::resolve_ipv6_membership_interface(&membership);
        if (err != 0) return fail(err);
        optval = &membership;
        optlen = sizeof membership;
    }
    return finish(lwip_setsockopt(use->lwip(), level, optname, optval, optlen));
}

namespace {

// lwIP's answer, or a listener's kept option (net/accept_inherit).
int get_lwip_option(SocketTable::Use& use, int level, int optname, void* optval, socklen_t* len) {
    int r = 0;
    if (!zt::net::get_listener_option(table(), use, level, optname, optval, len, &r)) {
        r = lwip_getsockopt(use.lwip(), level, optname, optval, len);
    }
    return r;
}

// A hop option's value (net/hop_options), in the room given as Linux gives it: an int; with less
// room an IPv4 one as a byte, an IPv6 one as the int's first bytes (none for no room at all).
int get_hop_option(SocketTable::Use& use, int level, zt::net::LwipHopOption& hop, void* optval, zts_socklen_t* optlen) {
    socklen_t got = hop.size();
    void* into = hop.one_byte ? static_cast<void*>(&hop.byte) : &hop.value;
    if (get_lwip_option(use, IPPROTO_IP, hop.name, into, &got) < 0) return fail_errno();
    const int value = hop.one_byte ? hop.byte : hop.value;
    if (*optlen > 0 && *optlen < sizeof value && zt::net::hop_value_may_be_a_byte(level)) {
        *static_cast<unsigned char*>(optval) = static_cast<unsigned char>(value);  // 0..255, always
        *optlen = 1;
    } else {
        *optlen = std::min<zts_socklen_t>(*optlen, sizeof value);
        std::memcpy(optval, &value, *optlen);
    }
    return ZTS_ERR_OK;
}

}  // namespace

int zts_bsd_getsockopt(int fd, int level, int optname, void* optval, zts_socklen_t* optlen) {
    if (!node_running()) return ZTS_ERR_SERVICE;
    if (optval == nullptr || optlen == nullptr) return ZTS_ERR_ARG;
    auto use = table().acquire(fd);
    if (!use) return fail_errno();
    if (level == ZTS_SOL_SOCKET && (optname == ZTS_SO_RCVTIMEO || optname == ZTS_SO_SNDTIMEO)) {
        if (*optlen < sizeof(zts_timeval)) return fail(EINVAL);
        const int ms = optname == ZTS_SO_RCVTIMEO ? use->state().recv_timeout_ms : use->state().send_timeout_ms;
        auto* tv = static_cast<zts_timeval*>(optval);
        tv->tv_sec = ms < 0 ? 0 : ms / 1000;
        tv->tv_usec = ms < 0 ? 0 : (ms % 1000) * 1000;
        *optlen = sizeof(zts_timeval);
        return ZTS_ERR_OK;
    }
    zt::net::LwipHopOption hop;
    const int hop_status = zt::net::hop_reading(use->state().family, use->state().type, level, optname, &hop);
    if (hop_status > 0) return fail(hop_status);
    if (hop_status == 0) return get_hop_option(*use, level, hop, optval, optlen);
    socklen_t len = *optlen;
    const int r = get_lwip_option(*use, level, optname, optval, &len);
    if (r < 0) return fail_errno();
    if (zt::net::is_setup_option(level, optname)) {  // lwIP leaves the length as given, Linux says what it wrote
        len = std::min(len, zt::net::setup_option_size(level, optname));
    }
    *optlen = len;
    if (level == SOL_SOCKET && (optname == SO_KEEPALIVE || optname == SO_REUSEADDR || optname == SO_BROADCAST) &&
        len >= sizeof(int)) {
        *static_cast<int*>(optval) = *static_cast<int*>(optval) != 0;  // lwIP answers its flag's bit (8 for SO_KEEPALIVE)
    }
    if (level == SOL_SOCKET && optname == SO_ERROR && len >= sizeof(int) && *static_cast<int*>(optval) == 0 &&
        udp_refused(*use)) {
        *static_cast<int*>(optval) = ECONNREFUSED;
    }
    if (level == SOL_SOCKET && optname == SO_ERROR && len >= sizeof(int) && use->state().type == ZTS_SOCK_STREAM &&
        (*static_cast<int*>(optval) == ECONNRESET || *static_cast<int*>(optval) == ECONNABORTED)) {
        use->state().reset_reported.store(true, std::memory_order_relaxed);  // reported here, as on Linux
    }
    if (level == SOL_SOCKET && optname == SO_ERROR && use->state().connect_pending && len >= sizeof(int)) {
        // How a non-blocking connect learns its outcome: refused, or (no error and a peer) made.
        int* err = static_cast<int*>(optval);
        sockaddr_storage peer{};
        socklen_t peer_len = sizeof peer;
        if (*err != 0) {
            *err = zt::net::connect_outcome(use->state(), *err);
            if (!use->state().nonblocking) zt::net::renew_after_failed_connect(table(), *use);
        } else if (lwip_getpeername(use->lwip(), reinterpret_cast<sockaddr*>(&peer), &peer_len) == 0) {
            use->state().connect_pending = false;
        }
    }
    return ZTS_ERR_OK;
}

namespace {

// getsockname and getpeername: the same checks and conversion around lwIP's call.
int socket_name(int fd, struct zts_sockaddr* addr, zts_socklen_t* addrlen, int (*lwip_name)(int, sockaddr*, socklen_t*)) {
    if (!node_running()) return ZTS_ERR_SERVICE;
    if (addr == nullptr || addrlen == nullptr || *addrlen < sizeof(zts_sockaddr_in) ||
        *addrlen > sizeof(zts_sockaddr_storage)) {
        return ZTS_ERR_ARG;
    }
    auto use = table().acquire(fd);
    if (!use) return fail_errno();
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    if (lwip_name(use->lwip(), reinterpret_cast<sockaddr*>(&ss), &len) < 0) return fail_errno();
    sockaddr_storage peer{};
    socklen_t peer_len = sizeof peer;
    if (lwip_name == lwip_getsockname && use->state().type == ZTS_SOCK_DGRAM &&
        lwip_getpeername(use->lwip(), reinterpret_cast<sockaddr*>(&peer), &peer_len) == 0) {
        zt::net::fill_in_datagram_source(peer, &ss);  // as Linux names a connected UDP socket
    }
    address_out(ss, addr, addrlen);
    return ZTS_ERR_OK;
}

}  // namespace

int zts_bsd_getsockname(int fd, struct zts_sockaddr* addr, zts_socklen_t* addrlen) {
    return socket_name(fd, addr, addrlen, lwip_getsockname);
}

int zts_bsd_getpeername(int fd, struct zts_sockaddr* addr, zts_socklen_t* addrlen) {
    return socket_name(fd, addr, addrlen, lwip_getpeername);
}

int zts_bsd_close(int fd) {
    if (!zt::net::stack_running()) return ZTS_ERR_SERVICE;
    return table().close(fd) < 0 ? fail_errno() : ZTS_ERR_OK;
}

int zts_bsd_fcntl(int fd, int cmd, int flags) {
    if (!node_running()) return ZTS_ERR_SERVICE;
    auto use = table().acquire(fd);
    if (!use) return fail_errno();
    if (cmd == ZTS_F_GETFL) return ZTS_O_RDWR | (use->state().nonblocking ? ZTS_O_NONBLOCK : 0);
    if (cmd == ZTS_F_SETFL) {
        use->state().nonblocking = (flags & ZTS_O_NONBLOCK) != 0;
        return ZTS_ERR_OK;
    }
    return fail(EINVAL);
}

int zts_bsd_ioctl(int fd, unsigned long request, void* argp) {
    if (!node_running()) return ZTS_ERR_SERVICE;
    if (argp == nullptr) return ZTS_ERR_ARG;
    auto use = table().acquire(fd);
    if (!use) return fail_errno();
    if (request == ZTS_FIONBIO) {
        use->state().nonblocking = *static_cast<int*>(argp) != 0;
        return ZTS_ERR_OK;
    }
    if (request == ZTS_FIONREAD) return finish(lwip_ioctl(use->lwip(), FIONREAD, argp));
    return fail(EINVAL);
}

namespace {

// What select counts for each set it was given (as Linux's select does): a hang-up or an error makes a
// descriptor readable, an error writable, and only POLLPRI exceptional.
short counted_by_select(short events) {
    short counted = 0;
    if (events & ZTS_POLLIN) counted |= ZTS_POLLIN | ZTS_POLLHUP | ZTS_POLLERR;
    if (events & ZTS_POLLOUT) counted |= ZTS_POLLOUT | ZTS_POLLERR;
    if (events & ZTS_POLLPRI) counted |= ZTS_POLLPRI;
    return counted;
}

// zts_bsd_poll, and zts_bsd_select's wait when `for_select`: a descriptor counts as ready only for
// what select would count (one ready only with a hang-up select is not asked about would end the
// wait at once and be counted as nothing: a select in a loop would spin).
int poll_sockets(struct zts_pollfd* fds, zts_nfds_t nfds, int timeout, bool for_select) {
    if (!node_running()) return ZTS_ERR_SERVICE;
    if (fds == nullptr && nfds > 0) return ZTS_ERR_ARG;
    if (nfds > 4096) return fail(EINVAL);
    std::vector<std::optional<SocketTable::Use>> uses;
    std::vector<pollfd> lwip_fds(nfds);
    std::vector<short> hangup(nfds);
    bool any_stream = false;
    for (zts_nfds_t i = 0; i < nfds; ++i) {
        fds[i].revents = 0;
        uses.push_back(fds[i].fd >= 0 ? table().acquire(fds[i].fd) : std::nullopt);
        lwip_fds[i].fd = uses.back() ? uses.back()->lwip() : -1;  // lwIP ignores negative descriptors
        lwip_fds[i].events = fds[i].events;
        any_stream = any_stream || (uses.back() && uses.back()->state().type == SOCK_STREAM);
    }
    // The hang-ups lwIP's poll does not report: a shutdown of ours (Linux: readable once shut for
    // reading, hung up once shut both ways), and a stream socket's state (net/stream_state.hpp),
    // these all under one core lock.
    const auto look_for_hangups = [&] {
        for (zts_nfds_t i = 0; i < nfds; ++i) {
            if (uses[i]) {
                const unsigned shut = uses[i]->state().shut.load(std::memory_order_relaxed);
                const short read_end = (shut & SocketTable::kShutRead) != 0 ? ZTS_POLLIN : 0;
                const bool both = shut == (SocketTable::kShutRead | SocketTable::kShutWrite);
                hangup[i] = static_cast<short>((read_end & fds[i].events) | (both ? ZTS_POLLHUP : 0));
            }
        }
        if (!any_stream) return;
        zt::net::CoreLock lock;
        for (zts_nfds_t i = 0; i < nfds; ++i) {
            if (uses[i] && uses[i]->state().type == SOCK_STREAM) {
                hangup[i] = static_cast<short>(
                    hangup[i] | (zt::net::stream_hangup_events_locked(lwip_fds[i].fd) & (fds[i].events | ZTS_POLLHUP)));
            }
        }
    };
    const auto counts = [&](zts_nfds_t i, short revents) {
        return (for_select ? revents & (counted_by_select(fds[i].events) | ZTS_POLLNVAL) : revents) != 0;
    };
    const std::int64_t deadline = deadline_after(timeout);
    for (;;) {
        // Looked at before each wait (only the application's calls, connect and listen, take a socket
        // out of it) and after a wake (a connection that ends wakes lwIP's poll).
        look_for_hangups();
        int ready = 0;
        for (zts_nfds_t i = 0; i < nfds; ++i) {
            if (fds[i].fd >= 0 && !uses[i]) {
                fds[i].revents = ZTS_POLLNVAL;  // not a socket of ours
                ++ready;
            } else if (counts(i, hangup[i])) {
                ++ready;
            }
        }
        const int slice = 50;
        int wait_ms = ready > 0 ? 0 : slice;
        if (deadline >= 0 && ready == 0) {
            const std::int64_t left = deadline - zt::osdep::now_ms();
            wait_ms = static_cast<int>(left <= 0 ? 0 : (left < slice ? left : slice));
        }
        const int r = lwip_poll(lwip_fds.data(), nfds, wait_ms);
        if (r < 0) return fail_errno();
        if (r > 0 && ready == 0) look_for_hangups();
        ready = 0;
        for (zts_nfds_t i = 0; i < nfds; ++i) {
            if (lwip_fds[i].fd >= 0) fds[i].revents = lwip_fds[i].revents | hangup[i];
            if (counts(i, fds[i].revents)) ++ready;
        }
        if (ready > 0) return ready;
        if (table().interrupted()) return fail(ENETDOWN);
        if (deadline >= 0 && zt::osdep::now_ms() >= deadline) return 0;
        for (const auto& u : uses) {
            if (u && u->closing()) return fail(EBADF);
        }
    }
}

}  // namespace

int zts_bsd_poll(struct zts_pollfd* fds, zts_nfds_t nfds, int timeout) {
    return poll_sockets(fds, nfds, timeout, false);
}

int zts_bsd_select(int nfds, zts_fd_set* readfds, zts_fd_set* writefds, zts_fd_set* exceptfds,
                   struct zts_timeval* timeout) {
    if (nfds < 0 || nfds > ZTS_FD_SETSIZE) return fail(EINVAL);
    std::vector<zts_pollfd> pfds;
    for (int fd = 0; fd < nfds; ++fd) {
        short events = 0;
        if (readfds != nullptr && ZTS_FD_ISSET(fd, readfds)) events |= ZTS_POLLIN;
        if (writefds != nullptr && ZTS_FD_ISSET(fd, writefds)) events |= ZTS_POLLOUT;
        if (exceptfds != nullptr && ZTS_FD_ISSET(fd, exceptfds)) events |= ZTS_POLLPRI;
        if (events != 0) pfds.push_back(zts_pollfd{fd, events, 0});
    }
    int timeout_ms = -1;
    if (timeout != nullptr) {
        if (timeout->tv_sec < 0 || timeout->tv_usec < 0) return fail(EINVAL);
        timeout_ms = static_cast<int>(timeout->tv_sec * 1000 + timeout->tv_usec / 1000);
    }
    const int r = poll_sockets(pfds.data(), static_cast<zts_nfds_t>(pfds.size()), timeout_ms, true);
    if (r < 0) return r;
    for (zts_fd_set* set : {readfds, writefds, exceptfds}) {
        if (set != nullptr) ZTS_FD_ZERO(set);
    }
    int count = 0;
    for (const zts_pollfd& p : pfds) {
        if (p.revents & ZTS_POLLNVAL) return fail(EBADF);
        if (readfds != nullptr && (p.revents & (ZTS_POLLIN | ZTS_POLLHUP | ZTS_POLLERR))) {
            ZTS_FD_SET(p.fd, readfds);
            ++count;
        }
        if (writefds != nullptr && (p.revents & (ZTS_POLLOUT | ZTS_POLLERR))) {
            ZTS_FD_SET(p.fd, writefds);
            ++count;
        }
        if (exceptfds != nullptr && (p.revents & ZTS_POLLPRI)) {
            ZTS_FD_SET(p.fd, exceptfds);
            ++count;
        }
    }
    return count;
}

ssize_t ztx_send(int fd, const void* buf, size_t len, int flags, ztx_wait_t* wait) {
    if (!node_running()) return ZTS_ERR_SERVICE;
    if (buf == nullptr && len > 0) return ZTS_ERR_ARG;
    auto use = table().acquire(fd);
    if (!use) return fail_errno();
    if (const int refused = out_of_band_refusal(use->state(), flags, Direction::kSend)) return fail(refused);
    const int lflags = lwip_flags(flags);
    return finish(send_blocking(*use, len, nullptr, flags, wait,
                                [&] { return static_cast<ssize_t>(lwip_send(use->lwip(), buf, len, lflags)); }));
}

ssize_t ztx_sendto(int fd, const void* buf, size_t len, int flags, const struct zts_sockaddr* addr,
                   zts_socklen_t addrlen, ztx_wait_t* wait) {
    if (!node_running()) return ZTS_ERR_SERVICE;
    if ((buf == nullptr && len > 0) || addr == nullptr || addrlen < sizeof(zts_sockaddr_in) ||
        addrlen > sizeof(zts_sockaddr_storage)) {
        return ZTS_ERR_ARG;
    }
    auto use = table().acquire(fd);
    if (!use) return fail_errno();
    if (!valid_address(addr, addrlen)) return fail(EAFNOSUPPORT);
    if (const int refused = out_of_band_refusal(use->state(), flags, Direction::kSend)) return fail(refused);
    if (udp_to_port_zero(*use, addr)) return fail(EINVAL);
    const int lflags = lwip_flags(flags);
    sockaddr_in6 scratch{};
    const sockaddr* to =
        zt::net::destination(use->lwip(), as_lwip(addr), &scratch, zt::net::DestinationUse::kSend);
    const int refused = zt::net::broadcast_refusal(*use, to, zt::net::BroadcastUse::kSend);
    if (refused != 0) return fail(refused);
    return finish(send_blocking(*use, len, to, flags, wait, [&] {
        return static_cast<ssize_t>(lwip_sendto(use->lwip(), buf, len, lflags, to, addrlen));
    }));
}

ssize_t ztx_sendmsg(int fd, const struct zts_msghdr* msg, int flags, ztx_wait_t* wait) {
    if (!node_running()) return ZTS_ERR_SERVICE;
    if (!valid_msg(msg)) return ZTS_ERR_ARG;
    if (msg->msg_name != nullptr && !valid_address(static_cast<const zts_sockaddr*>(msg->msg_name), msg->msg_namelen)) {
        return ZTS_ERR_ARG;
    }
    auto use = table().acquire(fd);
    if (!use) return fail_errno();
    if (const int refused = out_of_band_refusal(use->state(), flags, Direction::kSend)) return fail(refused);
    std::size_t total = 0;  // held at SIZE_MAX: only "too long" matters past the largest datagram
    for (int i = 0; i < msg->msg_iovlen; ++i) {
        const std::size_t n = msg->msg_iov[i].iov_len;
        total = n > SIZE_MAX - total ? SIZE_MAX : total + n;
    }
    const int lflags = lwip_flags(flags);
    msghdr m{};
    std::memcpy(&m, msg, sizeof m);  // the same layout (net/lwip_options_check.hpp)
    sockaddr_in6 scratch{};
    if (msg->msg_name != nullptr) {
        const auto* to = static_cast<const zts_sockaddr*>(msg->msg_name);
        if (udp_to_port_zero(*use, to)) return fail(EINVAL);
        m.msg_name = const_cast<sockaddr*>(
            zt::net::destination(use->lwip(), as_lwip(to), &scratch, zt::net::DestinationUse::kSend));
        const int refused = zt::net::broadcast_refusal(*use, static_cast<const sockaddr*>(m.msg_name),
                                                       zt::net::BroadcastUse::kSend);
        if (refused != 0) return fail(refused);
    }
    return finish(send_blocking(*use, total, static_cast<const sockaddr*>(m.msg_name), flags, wait, [&] {
        return static_cast<ssize_t>(lwip_sendmsg(use->lwip(), &m, lflags & MSG_MORE));  // it refuses the rest
    }));
}

ssize_t ztx_recv(int fd, void* buf, size_t len, int flags, ztx_wait_t* wait) {
    if (!node_running()) return ZTS_ERR_SERVICE;
    if (buf == nullptr && len > 0) return ZTS_ERR_ARG;
    if ((flags & ZTX_MSG_TRUNC) != 0) return recv_whole_length(fd, buf, len, flags, nullptr, nullptr, wait);
    auto use = table().acquire(fd);
    if (!use) return fail_errno();
    if (const int refused = out_of_band_refusal(use->state(), flags, Direction::kReceive)) return fail(refused);
    const int lflags = lwip_flags(flags);
    return finish(recv_blocking(*use, flags, wait,
                           [&] { return static_cast<ssize_t>(lwip_recv(use->lwip(), buf, len, lflags)); }));
}

ssize_t ztx_recvfrom(int fd, void* buf, size_t len, int flags, struct zts_sockaddr* addr, zts_socklen_t* addrlen,
                     ztx_wait_t* wait) {
    if (!node_running()) return ZTS_ERR_SERVICE;
    if (buf == nullptr && len > 0) return ZTS_ERR_ARG;
    if ((flags & ZTX_MSG_TRUNC) != 0) return recv_whole_length(fd, buf, len, flags, addr, addrlen, wait);
    auto use = table().acquire(fd);
    if (!use) return fail_errno();
    if (const int refused = out_of_band_refusal(use->state(), flags, Direction::kReceive)) return fail(refused);
    sockaddr_storage ss{};
    socklen_t sl = sizeof ss;
    const int lflags = lwip_flags(flags);
    const ssize_t r = recv_blocking(*use, flags, wait, [&] {
        sl = sizeof ss;
        return static_cast<ssize_t>(lwip_recvfrom(use->lwip(), buf, len, lflags, reinterpret_cast<sockaddr*>(&ss), &sl));
    });
    if (r < 0) return fail_errno();
    if (addr != nullptr && addrlen != nullptr) address_out(ss, addr, addrlen);
    return r;
}

ssize_t ztx_recvmsg(int fd, struct zts_msghdr* msg, int flags, ztx_wait_t* wait) {
    if (!node_running()) return ZTS_ERR_SERVICE;
    if (!valid_msg(msg)) return ZTS_ERR_ARG;
    auto use = table().acquire(fd);
    if (!use) return fail_errno();
    const bool datagram = use->state().type != SOCK_STREAM;
    // Linux discards a stream's bytes for MSG_TRUNC; lwIP would copy them: refused rather than
    // answered differently.
    if (const int refused = out_of_band_refusal(use->state(), flags, Direction::kReceive)) return fail(refused);
    if ((flags & ZTX_MSG_TRUNC) != 0 && !datagram) return fail(EOPNOTSUPP);
    msghdr m{};
    std::memcpy(&m, msg, sizeof m);  // the same layout (net/lwip_options_check.hpp)
    m.msg_flags = 0;  // out only: lwIP sets them only when a message comes (not for the end after a shutdown)
    sockaddr_storage ss{};
    if (msg->msg_name != nullptr) {  // received whole here, then truncated as the kernel does
        m.msg_name = &ss;
        m.msg_namelen = sizeof ss;
    }
    m.msg_control = nullptr;  // no ancillary data is produced
    m.msg_controllen = 0;
    // lwIP answers a datagram's whole length, however little of it fit, and refuses a message with no
    // room at all. recvmsg(2) answers what it copied (MSG_TRUNC in msg_flags says the rest is gone;
    // ZTX_MSG_TRUNC in flags asks for the whole length) and takes a datagram into no room.
    std::size_t room = 0;
    bool any_empty = false;
    for (int i = 0; i < msg->msg_iovlen; ++i) {
        room += msg->msg_iov[i].iov_len;
        any_empty = any_empty || msg->msg_iov[i].iov_len == 0;
    }
    // lwIP refuses a message with an empty buffer among its buffers (EINVAL); recvmsg(2) fills the
    // others, skipping it. With no room at all a stream's answer is 0 at once, as CPython's recv(0)
    // gives it (Linux would wait for data, then copy none of it; lwIP says EMSGSIZE).
    if (!datagram && room == 0) return 0;
    std::vector<iovec> filled;
    if (any_empty) {
        for (int i = 0; i < msg->msg_iovlen; ++i) {
            if (msg->msg_iov[i].iov_len != 0) filled.push_back({msg->msg_iov[i].iov_base, msg->msg_iov[i].iov_len});
        }
        m.msg_iov = filled.data();
        m.msg_iovlen = static_cast<int>(filled.size());
    }
    char scratch = 0;
    iovec no_room{&scratch, 1};
    if (datagram && room == 0) {
        m.msg_iov = &no_room;
        m.msg_iovlen = 1;
    }
    // lwIP's recvmsg takes MSG_PEEK alone, refusing the flags its recv ignores (MSG_WAITALL, MSG_MORE):
    // ignored here too (a datagram socket on Linux ignores them; a stream answers what is there).
    const int lflags = flags & MSG_PEEK;
    ssize_t r = recv_blocking(*use, flags, wait,
                              [&] { return static_cast<ssize_t>(lwip_recvmsg(use->lwip(), &m, lflags)); });
    if (r < 0) return fail_errno();
    if (datagram && static_cast<std::size_t>(r) > room) {
        if ((flags & ZTX_MSG_TRUNC) == 0) r = static_cast<ssize_t>(room);
        m.msg_flags |= MSG_TRUNC;
    }
    if (msg->msg_name != nullptr) address_out(ss, static_cast<zts_sockaddr*>(msg->msg_name), &msg->msg_namelen);
    msg->msg_flags = m.msg_flags & (MSG_TRUNC | MSG_CTRUNC);
    msg->msg_controllen = 0;  // no ancillary data is produced
    return r;
}

ssize_t zts_bsd_send(int fd, const void* buf, size_t len, int flags) { return ztx_send(fd, buf, len, flags, nullptr); }

ssize_t zts_bsd_sendto(int fd, const void* buf, size_t len, int flags, const struct zts_sockaddr* addr,
                       zts_socklen_t addrlen) {
    return ztx_sendto(fd, buf, len, flags, addr, addrlen, nullptr);
}

ssize_t zts_bsd_sendmsg(int fd, const struct zts_msghdr* msg, int flags) { return ztx_sendmsg(fd, msg, flags, nullptr); }

ssize_t zts_bsd_recv(int fd, void* buf, size_t len, int flags) { return ztx_recv(fd, buf, len, flags, nullptr); }

ssize_t zts_bsd_recvfrom(int fd, void* buf, size_t len, int flags, struct zts_sockaddr* addr, zts_socklen_t* addrlen) {
    return ztx_recvfrom(fd, buf, len, flags, addr, addrlen, nullptr);
}

ssize_t zts_bsd_recvmsg(int fd, struct zts_msghdr* msg, int flags) { return ztx_recvmsg(fd, msg, flags, nullptr); }

int ztx_socket_wait(int fd, short events, ztx_wait_t* wait) {
    if (!node_running()) return ZTS_ERR_SERVICE;
    auto use = table().acquire(fd);
    if (!use) return fail_errno();
    const Limit limit = limit_of(*use, events, wait);
    const int w = table().wait(*use, events, limit.deadline_ms, limit.wake_at_ms);
    return w < 0 ? fail_errno() : w;
}

ssize_t zts_bsd_read(int fd, void* buf, size_t len) { return zts_bsd_recv(fd, buf, len, 0); }
ssize_t zts_bsd_write(int fd, const void* buf, size_t len) { return zts_bsd_send(fd, buf, len, 0); }

ssize_t zts_bsd_readv(int fd, const struct zts_iovec* iov, int iovcnt) {
    zts_msghdr m{};
    m.msg_iov = const_cast<zts_iovec*>(iov);
    m.msg_iovlen = iovcnt;
    return zts_bsd_recvmsg(fd, &m, 0);
}

ssize_t zts_bsd_writev(int fd, const struct zts_iovec* iov, int iovcnt) {
    zts_msghdr m{};
    m.msg_iov = const_cast<zts_iovec*>(iov);
    m.msg_iovlen = iovcnt;
    return zts_bsd_sendmsg(fd, &m, 0);
}

int zts_bsd_shutdown(int fd, int how) {
    if (!node_running()) return ZTS_ERR_SERVICE;
    if (how != ZTS_SHUT_RD && how != ZTS_SHUT_WR && how != ZTS_SHUT_RDWR) return fail(EINVAL);
    auto use = table().acquire(fd);
    if (!use) return fail_errno();
    return use->state().type == ZTS_SOCK_STREAM ? shutdown_stream(*use, how) : shutdown_datagram(*use, how);
}

}  // extern "C"
