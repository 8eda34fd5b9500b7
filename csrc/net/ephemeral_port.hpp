// SPDX-License-Identifier: Apache-2.0
// Local ports for TCP sockets the application did not bind (and TCP binds to port 0), chosen here
// instead of by lwIP, so that connection churn keeps working.
//
// lwIP 2.1.3 picks an ephemeral port (tcp_new_port) by stepping through 49152-65534 and refusing every
// port that any PCB holds, TIME_WAIT included. The side that closes a connection first keeps a
// TIME_WAIT PCB for 2*MSL (lwipopts.h: TCP_MSL), so a process that opens and closes connections
// faster than 16,383 per 2*MSL runs out: connect then fails (ENOBUFS, or ETIMEDOUT after
// zts_connect's retries) until the oldest TIME_WAIT expires, and each failure costs a walk of every
// PCB for each of the 16,383 ports (0.6 s at that size, under the core lock: the whole stack stalls).
//
// Here a port is chosen with one walk of lwIP's PCB lists:
//  1. a port in the same range that no PCB holds and that was not given out in the last 2*MSL, going
//     round from where the last choice stopped (the start is random, as lwIP's with
//     LWIP_RANDOMIZE_INITIAL_LOCAL_PORTS);
//  2. when every port is held or was given out lately, the TIME_WAIT PCB that entered that state
//     longest ago is dropped and its port reused, as Linux and the BSDs reuse TIME_WAIT ports when
//     connections churn -- unless a free port was given out longer ago than that PCB's port: then
//     that free port. A port free again soon after it was given out may belong to a connection the
//     peer closed first; the peer then holds its four-tuple in TIME_WAIT and answers a new SYN that
//     starts below the old connection's data with ACKs, which make lwIP's connect give up
//     (ETIMEDOUT within half a second). One of our own TIME_WAITs has no such peer. Dropping it
//     is tcp_abort, which for a TIME_WAIT PCB frees it without sending anything: what lwIP itself
//     does to TIME_WAIT PCBs when it is short of memory (tcp_alloc, tcp_kill_state). Why it is
//     safe: TIME_WAIT exists so that old duplicates of a connection cannot be taken for segments of
//     a new one with the same addresses and ports (RFC 793, RFC 1337). The PCB dropped is the oldest,
//     so its segments had the longest to drain; and initial sequence numbers grow with time (RFC
//     6528's, a clock plus a hash of the addresses), so a new connection on the same addresses
//     normally starts above the old one's sequence space, the condition under which RFC 1122
//     (4.2.2.13) and RFC 6191 let a connection be reopened from TIME_WAIT.
//  3. when every port is held by a live connection or listener: EADDRNOTAVAIL, Linux's answer.
// Only TIME_WAIT PCBs are ever dropped; a connection in any other state keeps its port.
#pragma once

#include <cstdint>

namespace zt::net {

// Before lwIP TCP socket `lwip_fd` connects or listens: binds it to the wildcard address and a port
// chosen as above if its PCB has no local port yet (the application did not bind), as Linux binds
// such a socket. lwIP's connect would choose a port its own way, and its listen would listen on
// port 0 (getsockname said 0, and connections to port 0 reached it). 0 if it did or had nothing to
// do (another kind of socket, no PCB left), else an errno (EADDRNOTAVAIL). Takes the core lock.
int bind_ephemeral_if_unbound(int lwip_fd);

// A port for a TCP bind to port 0 (chosen as above, a TIME_WAIT PCB dropped if need be); 0 with
// errno EADDRNOTAVAIL when none can be had. Takes the core lock. The caller binds it; another thread
// may take it first, and the bind then fails with EADDRINUSE: choose again.
std::uint16_t choose_ephemeral_port();

// TIME_WAIT PCBs dropped so far to free a port (for the stack's statistics and tests).
std::uint64_t time_wait_recycled();
// TCP connections in TIME_WAIT now. Takes the core lock.
std::uint64_t time_wait_count();

}  // namespace zt::net
