// SPDX-License-Identifier: Apache-2.0
// Recognises a pure TCP ACK (no payload, no flag but ACK) in an IPv4 or IPv6 packet lwIP sends.
#pragma once

#include <cstddef>
#include <cstdint>

namespace zt::net {

struct PureAck {
    std::uint64_t flow;  // a hash of both addresses and ports
    std::uint32_t seq;
    std::uint32_t ack;
    std::uint16_t window;  // as on the wire (unscaled)
};

// True, with *out filled, when `packet` is plain IPv4 (not a fragment) or IPv6 (no extension
// header) carrying a TCP segment with the ACK flag alone and no data.
bool parse_pure_ack(const std::uint8_t* packet, std::size_t len, PureAck* out);

}  // namespace zt::net
