// SPDX-License-Identifier: Apache-2.0
// The node core: a clock-driven state machine with no I/O of its own. The host feeds it datagrams
// (process_datagram) and time (process_background), and it calls back to send datagrams and report
// events. Every method must be called with the host's node lock held; callbacks run under that lock
// and must not call back into the node.
//
// Node is the facade the host and the C API see. Inside, three layers:
//
//   Vl1                peers, paths, intake, sending, WHOIS, moons        (vl1.hpp)
//   Vl2                networks, credentials, frames, multicast           (vl2.hpp)
//   NetworkController  config requests in, signed configs/revocations out (network_controller.hpp)
//
// Vl2 and NetworkController see VL1 only through Vl1Link, and VL1 hands them their authenticated
// verbs through VerbSink (vl1_link.hpp).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "zt/network.hpp"
#include "zt/network_controller.hpp"
#include "zt/node_host.hpp"
#include "zt/vl1.hpp"
#include "zt/vl2.hpp"

namespace zt {

class Node {
  public:
    Node(const Identity& self, World planet, NodeConfig config, NodeHost& host, std::int64_t now);
    Node(const Node&) = delete;
    Node& operator=(const Node&) = delete;

    void process_datagram(std::int64_t now, std::int64_t local_socket, const InetAddress& from,
                          const std::uint8_t* data, std::size_t len) {
        vl1_.process_datagram(now, local_socket, from, data, len);
    }
    // Runs due timers; returns the time by which it wants to run again.
    std::int64_t process_background(std::int64_t now) { return vl1_.process_background(now); }
    // Earliest time some call since the last process_background wants timers to run (INT64_MAX:
    // none). Lets the host wake its timer thread only when an API call really needs it.
    std::int64_t wanted_background() const { return vl1_.wanted_background(); }

    const Identity& identity() const { return vl1_.identity(); }
    bool online() const { return vl1_.online(); }
    const NodeStats& stats() const { return vl1_.stats(); }
    // A datagram the socket layer had to cut short: counted here so every arrival is accounted for.
    void note_oversized_datagram() { vl1_.note_oversized_datagram(); }
    Topology& topology() { return vl1_.topology(); }
    // Bytes held for all peers (an estimate: see Peer::memory_estimate); stats divide by the count.
    std::size_t peer_memory_estimate() const { return vl1_.peer_memory_estimate(); }
    std::int64_t now() const { return vl1_.now(); }

    // The peer cache (peers.d/): what we know of a peer to reach it again after a restart: its
    // identity and the paths it was last heard on. restore_peer() takes such a record back.
    std::vector<std::uint8_t> peer_cache_record(std::uint64_t address) { return vl1_.peer_cache_record(address); }
    bool restore_peer(const std::uint8_t* data, std::size_t len) { return vl1_.restore_peer(data, len); }

    // Application sends. False if the destination is unusable (ourselves, reserved) or the packet
    // would not fit; the packet may still be queued while a WHOIS runs.
    bool send_user_message(std::int64_t now, std::uint64_t dest, std::uint64_t type, const std::uint8_t* data,
                           std::size_t len) {
        return vl1_.send_user_message(now, dest, type, data, len);
    }
    bool send_echo(std::int64_t now, std::uint64_t dest, const std::uint8_t* data, std::size_t len) {
        return vl1_.send_echo(now, dest, data, len);
    }

    // ---- moons (Vl1) -----------------------------------------------------------------------------------
    // Orbit moon `id`: until we hold it, HELLOs name it as wanted and go to `seed` (one of its roots,
    // found by WHOIS through our roots), whose OK(HELLO) brings the moon; it must list `seed` among
    // its roots. From then on its roots are ours too (HELLO, WHOIS, relaying). Orbiting a moon
    // already held changes nothing.
    void orbit(std::int64_t now, std::uint64_t id, std::uint64_t seed) { vl1_.orbit(now, id, seed); }
    // Stop orbiting: the moon (held or wanted) is forgotten; true if it was held.
    bool deorbit(std::int64_t now, std::uint64_t id) { return vl1_.deorbit(now, id); }
    // A moon saved earlier (moons.d/): it must parse as exactly one moon signed by its own key.
    bool restore_moon(const std::uint8_t* data, std::size_t len) { return vl1_.restore_moon(data, len); }

