// SPDX-License-Identifier: Apache-2.0
// The node's UDP sockets on the real network: an IPv4 and an IPv6 socket per port (the primary
// port, and the secondary and port-mapping ports when enabled), read and written in batches
// (recvmmsg/sendmmsg), since the cost of this design is per datagram.
//
// Replies leave from the local address and interface their request arrived on: the sockets are
// bound to the wildcard address, every datagram is read with its destination address and
// interface (IP_PKTINFO / IPV6_PKTINFO), and a reply names them again in sendmsg's control data.
// Without that the kernel picks the source, and on a host with several addresses (a secondary
// IPv4, IPv6 privacy addresses) a root would answer a HELLO sent to the address its planet names
// from another one, which ZeroTier nodes refuse as a root path. ZeroTier One gets the same effect
// by binding every local address separately; reading the destination per datagram follows
// address changes without rebinding.
//
// Segmentation offload (Linux UDP_SEGMENT / UDP_GRO): consecutive queued datagrams to one
// destination with one length (the last may be shorter) leave in one sendmsg that the kernel cuts
// up, and datagrams the kernel coalesced on the way in are cut apart here. On loopback and veth a
// coalesced burst crosses the kernel's network stack once instead of once per datagram. Peers see
// ordinary datagrams either way. LIBZT_UDP_OFFLOAD=0 turns both off (for comparisons).
//
// Socket IDs as the node sees them (its "local socket"): a socket's file descriptor alone means
// "this socket, any source address"; (n << 32 | fd) names entry n-1 of the table of local
// endpoints (socket, local address, interface) datagrams arrived on.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "zt/inet_address.hpp"

struct msghdr;

namespace zt::osdep {

class UdpSockets {
  public:
    static constexpr std::size_t kBatch = 64;

    UdpSockets();
    ~UdpSockets();
    UdpSockets(const UdpSockets&) = delete;
    UdpSockets& operator=(const UdpSockets&) = delete;

    // Binds both families on `port` (0 = let the kernel choose; the IPv6 socket then takes the
    // IPv4 socket's port). Binding IPv6 may fail on hosts without IPv6: IPv4 alone is enough.
    // Returns false with errno set if IPv4 cannot be bound. This is the primary port.
    bool open(std::uint16_t port);
    // Binds one more port for both families (secondary, port mapping); false if IPv4 cannot be bound.
    bool add_port(std::uint16_t port);
    // Closes the sockets of a port added with add_port.
    void remove_port(std::uint16_t port);
    void close();
    std::uint16_t port() const { return port_; }
    std::vector<std::uint16_t> ports() const;
    // Every socket, for the event loop.
    std::vector<int> fds() const;
    // Whether fd is one of these sockets (a number reported ready before the lock was taken may
    // since have been closed and given to another file).
    bool is_ours(int fd) const;

    // Datagrams that arrive on an interface whose name starts with one of these are ignored, so
    // no path is ever learned through it (zts_init_blacklist_if).
    void set_interface_blacklist(std::vector<std::string> prefixes);

    // Reads everything ready on `fd` (up to a batch per call), calling sink per datagram.
    // A datagram larger than any ZeroTier datagram (kMaxDatagramLen) arrives with data null.
    using Sink = std::function<void(std::int64_t local_socket, const InetAddress& from, const std::uint8_t* data,
                                    std::size_t len)>;
    std::size_t receive_batch(int fd, const Sink& sink);

    // Queues one datagram; flush() sends the queue with sendmmsg. local_socket -1 sends from every
    // socket of the destination's family (every bound port, as ZeroTier One does). ttl != 0 sends
    // at once with that IP TTL (used for the short-lived NAT-opening datagram).
    void send(std::int64_t local_socket, const InetAddress& to, const std::uint8_t* data, std::size_t len,
              unsigned ttl);
    void flush();
    std::uint64_t send_errors() const { return send_errors_; }
    std::uint64_t ignored_blacklisted() const { return ignored_blacklisted_; }
    // Datagrams that left in a segmented send, and datagrams that arrived coalesced.
    std::uint64_t offload_sent() const { return offload_sent_; }
    std::uint64_t offload_received() const { return offload_received_; }

    // The local address a socket ID stands for (nil for a bare socket): for tests and inspection.
    InetAddress local_address(std::int64_t local_socket) const;

  private:
    struct Bound {
        int fd;
        bool v6;
        std::uint16_t port;
        bool segment;  // UDP_SEGMENT may be used on this socket (off after the kernel refuses it)
    };
    // Where a datagram arrived: the socket, our address on it and the interface.
    struct LocalEnd {
        int fd;
        bool v6;
        std::uint8_t addr[16];
        int ifindex;
        bool blacklisted;
    };
    struct Outgoing {
        int fd;
        int local;  // index into locals_, or -1: the kernel picks the source
        InetAddress to;
        std::uint16_t len;
        std::uint8_t data[16384];
    };
    static constexpr std::size_t kMaxLocalEnds = 1024;

    bool bind_pair(std::uint16_t port, std::uint16_t* bound);
    int find_local(int fd, bool v6, const std::uint8_t* addr, int ifindex);
    bool resolve(std::int64_t local_socket, int* fd, int* local) const;
    const Bound* bound_socket(int fd) const;  // the socket with this descriptor, or null
    void queue(int fd, int local, const InetAddress& to, const std::uint8_t* data, std::size_t len);
    void send_now(int fd, int local, const InetAddress& to, const std::uint8_t* data, std::size_t len, unsigned ttl);
    bool interface_blacklisted(int ifindex) const;
    void deliver(std::int64_t local_socket, const InetAddress& src, const std::uint8_t* data, std::size_t len,
                 std::size_t segment, const Sink& sink);
    bool may_segment(int fd) const;
    void stop_segmenting(int fd);
    std::size_t send_one_by_one(int fd, const msghdr& m);

    std::vector<Bound> bound_;
    std::vector<LocalEnd> locals_;
    int last_local_ = -1;  // most recent find_local hit: consecutive datagrams mostly share one
    std::uint16_t port_ = 0;
    std::vector<std::string> blacklist_;
    std::vector<Outgoing> queue_;
    std::size_t queued_ = 0;
    std::uint64_t send_errors_ = 0;
    std::uint64_t ignored_blacklisted_ = 0;
    std::uint64_t offload_sent_ = 0;
    std::uint64_t offload_received_ = 0;
    bool offload_ = true;
    std::vector<std::uint8_t> rx_buffers_;
    // recvmmsg's headers, made once: a receive resets only what the previous one's datagrams
    // changed, rather than writing ~17 KB of headers for every datagram of a ping-pong.
    struct ReceiveHeaders;
    std::unique_ptr<ReceiveHeaders> rx_headers_;
};

}  // namespace zt::osdep
