// SPDX-License-Identifier: Apache-2.0
// ECONNREFUSED on a connected UDP socket whose peer has no socket on the port, as on Linux.
//
// A host that gets a datagram for a port nobody listens on answers with an ICMP port unreachable
// (lwIP does too). Linux hands that to the connected UDP socket the datagram came from: its next
// receive or send fails with ECONNREFUSED, once, poll reports POLLERR until then, and SO_ERROR reads
// it. It is how a program that "connects" a UDP socket (a DNS or NTP client, a game) learns that
// nothing answers there without waiting for a timeout. lwIP ignores such messages for UDP. Here a
// raw ICMP and a raw ICMPv6 PCB of our own see each one lwIP accepted (on any interface, loopback
// included, after reassembly; not those sent to a broadcast or multicast address, which Linux
// drops too) and let it go on to lwIP, after marking the matching socket with lwIP's error event,
// which lwIP raises only for TCP: poll and select report it and wake whoever waits, and the socket
// calls report and clear it. Unconnected sockets are left alone, as Linux leaves them (without
// IP_RECVERR).
#pragma once

namespace zt::net {

// Starts watching for port unreachables (once, when lwIP starts; core lock held).
void watch_port_unreachable_locked();

// Whether lwIP socket `lwip_fd` (UDP) was refused since it was last asked; clears the mark.
bool take_udp_refusal(int lwip_fd);

}  // namespace zt::net
