// SPDX-License-Identifier: Apache-2.0
#include "net/pure_ack.hpp"

#include "zt/bytes.hpp"
#include "zt/ip_numbers.hpp"

namespace zt::net {

namespace {

constexpr std::uint8_t kTcpAck = 0x10;

std::uint64_t mix(std::uint64_t h, std::uint64_t v) {
    h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    return h;
}

}  // namespace

bool parse_pure_ack(const std::uint8_t* packet, std::size_t len, PureAck* out) {
    // Find the TCP header; anything that is not plain IPv4/IPv6 + TCP is not one.
    if (len < 1) return false;
    std::size_t tcp_at = 0;
    std::size_t ip_end = 0;
    std::uint64_t flow = 0;
    const int version = packet[0] >> 4;
    if (version == 4) {
        if (len < 20) return false;
        const std::size_t ihl = static_cast<std::size_t>(packet[0] & 0x0f) * 4;
        const std::size_t total = load_be(packet + 2, 2);
        if (ihl < 20 || packet[9] != kIpProtoTcp || total > len || total < ihl) return false;
        if ((load_be(packet + 6, 2) & 0x3fff) != 0) return false;  // a fragment
        tcp_at = ihl;
        ip_end = total;
        flow = mix(mix(4, load_be(packet + 12, 4)), load_be(packet + 16, 4));
    } else if (version == 6) {
        if (len < kIpv6HeaderLen || packet[6] != kIpProtoTcp) return false;  // extension headers: not ours to judge
        const std::size_t payload = load_be(packet + 4, 2);
        if (kIpv6HeaderLen + payload > len) return false;
        tcp_at = kIpv6HeaderLen;
        ip_end = kIpv6HeaderLen + payload;
        for (std::size_t i = 8; i < kIpv6HeaderLen; i += 8) flow = mix(flow, load_be(packet + i, 8));
    } else {
        return false;
    }
    if (ip_end < tcp_at + 20) return false;
    const std::uint8_t* tcp = packet + tcp_at;
    const std::size_t tcp_header = static_cast<std::size_t>(tcp[12] >> 4) * 4;
    if (tcp_header < 20 || tcp_at + tcp_header != ip_end) return false;  // options aside, no payload
    if ((tcp[13] & 0x3f) != kTcpAck) return false;
    out->flow = mix(flow, load_be(tcp, 4));  // both ports
    out->seq = static_cast<std::uint32_t>(load_be(tcp + 4, 4));
    out->ack = static_cast<std::uint32_t>(load_be(tcp + 8, 4));
    out->window = static_cast<std::uint16_t>(load_be(tcp + 14, 2));
    return true;
}

}  // namespace zt::net
