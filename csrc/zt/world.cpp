// SPDX-License-Identifier: Apache-2.0
#include "zt/world.hpp"

namespace zt {

namespace {
constexpr std::uint64_t kSigningPrefix = 0x7f7f7f7f7f7f7f7fULL;
constexpr std::uint64_t kSigningSuffix = 0xf7f7f7f7f7f7f7f7ULL;
}  // namespace

bool World::parse(const std::uint8_t* data, std::size_t len, World* out, std::size_t* consumed,
                  const char** why) {
    const char* ignored = nullptr;
    if (why == nullptr) why = &ignored;
    Reader r(data, len);
    World w;
    const std::uint8_t type = r.u8();
    if (!r.ok()) {
        *why = "world: empty";
        return false;
    }
    if (type != static_cast<std::uint8_t>(Type::kNull) && type != static_cast<std::uint8_t>(Type::kPlanet) &&
        type != static_cast<std::uint8_t>(Type::kMoon)) {
        *why = "world: unknown type (expected 1 = planet or 127 = moon)";
        return false;
    }
    w.type = static_cast<Type>(type);
    w.id = r.u64();
    w.timestamp = r.u64();
    r.copy(w.update_key.data(), w.update_key.size());
    r.copy(w.signature.data(), w.signature.size());
    const std::uint8_t root_count = r.u8();
    if (!r.ok()) {
        *why = "world: truncated header";
        return false;
    }
    if (root_count > kWorldMaxRoots) {
        *why = "world: more than 4 roots";
        return false;
    }
    for (unsigned i = 0; i < root_count; ++i) {
        Root root;
        std::size_t used = 0;
        if (!Identity::from_bytes(r.cursor(), r.remaining(), &root.identity, &used, why)) {
            if (r.remaining() < kIdentityWireLen) *why = "world: truncated root identity";
            return false;
        }
        if (root.identity.has_private()) {
            *why = "world: a root identity carries a private key";
            return false;
        }
        r.skip(used);
        const std::uint8_t endpoint_count = r.u8();
        if (!r.ok()) {
            *why = "world: truncated root";
            return false;
        }
        if (endpoint_count > kWorldMaxEndpointsPerRoot) {
            *why = "world: more than 32 endpoints for one root";
            return false;
        }
        for (unsigned e = 0; e < endpoint_count; ++e) {
            InetAddress ep;
            if (!InetAddress::deserialize(r, &ep)) {
                *why = "world: truncated or unknown endpoint address";
                return false;
            }
            if (!ep.is_nil()) root.endpoints.push_back(ep);
        }
        w.roots.push_back(std::move(root));
    }
    if (w.type == Type::kMoon) {
        // A moon may carry a dictionary for future use; ZeroTier skips it and so do we.
        const std::uint16_t dict_len = r.u16();
        if (!r.skip(dict_len)) {
            *why = "world: truncated moon dictionary";
            return false;
        }
    }
    if (consumed != nullptr) *consumed = r.pos();
    *out = std::move(w);
    return true;
}

bool World::parse_exact(const std::uint8_t* data, std::size_t len, World* out, const char** why) {
    const char* ignored = nullptr;
    if (why == nullptr) why = &ignored;
    if (len > kWorldMaxSerializedLen) {
        *why = "world: larger than the 8480-byte maximum";
        return false;
    }
    std::size_t used = 0;
    if (!parse(data, len, out, &used, why)) return false;
    if (used != len) {
        *why = "world: trailing bytes after the world";
        return false;
    }
    return true;
}

void World::serialize(std::vector<std::uint8_t>& out, bool for_signing) const {
    Writer w(out);
    if (for_signing) w.u64(kSigningPrefix);
    w.u8(static_cast<std::uint8_t>(type));
    w.u64(id);
    w.u64(timestamp);
    w.bytes(update_key.data(), update_key.size());
    if (!for_signing) w.bytes(signature.data(), signature.size());
    w.u8(static_cast<std::uint8_t>(roots.size()));
    for (const Root& root : roots) {
        root.identity.to_bytes(out, false);
        w.u8(static_cast<std::uint8_t>(root.endpoints.size()));
        for (const InetAddress& ep : root.endpoints) ep.serialize(w);
    }
    if (type == Type::kMoon) w.u16(0);
    if (for_signing) w.u64(kSigningSuffix);
}

std::vector<std::uint8_t> World::serialized() const {
    std::vector<std::uint8_t> out;
    serialize(out);
    return out;
}

void World::sign(const KeyPair& signer) {
    std::vector<std::uint8_t> body;
    serialize(body, true);
    signature = sign_message(signer, body.data(), body.size());
}

bool World::verify(const PublicKey& signer) const {
    std::vector<std::uint8_t> body;
    serialize(body, true);
    return verify_message(signer, body.data(), body.size(), signature.data(), signature.size());
}

bool World::should_be_replaced_by(const World& update) const {
    if (id == 0 || type == Type::kNull) return true;
    return id == update.id && type == update.type && timestamp < update.timestamp && update.verify(update_key);
}

}  // namespace zt
