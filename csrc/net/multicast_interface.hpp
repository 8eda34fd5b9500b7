// SPDX-License-Identifier: Apache-2.0
// The interface multicast goes out on when the application names none.
//
// Linux sends such multicast on its default route's interface, and IPV6_JOIN_GROUP with interface 0
// joins there. lwIP has no such default unless one is set: an IPv4 multicast send failed with
// EHOSTUNREACH, an IPv6 link-scope one too (lwIP routes an address of link scope only by its zone),
// and a join on interface 0 found nothing. Ours is the oldest ZeroTier interface that is up (the
// first network joined); for IPv4, the oldest with an IPv4 address.
#pragma once

struct netif;

namespace zt::net {

// Picks the interface again, leaving out `leaving` (one about to go; nullptr for none), and sets
// lwIP's default for IPv4 multicast. Call with the core lock held, after an interface came up or its
// addresses changed, and before one goes.
void choose_multicast_interface(const struct netif* leaving);

// Its lwIP interface index, 0 when no ZeroTier interface is up. Any thread.
int multicast_interface();

// The interface IPv4 multicast leaves on by default (the oldest up with an IPv4 address), nullptr if
// none. The limited broadcast (255.255.255.255) leaves there too, as Linux sends both on its default
// route's interface (lwIP has no route for it). Core lock held.
struct netif* ipv4_multicast_netif();

}  // namespace zt::net
