// SPDX-License-Identifier: Apache-2.0
#include "net/ipv6_router.hpp"

#include "net/lwip.hpp"

#include <cstring>

#include "zt/bytes.hpp"
#include "zt/ip_numbers.hpp"
#include "zt/vl2_address.hpp"

namespace zt::net {

namespace {

constexpr std::uint16_t kRouterLifetimeSeconds = 9000;  // the most RFC 4861 allows

// ICMPv6 checksum over the pseudo-header and the message; packet = IPv6 header + ICMPv6.
void set_icmp6_checksum(std::uint8_t* packet, std::size_t icmp_len) {
    std::uint32_t sum = 0;
    for (std::size_t i = 8; i < kIpv6HeaderLen; i += 2) sum += static_cast<std::uint32_t>(load_be(packet + i, 2));
    sum += static_cast<std::uint32_t>(icmp_len) + kIpProtoIcmpv6;
    packet[42] = packet[43] = 0;
    for (std::size_t i = 0; i + 1 < icmp_len; i += 2) sum += static_cast<std::uint32_t>(load_be(packet + kIpv6HeaderLen + i, 2));
    if (icmp_len % 2) sum += static_cast<std::uint32_t>(packet[kIpv6HeaderLen + icmp_len - 1]) << 8;
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    store_be(packet + 42, static_cast<std::uint16_t>(~sum), 2);
}

void ipv6_header(std::uint8_t* p, std::size_t payload_len, const std::uint8_t src[16], const std::uint8_t dst[16]) {
    std::memset(p, 0, kIpv6HeaderLen);
    p[0] = 0x60;
    store_be(p + 4, payload_len, 2);
    p[6] = kIpProtoIcmpv6;
    p[7] = 255;  // neighbor discovery must come with hop limit 255
    std::memcpy(p + 8, src, 16);
    std::memcpy(p + 24, dst, 16);
}

void inject(struct netif* n, std::uint64_t dst_mac, std::uint64_t src_mac, const std::uint8_t* packet, std::size_t len) {
    struct pbuf* p = pbuf_alloc(PBUF_RAW, static_cast<u16_t>(len + 14), PBUF_RAM);
    if (p == nullptr) return;
    std::uint8_t eth[14];
    store_be(eth, dst_mac, 6);
    store_be(eth + 6, src_mac, 6);
    store_be(eth + 12, kEthertypeIpv6, 2);
    pbuf_take(p, eth, sizeof eth);
    pbuf_take_at(p, packet, static_cast<u16_t>(len), 14);
    if (n->input(p, n) != ERR_OK) pbuf_free(p);
}

}  // namespace

void router_link_local(std::uint64_t network_id, std::uint8_t out[16]) {
    const std::uint64_t mac = virtual_router_mac(network_id);
    std::memset(out, 0, 16);
    out[0] = 0xfe;
    out[1] = 0x80;
    out[8] = static_cast<std::uint8_t>(((mac >> 40) & 0xff) ^ 0x02);  // modified EUI-64: the U/L bit flips
    out[9] = static_cast<std::uint8_t>(mac >> 32);
    out[10] = static_cast<std::uint8_t>(mac >> 24);
    out[11] = 0xff;
    out[12] = 0xfe;
    out[13] = static_cast<std::uint8_t>(mac >> 16);
    out[14] = static_cast<std::uint8_t>(mac >> 8);
    out[15] = static_cast<std::uint8_t>(mac);
}

std::uint64_t virtual_router_mac(std::uint64_t network_id) {
    const std::uint64_t first = static_cast<std::uint64_t>(mac_first_octet(network_id) ^ 0x04);
    return (first << 40) | 0x5a7472746eULL;  // "Ztrtn": recognisable in captures
}

void announce_virtual_router(struct netif* n, std::uint64_t network_id, unsigned mtu) {
    std::uint8_t src[16];
    router_link_local(network_id, src);
    std::uint8_t all_nodes[16] = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    constexpr std::size_t kIcmpLen = 16 + 8 + 8;  // advertisement, source link-layer, MTU options
    std::uint8_t pkt[kIpv6HeaderLen + kIcmpLen] = {};
    ipv6_header(pkt, kIcmpLen, src, all_nodes);
    std::uint8_t* ra = pkt + kIpv6HeaderLen;
    ra[0] = kIcmpv6RouterAdvertisement;
    ra[4] = 64;   // current hop limit
    store_be(ra + 6, kRouterLifetimeSeconds, 2);
    ra[16] = 1;  // source link-layer address
    ra[17] = 1;
    store_be(ra + 18, virtual_router_mac(network_id), 6);
    ra[24] = 5;  // MTU
    ra[25] = 1;
    store_be(ra + 28, mtu, 4);
    set_icmp6_checksum(pkt, kIcmpLen);
    inject(n, 0x333300000001ULL, virtual_router_mac(network_id), pkt, sizeof pkt);
}

bool answer_router_solicitation(struct netif* n, std::uint64_t network_id, const std::uint8_t router[16],
                                std::uint64_t our_mac, const std::uint8_t* packet, std::size_t len) {
    if (len < kIpv6HeaderLen + 24 || packet[6] != kIpProtoIcmpv6) return false;
    const std::uint8_t* icmp = packet + kIpv6HeaderLen;
    if (icmp[0] != kIcmpv6NeighborSolicitation || std::memcmp(icmp + 8, router, 16) != 0) {
        return false;
    }
    constexpr std::size_t kIcmpLen = 24 + 8;
    std::uint8_t pkt[kIpv6HeaderLen + kIcmpLen] = {};
    ipv6_header(pkt, kIcmpLen, router, packet + 8);  // back to whoever asked
    std::uint8_t* na = pkt + kIpv6HeaderLen;
    na[0] = kIcmpv6NeighborAdvertisement;
    na[4] = 0xe0;  // router | solicited | override
    std::memcpy(na + 8, router, 16);
    na[24] = 2;  // target link-layer address
    na[25] = 1;
    store_be(na + 26, virtual_router_mac(network_id), 6);
    set_icmp6_checksum(pkt, kIcmpLen);
    inject(n, our_mac, virtual_router_mac(network_id), pkt, sizeof pkt);
    return true;
}

std::uint64_t member_of_ipv6(const NetworkConfig& config, const std::uint8_t dest[16]) {
    for (const ManagedIp& ip : config.static_ips) {
        if (ip.ip.family != InetAddress::Family::kV6) continue;
        const std::uint8_t* my = ip.ip.ip;
        if (ip.bits == 40 && my[0] == 0xfc && std::memcmp(dest, my, 5) == 0) return load_be(dest + 5, 5);
        if (ip.bits == 88 && my[0] == 0xfd && my[9] == 0x99 && my[10] == 0x93 && std::memcmp(dest, my, 11) == 0) {
            return load_be(dest + 11, 5);
        }
    }
    return 0;
}

}  // namespace zt::net
