// SPDX-License-Identifier: Apache-2.0
// Frames from the network that must not reach lwIP.
//
// UDP-Lite: Debian's lwIP is built with it (LWIP_UDPLITE) and with assertions that abort the
// process, and its UDP-Lite input trips one (inet_chksum.c, "delete me") on a checksum coverage
// longer than the packet: one datagram from any member would end us. libzt's lwIP has no UDP-Lite,
// nor does our API offer it, so every IPv4 or IPv6 packet whose upper layer is UDP-Lite is dropped
// here. Found by tests/fuzz/fuzz_frames.cpp.
#pragma once

#include <cstddef>
#include <cstdint>

namespace zt::net {

// True if lwIP may have the packet (an Ethernet payload of this ethertype).
bool lwip_may_see(std::uint16_t ethertype, const std::uint8_t* packet, std::size_t len);

}  // namespace zt::net
