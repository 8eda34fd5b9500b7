// SPDX-License-Identifier: Apache-2.0
// Where datagrams enter and packets leave: fragment reassembly, relaying for others, parking
// packets from unknown sources while WHOIS runs, path choice, armoring and fragmentation on send.
#include <algorithm>

#include "zt/vl1.hpp"

namespace zt {

void Vl1::process_datagram(std::int64_t now, std::int64_t local_socket, const InetAddress& from,
                            const std::uint8_t* data, std::size_t len) {
    now_ = now;
    ++stats_.rx_datagrams;
    if (from.scope() == IpScope::kLoopback && !config_.allow_loopback_paths) {
        ++stats_.drop_path;  // ZeroTier never treats loopback as a physical network
        return;
    }
    if (len == kLegacyBeaconLen) return;  // pre-1.0.4 LAN beacon: nothing to learn from it any more
    if (len > kMinFragmentLen && data[kIdxFragmentIndicator] == kFragmentIndicator) {
        on_fragment(local_socket, from, data, len);
    } else if (len >= kMinPacketLen) {
        on_head(local_socket, from, data, len);
    } else {
        ++stats_.junk;
    }
}

bool Vl1::may_relay_from(const InetAddress& from) const {
    (void)from;
    // Roots relay for everyone. Ordinary nodes would relay only on paths with network trust (VL2);
    // until then they relay nothing, as an untrusted relay is an amplifier.
    return config_.relay_for_anyone;
}

void Vl1::on_fragment(std::int64_t local_socket, const InetAddress& from, const std::uint8_t* data,
                       std::size_t len) {
    const std::uint64_t dest = load_be(data + kIdxDestination, kAddressLen);
    if (dest != self_.address()) {
        if (!may_relay_from(from)) {
            ++stats_.drop_relay;
            return;
        }
        std::uint8_t copy[kMaxDatagramLen];
        if (len > sizeof copy) {
            ++stats_.drop_malformed;
            return;
        }
        std::copy(data, data + len, copy);
        relay(dest, 0, copy, len, false);
        return;
    }
    auto assembled = std::make_unique<Packet>();
    const Defragmenter::Result result = defrag_.add_fragment(data, len, now_, assembled.get());
    stats_.drop_fragment = defrag_.abandoned_pieces();
    switch (result) {
        case Defragmenter::Result::kIncomplete: return;
        case Defragmenter::Result::kDropped: ++stats_.drop_malformed; return;
        case Defragmenter::Result::kComplete: break;
    }
    ++stats_.rx_packets;
    if (!try_decode(local_socket, from, *assembled)) park(std::move(assembled), local_socket, from);
}

void Vl1::on_head(std::int64_t local_socket, const InetAddress& from, const std::uint8_t* data, std::size_t len) {
    const std::uint64_t dest = load_be(data + kIdxDestination, kAddressLen);
    const std::uint64_t source = load_be(data + kIdxSource, kAddressLen);
    if (source == self_.address()) {
        ++stats_.drop_unexpected;  // our own packet came back (a loop, or someone replaying it)
        return;
    }
    if (dest != self_.address()) {
        if (!may_relay_from(from)) {
            ++stats_.drop_relay;
            return;
        }
        std::uint8_t copy[kMaxDatagramLen];
        if (len > sizeof copy) {
            ++stats_.drop_malformed;
            return;
        }
        std::copy(data, data + len, copy);
        relay(dest, source, copy, len, true);
        return;
    }
    auto packet = std::make_unique<Packet>();
    if ((data[kIdxFlags] & kFlagFragmented) != 0) {
        const Defragmenter::Result result = defrag_.add_head(data, len, now_, packet.get());
        stats_.drop_fragment = defrag_.abandoned_pieces();
        switch (result) {
            case Defragmenter::Result::kIncomplete: return;
            case Defragmenter::Result::kDropped: ++stats_.drop_malformed; return;
            case Defragmenter::Result::kComplete: break;
        }
    } else if (!packet->assign(data, len)) {
        ++stats_.drop_malformed;
        return;
    }
    ++stats_.rx_packets;
    if (!try_decode(local_socket, from, *packet)) park(std::move(packet), local_socket, from);
}

void Vl1::park(std::unique_ptr<Packet> packet, std::int64_t local_socket, const InetAddress& from) {
    // Anyone can claim any sender address: refusing newcomers at the bounds (rather than pushing
    // out the oldest) keeps packets that were already waiting for a genuine WHOIS answer.
    const std::uint64_t source = packet->source();
    if (rx_queue_.size() >= kRxQueueSize || waiting_for(source) >= kQueuePerAddress) {
        ++stats_.drop_queue_full;
        return;
    }
    rx_queue_.push_back({std::move(packet), local_socket, from, now_});
    request_whois(source);
}

void Vl1::relay(std::uint64_t dest, std::uint64_t source, std::uint8_t* data, std::size_t len, bool is_head) {
    const std::size_t hops_at = is_head ? std::size_t{kIdxFlags} : std::size_t{kIdxFragmentHops};
    const unsigned hops = data[hops_at] & kFlagHopsMask;
    if (hops >= kRelayMaxHops) {
        ++stats_.drop_relay;
        return;
    }
    data[hops_at] = static_cast<std::uint8_t>((data[hops_at] & ~kFlagHopsMask) | ((hops + 1) & kFlagHopsMask));
    Peer* to = topology_.get(dest);
    Path* direct = to != nullptr ? to->best_path(now_) : nullptr;
    if (direct != nullptr && direct->alive(now_)) {
        send_raw(direct->local_socket, direct->address, data, len);
        direct->last_out = now_;
        ++stats_.relayed;
        // Introduce the two so they can talk directly (heads only: fragments follow their head).
        if (is_head && source != 0) unite(source, dest);
        return;
    }
    if (topology_.am_root()) {
        ++stats_.drop_relay;  // we are the top: nobody above to pass it to
        return;
    }
    Peer* root = topology_.best_root(now_);
    if (root == nullptr || root->address() == source) {
        ++stats_.drop_relay;
        return;
    }
    Path* up = root->best_path(now_);
    if (up == nullptr) {
        ++stats_.drop_relay;
        return;
    }
    send_raw(up->local_socket, up->address, data, len);
    up->last_out = now_;
    ++stats_.relayed;
}

void Vl1::unite(std::uint64_t a, std::uint64_t b) {
    const auto key = std::minmax(a, b);
    auto it = last_unite_.find(key);
    if (it != last_unite_.end() && now_ - it->second < kMinUniteInterval) return;
    Peer* pa = topology_.get(a);
    Peer* pb = topology_.get(b);
    if (pa == nullptr || pb == nullptr) return;
    // Pick the pair of alive paths with the same address family and the widest common scope,
    // IPv6 preferred at equal scope.
    const Path* best_a = nullptr;
    const Path* best_b = nullptr;
    int best_score = -1;
    for (const Path& x : pa->paths()) {
        if (!x.alive(now_)) continue;
        for (const Path& y : pb->paths()) {
            if (!y.alive(now_) || x.address.family != y.address.family) continue;
            const int scope = std::min(static_cast<int>(x.address.scope()), static_cast<int>(y.address.scope()));
            const int score = scope * 2 + (x.address.family == InetAddress::Family::kV6 ? 1 : 0);
            if (score > best_score) {
                best_score = score;
                best_a = &x;
                best_b = &y;
            }
        }
    }
    if (best_a == nullptr) return;
    last_unite_[key] = now_;
    // Tell each where the other is.
    const Path to_a = *best_a;
    const Path to_b = *best_b;
    Packet for_a(a, self_.address(), Verb::kRendezvous);
    wire::build_rendezvous(for_a, wire::Rendezvous{0, b, to_b.address});
    send_on(*pa, for_a, true, to_a.local_socket, to_a.address);
    Packet for_b(b, self_.address(), Verb::kRendezvous);
    wire::build_rendezvous(for_b, wire::Rendezvous{0, a, to_a.address});
    send_on(*pb, for_b, true, to_b.local_socket, to_b.address);
    stats_.rendezvous_sent += 2;
}

bool Vl1::try_decode(std::int64_t local_socket, const InetAddress& from, Packet& p) {
    // HELLO is the one packet that carries its sender's identity, so it is decodable from strangers.
    if (p.cipher() == CipherSuite::kPoly1305 && p.verb() == Verb::kHello) {
        on_hello(local_socket, from, p);
        return true;
    }
    Peer* peer = topology_.get(p.source());
    if (peer == nullptr) {
        if (topology_.am_root()) {
            ++stats_.drop_unknown_peer;  // a root has nobody to ask
            return true;
        }
        return false;  // the caller parks it and asks who this is
    }
    if (!p.dearmor(peer->key())) {
        ++stats_.drop_auth;
        return true;
    }
    ++stats_.rx_by_suite[static_cast<unsigned>(p.cipher()) & 3];
    if (p.compressed() && !p.decompress()) {
        ++stats_.drop_malformed;
        return true;
    }
    dispatch(*peer, local_socket, from, p);
    return true;
}

// ---- sending ----------------------------------------------------------------------------------------

bool Vl1::path_usable(std::uint64_t peer, const InetAddress& addr) const {
    const IpScope scope = addr.scope();
    if (scope == IpScope::kNone || scope == IpScope::kMulticast) return false;
    if (scope == IpScope::kLoopback && !config_.allow_loopback_paths) return false;
    return !topology_.endpoint_prohibited(peer, addr);
}

void Vl1::send_raw(std::int64_t local_socket, const InetAddress& to, const std::uint8_t* data, std::size_t len,
                    unsigned ttl) {
    host_.send_datagram(local_socket, to, data, len, ttl);
    ++stats_.tx_datagrams;
}

void Vl1::send_on(Peer& peer, Packet& p, bool encrypt, std::int64_t local_socket, const InetAddress& to) {
    p.set_fragmented(needs_fragmentation(p.size(), kDefaultPhysMtu));
    const CipherSuite suite = encrypt ? peer.sending_suite() : CipherSuite::kPoly1305;
    const Verb verb = p.verb();  // before armor encrypts it
    p.armor(peer.key(), suite);
    if (!p.ok()) return;  // overflowed while being built: armor left it as it was, in the clear
    ++stats_.tx_by_suite[static_cast<unsigned>(suite)];
    expect_reply(verb, p.packet_id());
    for_each_datagram(p, kDefaultPhysMtu, [&](const std::uint8_t* d, std::size_t n) { send_raw(local_socket, to, d, n); });
    ++stats_.tx_packets;
    if (Path* path = peer.find_path(local_socket, to)) path->last_out = now_;
}

void Vl1::reply(Peer& peer, Packet& p) {
    Path* direct = peer.best_path(now_);
    if ((direct != nullptr && direct->alive(now_)) || rx_local_socket_ < 0) {
        send(p, true);
        return;
    }
    send_on(peer, p, true, rx_local_socket_, rx_from_);
}

bool Vl1::send_to_peer(Peer& peer, Packet& p, bool encrypt) {
    Path* direct = peer.best_path(now_);
    if (direct != nullptr && direct->alive(now_)) {
        const Path target = *direct;
        send_on(peer, p, encrypt, target.local_socket, target.address);
        return true;
    }
    // No direct path: through the best root, which relays by destination address.
    Peer* root = topology_.is_root(peer.address()) ? nullptr : topology_.best_root(now_);
    Path* up = root != nullptr ? root->best_path(now_) : nullptr;
    if (up != nullptr) {
        const Path target = *up;
        send_on(peer, p, encrypt, target.local_socket, target.address);
        note_relayed(peer);
        try_remembered_paths(peer);
        return true;
    }
    if (direct != nullptr) {  // a path that may have gone quiet is better than nothing
        const Path target = *direct;
        send_on(peer, p, encrypt, target.local_socket, target.address);
        return true;
    }
    if (const World::Root* r = topology_.root(peer.address())) {
        for (const InetAddress& ep : r->endpoints) {
            if (!path_usable(peer.address(), ep)) continue;
            Packet copy = p;
            send_on(peer, copy, encrypt, -1, ep);
        }
        return !r->endpoints.empty();
    }
    return false;
}

void Vl1::send(Packet& p, bool encrypt) {
    Peer* peer = topology_.get(p.destination());
    if (peer != nullptr && send_to_peer(*peer, p, encrypt)) return;
    if (peer != nullptr) {
        ++stats_.drop_path;
        return;
    }
    if (tx_queue_.size() >= kTxQueueSize || waiting_for(p.destination()) >= kQueuePerAddress) {
        ++stats_.drop_queue_full;
        return;
    }
    tx_queue_.push_back({std::make_unique<Packet>(p), encrypt, now_});
    request_whois(p.destination());
}

// ---- WHOIS ------------------------------------------------------------------------------------------

void Vl1::request_whois(std::uint64_t address) {
    if (topology_.am_root()) return;
    // Already outstanding: its retries are scheduled (retry_whois), nothing more to send now.
    if (whois_pending_.try_emplace(address).second) send_whois(address);
    want_background_at(now_ + kWhoisRetryDelay);  // retries and the queues' timeouts need the timer
}

bool Vl1::send_whois(std::uint64_t address) {
    Peer* root = topology_.best_root(now_);
    if (root == nullptr || !whois_budget_.take(now_, kWhoisBurst, kWhoisRefillMs)) return false;
    WhoisState& st = whois_pending_[address];
    st.last_sent = now_;
    ++st.sends;
    ++stats_.whois_sent;
    Packet p(root->address(), self_.address(), Verb::kWhois);
    wire::build_whois(p, {address});
    send_to_peer(*root, p, true);
    return true;
}

std::int64_t Vl1::retry_whois() {
    std::int64_t next = INT64_MAX;
    std::vector<std::uint64_t> due;
    std::vector<std::uint64_t> exhausted;
    for (const auto& [address, st] : whois_pending_) {
        const std::int64_t at = st.sends == 0 ? now_ : st.last_sent + (kWhoisRetryDelay << (st.sends - 1));
        if (at > now_) {
            next = std::min(next, at);
        } else if (st.sends >= kWhoisMaxSends) {
            exhausted.push_back(address);
        } else {
            due.push_back(address);
        }
    }
    for (std::uint64_t a : exhausted) give_up_whois(a);
    // Oldest requests first would need an ordered index; any order is fair enough under the budget.
    for (std::uint64_t a : due) {
        if (!send_whois(a)) {
            next = std::min(next, now_ + kWhoisRefillMs);  // out of budget (or no root): try again soon
            break;
        }
        next = std::min(next, now_ + (kWhoisRetryDelay << (whois_pending_[a].sends - 1)));
    }
    return next;
}

void Vl1::give_up_whois(std::uint64_t address) {
    whois_pending_.erase(address);
    auto waits = [address](const auto& q) { return q.packet->source() == address; };
    auto queued = [address](const auto& q) { return q.packet->destination() == address; };
    const auto rx_end = std::remove_if(rx_queue_.begin(), rx_queue_.end(), waits);
    const auto tx_end = std::remove_if(tx_queue_.begin(), tx_queue_.end(), queued);
    stats_.drop_unknown_peer += static_cast<std::uint64_t>((rx_queue_.end() - rx_end) + (tx_queue_.end() - tx_end));
    rx_queue_.erase(rx_end, rx_queue_.end());
    tx_queue_.erase(tx_end, tx_queue_.end());
}

std::size_t Vl1::waiting_for(std::uint64_t address) const {
    const auto from = std::count_if(rx_queue_.begin(), rx_queue_.end(),
                                    [address](const Parked& q) { return q.packet->source() == address; });
    const auto to = std::count_if(tx_queue_.begin(), tx_queue_.end(),
                                  [address](const Queued& q) { return q.packet->destination() == address; });
    return static_cast<std::size_t>(from + to);
}

void Vl1::flush_queues_for(std::uint64_t address) {
    std::optional<InetAddress> rendezvous_at;
    if (auto it = whois_pending_.find(address); it != whois_pending_.end()) {
        if (now_ - it->second.rendezvous_received < kRendezvousKeep) rendezvous_at = it->second.rendezvous_at;
        whois_pending_.erase(it);
    }
    Peer* peer = topology_.get(address);
    if (peer == nullptr) return;
    if (rendezvous_at && path_usable(address, *rendezvous_at)) punch_towards(*peer, *rendezvous_at);
    // Move matching entries out first: decoding may queue or send more.
    std::vector<Parked> parked;
    for (auto it = rx_queue_.begin(); it != rx_queue_.end();) {
        if (it->packet->source() == address) {
            parked.push_back(std::move(*it));
            it = rx_queue_.erase(it);
        } else {
            ++it;
        }
    }
    std::vector<Queued> queued;
    for (auto it = tx_queue_.begin(); it != tx_queue_.end();) {
        if (it->packet->destination() == address) {
            queued.push_back(std::move(*it));
            it = tx_queue_.erase(it);
        } else {
            ++it;
        }
    }
    for (Parked& q : parked) try_decode(q.local_socket, q.from, *q.packet);
    for (Queued& q : queued) {
        Peer* p = topology_.get(address);
        if (p == nullptr || !send_to_peer(*p, *q.packet, q.encrypt)) ++stats_.drop_path;
    }
}

}  // namespace zt
