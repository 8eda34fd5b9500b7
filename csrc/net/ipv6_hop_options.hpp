// SPDX-License-Identifier: Apache-2.0
// IPV6_UNICAST_HOPS, IPV6_MULTICAST_HOPS and IPV6_MULTICAST_LOOP, which lwIP 2.1.3 lacks (a program
// setting them got ENOPROTOOPT, and an IPv6 socket's hop limits could not be changed at all).
//
// lwIP's PCBs keep one TTL, one multicast TTL and one multicast loop flag whatever their family, set
// through IP_TTL, IP_MULTICAST_TTL and IP_MULTICAST_LOOP (which it takes on IPv6 sockets too), and
// its IPv6 output uses them as hop limits. So on an IPv6 socket these options stand for those, with
// Linux's checks and meanings: -1 sets the default (64 for unicast, as IP_DEFAULT_TTL; 1 for
// multicast, as net/datagram_defaults), other values 0..255; the loop 0 or 1. What lwIP keeps only
// for UDP (the multicast two) is refused on other sockets with ENOPROTOOPT, where Linux takes them
// (lwIP's getter would read another field of a TCP or raw PCB). One limit of the emulation: an
// IPv6 socket's IPv4 traffic (to v4-mapped addresses) goes with the same values.
#pragma once

#include "net/lwip.hpp"

namespace zt::net {

// The lwIP option (level IPPROTO_IP) one of ours stands for, and the value to give it.
struct LwipHopOption {
    int name = 0;
    bool one_byte = false;  // lwIP reads the multicast two as a byte, IP_TTL as an int
    int value = 0;
    unsigned char byte = 0;
    const void* data() const { return one_byte ? static_cast<const void*>(&byte) : &value; }
    socklen_t size() const { return one_byte ? 1 : sizeof value; }
};

// For setsockopt: -1 if (level, name) is not ours on this socket; 0 with *out filled; else the errno
// to fail with (EINVAL for a value Linux refuses, ENOPROTOOPT).
int ipv6_hop_setting(int family, int type, int level, int name, const void* value, socklen_t len, LwipHopOption* out);

// For getsockopt: the same, *out naming the option to read (its value fields unused).
int ipv6_hop_reading(int family, int type, int level, int name, LwipHopOption* out);

}  // namespace zt::net
