// SPDX-License-Identifier: Apache-2.0
// Frames from the network that must not reach lwIP.
//
// lwIP 2.1.3's input functions read their protocol's fixed header before checking that the packet
// holds it: etharp_input the 28-byte ARP packet, ip4_input the total length field, ip6_input the
// version word. A packet shorter than that (any member can send one) makes lwIP read past the end of
// its buffer, before dropping it anyway. Such packets are dropped here instead. Found by
// tests/fuzz/fuzz_frames.cpp, once lwIP was compiled with AddressSanitizer along with the rest.
#pragma once

#include <cstddef>
#include <cstdint>

namespace zt::net {

// True if lwIP may have the packet (an Ethernet payload of this ethertype).
bool lwip_may_see(std::uint16_t ethertype, const std::uint8_t* packet, std::size_t len);

}  // namespace zt::net
