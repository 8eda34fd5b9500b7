// SPDX-License-Identifier: Apache-2.0
// A new connection to a listener, on the addresses and ports of a connection of ours in TIME_WAIT.
//
// A server that closes its connections first keeps each one in TIME_WAIT for 2*MSL (60 s). A client
// that churns connections to it comes back to the same local port once it has gone round its
// ephemeral ports (16,384 connections: 20 s at 800 a second), while that TIME_WAIT is still on. lwIP
// 2.1.3 answers such a SYN from TIME_WAIT with an ACK (tcp_timewait_input), which the client, still
// in SYN_SENT, answers with a reset, which TIME_WAIT ignores (RFC 1337): the connection only opens
// once the TIME_WAIT expires, after a minute of SYN retransmissions.
//
// RFC 1122 (4.2.2.13) lets a connection be reopened from TIME_WAIT by a SYN whose sequence number
// is beyond the old connection's (RFC 6191 adds timestamps, which our lwIP does not use); Linux and
// the BSDs do so. Here, before lwIP sees a TCP segment from a ZeroTier network: a SYN (without ACK)
// that matches a TIME_WAIT PCB exactly, comes to a port someone listens on, and starts beyond the old
// connection's received sequence space (the old connection's last byte cannot be taken for the new
// one's), ends that TIME_WAIT (tcp_abort: freed, nothing sent), and lwIP then treats the SYN like
// any other: the listener answers it. Any other segment meets lwIP's TIME_WAIT as before.
#pragma once

#include <cstddef>
#include <cstdint>

namespace zt::net {

// Core lock held; `packet` is an Ethernet payload of `ethertype` that lwIP is about to get.
void reopen_time_wait_for_syn(std::uint16_t ethertype, const std::uint8_t* packet, std::size_t len);

// TIME_WAIT connections ended so far to let a new connection in.
std::uint64_t time_wait_reopened();

}  // namespace zt::net