    // ---- our own physical addresses (Vl1) --------------------------------------------------------------
    // Where peers can reach us: the host's bound interface addresses (with their ports) and the
    // external addresses a router maps for us. Pushed to peers with PUSH_DIRECT_PATHS, together
    // with the addresses peers report seeing us at (OK(HELLO)'s external field).
    void set_local_addresses(std::vector<InetAddress> addresses) { vl1_.set_local_addresses(std::move(addresses)); }
    const std::vector<InetAddress>& local_addresses() const { return vl1_.local_addresses(); }
    std::vector<InetAddress> surface_addresses() const { return vl1_.surface_addresses(); }

    // ---- virtual networks (Vl2) ------------------------------------------------------------------------
    bool join(std::int64_t now, std::uint64_t network_id) {
        vl1_.set_now(now);
        return vl2_.join(network_id);
    }
    bool leave(std::int64_t now, std::uint64_t network_id) {
        vl1_.set_now(now);
        return vl2_.leave(network_id);
    }
    Network* network(std::uint64_t network_id) { return vl2_.network(network_id); }
    std::vector<std::uint64_t> network_ids() const { return vl2_.network_ids(); }
    // A config saved earlier (networks.d/): used until the controller answers.
    bool restore_network_config(std::uint64_t network_id, const std::string& dictionary) {
        return vl2_.restore_network_config(network_id, dictionary);
    }
    // An Ethernet frame from the local stack onto the network. False: dropped (and why counted).
    bool send_frame(std::int64_t now, std::uint64_t network_id, std::uint64_t src_mac, std::uint64_t dst_mac,
                    std::uint16_t ethertype, const std::uint8_t* data, std::size_t len) {
        vl1_.set_now(now);
        return vl2_.send_frame(network_id, src_mac, dst_mac, ethertype, data, len);
    }
    bool multicast_subscribe(std::int64_t now, std::uint64_t network_id, const MulticastGroup& g) {
        vl1_.set_now(now);
        return vl2_.multicast_subscribe(network_id, g);
    }
    bool multicast_unsubscribe(std::uint64_t network_id, const MulticastGroup& g) {
        return vl2_.multicast_unsubscribe(network_id, g);
    }

    // ---- network controller (NetworkController) --------------------------------------------------------
    void set_controller(bool enabled) { controller_.set_enabled(enabled); }
    // Answers pending request `request_id` (from ConfigRequest) with the config `spec` describes.
    bool controller_respond(std::int64_t now, std::uint64_t request_id, const NetconfSpec& spec, const char** why) {
        vl1_.set_now(now);
        return controller_.respond(request_id, spec, why);
    }
    bool controller_respond_error(std::int64_t now, std::uint64_t request_id, ErrorCode code) {
        vl1_.set_now(now);
        return controller_.respond_error(request_id, code);
    }
    // Sends a member a new config unasked (it must have asked once, so we know its identity).
    bool controller_push(std::int64_t now, const NetconfSpec& spec, const char** why) {
        vl1_.set_now(now);
        return controller_.push(spec, why);
    }
    // Revokes `member`'s certificate of membership, telling the members in `notify`.
    bool controller_revoke(std::int64_t now, std::uint64_t network_id, std::uint64_t member,
                           const std::vector<std::uint64_t>& notify) {
        vl1_.set_now(now);
        return controller_.revoke(network_id, member, notify);
    }

  private:
    // In this order: the controller and VL2 hold references to VL1, and VL2 one to the controller.
    Vl1 vl1_;
    NetworkController controller_;
    Vl2 vl2_;
};

}  // namespace zt
