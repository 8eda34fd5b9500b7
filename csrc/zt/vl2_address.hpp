// SPDX-License-Identifier: Apache-2.0
// Identifiers of virtual networks: a member's MAC, multicast groups, and the IPv6 addresses
// ZeroTier computes from network ID and node address (RFC4193 /88 and 6PLANE /40).
#pragma once

#include <cstdint>
#include <string>

#include "zt/inet_address.hpp"

namespace zt {

inline constexpr std::uint64_t kBroadcastMac = 0xffffffffffffULL;

std::uint8_t mac_first_octet(std::uint64_t network_id);
std::uint64_t mac_from_address(std::uint64_t address, std::uint64_t network_id);
std::uint64_t address_from_mac(std::uint64_t mac, std::uint64_t network_id);
inline bool mac_is_multicast(std::uint64_t mac) { return ((mac >> 40) & 0x01) != 0; }
// "aa:bb:cc:dd:ee:ff" (lower-case hex, 17 characters): how the C API, JSON and the inspector write a MAC.
std::string mac_text(std::uint64_t mac);

InetAddress rfc4193_address(std::uint64_t network_id, std::uint64_t address);  // port field = 88
InetAddress sixplane_address(std::uint64_t network_id, std::uint64_t address);  // port field = 40

// A multicast group: Ethernet MAC plus ADI (additional distinguishing information).
struct MulticastGroup {
    std::uint64_t mac = 0;
    std::uint32_t adi = 0;
    bool operator==(const MulticastGroup& o) const { return mac == o.mac && adi == o.adi; }
    bool operator<(const MulticastGroup& o) const { return mac < o.mac || (mac == o.mac && adi < o.adi); }
};
// The group a node joins so address resolution for `ip` reaches it: (broadcast, IPv4 as ADI) for
// ARP, the solicited-node multicast MAC for IPv6 NDP.
MulticastGroup address_resolution_group(const InetAddress& ip);

// Ad-hoc networks have no controller: members synthesize their config from the ID (netconf.hpp
// adhoc_network_config). "ffSSSSEEEE000000" admits IPv6 TCP/UDP to ports SSSS..EEEE; the other
// form, "ffAAhhhhhhhhhh01", gives IPv4 AA.x.y.z/8. Any ID with top byte 0xff is ad-hoc.
std::uint64_t adhoc_network_id(std::uint16_t start_port, std::uint16_t end_port);
bool is_adhoc_network(std::uint64_t network_id);

}  // namespace zt
