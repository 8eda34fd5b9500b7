// SPDX-License-Identifier: Apache-2.0
// The seam between VL1 (peers, paths, armoring, WHOIS) and what runs on top of it (virtual networks
// and the controller side), in both directions:
//
//   Vl1Link   downward: what VL2 and the controller may ask of VL1 (who we are, the time, peers by
//             address, the roots, sending and answering packets, events and counters);
//   VerbSink  upward: what VL1 hands to them once a packet is authenticated (their verbs, the OKs
//             and ERRORs that answer them), plus the timer tick and peer lifetime questions.
//
// Everything runs under the host's node lock (node.hpp), on the caller's thread: no locks here. A
// Peer& or Peer* is only good until the call that produced it returns (peers may be forgotten at
// the next housekeeping).
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "zt/node_host.hpp"
#include "zt/packet.hpp"
#include "zt/peer.hpp"
#include "zt/wire.hpp"
#include "zt/world.hpp"

namespace zt {

class Vl1Link {
  public:
    virtual ~Vl1Link() = default;

    virtual const Identity& identity() const = 0;  // ours, with the private key
    virtual std::int64_t now() const = 0;          // the time of the call being handled
    virtual Peer* peer(std::uint64_t address) = 0;  // a known peer, or nullptr (never creates one)
    virtual bool am_root() const = 0;
    virtual const std::vector<World::Root>& roots() const = 0;  // the planet's and every moon's
    virtual Peer* best_root() = 0;  // the root to go through now, or nullptr
    virtual void for_each_peer(const std::function<void(Peer&)>& fn) = 0;

    // Armors and sends `p` to its destination: direct, relayed through a root, or queued while a
    // WHOIS for the destination runs.
    virtual void send(Packet& p, bool encrypt) = 0;
    // Answers the packet being handled: like send(), but back the way the request came when `to`
    // has no confirmed path yet.
    virtual void reply(Peer& to, Packet& p) = 0;
    virtual void request_whois(std::uint64_t address) = 0;
    // The host's timer should run by `t` (a VL2 retry was scheduled).
    virtual void want_background_at(std::int64_t t) = 0;
    virtual void emit(NodeEvent e) = 0;
    virtual NodeStats& counters() = 0;  // the node's one counter block
};

class VerbSink {
  public:
    virtual ~VerbSink() = default;

    // True for the verbs this sink takes; VL1 hands each of them here once authenticated.
    virtual bool handles(Verb verb) const = 0;
    virtual void on_packet(Peer& from, std::int64_t local_socket, const InetAddress& source, const Packet& p) = 0;
    // An OK answering a packet of ours whose verb was `in_re`; false if it is none of this sink's.
    virtual bool on_ok(Verb in_re, Peer& from, const Packet& p) = 0;
    // An ERROR that names a network (network_id != 0).
    virtual void on_network_error(Peer& from, const wire::Error& e) = 0;
    // The housekeeping tick (once a second, with VL1's own).
    virtual void background() = 0;
    // Peer lifetime: a peer this sink needs even when quiet; a peer VL1 has just forgotten.
    virtual bool keeps_peer(std::uint64_t address) const = 0;
    virtual void forget_peer(std::uint64_t address) = 0;
};

}  // namespace zt
