// SPDX-License-Identifier: Apache-2.0
// The client side of ZeroTier's TCP fallback relay (what zerotier-one's tcp-proxy serves, and
// `libzt relay`): when UDP does not get through, IPv4 datagrams travel over one TCP connection to
// a relay that sends them on as UDP from a port of its own and returns the answers.
// The records are zt/relay_records.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "zt/inet_address.hpp"
#include "zt/relay_records.hpp"

namespace zt::osdep {

class TcpRelayClient {
  public:
    TcpRelayClient() = default;
    ~TcpRelayClient();
    TcpRelayClient(const TcpRelayClient&) = delete;
    TcpRelayClient& operator=(const TcpRelayClient&) = delete;

    // Starts a non-blocking connection to the relay and queues the opening record; false if the
    // socket cannot even be created. The fd is then watched for input and, while wants_write(),
    // for output.
    bool open(const InetAddress& relay);
    void close();
    bool is_open() const { return fd_ >= 0; }
    int fd() const { return fd_; }
    bool wants_write() const { return !out_.empty(); }

    // Queues one IPv4 datagram for `to`; false (dropped) if not IPv4 or the queue is full (a relay
    // that does not keep up is no reason to buffer without bound).
    bool send(const InetAddress& to, const std::uint8_t* data, std::size_t len);

    // After epoll reported the fd: reads and writes what is ready. Each whole datagram received is
    // handed to sink with its source address. Returns false if the connection is gone (closed by
    // the peer, refused, or a malformed stream); the caller then closes it.
    using Sink = RelayDatagramSink;
    bool on_ready(bool readable, bool writable, const Sink& sink);

    std::uint64_t records_in() const { return records_in_; }
    std::uint64_t records_out() const { return records_out_; }

  private:
    bool flush_out();

    int fd_ = -1;
    std::vector<std::uint8_t> out_;
    std::vector<std::uint8_t> in_;
    std::uint64_t records_in_ = 0;
    std::uint64_t records_out_ = 0;
};

}  // namespace zt::osdep
