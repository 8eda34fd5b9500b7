// SPDX-License-Identifier: Apache-2.0
// VL1: peers, paths, armoring, relaying, WHOIS, moons. The lower layer of the node core (node.hpp),
// with the same rules: no I/O of its own, every call under the host's node lock. The layers above
// (Vl2, NetworkController) use it through Vl1Link and receive their verbs through the VerbSinks
// Node registers with add_sink().
//
//   datagram --> intake (switch.cpp): fragments, relaying, WHOIS parking
//            --> dearmor --> verb handlers (incoming.cpp) --> replies via send (switch.cpp)
//                        --> the sinks' verbs (VL2, controller)
//   timer    --> process_background (vl1.cpp): pings, keepalives, path expiry, queue timeouts, and
//                the sinks' background() at each housekeeping
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "zt/node_host.hpp"
#include "zt/packet.hpp"
#include "zt/topology.hpp"
#include "zt/vl1_link.hpp"
#include "zt/wire.hpp"

namespace zt {

// Payloads of application pings start with this, then the send time (both big-endian 64-bit).
inline constexpr std::uint64_t kEchoPingMarker = 0x6c69627a74706e67ULL;  // "libztpng"

struct NodeConfig {
    bool allow_loopback_paths = false;  // ZeroTier never uses loopback; quick tests may
    // The protocol version we announce. Below 12 peers send us Salsa20/12 instead of AES-GMAC-SIV:
    // a compatibility and test knob, never lowered by default.
    std::uint8_t protocol_version = kProtocolVersion;
    bool relay_for_anyone = false;      // roots relay for everyone; set for our root server
    // Peer lifetime (see kPeerIdleTimeout, kMaxPeers): tests shorten the timeout; 0 keeps the default.
    std::int64_t peer_idle_timeout = kPeerIdleTimeout;
    std::size_t max_peers = kMaxPeers;
};

// Final: its own calls to the Vl1Link methods below are direct calls, not virtual ones.
class Vl1 final : public Vl1Link {
  public:
    Vl1(const Identity& self, World planet, NodeConfig config, NodeHost& host, std::int64_t now);
    ~Vl1() override;
    Vl1(const Vl1&) = delete;
    Vl1& operator=(const Vl1&) = delete;

    // A layer above: it receives the authenticated verbs VL1 does not handle itself (sinks are
    // asked in the order they were added), the housekeeping tick, and peer lifetime questions.
    void add_sink(VerbSink& sink) { sinks_.push_back(&sink); }
    // An API call into a layer above starts now: the time it and VL1 then work with.
    void set_now(std::int64_t now) { now_ = now; }

    void process_datagram(std::int64_t now, std::int64_t local_socket, const InetAddress& from,
                          const std::uint8_t* data, std::size_t len);
    // Runs due timers; returns the time by which it wants to run again.
    std::int64_t process_background(std::int64_t now);
    // Earliest time some call since the last process_background wants timers to run (INT64_MAX:
    // none). Lets the host wake its timer thread only when an API call really needs it.
    std::int64_t wanted_background() const { return wanted_background_; }

    const Identity& identity() const override { return self_; }
    bool online() const { return online_; }
    const NodeStats& stats() const { return stats_; }
    // A datagram the socket layer had to cut short: counted here so every arrival is accounted for.
    void note_oversized_datagram() {
        ++stats_.rx_datagrams;
        ++stats_.drop_oversized;
    }
    Topology& topology() { return topology_; }
    // Bytes held for all peers (an estimate: see Peer::memory_estimate); stats divide by the count.
    std::size_t peer_memory_estimate() const;
    std::int64_t now() const override { return now_; }

    // The peer cache (peers.d/): what we know of a peer to reach it again after a restart: its
    // identity and the paths it was last heard on. restore_peer() takes such a record back.
    std::vector<std::uint8_t> peer_cache_record(std::uint64_t address);
    bool restore_peer(const std::uint8_t* data, std::size_t len);

    // Application sends. False if the destination is unusable (ourselves, reserved) or the packet
    // would not fit; the packet may still be queued while a WHOIS runs.
    bool send_user_message(std::int64_t now, std::uint64_t dest, std::uint64_t type, const std::uint8_t* data,
                           std::size_t len);
    bool send_echo(std::int64_t now, std::uint64_t dest, const std::uint8_t* data, std::size_t len);

    // ---- moons (vl1.cpp) -------------------------------------------------------------------------------
    // Orbit moon `id`: until we hold it, HELLOs name it as wanted and go to `seed` (one of its roots,
    // found by WHOIS through our roots), whose OK(HELLO) brings the moon; it must list `seed` among
    // its roots. From then on its roots are ours too (HELLO, WHOIS, relaying). Orbiting a moon
    // already held changes nothing.
    void orbit(std::int64_t now, std::uint64_t id, std::uint64_t seed);
    // Stop orbiting: the moon (held or wanted) is forgotten; true if it was held.
    bool deorbit(std::int64_t now, std::uint64_t id);
    // A moon saved earlier (moons.d/): it must parse as exactly one moon signed by its own key.
    bool restore_moon(const std::uint8_t* data, std::size_t len);

