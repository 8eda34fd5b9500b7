// SPDX-License-Identifier: Apache-2.0
// From core types to the C API's structs (lwIP-style BSD sockaddrs, libzt's info structs).
#pragma once

#include "ZeroTierSockets.h"
#include "zt/inet_address.hpp"
#include "zt/network.hpp"
#include "zt/peer.hpp"
#include "zt/topology.hpp"

namespace zt::api {

void to_zts_sockaddr(const InetAddress& a, zts_sockaddr_storage* out);
void fill_peer_info(Peer& peer, const Topology& topology, std::int64_t now, zts_peer_info_t* out);
// An address with its prefix length in the port field, as libzt reports managed addresses.
void to_zts_sockaddr_with_bits(const InetAddress& a, unsigned bits, zts_sockaddr_storage* out);
void fill_net_info(const Network& net, std::uint64_t my_address, zts_net_info_t* out);

}  // namespace zt::api
