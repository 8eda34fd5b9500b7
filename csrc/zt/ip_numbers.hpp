// SPDX-License-Identifier: Apache-2.0
// Numbers of the Ethernet and IP headers that ZeroTier frames carry, named once for the code that
// reads frames as bytes: the rules engine and VL2 (which know no lwIP), the frame filter (tested
// without lwIP) and the interface's frame paths. Code that reads lwIP's own structures uses lwIP's
// names for the same numbers; net/lwip_options_check.hpp checks that they agree.
#pragma once

#include <cstddef>
#include <cstdint>

namespace zt {

// Ethertypes (IEEE 802 numbers).
inline constexpr std::uint16_t kEthertypeIpv4 = 0x0800;
inline constexpr std::uint16_t kEthertypeArp = 0x0806;
inline constexpr std::uint16_t kEthertypeIpv6 = 0x86dd;

// IP protocol / IPv6 next-header numbers (IANA).
inline constexpr std::uint8_t kIpProtoIcmp = 1;
inline constexpr std::uint8_t kIpProtoTcp = 6;
inline constexpr std::uint8_t kIpProtoUdp = 17;
inline constexpr std::uint8_t kIpProtoIcmpv6 = 58;

inline constexpr std::size_t kIpv4HeaderMin = 20;  // without options
inline constexpr std::size_t kIpv6HeaderLen = 40;  // fixed header, before any extension header

// ICMPv6 types of neighbor discovery (RFC 4861).
inline constexpr std::uint8_t kIcmpv6RouterSolicitation = 133;
inline constexpr std::uint8_t kIcmpv6RouterAdvertisement = 134;
inline constexpr std::uint8_t kIcmpv6NeighborSolicitation = 135;
inline constexpr std::uint8_t kIcmpv6NeighborAdvertisement = 136;
inline constexpr std::uint8_t kIcmpv6Redirect = 137;

}  // namespace zt