    // ---- our own physical addresses (push_paths.cpp) ---------------------------------------------------
    // Where peers can reach us: the host's bound interface addresses (with their ports) and the
    // external addresses a router maps for us. Pushed to peers with PUSH_DIRECT_PATHS, together
    // with the addresses peers report seeing us at (OK(HELLO)'s external field).
    void set_local_addresses(std::vector<InetAddress> addresses) { local_addresses_ = std::move(addresses); }
    const std::vector<InetAddress>& local_addresses() const { return local_addresses_; }
    std::vector<InetAddress> surface_addresses() const;

    // ---- Vl1Link: the rest of what VL2 and the controller see of VL1 -------------------------------------
    Peer* peer(std::uint64_t address) override { return topology_.get(address); }
    bool am_root() const override { return topology_.am_root(); }
    const std::vector<World::Root>& roots() const override { return topology_.roots(); }
    Peer* best_root() override { return topology_.best_root(now_); }
    void for_each_peer(const std::function<void(Peer&)>& fn) override { topology_.for_each(fn); }
    NodeStats& counters() override { return stats_; }
    // identity() and now() are above; send, reply, request_whois, want_background_at and emit are
    // private below: the layers above reach them only through Vl1Link.

  private:
    // ---- moons (vl1.cpp) -------------------------------------------------------------------------------
    void contact_moon_seeds();
    // HELLO on every path of `peer`, or through our best root when it has none.
    void hello_anywhere(Peer& peer);
    // The worlds an OK(HELLO) from `from` carried: planet updates and moons.
    void take_worlds(Peer& from, const std::vector<World>& worlds);
    void adopted_moon(const World& moon);

    // ---- intake (switch.cpp) -------------------------------------------------------------------------
    void on_fragment(std::int64_t local_socket, const InetAddress& from, const std::uint8_t* data, std::size_t len);
    void on_head(std::int64_t local_socket, const InetAddress& from, const std::uint8_t* data, std::size_t len);
    void relay(std::uint64_t dest, std::uint64_t source, std::uint8_t* data, std::size_t len, bool is_head);
    bool may_relay_from(const InetAddress& from) const;
    void unite(std::uint64_t a, std::uint64_t b);
    // Decode an assembled packet addressed to us. False: it waits for a WHOIS (caller parks it).
    bool try_decode(std::int64_t local_socket, const InetAddress& from, Packet& p);

    // ---- sending (switch.cpp) ------------------------------------------------------------------------
    // Armors and sends `p` to its destination: direct if a path is alive, else relayed via a root; a
    // destination we have no key for is queued until WHOIS answers.
    void send(Packet& p, bool encrypt) override;
    bool send_to_peer(Peer& peer, Packet& p, bool encrypt);
    // Armors `p` for `peer` and sends it on one physical path (fragmenting as needed).
    void send_on(Peer& peer, Packet& p, bool encrypt, std::int64_t local_socket, const InetAddress& to);
    // Answers the packet being handled: like send(), but when the peer has no confirmed path yet
    // (it has just said HELLO and not yet answered ours), back the way the request came.
    void reply(Peer& peer, Packet& p) override;
    void send_raw(std::int64_t local_socket, const InetAddress& to, const std::uint8_t* data, std::size_t len,
                  unsigned ttl = 0);
    // Parks a packet from an unknown sender until WHOIS answers (or refuses it at the queue bounds).
    void park(std::unique_ptr<Packet> packet, std::int64_t local_socket, const InetAddress& from);
    // Wants the identity behind `address`: one outstanding request per address, sent when the
    // node-wide WHOIS budget allows, retried with backoff by retry_whois().
    void request_whois(std::uint64_t address) override;
    bool send_whois(std::uint64_t address);
    std::int64_t retry_whois();  // returns when it next has something to do (INT64_MAX: nothing)
    void give_up_whois(std::uint64_t address);
    std::size_t waiting_for(std::uint64_t address) const;  // packets parked or queued for it
    void flush_queues_for(std::uint64_t address);
    bool path_usable(std::uint64_t peer, const InetAddress& addr) const;

    // ---- verbs (incoming.cpp) ------------------------------------------------------------------------
    void on_hello(std::int64_t local_socket, const InetAddress& from, Packet& p);
    void dispatch(Peer& peer, std::int64_t local_socket, const InetAddress& from, Packet& p);
    void on_ok(Peer& peer, std::int64_t local_socket, const InetAddress& from, const Packet& p);
    void on_error(Peer& peer, const Packet& p);
    void on_whois(Peer& peer, const Packet& p);
    void on_rendezvous(Peer& peer, const Packet& p);
    void punch_towards(Peer& other, const InetAddress& at);
    void on_echo(Peer& peer, std::int64_t local_socket, const InetAddress& from, const Packet& p);
    void on_push_direct_paths(Peer& peer, const Packet& p);
    void on_user_message(Peer& peer, const Packet& p);
    // After any authenticated packet: refresh or learn the path, confirm unknown ones.
    void note_received(Peer& peer, std::int64_t local_socket, const InetAddress& from, const Packet& p, Verb verb);

