// SPDX-License-Identifier: Apache-2.0
// Breaks TCP ACK storms between two of lwIP's own connections.
//
// lwIP answers every zero-length segment that falls outside its receive window with an ACK
// (tcp_receive: "Segments that fall out of the window are ACKed"). With a receive window of zero no
// sequence number is inside it, so when BOTH ends of a connection have a full receive window (neither
// application reading, e.g. two peers each blocked sending to the other), each end answers the
// other's ACK with an ACK, forever: identical pure ACKs advertising a zero window, back and forth,
// one round trip apart, for as long as neither application reads (two peers each blocked sending to
// the other without reading keep hundreds of packets a second going).
//
// The guard sits where lwIP hands a frame to a ZeroTier network: it lets one such ACK per connection
// through every kRepeatMs and drops identical repeats in between, as a lossy link would. Window
// updates, data, and ACKs that change anything pass untouched. (Connections within this process,
// over the loopback interface or a node's own address, never reach an interface: lwIP loops them
// back internally, where nothing can intervene. Such a storm keeps the tcpip thread busy for good;
// it needs both ends of a connection in this process to stop reading with full windows.)
#pragma once

#include <cstddef>
#include <cstdint>
#include <unordered_map>

namespace zt::net {

class AckStormGuard {
  public:
    static constexpr std::int64_t kRepeatMs = 50;

    // True when `packet` (an IPv4 or IPv6 packet) is a repeat to drop. Not thread-safe: call it from
    // one interface's output path (lwIP's core lock held).
    bool suppress(const std::uint8_t* packet, std::size_t len, std::int64_t now_ms);

  private:
    struct Last {
        std::uint32_t seq = 0;
        std::uint32_t ack = 0;
        std::int64_t sent_ms = 0;
    };
    static constexpr std::size_t kMaxFlows = 4096;
    std::unordered_map<std::uint64_t, Last> flows_;  // by a hash of addresses and ports
};

}  // namespace zt::net
