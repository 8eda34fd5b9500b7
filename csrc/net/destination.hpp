// SPDX-License-Identifier: Apache-2.0
// The address a send or connect hands lwIP, for the destinations Linux reads otherwise than lwIP:
//
// - The unspecified address means this host (a BSD convention Linux keeps): 0.0.0.0 is the socket's
//   own IPv4 address, or 127.0.0.1 when it is bound to none; :: is ::1 (::ffff:127.0.0.1 from a
//   socket bound to an IPv4-mapped address), and ::ffff:0.0.0.0 is read as 0.0.0.0. A program that
//   connects to its own server's getsockname() (a server bound to "" or "::") does this. lwIP had no
//   route for 0.0.0.0 (EHOSTUNREACH) and sent its SYN for :: nowhere.
// - A datagram to an IPv6 multicast address of interface or link scope without a zone (scope ID 0),
//   from a socket not bound to an address, is given net/multicast_interface's. lwIP routes such an
//   address by its zone or by the socket's address (the send failed with EHOSTUNREACH), where Linux
//   sends it on its default interface. (A connect to one is left to lwIP: Linux refuses it without
//   IPV6_MULTICAST_IF, and no default stands in for that.)
#pragma once

#include "net/lwip.hpp"

namespace zt::net {

enum class DestinationUse { kConnect, kSend };

// `to` itself, or `scratch` holding the address lwIP is to be given instead.
const sockaddr* destination(int lwip_fd, const sockaddr* to, sockaddr_in6* scratch, DestinationUse use);

}  // namespace zt::net
