// SPDX-License-Identifier: Apache-2.0
// Who we know: the peers, and the world (planet) that names the roots we trust.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <unordered_map>
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

    // ---- roots ---------------------------------------------------------------------------------------
    bool is_root(std::uint64_t address) const;
    bool am_root() const { return am_root_; }
    const std::vector<World::Root>& roots() const { return planet_.roots; }
    const World::Root* root(std::uint64_t address) const;
    // The root to send through: one with an alive path, lowest latency first.
    Peer* best_root(std::int64_t now);
    // A root may only be reached at its stable endpoints (when it lists any).
    bool endpoint_prohibited(std::uint64_t address, const InetAddress& at) const;

    // Accepts `update` if it is a valid successor of the current planet (same id and type, newer,
    // signed by the current update key). Returns true if the planet changed.
    bool consider_planet_update(const World& update, std::int64_t now);

  private:
    void adopt_planet(World w, std::int64_t now);

    Identity self_;
    World planet_;
    bool am_root_ = false;
    std::unordered_map<std::uint64_t, std::unique_ptr<Peer>> peers_;
};

}  // namespace zt
