// SPDX-License-Identifier: Apache-2.0
// Which servers lwIP's DNS client asks. Two sources: the application (zts_dns_set_server) and the
// networks' configs (ZeroTier's pushed DNS). The application wins: while any server it set is not
// the zero address, its servers are the resolver's and pushed ones are only remembered; once it has
// set every index back to the zero address, the pushed servers of the joined network with the lowest
// ID that pushes any are used (its first DNS_MAX_SERVERS). Every function needs lwIP's core lock
// (CoreLock), which also guards the state here.
#pragma once

#include <cstdint>
#include <vector>

#include "net/lwip.hpp"
#include "zt/inet_address.hpp"

namespace zt::net {

// The application's server for `index` (< DNS_MAX_SERVERS); the zero address unsets it.
void dns_set_application_server(unsigned index, const ip_addr_t& server);
// What a network's config pushes now (empty: nothing), or that the network is gone.
void dns_set_network_servers(std::uint64_t network_id, const std::vector<InetAddress>& servers);
void dns_forget_network(std::uint64_t network_id);
void dns_forget_all_networks();

}  // namespace zt::net
