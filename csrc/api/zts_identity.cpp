// SPDX-License-Identifier: Apache-2.0
// The identity and root-set calls of ZeroTierSockets.h, with libzt's argument rules.
#include <cstdio>
#include <cstring>
#include <string>

#include "ZeroTierSockets.h"
#include "api/arg_error.hpp"
#include "zt/crypto.hpp"
#include "zt/world.hpp"

namespace {

using zt::api::arg_error;

// libzt signs with the key pairs in ./previous.c25519 and ./current.c25519 when both exist (so a user
// can publish an update signed by the previous key), else with one fresh pair used as both.
bool read_key_file(const char* path, zt::KeyPair* out, bool* malformed) {
    std::FILE* f = std::fopen(path, "rb");
    if (f == nullptr) return false;
    std::uint8_t buf[zt::kKeyPairLen + 1];
    const std::size_t n = std::fread(buf, 1, sizeof buf, f);
    std::fclose(f);
    if (n != zt::kKeyPairLen) {
        *malformed = true;
        return false;
    }
    *out = zt::KeyPair::from_pair_bytes(buf);
    zt::crypto::wipe(buf, sizeof buf);
    return true;
}

bool fits(unsigned int capacity, std::size_t needed) { return capacity == 0 || capacity >= needed; }

}  // namespace

extern "C" {

int zts_id_new(char* key, unsigned int* key_buf_len) {
    if (key == nullptr || key_buf_len == nullptr || *key_buf_len != ZTS_ID_STR_BUF_LEN) {
        return arg_error("zts_id_new: key must be a buffer of ZTS_ID_STR_BUF_LEN (384) bytes");
    }
    const zt::Identity id = zt::Identity::generate(1);
    std::string s = id.to_string(true);
    std::memset(key, 0, *key_buf_len);
    std::memcpy(key, s.data(), s.size());
    *key_buf_len = static_cast<unsigned int>(s.size());
    zt::crypto::wipe(s.data(), s.size());
    return ZTS_ERR_OK;
}

int zts_id_pair_is_valid(const char* key, unsigned int len) {
    // As in libzt: the caller passes the whole 384-byte identity buffer; 1 = valid, 0 = not.
    if (key == nullptr || len != ZTS_ID_STR_BUF_LEN) return 0;
    const std::size_t n = strnlen(key, len);
    if (n == len) return 0;  // not NUL-terminated inside its buffer
    zt::Identity id;
    if (!zt::Identity::from_string(std::string_view(key, n), &id, nullptr)) return 0;
    return id.has_private() && id.locally_validate() ? 1 : 0;
}

int zts_util_sign_root_set(char* roots_out, unsigned int* roots_len, char* prev_key, unsigned int* prev_key_len,
                           char* curr_key, unsigned int* curr_key_len, uint64_t id, uint64_t ts,
                           zts_root_set_t* roots_spec) {
    if (roots_out == nullptr || roots_len == nullptr || prev_key == nullptr || prev_key_len == nullptr ||
        curr_key == nullptr || curr_key_len == nullptr || roots_spec == nullptr) {
        return arg_error("zts_util_sign_root_set: arguments must not be NULL");
    }
    zt::KeyPair previous;
    zt::KeyPair current;
    bool malformed = false;
    const bool have_previous = read_key_file("previous.c25519", &previous, &malformed);
    const bool have_current = read_key_file("current.c25519", &current, &malformed);
    if (malformed) return arg_error("zts_util_sign_root_set: previous.c25519/current.c25519 must be 128 bytes");
    if (!have_previous || !have_current) {
        previous = zt::KeyPair::generate();
        current = previous;
    }

    zt::World world;
    world.type = zt::World::Type::kPlanet;
    world.id = id;
    world.timestamp = ts;
    world.update_key = current.pub;
    for (int i = 0; i < ZTS_MAX_NUM_ROOTS && roots_spec->public_id_str[i] != nullptr; ++i) {
        const char* text = roots_spec->public_id_str[i];
        const std::size_t text_len = strnlen(text, ZTS_ID_STR_BUF_LEN);
        if (text_len == 0) continue;  // libzt skips empty entries
        zt::World::Root root;
        const char* why = nullptr;
        if (!zt::Identity::from_string(std::string_view(text, text_len), &root.identity, &why)) return arg_error(why);
        if (root.identity.has_private()) return arg_error("zts_util_sign_root_set: root identities must be public");
        for (int e = 0; e < ZTS_MAX_ENDPOINTS_PER_ROOT && roots_spec->endpoint_ip_str[i][e] != nullptr; ++e) {
            const char* ep_text = roots_spec->endpoint_ip_str[i][e];
            const std::size_t ep_len = strnlen(ep_text, ZTS_MAX_ENDPOINT_STR_LEN);
            if (ep_len == 0) continue;
            zt::InetAddress ep;
            if (!zt::InetAddress::from_string(std::string_view(ep_text, ep_len), &ep)) {
                return arg_error("zts_util_sign_root_set: an endpoint is not of the form IP/PORT");
            }
            root.endpoints.push_back(ep);
        }
        world.roots.push_back(std::move(root));
    }
    world.sign(previous);

    const std::vector<std::uint8_t> bytes = world.serialized();
    if (!fits(*roots_len, bytes.size()) || !fits(*prev_key_len, zt::kKeyPairLen) ||
        !fits(*curr_key_len, zt::kKeyPairLen)) {
        return arg_error("zts_util_sign_root_set: an output buffer is too small");
    }
    std::memcpy(roots_out, bytes.data(), bytes.size());
    *roots_len = static_cast<unsigned int>(bytes.size());
    previous.to_pair_bytes(reinterpret_cast<std::uint8_t*>(prev_key));
    *prev_key_len = zt::kKeyPairLen;
    current.to_pair_bytes(reinterpret_cast<std::uint8_t*>(curr_key));
    *curr_key_len = zt::kKeyPairLen;
    return ZTS_ERR_OK;
}

}  // extern "C"
