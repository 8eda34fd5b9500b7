// SPDX-License-Identifier: Apache-2.0
#include "zt/peer.hpp"

#include <algorithm>

namespace zt {

std::unique_ptr<Peer> Peer::create(const Identity& self, const Identity& id, std::int64_t now) {
    SymmetricKey k;
    if (!self.agree(id, &k)) return nullptr;
    auto key = std::make_unique<PeerKey>(k);
    crypto::wipe(k.data(), k.size());
    return std::unique_ptr<Peer>(new Peer(id, std::move(key), now));
}

Peer::Peer(const Identity& id, std::unique_ptr<PeerKey> key, std::int64_t now)
    : identity_(id), key_(std::move(key)), created_(now) {}

void Peer::set_version(std::uint8_t protocol, std::uint8_t major, std::uint8_t minor, std::uint16_t revision) {
    protocol_ = protocol;
    major_ = major;
    minor_ = minor;
    revision_ = revision;
}

CipherSuite Peer::sending_suite() const {
    return protocol_ >= kProtocolVersionAes ? CipherSuite::kAesGmacSiv : CipherSuite::kSalsa2012Poly1305;
}

bool Peer::prefers_echo() const {
    // 1.1.0 announced ECHO support but mishandled it.
    return protocol_ >= kProtocolVersionEcho && !(major_ == 1 && minor_ == 1 && revision_ == 0);
}

Path* Peer::find_path(std::int64_t local_socket, const InetAddress& addr) {
    for (Path& p : paths_) {
        if (p.same(local_socket, addr)) return &p;
    }
    return nullptr;
}

namespace {
// Higher is better: prefer alive, then wider scope (global over private), then lower latency.
// Latency counts in steps of kLatencyStepMs: differences below that are measurement noise, and
// among paths that equal, best_path takes the one heard from last.
constexpr int kLatencyStepMs = 8;

long long path_rank(const Path& p, std::int64_t now) {
    long long rank = p.alive(now) ? 1LL << 40 : 0;
    switch (p.address.scope()) {
        case IpScope::kGlobal: rank += 6LL << 32; break;
        case IpScope::kPseudoPrivate: rank += 5LL << 32; break;
        case IpScope::kShared: rank += 4LL << 32; break;
        case IpScope::kPrivate: rank += 3LL << 32; break;
        case IpScope::kLinkLocal: rank += 2LL << 32; break;
        default: rank += 1LL << 32; break;
    }
    rank += 0xffff - std::min(p.latency < 0 ? 0xfffe : p.latency / kLatencyStepMs, 0xfffe);
    if (p.address.family == InetAddress::Family::kV6) rank += 1;  // IPv6 wins ties
    return rank;
}
}  // namespace

Path* Peer::best_path(std::int64_t now) {
    // Equal rank goes to the path heard from last. A peer that restarted on other ports (a random
    // port, a secondary port) leaves its old paths looking alive for kPathAliveTimeout; they come
    // first in paths_ and have a latency as good as the new ones, and relaying to them sends
    // everything to sockets that are closed.
    Path* best = nullptr;
    long long best_rank = -1;
    for (Path& p : paths_) {
        const long long r = path_rank(p, now);
        if (r > best_rank || (r == best_rank && p.last_in > best->last_in)) {
            best = &p;
            best_rank = r;
        }
    }
    return best;
}

bool Peer::has_alive_path(std::int64_t now) const {
    return std::any_of(paths_.begin(), paths_.end(), [now](const Path& p) { return p.alive(now); });
}

Path* Peer::learn_path(std::int64_t now, std::int64_t local_socket, const InetAddress& addr, bool* is_new) {
    *is_new = false;
    if (Path* existing = find_path(local_socket, addr)) {
        existing->last_in = now;
        return existing;
    }
    Path fresh;
    fresh.local_socket = local_socket;
    fresh.address = addr;
    fresh.created = now;
    fresh.last_in = now;
    *is_new = true;
    // Replace a dead path to the same IP first (the peer's port changed), else the oldest when full.
    for (Path& p : paths_) {
        if (p.address.same_ip(addr) && !p.alive(now)) {
            p = fresh;
            return &p;
        }
    }
    if (paths_.size() >= kMaxPeerPaths) {
        auto oldest = std::min_element(paths_.begin(), paths_.end(),
                                       [](const Path& a, const Path& b) { return a.last_in < b.last_in; });
        *oldest = fresh;
        return &*oldest;
    }
    paths_.push_back(fresh);
    return &paths_.back();
}

bool Peer::may_confirm_path(std::int64_t now, const InetAddress& addr) {
    recently_tried_.erase(std::remove_if(recently_tried_.begin(), recently_tried_.end(),
                                         [now](const Tried& t) { return now - t.at >= kPathHelloRateLimit; }),
                          recently_tried_.end());
    for (const Tried& t : recently_tried_) {
        if (t.address == addr) return false;
    }
    if (recently_tried_.size() < kMaxPeerPaths) recently_tried_.push_back({addr, now});
    return true;
}

std::vector<Path> Peer::expire_paths(std::int64_t now) {
    std::vector<Path> gone;
    auto keep = std::remove_if(paths_.begin(), paths_.end(), [&](const Path& p) {
        if (!p.expired(now)) return false;
        gone.push_back(p);
        return true;
    });
    paths_.erase(keep, paths_.end());
    return gone;
}

void Peer::received(std::int64_t now, Verb verb) {
    last_receive_ = now;
    switch (verb) {
        case Verb::kFrame:
        case Verb::kExtFrame:
        case Verb::kNetworkConfigRequest:
        case Verb::kNetworkConfig:
        case Verb::kMulticastFrame: last_nontrivial_receive_ = now; break;
        default: break;
    }
}

std::size_t Peer::memory_estimate() const {
    return sizeof(Peer) + sizeof(PeerKey) + 2 * crypto::Aes256::kHeapEstimate + paths_.capacity() * sizeof(Path) +
           remembered_paths.capacity() * sizeof(InetAddress) + recently_tried_.capacity() * sizeof(Tried);
}

int Peer::latency() const {
    int best = -1;
    for (const Path& p : paths_) {
        if (p.latency >= 0 && (best < 0 || p.latency < best)) best = p.latency;
    }
    return best;
}

}  // namespace zt
