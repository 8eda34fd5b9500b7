// SPDX-License-Identifier: Apache-2.0
// ztx_world_*: parse, build, sign and verify planets and moons.
#include <cstring>

#include "ZeroTierSockets.h"
#include "api/arg_error.hpp"
#include "api/world_convert.hpp"
#include "libzt_ext.h"

namespace {

using zt::api::arg_error;

int copy_out(const std::vector<uint8_t>& bytes, uint8_t* buf, size_t* len) {
    if (bytes.size() > *len) return arg_error("buffer too small for the world (8480 bytes always suffice)");
    std::memcpy(buf, bytes.data(), bytes.size());
    *len = bytes.size();
    return ZTS_ERR_OK;
}

}  // namespace

extern "C" {

int ztx_world_parse(const void* data, size_t len, ztx_world_t* out) {
    if (data == nullptr || out == nullptr) return arg_error("arguments must not be NULL");
    zt::World w;
    const char* why = nullptr;
    if (!zt::World::parse_exact(static_cast<const uint8_t*>(data), len, &w, &why)) return arg_error(why);
    if (w.type == zt::World::Type::kNull) return arg_error("world: type 0 (null) is not a usable world");
    zt::api::world_to_c(w, out);
    return ZTS_ERR_OK;
}

int ztx_world_serialize(const ztx_world_t* world, uint8_t* buf, size_t* len) {
    if (world == nullptr || buf == nullptr || len == nullptr) return arg_error("arguments must not be NULL");
    zt::World w;
    const char* why = nullptr;
    if (!zt::api::world_from_c(*world, &w, &why)) return arg_error(why);
    return copy_out(w.serialized(), buf, len);
}

int ztx_world_sign(ztx_world_t* world, const uint8_t signer[ZTX_KEY_PAIR_LEN]) {
    if (world == nullptr || signer == nullptr) return arg_error("arguments must not be NULL");
    zt::World w;
    const char* why = nullptr;
    if (!zt::api::world_from_c(*world, &w, &why)) return arg_error(why);
    w.sign(zt::KeyPair::from_pair_bytes(signer));
    std::memcpy(world->signature, w.signature.data(), w.signature.size());
    return ZTS_ERR_OK;
}

int ztx_world_verify(const ztx_world_t* world, const uint8_t pub[ZTX_PUBLIC_KEY_LEN]) {
    if (world == nullptr || pub == nullptr) return arg_error("arguments must not be NULL");
    zt::World w;
    const char* why = nullptr;
    if (!zt::api::world_from_c(*world, &w, &why)) return arg_error(why);
    zt::PublicKey key;
    std::memcpy(key.data(), pub, key.size());
    return w.verify(key) ? 1 : 0;
}

int ztx_world_should_be_replaced_by(const ztx_world_t* current, const ztx_world_t* update) {
    if (current == nullptr || update == nullptr) return arg_error("arguments must not be NULL");
    zt::World cur;
    zt::World upd;
    const char* why = nullptr;
    if (!zt::api::world_from_c(*current, &cur, &why) || !zt::api::world_from_c(*update, &upd, &why)) {
        return arg_error(why);
    }
    return cur.should_be_replaced_by(upd) ? 1 : 0;
}

int ztx_world_default_planet(uint8_t* buf, size_t* len) {
    if (buf == nullptr || len == nullptr) return arg_error("arguments must not be NULL");
    return copy_out(zt::default_planet_bytes(), buf, len);
}

}  // extern "C"
