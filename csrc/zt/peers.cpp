// SPDX-License-Identifier: Apache-2.0
// Peer lifetime: which peers we keep, when we forget one, and what happens at the peer bound.
//
// As in ZeroTier One, a peer we have not heard from within the idle timeout is forgotten at the next
// housekeeping, except our roots (the planet vouches for them and we always talk to them) and the
// controllers of networks we joined (we need them for configs even when they are quiet). Peers that
// exchange anything with us, frames included, stay because every authenticated packet refreshes
// them. A forgotten peer that speaks again is simply learned again (HELLO, or WHOIS via a root).
//
// Nothing keeps a Peer* across calls into the node: every handler looks peers up by address, so
// removal only has to clean what is keyed by the address (below).
#include <algorithm>

#include "zt/vl1.hpp"

namespace zt {

bool Vl1::peer_is_kept(std::uint64_t address) const {
    if (topology_.is_root(address)) return true;
    return std::any_of(std::begin(sinks_), std::end(sinks_),
                       [address](const VerbSink* sink) { return sink->keeps_peer(address); });
}

std::int64_t Vl1::idle_for(const Peer& peer) const {
    // A peer restored from the cache or learned by WHOIS has not spoken yet: count from its creation.
    return now_ - std::max(peer.created(), peer.last_receive());
}

void Vl1::expire_peers() {
    std::vector<std::uint64_t> idle;
    topology_.for_each([&](Peer& peer) {
        if (idle_for(peer) >= config_.peer_idle_timeout && !peer_is_kept(peer.address())) {
            idle.push_back(peer.address());
        }
    });
    for (std::uint64_t address : idle) {
        forget_peer(address);
        ++stats_.peers_expired;
    }
}

void Vl1::forget_peer(std::uint64_t address) {
    topology_.remove(address);
    // What is keyed by the address: introductions we made, path pushes, and whatever the layers above
    // keep per peer. Parked packets and WHOIS state exist only for unknown addresses.
    for (auto it = last_unite_.begin(); it != last_unite_.end();) {
        it = (it->first.first == address || it->first.second == address) ? last_unite_.erase(it) : std::next(it);
    }
    last_path_push_.erase(address);
    for (VerbSink* sink : sinks_) sink->forget_peer(address);
}

void Vl1::expire_introductions() {
    // A pair introduced long ago is as good as never introduced (the next relayed packet may unite
    // it again); a root relaying for many peers would otherwise keep every pair it ever saw.
    for (auto it = last_unite_.begin(); it != last_unite_.end();) {
        it = now_ - it->second >= kMinUniteInterval * 8 ? last_unite_.erase(it) : std::next(it);
    }
}

bool Vl1::make_room_for_peer() {
    if (topology_.size() < config_.max_peers) return true;
    // The idlest peer that may give way: quiet for kPeerEvictionMinIdle at least (so never one whose
    // packet is being handled right now), never a root or a controller of a joined network.
    std::uint64_t victim = 0;
    std::int64_t victim_idle = kPeerEvictionMinIdle - 1;
    topology_.for_each([&](Peer& peer) {
        const std::int64_t idle = idle_for(peer);
        if (idle > victim_idle && !peer_is_kept(peer.address())) {
            victim = peer.address();
            victim_idle = idle;
        }
    });
    if (victim == 0) {
        ++stats_.peers_refused;
        return false;
    }
    forget_peer(victim);
    ++stats_.peers_expired;
    return true;
}

std::size_t Vl1::peer_memory_estimate() const { return topology_.memory_estimate(); }

}  // namespace zt
