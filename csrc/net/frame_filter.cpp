// SPDX-License-Identifier: Apache-2.0
#include "net/frame_filter.hpp"

#include <algorithm>
#include <cstring>

#include "zt/bytes.hpp"
#include "zt/ip_numbers.hpp"

namespace zt::net {

namespace {

// IPv6 extension headers lwIP walks before the upper layer (ip6_input).
constexpr std::uint8_t kHopByHop = 0;
constexpr std::uint8_t kRouting = 43;
constexpr std::uint8_t kFragment = 44;
constexpr std::uint8_t kDestinationOptions = 60;
constexpr std::uint8_t kIcmpv6PacketTooBig = 2;
constexpr std::size_t kNeighborAdvertisementTarget = 8;  // after type, code, checksum, flags
constexpr std::size_t kNeighborOption = 24;  // after the target: the link-layer address option lwIP reads
constexpr std::uint32_t kIpv6MinimumMtu = 1280;

// The least each ethertype's input reads: the fixed header of its protocol.
std::size_t fixed_header(std::uint16_t ethertype) {
    switch (ethertype) {
        case kEthertypeIpv4:
            return kIpv4HeaderMin;
        case kEthertypeArp:
            return 28;  // Ethernet/IPv4 ARP (RFC 826)
        case kEthertypeIpv6:
            return kIpv6HeaderLen;
        default:
            return 0;  // lwIP drops other ethertypes unread
    }
}

// Whether the link-layer address option of a neighbor solicitation or advertisement (the one lwIP
// reads, first after the fixed part at `icmp`; `end`: where the IPv6 payload ends) is one lwIP may
// take for `named`.
bool acceptable_link_layer_option(const std::uint8_t* packet, std::size_t icmp, std::size_t end,
                                  const std::uint8_t* named, const NetworkFacts& network) {
    const std::size_t option = icmp + kNeighborOption;
    if (option + 2 > end) return true;  // none: lwIP reads none
    if (packet[option + 1] == 0) return false;
    if (option + 8 > end) return true;  // longer than the packet: lwIP ignores it
    const std::uint64_t owner = network.owner_mac ? network.owner_mac(named) : 0;
    return owner == 0 || load_be(packet + option + 2, 6) == owner;
}

// Whether lwIP may act on an IPv6 packet (at least its fixed header) from the network: see the
// header. Truncated ones pass: lwIP drops them itself, and reads nothing past them.
bool acceptable_ipv6(const std::uint8_t* packet, std::size_t len, const NetworkFacts& network) {
    const std::uint8_t* source = packet + 8;
    const std::uint8_t* destination = packet + 24;
    if (std::memcmp(source, network.virtual_router, 16) == 0) return false;
    std::uint8_t next = packet[6];
    std::size_t at = kIpv6HeaderLen;
    for (;;) {
        if (next == kHopByHop || next == kRouting || next == kDestinationOptions) {
            if (at + 2 > len) return true;
            next = packet[at];
            at += (static_cast<std::size_t>(packet[at + 1]) + 1) * 8;
        } else if (next == kFragment) {
            if (at + 8 > len) return true;
            return packet[at] == kIpProtoTcp || packet[at] == kIpProtoUdp;  // what the whole will be, in every fragment
        } else {
            break;
        }
    }
    if (next != kIpProtoIcmpv6 || at >= len) return true;
    const std::uint8_t type = packet[at];
    if (type == kIcmpv6RouterAdvertisement || type == kIcmpv6Redirect) return false;
    if (type == kIcmpv6NeighborSolicitation || type == kIcmpv6NeighborAdvertisement) {
        // What lwIP reads: the payload its length field says (a frame may carry padding after it).
        const std::size_t end = std::min(len, kIpv6HeaderLen + static_cast<std::size_t>(load_be(packet + 4, 2)));
        if (type == kIcmpv6NeighborSolicitation) return acceptable_link_layer_option(packet, at, end, source, network);
        if (destination[0] == 0xff) return false;  // unsolicited
        const std::size_t target = at + kNeighborAdvertisementTarget;
        if (target + 16 > end) return true;  // lwIP drops it
        if (std::memcmp(packet + target, network.virtual_router, 16) == 0) return false;
        return acceptable_link_layer_option(packet, at, end, packet + target, network);
    }
    if (type == kIcmpv6PacketTooBig && at + 8 <= len) {
        return load_be(packet + at + 4, 4) >= kIpv6MinimumMtu;
    }
    return true;
}

}  // namespace

bool lwip_may_see(std::uint16_t ethertype, const std::uint8_t* packet, std::size_t len, const NetworkFacts& network) {
    if (len < fixed_header(ethertype)) return false;
    return ethertype != kEthertypeIpv6 || acceptable_ipv6(packet, len, network);
}

}  // namespace zt::net
