// SPDX-License-Identifier: Apache-2.0
// The local address a connected UDP socket's datagrams leave from.
//
// Linux gives a UDP socket its source address when it connects, so getsockname() then names the
// address the peer sees (the usual way to learn one's own address on a network). lwIP's udp_connect
// takes a port and leaves the address unspecified; this picks it as lwIP's output will: the interface
// its routing chooses for the peer, and that interface's address (IPv4) or lwIP's source address
// choice for the destination (IPv6).
#pragma once

#include "net/lwip.hpp"

namespace zt::net {

// Replaces the unspecified address in *local (a UDP socket's name, as lwIP gave it) with the one its
// datagrams to peer leave from. False, *local untouched, when lwIP has no route to peer.
bool fill_in_datagram_source(const sockaddr_storage& peer, sockaddr_storage* local);

}  // namespace zt::net
