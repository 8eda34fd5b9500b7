// SPDX-License-Identifier: Apache-2.0
// PUSH_DIRECT_PATHS as ZeroTier One sends it (vl1.md 5.12): to peers we are talking with, our
// own addresses (the host's bound interface addresses and router-mapped external addresses) and
// the addresses peers told us they see us at; every 15 s while we only reach the peer through a
// relay, every 120 s once a direct path exists. The peer tries each one: this is how a node behind
// a NAT with a mapped port (UPnP/NAT-PMP), or on a second address, becomes directly reachable.
#include <algorithm>

#include "zt/vl1.hpp"

namespace zt {

namespace {
// How long an address a peer reported seeing us at stays worth advertising.
constexpr std::int64_t kSurfaceTimeout = 10 * 60 * 1000;
constexpr std::size_t kMaxSurfaces = 16;
// Records per push: each is at most 24 bytes, and the packet stays under ~1200 bytes like ZeroTier One's.
constexpr std::size_t kMaxPushedPaths = 40;
}  // namespace

void Vl1::note_surface(const InetAddress& external) {
    if (external.is_nil() || external.port == 0) return;
    const IpScope scope = external.scope();
    if (scope == IpScope::kLoopback || scope == IpScope::kMulticast || scope == IpScope::kNone) return;
    for (Surface& s : surface_) {
        if (s.address == external) {
            s.last_seen = now_;
            return;
        }
    }
    if (surface_.size() >= kMaxSurfaces) {
        surface_.erase(std::min_element(surface_.begin(), surface_.end(),
                                        [](const Surface& a, const Surface& b) { return a.last_seen < b.last_seen; }));
    }
    surface_.push_back(Surface{external, now_});
}

std::vector<InetAddress> Vl1::surface_addresses() const {
    std::vector<InetAddress> out;
    for (const Surface& s : surface_) {
        if (now_ - s.last_seen < kSurfaceTimeout) out.push_back(s.address);
    }
    return out;
}

void Vl1::push_direct_paths(Peer& peer) {
    const bool direct = peer.best_path(now_) != nullptr;
    const std::int64_t interval = direct ? kDirectPathPushIntervalHavePath : kDirectPathPushInterval;
    auto it = last_path_push_.find(peer.address());
    if (it != last_path_push_.end() && now_ - it->second < interval) return;

    std::vector<wire::DirectPath> paths;
    const auto add = [&](const InetAddress& a) {
        if (paths.size() >= kMaxPushedPaths || a.is_nil() || a.port == 0) return;
        for (const wire::DirectPath& have : paths) {
            if (have.address == a) return;
        }
        wire::DirectPath dp;
        dp.address = a;
        paths.push_back(dp);
    };
    for (const InetAddress& a : local_addresses_) add(a);
    for (const InetAddress& a : surface_addresses()) add(a);
    if (paths.empty()) return;
    last_path_push_[peer.address()] = now_;
    Packet p(peer.address(), self_.address(), Verb::kPushDirectPaths);
    wire::build_push_direct_paths(p, paths);
    if (p.ok()) send(p, true);
}

}  // namespace zt
