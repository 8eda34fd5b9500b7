// SPDX-License-Identifier: Apache-2.0
// The node's UDP sockets on the real network: one IPv4 and one IPv6 socket on the same port, read
// and written in batches (recvmmsg/sendmmsg), since the cost of this design is per datagram.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "zt/inet_address.hpp"

namespace zt::osdep {

class UdpSockets {
  public:
    static constexpr std::size_t kBatch = 64;

    UdpSockets() = default;
    ~UdpSockets();
    UdpSockets(const UdpSockets&) = delete;
    UdpSockets& operator=(const UdpSockets&) = delete;

    // Binds both families on `port` (0 = let the kernel choose; the IPv6 socket then takes the
    // IPv4 socket's port). Binding IPv6 may fail on hosts without IPv6: IPv4 alone is enough.
    // Returns false with errno set if IPv4 cannot be bound.
    bool open(std::uint16_t port);
    void close();
    std::uint16_t port() const { return port_; }
    int fd_v4() const { return fd4_; }
    int fd_v6() const { return fd6_; }
    // Socket IDs as the node sees them (its "local socket"): the file descriptors.
    std::int64_t id_for(const InetAddress& to) const;

    // Reads everything ready on `fd` (up to a batch per call), calling sink per datagram.
    // A datagram cut short by the kernel (larger than any ZeroTier datagram) arrives with data null.
    using Sink = std::function<void(std::int64_t local_socket, const InetAddress& from, const std::uint8_t* data,
                                    std::size_t len)>;
    std::size_t receive_batch(int fd, const Sink& sink);

    // Queues one datagram; flush() sends the queue with sendmmsg. ttl != 0 sends at once with that
    // IP TTL (used for the short-lived NAT-opening datagram).
    void send(std::int64_t local_socket, const InetAddress& to, const std::uint8_t* data, std::size_t len,
              unsigned ttl);
    void flush();
    std::uint64_t send_errors() const { return send_errors_; }

  private:
    struct Outgoing {
        int fd;
        InetAddress to;
        std::uint16_t len;
        std::uint8_t data[16384];
    };
    void send_now(int fd, const InetAddress& to, const std::uint8_t* data, std::size_t len, unsigned ttl);

    int fd4_ = -1;
    int fd6_ = -1;
    std::uint16_t port_ = 0;
    std::vector<Outgoing> queue_;
    std::size_t queued_ = 0;
    std::uint64_t send_errors_ = 0;
    std::vector<std::uint8_t> rx_buffers_;
};

}  // namespace zt::osdep
