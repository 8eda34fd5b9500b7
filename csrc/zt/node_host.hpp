// SPDX-License-Identifier: Apache-2.0
// What the node core and its host exchange: the events it reports, the config requests it hands to
// a controller application, the host interface it calls back through, and its counters. Shared by
// every layer of the core (VL1, VL2, the controller side), which is why it lives apart from node.hpp.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "zt/identity.hpp"
#include "zt/inet_address.hpp"

namespace zt {

struct NodeEvent {
    enum class Type {
        kOnline,
        kOffline,
        kPeerDirect,       // a peer gained a direct path (or we first heard it directly)
        kPeerRelay,        // we talk to a peer only through a relay
        kPeerUnreachable,  // a peer lost every path
        kPathDiscovered,   // a new physical path to a peer (address set)
        kPathDead,         // a path expired (address set)
        kUserMessage,      // USER_MESSAGE received (message_type, data)
        kEchoReply,        // OK(ECHO) to our ping (rtt_ms, data)
        kPlanetUpdated,    // a newer planet was accepted (the host should persist it)
        kMoonUpdated,      // a moon was added or updated (moon, data: the world to persist)
        kMoonRemoved,      // a moon we held was dropped by deorbit (moon)
        kIdentityCollision,  // a root says another node owns our address: fatal
        // Networks (network set). kNetworkConfig carries the config dictionary to persist in data.
        kNetworkRequestingConfig,
        kNetworkConfig,        // a new or changed config was applied (first time: also kNetworkOk)
        kNetworkOk,
        kNetworkAccessDenied,
        kNetworkNotFound,
        kNetworkClientTooOld,
        kNetworkLeft,
    };
    explicit NodeEvent(Type t) : type(t) {}

    Type type;
    std::uint64_t peer = 0;
    InetAddress address;
    std::uint64_t message_type = 0;
    std::vector<std::uint8_t> data;
    int rtt_ms = -1;
    std::uint64_t network = 0;
    std::uint64_t moon = 0;  // a moon's world ID
};

// A network config request handed to the controller application (when this node controls the
// network: its address is the network ID's top 40 bits).
struct ConfigRequest {
    std::uint64_t request_id = 0;
    std::uint64_t network_id = 0;
    Identity member;  // public
    InetAddress from;  // nil when relayed
    std::string metadata;  // the request's metadata Dictionary bytes
    std::uint64_t have_revision = 0;
    std::uint64_t have_timestamp = 0;
};

class NodeHost {
  public:
    virtual ~NodeHost() = default;
    // Send one UDP datagram from our socket `local_socket` (-1: any suitable one). ttl 0 = default.
    virtual void send_datagram(std::int64_t local_socket, const InetAddress& to, const std::uint8_t* data,
                               std::size_t len, unsigned ttl) = 0;
    virtual void on_event(const NodeEvent& event) = 0;
    // A frame from the virtual network for the local stack (VL2).
    virtual void on_frame(std::uint64_t network_id, std::uint64_t src_mac, std::uint64_t dst_mac, std::uint16_t ethertype,
                          const std::uint8_t* data, std::size_t len) {}
    // A config request for a network we control (only called once set_controller(true)).
    virtual void on_config_request(const ConfigRequest& request) {}
};

// Why datagrams were dropped; exposed through zts_stats_get_all and ztx_node_stats.
struct NodeStats {
    std::uint64_t rx_datagrams = 0;
    std::uint64_t rx_packets = 0;  // whole packets after reassembly
    std::uint64_t tx_datagrams = 0;
    std::uint64_t tx_packets = 0;
    std::uint64_t relayed = 0;
    std::uint64_t junk = 0;  // datagrams too short to be ZeroTier (NAT-opening junk after RENDEZVOUS)
    std::uint64_t rx_by_suite[4] = {};  // authenticated packets in, by cipher suite
    std::uint64_t tx_by_suite[4] = {};  // packets armored and sent, by cipher suite
    std::uint64_t drop_malformed = 0;     // too short, bad fragment numbers, unparseable payload
    std::uint64_t drop_auth = 0;          // MAC check failed or unusable cipher suite
    std::uint64_t drop_unknown_peer = 0;  // parked for WHOIS and timed out, or nobody to ask
    std::uint64_t drop_rate_limited = 0;
    std::uint64_t drop_unexpected = 0;    // OK we never asked for, RENDEZVOUS from a non-root, ...
    std::uint64_t drop_path = 0;          // from or to a path we may not use (loopback, foreign root IP)
    std::uint64_t drop_relay = 0;         // not ours and we may not relay it (or too many hops)
    std::uint64_t drop_fragment = 0;      // pieces of fragment sets that expired or were evicted
    std::uint64_t drop_queue_full = 0;
    std::uint64_t drop_oversized = 0;  // larger than any ZeroTier datagram (cut short by the kernel)
    std::uint64_t frames_in = 0;       // VL2 frames delivered to the local stack
    std::uint64_t frames_out = 0;      // VL2 frames sent (each multicast copy counts)
    std::uint64_t frames_dropped = 0;  // by rules, membership gates, or no config
    std::uint64_t peers_expired = 0;   // forgotten after kPeerIdleTimeout without a packet from them
    std::uint64_t peers_refused = 0;   // new peers turned away at max_peers (nobody idle enough to give way)
    std::uint64_t whois_sent = 0;      // WHOIS requests to a root (first tries and retries)
    std::uint64_t rendezvous_sent = 0;  // RENDEZVOUS (a root introducing two peers; one per peer told)
    std::uint64_t drops() const {
        return drop_malformed + drop_auth + drop_unknown_peer + drop_rate_limited + drop_unexpected + drop_path +
               drop_relay + drop_fragment + drop_queue_full + drop_oversized;
    }
};

}  // namespace zt
