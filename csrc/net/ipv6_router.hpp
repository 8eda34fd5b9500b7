// SPDX-License-Identifier: Apache-2.0
// A virtual IPv6 router inside each network interface. lwIP treats only its own /64 as on-link, but
// a 6PLANE network is a /40 of per-member /80s: without help lwIP has no route to other members.
// So the interface hears a router advertisement from a router that exists only here; lwIP sends
// off-link IPv6 to it, and linkoutput turns each such frame into one for the member the destination
// address names (6PLANE and RFC4193 addresses embed the member's ZeroTier address).
#pragma once

#include <cstdint>

#include "zt/netconf.hpp"

struct netif;

namespace zt::net {

// A locally administered MAC that no member of this network can have (its first octet differs from
// the network's ZeroTier MAC prefix).
std::uint64_t virtual_router_mac(std::uint64_t network_id);

// Its address: fe80::/64 with the router MAC's modified EUI-64 as the interface identifier.
void router_link_local(std::uint64_t network_id, std::uint8_t out[16]);

// Feeds a router advertisement into the interface (core lock held): default router, MTU.
void announce_virtual_router(struct netif* n, std::uint64_t network_id, unsigned mtu);

// lwIP checking that the router (`router`: its address, router_link_local) is still there (a
// neighbor solicitation for it): answered inside, nothing goes on the network. True if `packet`
// (IPv6) was such a solicitation.
bool answer_router_solicitation(struct netif* n, std::uint64_t network_id, const std::uint8_t router[16],
                                std::uint64_t our_mac, const std::uint8_t* packet, std::size_t len);

// The member a 6PLANE or RFC4193 destination address names, if the network uses that scheme (it
// assigned us such an address); 0 otherwise.
std::uint64_t member_of_ipv6(const NetworkConfig& config, const std::uint8_t dest[16]);

}  // namespace zt::net
