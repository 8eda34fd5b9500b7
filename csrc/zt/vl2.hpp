// SPDX-License-Identifier: Apache-2.0
// Virtual networks (VL2) on top of VL1: the networks we joined, their configs and members'
// credentials, Ethernet frames in and out, and multicast. It sees VL1 only through Vl1Link, and VL1
// hands it its verbs through VerbSink. Its files, by concern:
//
//   vl2.cpp              the verbs it takes, peer lifetime, and its timers
//   vl2_membership.cpp   join/leave/restore, config requests and chunks, network-scoped errors
//   vl2_credentials.cpp  credentials pushed and accepted, and the rules that filter frames
//   vl2_frames.cpp       unicast frames out and in, NDP emulation
//   vl2_multicast.cpp    subscriptions, LIKE announcements, GATHER, MULTICAST_FRAME, waiting multicasts
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "zt/network.hpp"
#include "zt/network_controller.hpp"
#include "zt/rules.hpp"
#include "zt/vl1_link.hpp"

namespace zt {

class Vl2 final : public VerbSink, public LocalMember {
  public:
    // `controller` takes our requests for networks we control ourselves; `protocol_version` is what
    // config requests announce.
    Vl2(Vl1Link& link, NodeHost& host, NetworkController& controller, std::uint8_t protocol_version)
        : link_(link), host_(host), controller_(controller), protocol_version_(protocol_version) {}
    Vl2(const Vl2&) = delete;
    Vl2& operator=(const Vl2&) = delete;

    // ---- Node's public VL2 calls, forwarded with the time already set on VL1 ---------------------------
    // join, leave, network, network_ids, restore_network_config: vl2_membership.cpp
    bool join(std::uint64_t network_id);
    bool leave(std::uint64_t network_id);
    Network* network(std::uint64_t network_id);
    std::vector<std::uint64_t> network_ids() const;
    bool restore_network_config(std::uint64_t network_id, const std::string& dictionary);
    bool send_frame(std::uint64_t network_id, std::uint64_t src_mac, std::uint64_t dst_mac, std::uint16_t ethertype,
                    const std::uint8_t* data, std::size_t len);  // vl2_frames.cpp
    bool multicast_subscribe(std::uint64_t network_id, const MulticastGroup& g);    // vl2_multicast.cpp
    bool multicast_unsubscribe(std::uint64_t network_id, const MulticastGroup& g);  // vl2_multicast.cpp

    // ---- VerbSink (vl2.cpp) -----------------------------------------------------------------------------
    bool handles(Verb verb) const override;
    void on_packet(Peer& from, std::int64_t local_socket, const InetAddress& source, const Packet& p) override;
    bool on_ok(Verb in_re, Peer& from, const Packet& p) override;
    void on_network_error(Peer& from, const wire::Error& e) override;  // vl2_membership.cpp
    void background() override;
    bool keeps_peer(std::uint64_t address) const override;  // controllers of networks we joined
    void forget_peer(std::uint64_t address) override;

    // ---- LocalMember: configs from our own controller (vl2_membership.cpp) ------------------------------
    void apply_own_config(std::uint64_t network_id, NetworkConfig config, const std::string& dictionary) override;
    void own_config_refused(std::uint64_t network_id, ErrorCode code) override;
    void revoke_locally(std::uint64_t network_id, std::uint64_t member, std::uint64_t threshold) override;

  private:
    const Identity& self() const { return link_.identity(); }
    std::int64_t now() const { return link_.now(); }
    NodeStats& stats() { return link_.counters(); }
    static void append_mac(Packet& p, std::uint64_t mac);  // 6 bytes, big-endian

    // ---- membership (vl2_membership.cpp) ----------------------------------------------------------------
    void request_config(Network& net);
    void on_network_config(Peer& peer, const Packet& p);
    void on_ok_network_config(Peer& peer, const Packet& p);
    void accept_config_chunk(Network& net, Peer& from, const std::uint8_t* chunk, std::size_t len,
                             std::uint64_t packet_id, bool pushed, std::uint64_t in_re_packet);
    void emit_network(NodeEvent::Type type, std::uint64_t network_id);

    // ---- credentials and rules (vl2_credentials.cpp) ----------------------------------------------------
    void push_credentials(Network& net, Peer& peer, bool force);
    void on_network_credentials(Peer& peer, const Packet& p);
    bool filter(const Network& net, FrameInfo& frame) const;

    // ---- frames (vl2_frames.cpp) ------------------------------------------------------------------------
    void on_frame(Peer& peer, const Packet& p, bool ext);
    void deliver_frame(Network& net, Peer& peer, std::uint64_t src_mac, std::uint64_t dst_mac, std::uint16_t ethertype,
                       const std::uint8_t* data, std::size_t len);
    bool emulate_ndp(Network& net, std::uint64_t src_mac, std::uint16_t ethertype, const std::uint8_t* data,
                     std::size_t len);

    // ---- multicast (vl2_multicast.cpp) ------------------------------------------------------------------
    void announce_groups(Network& net, bool force);
    void on_multicast_like(Peer& peer, const Packet& p);
    void gather(Network& net, const MulticastGroup& g, bool force);
    void on_multicast_gather(Peer& peer, const Packet& p);
    void on_ok_multicast_gather(Peer& peer, const Packet& p);
    void on_multicast_frame(Peer& peer, const Packet& p);
    void send_multicast(Network& net, const MulticastGroup& g, std::uint64_t src_mac, std::uint16_t ethertype,
                        const std::uint8_t* data, std::size_t len);
    void send_multicast_to(Network& net, std::uint64_t to, const MulticastGroup& g, std::uint64_t src_mac,
                           std::uint16_t ethertype, const std::uint8_t* data, std::size_t len);
    void member_learned(std::uint64_t network_id, const MulticastGroup& g, std::uint64_t member);

    Vl1Link& link_;
    NodeHost& host_;
    NetworkController& controller_;
    const std::uint8_t protocol_version_;

    std::map<std::uint64_t, std::unique_ptr<Network>> networks_;
    MulticastSubscribers subscribers_;
    struct PendingMulticast {  // a multicast waiting for gather results to reach more members
        std::uint64_t network_id;
        MulticastGroup group;
        std::uint64_t src_mac;
        std::uint16_t ethertype;
        std::vector<std::uint8_t> data;
        std::int64_t created;
        std::vector<std::uint64_t> sent_to;
        std::size_t limit;
    };
    std::deque<PendingMulticast> pending_multicasts_;
    std::map<std::pair<std::uint64_t, MulticastGroup>, std::int64_t> last_gather_;
};

}  // namespace zt
