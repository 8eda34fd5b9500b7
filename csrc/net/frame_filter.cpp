// SPDX-License-Identifier: Apache-2.0
#include "net/frame_filter.hpp"

namespace zt::net {

namespace {

constexpr std::uint16_t kEthertypeIpv4 = 0x0800;
constexpr std::uint16_t kEthertypeArp = 0x0806;
constexpr std::uint16_t kEthertypeIpv6 = 0x86dd;

// The least each ethertype's input reads: the fixed header of its protocol.
std::size_t fixed_header(std::uint16_t ethertype) {
    switch (ethertype) {
        case kEthertypeIpv4:
            return 20;
        case kEthertypeArp:
            return 28;  // Ethernet/IPv4 ARP (RFC 826)
        case kEthertypeIpv6:
            return 40;
        default:
            return 0;  // lwIP drops other ethertypes unread
    }
}

}  // namespace

bool lwip_may_see(std::uint16_t ethertype, const std::uint8_t* packet, std::size_t len) {
    (void)packet;
    return len >= fixed_header(ethertype);
}

}  // namespace zt::net
