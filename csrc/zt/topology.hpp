// SPDX-License-Identifier: Apache-2.0
// Who we know: the peers, and the worlds that name the roots we trust: the planet, and the moons
// we orbit (worlds of type moon, whose roots serve us alongside the planet's).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <unordered_map>
#include <utility>
#include <vector>

#include "zt/peer.hpp"
#include "zt/world.hpp"

namespace zt {

class Topology {
  public:
    Topology(const Identity& self, World planet, std::int64_t now);

    const Identity& self() const { return self_; }
    const World& planet() const { return planet_; }

    Peer* get(std::uint64_t address);
    // Adds a peer for this identity, or returns the existing one if it has the same identity.
    // nullptr if the address is taken by a different identity or the key is unusable.
    Peer* add(const Identity& id, std::int64_t now);
    // Adds a peer whose key was already agreed (HELLO checks its MAC before we keep it).
    Peer* insert(std::unique_ptr<Peer> peer);
    void remove(std::uint64_t address);
    std::size_t size() const { return peers_.size(); }
    std::size_t memory_estimate() const;  // all peers and the table holding them
    void for_each(const std::function<void(Peer&)>& fn);

    // ---- roots: the planet's and every moon's (our "upstreams") ---------------------------------------
    bool is_root(std::uint64_t address) const;
    bool is_moon_root(std::uint64_t address) const;  // a root named by a moon and not by the planet
    bool am_root() const { return am_root_; }
    const std::vector<World::Root>& roots() const { return roots_; }
    const World::Root* root(std::uint64_t address) const;
    // The root to send through: one with an alive path, lowest latency first.
    Peer* best_root(std::int64_t now);
    // A root may only be reached at its stable endpoints (when it lists any).
    bool endpoint_prohibited(std::uint64_t address, const InetAddress& at) const;

    // Accepts `update` if it is a valid successor of the current planet (same id and type, newer,
    // signed by the current update key). Returns true if the planet changed.
    bool consider_planet_update(const World& update, std::int64_t now);

    // ---- moons ---------------------------------------------------------------------------------------
    const std::vector<World>& moons() const { return moons_; }
    // Orbit: remember that we want moon `id` and may ask `seed` (one of its roots) for it, until it
    // arrives. A moon we already have is left as it is.
    void want_moon(std::uint64_t id, std::uint64_t seed);
    // Deorbit: forget moon `id` (held or wanted); true if we held it.
    bool drop_moon(std::uint64_t id, std::int64_t now);
    // (moon id, seed address) of moons wanted and not yet held.
    const std::vector<std::pair<std::uint64_t, std::uint64_t>>& moon_seeds() const { return moon_seeds_; }
    bool is_moon_seed(std::uint64_t address) const;
    // Whose OK(HELLO) may carry world updates: our roots and the seeds of wanted moons.
    bool accepts_worlds_from(std::uint64_t address) const { return is_root(address) || is_moon_seed(address); }
    // Takes a moon: an update of one we hold (same id, newer, signed by its update key), or a new
    // one we asked for (its id wanted and `from`, the seed, among its roots). A new moon must carry
    // a valid signature by its own update key. `from` 0 means our own storage, trusted to hold
    // moons we orbit. Returns true if the moon was added or changed.
    bool consider_moon(const World& moon, std::uint64_t from, std::int64_t now);

  private:
    void adopt_planet(World w, std::int64_t now);
    // Rebuilds roots_ from the planet and the moons, adding any root we do not know as a peer.
    void update_roots(std::int64_t now);

    Identity self_;
    World planet_;
    std::vector<World> moons_;
    std::vector<std::pair<std::uint64_t, std::uint64_t>> moon_seeds_;
    std::vector<World::Root> roots_;  // the planet's, then each moon's (an address listed once)
    bool am_root_ = false;
    std::unordered_map<std::uint64_t, std::unique_ptr<Peer>> peers_;
};

}  // namespace zt
