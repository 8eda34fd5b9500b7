// SPDX-License-Identifier: Apache-2.0
#include "zt/vl2_address.hpp"

#include <cstdio>

#include "zt/constants.hpp"

namespace zt {

namespace {

// MAC bytes 1..5 are the address XORed with network ID bytes 1..5 counted from the least
// significant end, so members of different networks get different MACs.
std::uint64_t network_mask(std::uint64_t network_id) {
    return (((network_id >> 8) & 0xff) << 32) | (((network_id >> 16) & 0xff) << 24) |
           (((network_id >> 24) & 0xff) << 16) | (((network_id >> 32) & 0xff) << 8) | ((network_id >> 40) & 0xff);
}

}  // namespace

std::uint8_t mac_first_octet(std::uint64_t network_id) {
    // Locally administered, never multicast; 0x52 is avoided because KVM and libvirt use it.
    const std::uint8_t first = static_cast<std::uint8_t>((network_id & 0xfe) | 0x02);
    return first == 0x52 ? 0x32 : first;
}

std::uint64_t mac_from_address(std::uint64_t address, std::uint64_t network_id) {
    const std::uint64_t first = mac_first_octet(network_id);
    const std::uint64_t mac = (first << 40) | (address & kAddressMask);
    return mac ^ network_mask(network_id);
}

std::uint64_t address_from_mac(std::uint64_t mac, std::uint64_t network_id) {
    return (mac & kAddressMask) ^ network_mask(network_id);
}

InetAddress rfc4193_address(std::uint64_t network_id, std::uint64_t address) {
    std::uint8_t ip[16];
    ip[0] = 0xfd;
    store_be(ip + 1, network_id, 8);
    ip[9] = 0x99;
    ip[10] = 0x93;
    store_be(ip + 11, address & kAddressMask, kAddressLen);
    return InetAddress::v6(ip, 88);
}

InetAddress sixplane_address(std::uint64_t network_id, std::uint64_t address) {
    const std::uint64_t folded = (network_id ^ (network_id >> 32)) & 0xffffffffULL;
    std::uint8_t ip[16] = {};
    ip[0] = 0xfc;
    store_be(ip + 1, folded, 4);
    store_be(ip + 5, address & kAddressMask, kAddressLen);
    ip[15] = 0x01;
    return InetAddress::v6(ip, 40);
}

MulticastGroup address_resolution_group(const InetAddress& ip) {
    MulticastGroup g;
    if (ip.family == InetAddress::Family::kV4) {
        g.mac = kBroadcastMac;
        g.adi = static_cast<std::uint32_t>(load_be(ip.ip, 4));
    } else if (ip.family == InetAddress::Family::kV6) {
        // The solicited-node multicast MAC: 33:33:ff and the address's last three bytes.
        g.mac = 0x3333ff000000ULL | load_be(ip.ip + 13, 3);
    }
    return g;
}

std::uint64_t adhoc_network_id(std::uint16_t start_port, std::uint16_t end_port) {
    return (0xffULL << 56) | (static_cast<std::uint64_t>(start_port) << 40) |
           (static_cast<std::uint64_t>(end_port) << 24);
}

bool is_adhoc_network(std::uint64_t network_id) { return (network_id >> 56) == 0xff; }

std::string mac_text(std::uint64_t mac) {
    char buf[18];
    std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", static_cast<unsigned>((mac >> 40) & 0xff),
                  static_cast<unsigned>((mac >> 32) & 0xff), static_cast<unsigned>((mac >> 24) & 0xff),
                  static_cast<unsigned>((mac >> 16) & 0xff), static_cast<unsigned>((mac >> 8) & 0xff),
                  static_cast<unsigned>(mac & 0xff));
    return buf;
}

}  // namespace zt
