// SPDX-License-Identifier: Apache-2.0
// Handlers for authenticated packets addressed to us, one per verb. Parsing is in wire.cpp; this
// file decides what a valid message means for our state and what to answer.
#include <algorithm>

#include "zt/vl1.hpp"

namespace zt {

namespace {
constexpr unsigned kIdentityVerifyBurst = 8;
constexpr std::int64_t kIdentityVerifyRefillMs = kIdentityVerificationRateLimit / 8;
constexpr unsigned kIdentityVerifyGlobalBurst = 64;
constexpr std::int64_t kIdentityVerifyGlobalRefillMs = 10;
constexpr std::size_t kMaxRateBuckets = 4096;
constexpr std::uint32_t kRendezvousJunk = 0x5a54a5a5;  // 4 bytes to open NAT state; content irrelevant
}  // namespace

// ---- HELLO --------------------------------------------------------------------------------------------

void Vl1::on_hello(std::int64_t local_socket, const InetAddress& from, Packet& p) {
    wire::Hello h;
    const char* why = nullptr;
    if (!wire::parse_hello(p, nullptr, &h, &why) || h.identity.address() != p.source()) {
        ++stats_.drop_malformed;
        return;
    }
    if (h.protocol < kProtocolVersionMin) {
        ++stats_.drop_unexpected;
        return;
    }
    Peer* peer = topology_.get(p.source());
    if (peer != nullptr && !peer->identity().same_public(h.identity)) {
        // Someone else claims a known address. If their HELLO is genuine for their own key, tell
        // them (rate limited: proving it costs a key agreement).
        if (!identity_verify_budget_.take(now_, kIdentityVerifyGlobalBurst, kIdentityVerifyGlobalRefillMs)) {
            ++stats_.drop_rate_limited;
            return;
        }
        std::unique_ptr<Peer> claimant = Peer::create(self_, h.identity, now_);
        if (!claimant || !p.dearmor(claimant->key())) {
            ++stats_.drop_auth;
            return;
        }
        Packet err(p.source(), self_.address(), Verb::kError);
        wire::build_error(err, wire::Error{{Verb::kHello, p.packet_id()}, ErrorCode::kIdentityCollision, 0});
        send_on(*claimant, err, true, local_socket, from);
        return;
    }
    if (peer != nullptr) {
        if (!p.dearmor(peer->key())) {
            ++stats_.drop_auth;
            return;
        }
    } else {
        // A stranger: agree a key, check the MAC (cheap), then the memory-hard identity proof
        // (milliseconds), within a budget per source network so nobody can make us spin.
        if (identity_verify_by_network_.size() > kMaxRateBuckets) identity_verify_by_network_.clear();
        TokenBucket& bucket = identity_verify_by_network_[from.network_bucket()];
        if (!bucket.take(now_, kIdentityVerifyBurst, kIdentityVerifyRefillMs) ||
            !identity_verify_budget_.take(now_, kIdentityVerifyGlobalBurst, kIdentityVerifyGlobalRefillMs)) {
            ++stats_.drop_rate_limited;
            return;
        }
        std::unique_ptr<Peer> fresh = Peer::create(self_, h.identity, now_);
        if (!fresh || !p.dearmor(fresh->key()) || !h.identity.locally_validate()) {
            ++stats_.drop_auth;
            return;
        }
        // Only a proven identity may displace an idle peer at the bound (or be refused there).
        if (!make_room_for_peer()) return;
        peer = topology_.insert(std::move(fresh));
        if (peer == nullptr) return;
    }

    ++stats_.rx_by_suite[static_cast<unsigned>(CipherSuite::kPoly1305)];

    // OK(HELLO): our versions, how we saw them, and our planet if theirs is an older revision of it.
    // Its suite follows the version we knew *before* this HELLO, as ZeroTier does.
    Packet ok(p.source(), self_.address(), Verb::kOk);
    wire::build_reply_header(ok, {Verb::kHello, p.packet_id()});
    wire::OkHello body;
    body.timestamp_echo = h.timestamp;
    body.protocol = config_.protocol_version;
    body.major = kSoftwareMajor;
    body.minor = kSoftwareMinor;
    body.revision = kSoftwareRevision;
    body.external = from;
    if (h.protocol < kProtocolVersionEcho) body.external.port = 0;
    const World& planet = topology_.planet();
    if (h.has_planet && h.planet_id == planet.id && h.planet_timestamp < planet.timestamp) {
        body.worlds.push_back(planet);
    }
    // And every moon it names that we hold in a newer revision (0: wanted, not held). The moon list
    // is encrypted with the key we now share, so it is read only now.
    if (!topology_.moons().empty() && h.encrypted_offset != 0) {
        wire::Hello with_moons;
        if (wire::parse_hello(p, &peer->key().key(), &with_moons, &why)) {
            // Each of ours once, however often the HELLO names it (a list of repeats would have
            // made the answer a copy of the same moon per repeat).
            for (const World& m : topology_.moons()) {
                const bool newer_than_named = std::any_of(
                    with_moons.moons.begin(), with_moons.moons.end(),
                    [&](const wire::MoonRef& ref) { return ref.id == m.id && m.timestamp > ref.timestamp; });
                if (newer_than_named) body.worlds.push_back(m);
            }
        }
    }
    wire::build_ok_hello(ok, body);
    send_on(*peer, ok, true, local_socket, from);

    peer->set_version(h.protocol, h.major, h.minor, h.revision);
    note_received(*peer, local_socket, from, p, Verb::kHello);
    flush_queues_for(peer->address());
}

// ---- everything else from a known peer -----------------------------------------------------------

void Vl1::dispatch(Peer& peer, std::int64_t local_socket, const InetAddress& from, Packet& p) {
    const Verb verb = p.verb();
    if (verb == Verb::kOk) {
        // An OK only counts if it answers something we sent; otherwise it is a replay or forgery of
        // intent and must not teach us a path.
        wire::ReplyHeader rh;
        const char* why = nullptr;
        if (!wire::parse_reply_header(p, &rh, &why)) {
            ++stats_.drop_malformed;
            return;
        }
        if (!expecting_reply(rh.in_re_packet_id)) {
            ++stats_.drop_unexpected;
            return;
        }
        note_received(peer, local_socket, from, p, verb);
        on_ok(peer, local_socket, from, p);
        return;
    }
    note_received(peer, local_socket, from, p, verb);
    rx_local_socket_ = local_socket;
    rx_from_ = from;
    struct Forget {  // reply() must never use a path after its packet was handled
        Vl1& n;
        ~Forget() { n.rx_local_socket_ = -1; }
    } forget{*this};
    switch (verb) {
        case Verb::kError: on_error(peer, p); break;
        case Verb::kWhois: on_whois(peer, p); break;
        case Verb::kRendezvous: on_rendezvous(peer, p); break;
        case Verb::kEcho: on_echo(peer, local_socket, from, p); break;
        case Verb::kPushDirectPaths: on_push_direct_paths(peer, p); break;
        case Verb::kUserMessage: on_user_message(peer, p); break;
        default:
            // The layers above VL1; NOP, multipath verbs and unknown verbs are just "received".
            for (VerbSink* sink : sinks_) {
                if (sink->handles(verb)) {
                    sink->on_packet(peer, local_socket, from, p);
                    break;
                }
            }
            break;
    }
}

void Vl1::note_received(Peer& peer, std::int64_t local_socket, const InetAddress& from, const Packet& p, Verb verb) {
    peer.received(now_, verb);
    if (p.hops() == 0) {
        if (Path* path = peer.find_path(local_socket, from)) {
            path->last_in = now_;
        } else if (path_usable(peer.address(), from)) {
            if (verb == Verb::kOk) {
                bool is_new = false;
                peer.learn_path(now_, local_socket, from, &is_new);
                if (is_new) {
                    NodeEvent e{NodeEvent::Type::kPathDiscovered};
                    e.peer = peer.address();
                    e.address = from;
                    emit(e);
                }
            } else if (peer.may_confirm_path(now_, from)) {
                // Not trusted for sending until the peer answers us there.
                send_hello(peer, local_socket, from);
            }
        } else {
            ++stats_.drop_path;
        }
    } else {
        note_relayed(peer);  // heard through a relay
    }
    update_reach(peer);
}

void Vl1::on_ok(Peer& peer, std::int64_t local_socket, const InetAddress& from, const Packet& p) {
    wire::ReplyHeader rh;
    const char* why = nullptr;
    wire::parse_reply_header(p, &rh, &why);
    switch (rh.in_re_verb) {
        case Verb::kHello: {
            wire::OkHello ok;
            if (!wire::parse_ok_hello(p, &ok, &why)) {
                ++stats_.drop_malformed;
                return;
            }
            if (ok.protocol < kProtocolVersionMin) return;
            peer.set_version(ok.protocol, ok.major, ok.minor, ok.revision);
            if (p.hops() == 0) {
                note_surface(ok.external);
                Path* path = peer.find_path(local_socket, from);
                const int rtt = round_trip_ms(now_, ok.timestamp_echo);
                if (path != nullptr && rtt >= 0) path->update_latency(rtt);
            }
            if (topology_.accepts_worlds_from(peer.address())) take_worlds(peer, ok.worlds);
            if (topology_.is_root(peer.address())) update_online();  // a root answered: online now
            flush_queues_for(peer.address());
            break;
        }
        case Verb::kWhois: {
            // Only roots are believed about who owns an address.
            if (!topology_.is_root(peer.address())) {
                ++stats_.drop_unexpected;
                return;
            }
            std::vector<Identity> ids;
            if (!wire::parse_ok_whois(p, &ids, &why) || ids.empty()) {
                ++stats_.drop_malformed;
                return;
            }
            const Identity& id = ids.front();
            const bool seed = topology_.is_moon_seed(id.address());
            if (whois_pending_.count(id.address()) == 0 && !seed) return;
            if (topology_.get(id.address()) == nullptr && !make_room_for_peer()) return;
            if (topology_.add(id, now_) != nullptr) flush_queues_for(id.address());
            if (seed) contact_moon_seeds();
            break;
        }
        case Verb::kEcho: {
            const std::size_t body = wire::kReplyBodyOffset;
            if (p.payload_size() < body + 16 || load_be(p.payload() + body, 8) != kEchoPingMarker) return;
            const int rtt = round_trip_ms(now_, load_be(p.payload() + body + 8, 8));
            if (rtt < 0) {
                ++stats_.drop_malformed;  // a time we never sent: not an answer to our ping
                return;
            }
            NodeEvent e{NodeEvent::Type::kEchoReply};
            e.peer = peer.address();
            e.rtt_ms = rtt;
            e.data.assign(p.payload() + body + 16, p.payload() + p.payload_size());
            if (p.hops() == 0) {
                if (Path* path = peer.find_path(local_socket, from)) path->update_latency(e.rtt_ms);
            }
            emit(e);
            break;
        }
        default:
            // The layers above (OK(NETWORK_CONFIG_REQUEST), OK(MULTICAST_GATHER)); OK(EXT_FRAME),
            // OK(MULTICAST_FRAME) and OK(ECHO) for a pushed config need nothing.
            for (VerbSink* sink : sinks_) {
                if (sink->on_ok(rh.in_re_verb, peer, p)) break;
            }
            break;
    }
}

void Vl1::on_error(Peer& peer, const Packet& p) {
    wire::Error e;
    const char* why = nullptr;
    if (!wire::parse_error(p, &e, &why)) {
        ++stats_.drop_malformed;
        return;
    }
    if (e.code == ErrorCode::kIdentityCollision && e.header.in_re_verb == Verb::kHello &&
        topology_.is_root(peer.address())) {
        emit(NodeEvent{NodeEvent::Type::kIdentityCollision});
        return;
    }
    if (e.network_id == 0) return;
    for (VerbSink* sink : sinks_) sink->on_network_error(peer, e);
}

void Vl1::on_whois(Peer& peer, const Packet& p) {
    if (!topology_.am_root() && !peer.whois_gate.allow(now_, kPeerWhoisRateLimit)) {
        ++stats_.drop_rate_limited;
        return;
    }
    std::vector<std::uint64_t> wanted;
    const char* why = nullptr;
    if (!wire::parse_whois(p, &wanted, &why)) {
        ++stats_.drop_malformed;
        return;
    }
    std::vector<Identity> known;
    for (std::uint64_t a : wanted) {
        if (Peer* k = topology_.get(a)) known.push_back(k->identity());
        if (known.size() >= 8) break;  // keep the reply well inside one packet
    }
    if (known.empty()) return;  // ZeroTier stays silent when it knows nobody asked for
    Packet ok(peer.address(), self_.address(), Verb::kOk);
    wire::build_reply_header(ok, {Verb::kWhois, p.packet_id()});
    wire::build_ok_whois(ok, known);
    reply(peer, ok);
}

void Vl1::on_rendezvous(Peer& peer, const Packet& p) {
    if (!topology_.is_root(peer.address())) {
        ++stats_.drop_unexpected;  // only our roots may tell us where others are
        return;
    }
    wire::Rendezvous r;
    const char* why = nullptr;
    if (!wire::parse_rendezvous(p, &r, &why) || r.at.port == 0) {
        ++stats_.drop_malformed;
        return;
    }
    if (!path_usable(r.peer, r.at)) return;
    Peer* other = topology_.get(r.peer);
    if (other == nullptr) {
        // Usually its relayed packet is parked here, waiting for the same WHOIS: keep the address.
        request_whois(r.peer);
        auto it = whois_pending_.find(r.peer);  // none on a root, which asks nobody
        if (it != whois_pending_.end()) {
            it->second.rendezvous_at = r.at;
            it->second.rendezvous_received = now_;
        }
        return;
    }
    punch_towards(*other, r.at);
}

void Vl1::punch_towards(Peer& other, const InetAddress& at) {
    // A short-lived junk datagram first opens our NAT towards them; then a real probe.
    std::uint8_t junk[4];
    store_be(junk, kRendezvousJunk, 4);
    send_raw(-1, at, junk, sizeof junk, 2);
    contact(other, -1, at, !other.prefers_echo());
}

void Vl1::on_echo(Peer& peer, std::int64_t local_socket, const InetAddress& from, const Packet& p) {
    Path* path = peer.find_path(local_socket, from);
    RateGate& gate = path != nullptr ? path->echo_gate : peer.echo_gate;
    if (!gate.allow(now_, kEchoRateLimit) && p.payload_size() == 0) {
        ++stats_.drop_rate_limited;  // keepalive floods; application pings (with payload) always answer
        return;
    }
    Packet ok(peer.address(), self_.address(), Verb::kOk);
    wire::build_reply_header(ok, {Verb::kEcho, p.packet_id()});
    ok.append(p.payload(), p.payload_size());
    if (!ok.ok()) return;
    send_on(peer, ok, true, local_socket, from);
}

void Vl1::on_push_direct_paths(Peer& peer, const Packet& p) {
    if (!peer.push_paths_gate.allow(now_, kPushDirectPathsCutoffTime, kPushDirectPathsCutoffLimit)) {
        ++stats_.drop_rate_limited;
        return;
    }
    std::vector<wire::DirectPath> paths;
    const char* why = nullptr;
    if (!wire::parse_push_direct_paths(p, &paths, &why)) {
        ++stats_.drop_malformed;
        return;
    }
    unsigned per_kind[2][8] = {};  // [v6?][scope]
    for (const wire::DirectPath& dp : paths) {
        const InetAddress& a = dp.address;
        if (a.is_nil() || peer.find_path(-1, a) != nullptr || !path_usable(peer.address(), a)) continue;
        unsigned& n = per_kind[a.family == InetAddress::Family::kV6][static_cast<unsigned>(a.scope()) & 7];
        if (++n > kPushDirectPathsMaxPerScopeAndFamily) continue;
        contact(peer, -1, a, !peer.prefers_echo());
    }
}

void Vl1::on_user_message(Peer& peer, const Packet& p) {
    wire::UserMessage m;
    const char* why = nullptr;
    if (!wire::parse_user_message(p, &m, &why)) {
        ++stats_.drop_malformed;
        return;
    }
    NodeEvent e{NodeEvent::Type::kUserMessage};
    e.peer = peer.address();
    e.message_type = m.type;
    e.data = std::move(m.data);
    emit(e);
}

}  // namespace zt
