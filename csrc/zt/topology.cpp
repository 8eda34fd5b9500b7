// SPDX-License-Identifier: Apache-2.0
#include "zt/topology.hpp"

#include <algorithm>

namespace zt {

Topology::Topology(const Identity& self, World planet, std::int64_t now) : self_(self) {
    adopt_planet(std::move(planet), now);
}

void Topology::adopt_planet(World w, std::int64_t now) {
    planet_ = std::move(w);
    update_roots(now);
}

void Topology::update_roots(std::int64_t now) {
    roots_.clear();
    am_root_ = false;
    auto take = [&](const World& w) {
        for (const World::Root& r : w.roots) {
            if (root(r.identity.address()) == nullptr) roots_.push_back(r);
        }
    };
    take(planet_);
    for (const World& m : moons_) take(m);
    for (const World::Root& r : roots_) {
        if (r.identity.address() == self_.address()) {
            am_root_ = true;
            continue;
        }
        // Roots come with their identities: no WHOIS needed, and the signed world vouches for them.
        Peer* existing = get(r.identity.address());
        if (existing != nullptr && !existing->identity().same_public(r.identity)) remove(r.identity.address());
        add(r.identity, now);
    }
}

Peer* Topology::get(std::uint64_t address) {
    auto it = peers_.find(address);
    return it == peers_.end() ? nullptr : it->second.get();
}

Peer* Topology::add(const Identity& id, std::int64_t now) {
    if (id.address() == self_.address()) return nullptr;
    if (Peer* existing = get(id.address())) return existing->identity().same_public(id) ? existing : nullptr;
    std::unique_ptr<Peer> p = Peer::create(self_, id, now);
    if (!p) return nullptr;
    Peer* raw = p.get();
    peers_.emplace(id.address(), std::move(p));
    return raw;
}

Peer* Topology::insert(std::unique_ptr<Peer> peer) {
    if (!peer || peer->address() == self_.address() || get(peer->address()) != nullptr) return nullptr;
    Peer* raw = peer.get();
    peers_.emplace(raw->address(), std::move(peer));
    return raw;
}

void Topology::remove(std::uint64_t address) { peers_.erase(address); }

std::size_t Topology::memory_estimate() const {
    // Each entry of the table: a node with key, value and hash link, plus one bucket pointer.
    constexpr std::size_t kEntry = sizeof(void*) * 2 + sizeof(std::uint64_t) + sizeof(std::unique_ptr<Peer>);
    std::size_t total = peers_.bucket_count() * sizeof(void*);
    for (const auto& kv : peers_) total += kEntry + kv.second->memory_estimate();
    return total;
}

void Topology::for_each(const std::function<void(Peer&)>& fn) {
    for (auto& kv : peers_) fn(*kv.second);
}

const World::Root* Topology::root(std::uint64_t address) const {
    for (const World::Root& r : roots_) {
        if (r.identity.address() == address) return &r;
    }
    return nullptr;
}

bool Topology::is_root(std::uint64_t address) const { return root(address) != nullptr; }

bool Topology::is_moon_root(std::uint64_t address) const {
    for (const World::Root& r : planet_.roots) {
        if (r.identity.address() == address) return false;
    }
    return is_root(address);
}

Peer* Topology::best_root(std::int64_t now) {
    Peer* best = nullptr;
    int best_latency = 0;
    bool best_alive = false;
    for (const World::Root& r : roots_) {
        Peer* p = get(r.identity.address());
        if (p == nullptr || p->paths().empty()) continue;
        const bool alive = p->has_alive_path(now);
        const int lat = p->latency() < 0 ? 0xffff : p->latency();
        if (best == nullptr || (alive && !best_alive) || (alive == best_alive && lat < best_latency)) {
            best = p;
            best_latency = lat;
            best_alive = alive;
        }
    }
    return best;
}

bool Topology::endpoint_prohibited(std::uint64_t address, const InetAddress& at) const {
    const World::Root* r = root(address);
    if (r == nullptr || r->endpoints.empty()) return false;
    for (const InetAddress& ep : r->endpoints) {
        if (ep.same_ip(at)) return false;
    }
    return true;
}

bool Topology::consider_planet_update(const World& update, std::int64_t now) {
    if (update.type != World::Type::kPlanet || !planet_.should_be_replaced_by(update)) return false;
    adopt_planet(update, now);
    return true;
}

}  // namespace zt

namespace zt {

void Topology::want_moon(std::uint64_t id, std::uint64_t seed) {
    if (seed == 0) return;  // nobody to ask
    for (const World& m : moons_) {
        if (m.id == id) return;
    }
    for (auto& s : moon_seeds_) {
        if (s.first == id) {
            s.second = seed;
            return;
        }
    }
    moon_seeds_.emplace_back(id, seed);
}

bool Topology::drop_moon(std::uint64_t id, std::int64_t now) {
    moon_seeds_.erase(std::remove_if(moon_seeds_.begin(), moon_seeds_.end(),
                                     [id](const std::pair<std::uint64_t, std::uint64_t>& s) { return s.first == id; }),
                      moon_seeds_.end());
    const std::size_t before = moons_.size();
    moons_.erase(std::remove_if(moons_.begin(), moons_.end(), [id](const World& m) { return m.id == id; }),
                 moons_.end());
    if (moons_.size() == before) return false;
    update_roots(now);  // its roots stay known as peers, but no longer as upstreams
    return true;
}

bool Topology::is_moon_seed(std::uint64_t address) const {
    for (const auto& s : moon_seeds_) {
        if (s.second == address) return true;
    }
    return false;
}

bool Topology::consider_moon(const World& moon, std::uint64_t from, std::int64_t now) {
    if (moon.type != World::Type::kMoon || moon.roots.empty()) return false;
    for (World& held : moons_) {
        if (held.id != moon.id) continue;
        if (!held.should_be_replaced_by(moon)) return false;
        held = moon;
        update_roots(now);
        return true;
    }
    // New: the first revision of a moon is signed by the key it names for its successors.
    if (!moon.verify(moon.update_key)) return false;
    if (from != 0) {
        auto wanted = std::find_if(moon_seeds_.begin(), moon_seeds_.end(),
                                   [&](const std::pair<std::uint64_t, std::uint64_t>& s) { return s.first == moon.id; });
        if (wanted == moon_seeds_.end() || wanted->second != from) return false;
        const bool seed_is_root = std::any_of(moon.roots.begin(), moon.roots.end(),
                                              [&](const World::Root& r) { return r.identity.address() == from; });
        if (!seed_is_root) return false;
        moon_seeds_.erase(wanted);
    } else {
        moon_seeds_.erase(std::remove_if(moon_seeds_.begin(), moon_seeds_.end(),
                                         [&](const std::pair<std::uint64_t, std::uint64_t>& s) {
                                             return s.first == moon.id;
                                         }),
                          moon_seeds_.end());
    }
    moons_.push_back(moon);
    update_roots(now);
    return true;
}

}  // namespace zt