    // ---- peers and timers (vl1.cpp) ------------------------------------------------------------------
    void send_hello(Peer& peer, std::int64_t local_socket, const InetAddress& to);
    void contact(Peer& peer, std::int64_t local_socket, const InetAddress& to, bool full_hello);
    void ping_roots();
    void keepalive(Peer& peer);
    void expire_paths();
    void expire_queues();
    // ---- peer lifetime (peers.cpp) -------------------------------------------------------------------
    bool peer_is_kept(std::uint64_t address) const;  // roots and controllers of joined networks
    std::int64_t idle_for(const Peer& peer) const;
    void expire_peers();
    void forget_peer(std::uint64_t address);
    // Before adding a peer: true if there is room (after displacing the idlest one if needed).
    bool make_room_for_peer();
    void update_reach(Peer& peer);   // PEER_DIRECT / PEER_RELAY / PEER_UNREACHABLE on changes
    void note_relayed(Peer& peer);   // first contact with a peer went through a relay
    void try_remembered_paths(Peer& peer);  // a relayed peer's quiet paths may work again
    void update_online();
    void note_surface(const InetAddress& external);  // how a peer saw us (OK(HELLO))
    void push_direct_paths(Peer& peer);              // when due for this peer
    void emit(NodeEvent e) override { host_.on_event(e); }
    // Remembers a packet we send as one an OK may answer, if its verb is a request whose OK we act on
    // (HELLO, ECHO, WHOIS, NETWORK_CONFIG_REQUEST, MULTICAST_GATHER). Not our frames, whose numbers
    // would push the requests' out of the table, nor our OKs and ERRORs, whose IDs the peer that got
    // them knows: it could pass an OK of its own making off as an answer.
    void expect_reply(Verb verb, std::uint64_t packet_id);
    void expire_introductions();  // last_unite_'s old entries
    bool expecting_reply(std::uint64_t packet_id) const;

    Identity self_;
    NodeConfig config_;
    NodeHost& host_;
    Topology topology_;
    NodeStats stats_;
    std::int64_t now_ = 0;
    // The path the packet being dispatched arrived on (see reply()).
    std::int64_t rx_local_socket_ = -1;
    InetAddress rx_from_;
    bool online_ = false;
    std::int64_t last_ping_check_ = INT64_MIN / 2;
    std::int64_t last_housekeeping_ = INT64_MIN / 2;
    std::int64_t wanted_background_ = INT64_MAX;
    void want_background_at(std::int64_t t) override { wanted_background_ = std::min(wanted_background_, t); }

    Defragmenter defrag_;

    std::vector<InetAddress> local_addresses_;
    struct Surface {
        InetAddress address;
        std::int64_t last_seen;
    };
    std::vector<Surface> surface_;
    std::unordered_map<std::uint64_t, std::int64_t> last_path_push_;  // by peer address

    // Recently sent requests' packet IDs: an OK is only believed if it answers one of them.
    static constexpr std::size_t kExpectBuckets = 256;
    static constexpr std::size_t kExpectDepth = 8;
    std::uint64_t expect_[kExpectBuckets][kExpectDepth] = {};
    std::uint8_t expect_next_[kExpectBuckets] = {};

    struct Parked {  // a packet from an unknown source, waiting for WHOIS
        std::unique_ptr<Packet> packet;
        std::int64_t local_socket;
        InetAddress from;
        std::int64_t created;
    };
    std::deque<Parked> rx_queue_;
    struct Queued {  // a packet to an unknown destination, waiting for WHOIS
        std::unique_ptr<Packet> packet;
        bool encrypt;
        std::int64_t created;
    };
    std::deque<Queued> tx_queue_;
    struct WhoisState {
        std::int64_t last_sent = INT64_MIN / 2;
        unsigned sends = 0;  // 0: waiting for a token of the WHOIS budget
        // A root's RENDEZVOUS that came before the identity: acted on when WHOIS answers.
        std::optional<InetAddress> rendezvous_at;
        std::int64_t rendezvous_received = 0;
    };
    // Addresses with packets waiting, or a RENDEZVOUS (for kRendezvousKeep).
    std::unordered_map<std::uint64_t, WhoisState> whois_pending_;
    TokenBucket whois_budget_;
    std::map<std::pair<std::uint64_t, std::uint64_t>, std::int64_t> last_unite_;
    std::vector<VerbSink*> sinks_;  // the layers above (see add_sink)
    TokenBucket identity_verify_budget_;
    std::unordered_map<std::uint64_t, TokenBucket> identity_verify_by_network_;
};

}  // namespace zt
