// SPDX-License-Identifier: Apache-2.0
// One lwIP network interface per joined network: the node's MAC on it, the MTU and the managed
// addresses from its config, IPv6 link-local as well. Frames cross between the node and lwIP here:
// inbound frames are fed in batches under the core lock (no hop to the tcpip thread); outbound frames
// leave through linkoutput, called by lwIP with the core lock held.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "net/ack_coalescer.hpp"
#include "net/ack_storm.hpp"
#include "net/frame_filter.hpp"
#include "zt/netconf.hpp"

struct netif;

namespace zt::net {

// Sends one Ethernet frame from lwIP onto the network: (network, src mac, dst mac, ethertype, payload).
using FrameSink = std::function<void(std::uint64_t, std::uint64_t, std::uint64_t, std::uint16_t, const std::uint8_t*,
                                     std::size_t)>;
// A multicast group lwIP joined or left (IGMP/MLD): (network, mac, join?).
using GroupSink = std::function<void(std::uint64_t, std::uint64_t, bool)>;

// Whether an lwIP interface is one of ours (a VirtualNetif), not lwIP's loopback.
bool is_virtual_netif(const struct netif* n);

class VirtualNetif {
  public:
    // Call with the core lock held.
    VirtualNetif(std::uint64_t network_id, std::uint64_t mac, FrameSink frames, GroupSink groups);
    ~VirtualNetif();  // removes the interface: core lock held
    VirtualNetif(const VirtualNetif&) = delete;
    VirtualNetif& operator=(const VirtualNetif&) = delete;

    // Applies the MTU and managed addresses of a config (core lock held). Returns the addresses
    // that were added (for events).
    void apply(const NetworkConfig& config);
    // An Ethernet frame for lwIP (core lock held).
    void input(std::uint64_t src_mac, std::uint64_t dst_mac, std::uint16_t ethertype, const std::uint8_t* data,
               std::size_t len);

    // Around a batch of input() calls (core lock held): pure ACKs lwIP sends meanwhile may be
    // merged (net/ack_coalescer.hpp); end_batch() sends what is held.
    void begin_batch() { acks_.begin_batch(); }
    void end_batch();

    // Re-announces the virtual IPv6 router before lwIP forgets it (core lock held).
    void refresh_router();

    std::uint64_t network_id() const { return network_id_; }
    std::uint64_t mac() const { return mac_; }
    int mtu() const;
    bool up() const;
    bool has_ipv4() const;
    bool has_ipv6() const;

  private:
    friend struct NetifCallbacks;
    std::uint64_t route_ipv6(const std::uint8_t* packet, std::size_t len) const;
    // The MAC of the member a 6PLANE or RFC 4193 address names on this network, or 0.
    std::uint64_t member_mac(const std::uint8_t* ip6) const;

    std::uint64_t network_id_;
    std::uint64_t mac_;
    NetworkFacts facts_;  // for the frame filter: the virtual router's address, members' MACs
    FrameSink frames_;
    GroupSink groups_;
    std::unique_ptr<struct netif> netif_;
    std::vector<ManagedIp> applied_;
    AckStormGuard ack_storm_;  // used under the core lock, as linkoutput is
    AckCoalescer acks_;        // likewise
    void send_held_acks();
    NetworkConfig network_config_;
};

}  // namespace zt::net
