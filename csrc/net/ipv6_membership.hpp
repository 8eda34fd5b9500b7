// SPDX-License-Identifier: Apache-2.0
// The interface of an IPV6_JOIN_GROUP / IPV6_LEAVE_GROUP request, checked before lwIP sees it.
//
// lwIP asserts that the index fits in 8 bits (an assertion aborts the process: a program asking for
// interface 300 would be killed) and knows no index 0, which is how most programs ask for the usual
// interface. Linux answers ENODEV for an index no interface has and picks one for 0.
#pragma once

#include "net/lwip.hpp"

namespace zt::net {

// 0 with mreq's interface index set to one lwIP has (0 becomes net/multicast_interface's choice),
// or ENODEV.
int resolve_ipv6_membership_interface(ipv6_mreq* mreq);

}  // namespace zt::net
