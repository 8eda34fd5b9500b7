// SPDX-License-Identifier: Apache-2.0
// The hop options, with Linux's checks: IP_TTL, IP_MULTICAST_TTL and IP_MULTICAST_LOOP, and their IPv6
// names IPV6_UNICAST_HOPS, IPV6_MULTICAST_HOPS and IPV6_MULTICAST_LOOP, which lwIP 2.1.3 lacks.
//
// lwIP's PCBs keep one TTL, one multicast TTL and one multicast loop flag whatever their family, set
// through the IPv4 names (which it takes on IPv6 sockets too), and its IPv6 output uses them as hop
// limits. So on an IPv6 socket the IPv6 names stand for those. lwIP stores the values as bytes
// without a check: IP_TTL 256 became 0 and 300 became 44, and it reads the multicast two as one byte,
// so an int 256 turned looping off. Here each value is checked as Linux checks it: -1 sets the
// default (64 for unicast, as IP_DEFAULT_TTL; 1 for multicast, as net/datagram_defaults); IP_TTL
// 1..255 (the IPv6 hop limit 0..255 as well); the multicast TTL 0..255; IPV6_MULTICAST_LOOP 0 or 1,
// IP_MULTICAST_LOOP any value (not 0: on); an IPv4 option also as a single byte, as the BSDs pass
// the multicast two. What lwIP keeps only for UDP (the multicast options) is refused on other sockets
// with ENOPROTOOPT where Linux takes them (lwIP's getter would read another field of a TCP or raw
// PCB), and setting IP_MULTICAST_TTL on a TCP socket is EINVAL, as Linux. The limits of sharing one
// field: an IPv6 socket's IPv4 traffic (to v4-mapped addresses) goes with its hop limits, and an IPv4
// name set on an IPv6 socket sets its hop limit too (Linux keeps them apart, and refuses the IPv4
// names on an IPv6 raw socket).
#pragma once

#include "net/lwip.hpp"

namespace zt::net {

// The lwIP option (level IPPROTO_IP) one of ours stands for, and the value to give it.
struct LwipHopOption {
    int name = 0;
    bool one_byte = false;  // lwIP reads and writes the multicast two as a byte, IP_TTL as an int
    int value = 0;
    unsigned char byte = 0;
    const void* data() const { return one_byte ? static_cast<const void*>(&byte) : &value; }
    socklen_t size() const { return one_byte ? 1 : sizeof value; }
};

// For setsockopt: -1 if (level, name) is not a hop option on this socket; 0 with *out filled; else
// the errno to fail with (EINVAL for a value Linux refuses, ENOPROTOOPT).
int hop_setting(int family, int type, int level, int name, const void* value, socklen_t len, LwipHopOption* out);

// For getsockopt: the same, *out naming the option to read (its value fields unused).
int hop_reading(int family, int type, int level, int name, LwipHopOption* out);

// Whether an option of this level may be given, and answered, as a single byte when there is less
// room than an int: Linux's IPv4 ones (its IPv6 ones take an int, and answer its first bytes).
bool hop_value_may_be_a_byte(int level);

}  // namespace zt::net
