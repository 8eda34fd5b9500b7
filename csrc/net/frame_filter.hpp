// SPDX-License-Identifier: Apache-2.0
// Frames from the network that must not reach lwIP.
//
// lwIP 2.1.3's input functions read their protocol's fixed header before checking that the packet
// holds it: etharp_input the 28-byte ARP packet, ip4_input the total length field, ip6_input the
// version word. A packet shorter than that (any member can send one) makes lwIP read past the end of
// its buffer, before dropping it anyway. Such packets are dropped here instead. Found by
// tests/fuzz/fuzz_frames.cpp, once lwIP was compiled with AddressSanitizer along with the rest.
//
// And IPv6 messages any member could use against the node (found by review, never by a user): a
// router advertisement or redirect (the interface's only router is the virtual one inside it,
// net/ipv6_router.hpp, whose advertisements never cross the network; lwIP would take any member's
// as a default router, its prefixes for addresses of its own, autoconfiguration being on, and its
// redirects for routes), and a Packet Too Big below IPv6's minimum MTU (1280; lwIP takes any value,
// and one of 48 to 55 makes its fragmentation loop forever on the next large send: RFC 8201 says
// to discard such a message). These are found by walking the extension headers as lwIP does. lwIP
// walks the rest of a fragmented packet only after reassembling it, and takes its upper layer
// from whichever fragment arrived first, so no fragment can be checked that way: only fragments
// of TCP and UDP pass (a large ICMPv6 echo, the one legitimate fragmented ICMPv6, is dropped).
//
// Neighbor discovery that would let a member take over an address lwIP sends to: any packet whose
// source is the virtual router (it exists only inside the interface), and any neighbor
// advertisement naming it as its target (lwIP would send all off-link IPv6 to the link-layer
// address it carries); every unsolicited advertisement (sent to a multicast address: lwIP takes one
// naming an address of ours as proof that another host has it, and stops using it for good,
// whatever its state, and one naming a neighbor as that neighbor's new link-layer address; neither
// happens among honest members, whose addresses the controller makes unique and whose link-layer
// addresses their ZeroTier addresses fix); and a solicitation or advertisement that gives a
// link-layer address for a 6PLANE or RFC 4193 address (which names its member) other than that
// member's (lwIP would send one member's traffic to another). Addresses that name no member
// (IPv4's, through ARP, and other IPv6 ones) are as open to a member's claim as on any Ethernet.
// And a solicitation or advertisement whose link-layer option claims a length of 0 (RFC 4861 says
// to discard it): lwIP reads a 6-byte address from it all the same, past the end of the packet.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>

namespace zt::net {

// What the filter knows of the network a frame comes from.
struct NetworkFacts {
    std::uint8_t virtual_router[16] = {};  // its address (net/ipv6_router.hpp: router_link_local)
    // The MAC of the member an IPv6 address names on this network (6PLANE, RFC 4193), or 0.
    std::function<std::uint64_t(const std::uint8_t* ip6)> owner_mac;
};

// True if lwIP may have the packet (an Ethernet payload of this ethertype) from that network.
bool lwip_may_see(std::uint16_t ethertype, const std::uint8_t* packet, std::size_t len, const NetworkFacts& network);

}  // namespace zt::net
