// SPDX-License-Identifier: Apache-2.0
#include "net/frame_filter.hpp"

namespace zt::net {

namespace {

constexpr std::uint16_t kEthertypeIpv4 = 0x0800;
constexpr std::uint16_t kEthertypeIpv6 = 0x86dd;
constexpr std::uint8_t kProtoUdpLite = 136;

// IPv6 extension headers lwIP walks before the upper layer.
constexpr std::uint8_t kHopByHop = 0;
constexpr std::uint8_t kRouting = 43;
constexpr std::uint8_t kFragment = 44;
constexpr std::uint8_t kDestinationOptions = 60;

// The upper-layer protocol of an IPv6 packet, or -1 when its header chain does not end inside the
// packet. A first fragment must hold the whole chain (RFC 7112); a later fragment's payload is no
// header, and reassembly takes the chain of the first.
int ipv6_upper_layer(const std::uint8_t* packet, std::size_t len) {
    if (len < 40) return -1;
    std::uint8_t next = packet[6];
    std::size_t at = 40;
    for (;;) {
        if (next != kHopByHop && next != kRouting && next != kDestinationOptions && next != kFragment) return next;
        if (at + 8 > len) return -1;  // every extension header is at least 8 bytes
        const std::uint8_t following = packet[at];
        if (next == kFragment) {
            const bool first = ((packet[at + 2] << 8 | packet[at + 3]) & 0xfff8) == 0;
            if (!first) return following;
            at += 8;
        } else {
            at += (static_cast<std::size_t>(packet[at + 1]) + 1) * 8;
        }
        next = following;
    }
}

}  // namespace

bool lwip_may_see(std::uint16_t ethertype, const std::uint8_t* packet, std::size_t len) {
    if (ethertype == kEthertypeIpv4) return len < 20 || packet[9] != kProtoUdpLite;  // (short: lwIP drops it)
    if (ethertype == kEthertypeIpv6) {
        const int upper = ipv6_upper_layer(packet, len);
        return upper != kProtoUdpLite && (upper >= 0 || len < 40);
    }
    return true;
}

}  // namespace zt::net
