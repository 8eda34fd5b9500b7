// SPDX-License-Identifier: Apache-2.0
// Which destinations are IPv4 broadcasts, for SO_BROADCAST.
//
// Linux sends a datagram to a broadcast address only from a socket with SO_BROADCAST set (sendto,
// sendmsg and a UDP connect fail with EACCES otherwise), so that a program sends to every host of a
// network only when it says so. lwIP checks nothing by default (its IP_SOF_BROADCAST check would fail
// with EINVAL, a different answer).
#pragma once

#include "net/lwip.hpp"
#include "net/socket_table.hpp"

namespace zt::net {

// Whether `to`, for a socket of `family` (AF_INET; AF_INET6 with a v4-mapped `to`), is
// 255.255.255.255 or the broadcast address of the network of the interface lwIP routes it to. Takes
// the core lock, except for the addresses that cannot be one (a broadcast address has its host bits
// set: it is odd).
bool is_ipv4_broadcast(int family, const sockaddr* to);

enum class BroadcastUse { kSend, kConnect };

// What a socket that sends to `to`, or connects to it, is answered when `to` is a broadcast
// address: EACCES for a datagram socket without SO_BROADCAST; ENETUNREACH for a stream socket's
// connect (Linux's answer; lwIP would send a SYN to everyone and wait). 0 when it may go on. Raw
// sockets are let through: lwIP keeps no SO_BROADCAST for them to set.
int broadcast_refusal(SocketTable::Use& use, const sockaddr* to, BroadcastUse how);

}  // namespace zt::net
