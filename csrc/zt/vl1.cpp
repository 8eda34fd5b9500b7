// SPDX-License-Identifier: Apache-2.0
// Vl1 (vl1.hpp) lifecycle and timers: contacting roots, keepalives, path expiry, online state, queue
// timeouts; moons, the peer cache, replies we expect, application sends.
#include "zt/vl1.hpp"

#include <algorithm>

namespace zt {

namespace {
constexpr std::int64_t kRootHelloInterval = kPingCheckInterval;  // as official libzt nodes do
constexpr std::int64_t kHousekeepingInterval = 1000;
}  // namespace

Vl1::Vl1(const Identity& self, World planet, NodeConfig config, NodeHost& host, std::int64_t now)
    : self_(self), config_(config), host_(host), topology_(self, std::move(planet), now), now_(now) {
    if (topology_.am_root()) config_.relay_for_anyone = true;
}

Vl1::~Vl1() = default;

std::int64_t Vl1::process_background(std::int64_t now) {
    now_ = now;
    wanted_background_ = INT64_MAX;
    if (now - last_ping_check_ >= kPingCheckInterval) {
        last_ping_check_ = now;
        ping_roots();
        topology_.for_each([&](Peer& p) {
            if (!topology_.is_root(p.address()) && p.active(now)) {
                keepalive(p);
                push_direct_paths(p);
            }
        });
    }
    if (now - last_housekeeping_ >= kHousekeepingInterval) {
        last_housekeeping_ = now;
        expire_paths();
        expire_queues();
        expire_introductions();
        defrag_.expire(now);
        stats_.drop_fragment = defrag_.abandoned_pieces();
        for (VerbSink* sink : sinks_) sink->background();
        expire_peers();
    }
    const std::int64_t whois_next = whois_pending_.empty() ? INT64_MAX : retry_whois();
    update_online();
    std::int64_t next = std::min(last_ping_check_ + kPingCheckInterval, last_housekeeping_ + kHousekeepingInterval);
    next = std::min(next, whois_next);
    return std::max(next, now + 1);
}

// ---- contacting peers -----------------------------------------------------------------------------

void Vl1::send_hello(Peer& peer, std::int64_t local_socket, const InetAddress& to) {
    Packet p(peer.address(), self_.address(), Verb::kHello);
    wire::Hello h;
    h.protocol = config_.protocol_version;
    h.timestamp = static_cast<std::uint64_t>(now_);
    h.identity = self_;
    h.destination = to;
    h.has_planet = true;
    h.planet_id = topology_.planet().id;
    h.planet_timestamp = topology_.planet().timestamp;
    // The moons we hold (a root answers with newer revisions), then those we want (timestamp 0).
    for (const World& m : topology_.moons()) h.moons.push_back({m.id, m.timestamp});
    for (const auto& wanted : topology_.moon_seeds()) h.moons.push_back({wanted.first, 0});
    wire::build_hello(p, h, peer.key().key());
    if (!p.ok()) return;
    p.armor(peer.key(), CipherSuite::kPoly1305);
    ++stats_.tx_by_suite[static_cast<unsigned>(CipherSuite::kPoly1305)];
    expect_reply(Verb::kHello, p.packet_id());
    send_raw(local_socket, to, p.data(), p.size());
    if (Path* path = peer.find_path(local_socket, to)) path->last_out = now_;
    ++stats_.tx_packets;
}

void Vl1::contact(Peer& peer, std::int64_t local_socket, const InetAddress& to, bool full_hello) {
    if (!path_usable(peer.address(), to)) return;
    if (full_hello || !peer.prefers_echo()) {
        send_hello(peer, local_socket, to);
        return;
    }
    Packet p(peer.address(), self_.address(), Verb::kEcho);
    send_on(peer, p, true, local_socket, to);
}

void Vl1::ping_roots() {
    for (const World::Root& r : topology_.roots()) {
        Peer* root = topology_.get(r.identity.address());
        if (root == nullptr) continue;
        // HELLO on every path we have and every stable endpoint not already a path: roots are how we
        // are reachable at all, and a HELLO is what lets a restarted root know us again.
        for (const Path& path : root->paths()) send_hello(*root, path.local_socket, path.address);
        for (const InetAddress& ep : r.endpoints) {
            if (root->find_path(-1, ep) == nullptr) send_hello(*root, -1, ep);
        }
        root->last_full_hello = now_;
    }
    contact_moon_seeds();
}

void Vl1::keepalive(Peer& peer) {
    const bool full_hello = now_ - peer.last_full_hello >= kPeerPingPeriod;
    if (full_hello) peer.last_full_hello = now_;
    for (const Path& path : peer.paths()) {
        if (full_hello || path.needs_heartbeat(now_)) contact(peer, path.local_socket, path.address, full_hello);
    }
}

void Vl1::expire_paths() {
    topology_.for_each([&](Peer& peer) {
        for (const Path& gone : peer.expire_paths(now_)) {
            NodeEvent e{NodeEvent::Type::kPathDead};
            e.peer = peer.address();
            e.address = gone.address;
            emit(e);
        }
        update_reach(peer);
    });
}

void Vl1::expire_queues() {
    while (!rx_queue_.empty() && now_ - rx_queue_.front().created >= kReceiveQueueTimeout) {
        rx_queue_.pop_front();
        ++stats_.drop_unknown_peer;
    }
    while (!tx_queue_.empty() && now_ - tx_queue_.front().created >= kTransmitQueueTimeout) {
        tx_queue_.pop_front();
        ++stats_.drop_unknown_peer;
    }
    for (auto it = whois_pending_.begin(); it != whois_pending_.end();) {
        const bool rendezvous = it->second.rendezvous_at && now_ - it->second.rendezvous_received < kRendezvousKeep;
        it = waiting_for(it->first) > 0 || rendezvous ? std::next(it) : whois_pending_.erase(it);
    }
}

void Vl1::update_reach(Peer& peer) {
    if (topology_.is_root(peer.address())) return;  // roots are reported through online/offline
    Peer::Reach now_reach = peer.reported_reach;
    if (peer.has_alive_path(now_)) {
        now_reach = Peer::Reach::kDirect;
    } else if (peer.reported_reach == Peer::Reach::kDirect) {
        now_reach = Peer::Reach::kRelayed;
        if (peer.paths().empty()) {
            NodeEvent lost{NodeEvent::Type::kPeerUnreachable};
            lost.peer = peer.address();
            emit(lost);
        }
    }
    if (now_reach == peer.reported_reach) return;
    peer.reported_reach = now_reach;
    NodeEvent e{now_reach == Peer::Reach::kDirect ? NodeEvent::Type::kPeerDirect : NodeEvent::Type::kPeerRelay};
    e.peer = peer.address();
    emit(e);
}

void Vl1::note_relayed(Peer& peer) {
    if (peer.reported_reach != Peer::Reach::kUnknown) return;  // only the first contact is news
    peer.reported_reach = Peer::Reach::kRelayed;
    NodeEvent e{NodeEvent::Type::kPeerRelay};
    e.peer = peer.address();
    emit(e);
}

void Vl1::update_online() {
    bool online = topology_.am_root();
    for (const World::Root& r : topology_.roots()) {
        const Peer* root = topology_.get(r.identity.address());
        if (root != nullptr && root->last_receive() > 0 && now_ - root->last_receive() < kPeerActivityTimeout) {
            online = true;
        }
    }
    if (online == online_) return;
    online_ = online;
    emit(NodeEvent{online ? NodeEvent::Type::kOnline : NodeEvent::Type::kOffline});
}

// ---- moons -------------------------------------------------------------------------------------------

void Vl1::orbit(std::int64_t now, std::uint64_t id, std::uint64_t seed) {
    now_ = now;
    topology_.want_moon(id, seed);
    contact_moon_seeds();
}

bool Vl1::deorbit(std::int64_t now, std::uint64_t id) {
    now_ = now;
    if (!topology_.drop_moon(id, now)) return false;
    NodeEvent e{NodeEvent::Type::kMoonRemoved};
    e.moon = id;
    emit(e);
    return true;
}

bool Vl1::restore_moon(const std::uint8_t* data, std::size_t len) {
    World w;
    const char* why = nullptr;
    if (!World::parse_exact(data, len, &w, &why) || !topology_.consider_moon(w, 0, now_)) return false;
    if (topology_.am_root()) config_.relay_for_anyone = true;  // we are one of its roots
    return true;
}

void Vl1::contact_moon_seeds() {
    for (const auto& wanted : topology_.moon_seeds()) {
        const std::uint64_t seed = wanted.second;
        if (seed == 0 || seed == self_.address()) continue;
        if (Peer* p = topology_.get(seed)) {
            hello_anywhere(*p);
        } else {
            request_whois(seed);  // our roots know the seed; its OK brings us back here
        }
    }
}

void Vl1::hello_anywhere(Peer& peer) {
    if (!peer.paths().empty()) {
        for (const Path& path : peer.paths()) send_hello(peer, path.local_socket, path.address);
        return;
    }
    // No path yet: a root relays it (the HELLO is addressed to the peer, sent to the root).
    Peer* root = topology_.best_root(now_);
    if (root == nullptr || root == &peer) return;
    if (Path* via = root->best_path(now_)) send_hello(peer, via->local_socket, via->address);
}

void Vl1::take_worlds(Peer& from, const std::vector<World>& worlds) {
    for (const World& w : worlds) {
        if (w.type == World::Type::kPlanet) {
            if (topology_.consider_planet_update(w, now_)) emit(NodeEvent{NodeEvent::Type::kPlanetUpdated});
        } else if (topology_.consider_moon(w, from.address(), now_)) {
            adopted_moon(w);
        }
    }
}

void Vl1::adopted_moon(const World& moon) {
    NodeEvent e{NodeEvent::Type::kMoonUpdated};
    e.moon = moon.id;
    e.data = moon.serialized();
    emit(e);
    if (topology_.am_root()) config_.relay_for_anyone = true;
    ping_roots();  // greet the new roots at their stable endpoints now, not at the next timer tick
}

// ---- the peer cache ---------------------------------------------------------------------------------

std::vector<std::uint8_t> Vl1::peer_cache_record(std::uint64_t address) {
    std::vector<std::uint8_t> out;
    Peer* peer = topology_.get(address);
    if (peer == nullptr) return out;
    // identity (71) | path count (1) | paths as InetAddress wire forms
    peer->identity().to_bytes(out, false);
    // Each address once: with several local ports we have a path per port to the same address, and
    // a restored address is contacted from every port anyway (local socket -1).
    std::vector<InetAddress> addresses;
    for (const Path& path : peer->paths()) {
        if (addresses.size() == 16) break;
        if (std::find(addresses.begin(), addresses.end(), path.address) == addresses.end()) {
            addresses.push_back(path.address);
        }
    }
    Writer w(out);
    w.u8(static_cast<std::uint8_t>(addresses.size()));
    for (const InetAddress& a : addresses) a.serialize(w);
    return out;
}

bool Vl1::restore_peer(const std::uint8_t* data, std::size_t len) {
    Identity id;
    std::size_t used = 0;
    if (!Identity::from_bytes(data, len, &id, &used, nullptr) || id.has_private()) return false;
    Reader r(data + used, len - used);
    const unsigned n = r.u8();
    std::vector<InetAddress> paths;
    for (unsigned i = 0; i < n && r.ok(); ++i) {
        InetAddress a;
        if (InetAddress::deserialize(r, &a) && !a.is_nil()) paths.push_back(a);
    }
    if (!r.ok()) return false;
    // The cache is our own file, but it is still only a hint: the identity must prove itself.
    if (!id.locally_validate()) return false;
    if (topology_.get(id.address()) == nullptr && !make_room_for_peer()) return false;
    Peer* peer = topology_.add(id, now_);
    if (peer == nullptr) return false;
    peer->remembered_paths = std::move(paths);
    return true;
}

void Vl1::try_remembered_paths(Peer& peer) {
    if (peer.remembered_paths.empty() || now_ - peer.last_remembered_path_try < kTryRememberedPathInterval) return;
    peer.last_remembered_path_try = now_;
    for (const InetAddress& a : peer.remembered_paths) {
        if (peer.find_path(-1, a) == nullptr) contact(peer, -1, a, true);
    }
}

// ---- replies we expect ---------------------------------------------------------------------------

void Vl1::expect_reply(Verb verb, std::uint64_t packet_id) {
    switch (verb) {
        case Verb::kHello:
        case Verb::kEcho:
        case Verb::kWhois:
        case Verb::kNetworkConfigRequest:
        case Verb::kMulticastGather:
            break;
        default:
            return;
    }
    const std::size_t b = (packet_id >> 32) % kExpectBuckets;
    expect_[b][expect_next_[b]++ % kExpectDepth] = packet_id;
}

bool Vl1::expecting_reply(std::uint64_t packet_id) const {
    const std::size_t b = (packet_id >> 32) % kExpectBuckets;
    for (std::size_t i = 0; i < kExpectDepth; ++i) {
        if (expect_[b][i] == packet_id && packet_id != 0) return true;
    }
    return false;
}

// ---- application sends ----------------------------------------------------------------------------

bool Vl1::send_user_message(std::int64_t now, std::uint64_t dest, std::uint64_t type, const std::uint8_t* data,
                             std::size_t len) {
    now_ = now;
    if (dest == self_.address() || address_is_reserved(dest) || len > kMaxUserMessageLen) return false;
    Packet p(dest, self_.address(), Verb::kUserMessage);
    wire::build_user_message(p, type, data, len);
    if (!p.ok()) return false;
    send(p, true);
    return true;
}

bool Vl1::send_echo(std::int64_t now, std::uint64_t dest, const std::uint8_t* data, std::size_t len) {
    now_ = now;
    if (dest == self_.address() || address_is_reserved(dest)) return false;
    Packet p(dest, self_.address(), Verb::kEcho);
    // Marker and send time come back in the OK: that tells an application ping from a keepalive
    // and gives the round-trip time.
    p.append_u64(kEchoPingMarker);
    p.append_u64(static_cast<std::uint64_t>(now));
    p.append(data, len);
    if (!p.ok()) return false;
    send(p, true);
    return true;
}

}  // namespace zt
