// SPDX-License-Identifier: Apache-2.0
// A World is a signed list of root servers: the planet every node trusts, or a moon it orbits.
// Each revision names the key that must sign the next one, so a world is a chain of authority.
#pragma once

#include <cstdint>
#include <vector>

#include "zt/identity.hpp"
#include "zt/inet_address.hpp"

namespace zt {

class World {
  public:
    enum class Type : std::uint8_t { kNull = 0, kPlanet = 1, kMoon = 127 };

    struct Root {
        Identity identity;  // public part only
        std::vector<InetAddress> endpoints;  // "stable endpoints": the only IPs the root may be reached at
    };

    Type type = Type::kNull;
    std::uint64_t id = 0;
    std::uint64_t timestamp = 0;
    PublicKey update_key{};  // signs the next revision
    Signature signature{};   // made with the previous revision's update key
    std::vector<Root> roots;

    // Reads one world from the front of data; *consumed = its length. Rejects bad types, more than 4
    // roots or 32 endpoints per root, root identities carrying private keys, and truncation.
    static bool parse(const std::uint8_t* data, std::size_t len, World* out, std::size_t* consumed,
                      const char** why);
    // The file form must be exactly one world, nothing after it.
    static bool parse_exact(const std::uint8_t* data, std::size_t len, World* out, const char** why);

    // for_signing brackets the body with 8 x 0x7f and 8 x 0xf7 and leaves the signature out.
    void serialize(std::vector<std::uint8_t>& out, bool for_signing = false) const;
    std::vector<std::uint8_t> serialized() const;

    void sign(const KeyPair& signer);
    bool verify(const PublicKey& signer) const;
    // ZeroTier's update rule: an empty world accepts anything; otherwise the same id and type, a
    // strictly newer timestamp, and a signature by our update key.
    bool should_be_replaced_by(const World& update) const;

    bool operator==(const World& o) const { return serialized() == o.serialized(); }
};

// The world compiled into ZeroTier One (id 149604618): what a node uses when given no roots.
const std::vector<std::uint8_t>& default_planet_bytes();

}  // namespace zt
