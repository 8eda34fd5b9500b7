// SPDX-License-Identifier: Apache-2.0
// Busy polling: a blocked socket call watches its socket for a short while before it sleeps.
//
// Why: on a small exchange (request, answer) the answer's time is mostly thread wake-ups. A reply
// reaches the application through two of them on each side (the core thread on the UDP datagram,
// then the application's thread on lwIP's event), and on virtual machines a wake-up costs tens of
// microseconds: bench/rtt.py measured 116-133 us per 32-byte round trip sleeping, 39-50 us watching.
// Linux offers the same trade for its own sockets (SO_BUSY_POLL, net.core.busy_read).
//
// Only where an answer is due soon: a wait to receive on a socket that has sent since its last
// such wait (a request is out), and while its waits end quickly (the previous one within
// kWorthWatchingUs). A bulk receiver never sends and a sender waiting for room is not watched:
// there the CPU a watch takes is CPU the core thread needs (watching every short wait cost bulk TCP
// a quarter of its throughput on two CPUs). LIBZT_BUSY_POLL_US sets the watch (0 turns it off).
#pragma once

#include <cstdint>

namespace zt::net {

// How long a wait watches its socket before sleeping, in microseconds (LIBZT_BUSY_POLL_US, else
// kDefaultBusyPollUs).
int busy_poll_us();
constexpr int kDefaultBusyPollUs = 200;
// A socket whose last wait took longer than this sleeps at once next time.
constexpr std::int64_t kWorthWatchingUs = 2000;

// Watches lwIP socket lwip_fd for up to `us` microseconds: true once it looks ready for `events`
// (host poll bits: data, a connection to accept, room to send, an error). A hint without lwIP's
// lock: the caller confirms with lwip_poll and its operation.
bool watch(int lwip_fd, short events, int us);

}  // namespace zt::net
