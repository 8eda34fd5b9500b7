// SPDX-License-Identifier: Apache-2.0
// ztx_identity_* and ztx_keypair_*: identities and key pairs for the Python layer.
#include <algorithm>
#include <cstring>
#include <new>
#include <thread>

#include "ZeroTierSockets.h"
#include "api/arg_error.hpp"
#include "api/identity_handle.hpp"
#include "libzt_ext.h"
#include "zt/crypto.hpp"
#include "zt/identity.hpp"

namespace {

using zt::api::arg_error;

int wrap(const zt::Identity& id, ztx_identity** out) {
    auto* h = new (std::nothrow) ztx_identity{id};
    if (h == nullptr) return ZTS_ERR_GENERAL;
    *out = h;
    return ZTS_ERR_OK;
}

}  // namespace

extern "C" {

int ztx_identity_generate(unsigned threads, ztx_identity** out) {
    if (out == nullptr) return arg_error("out must not be NULL");
    zt::crypto::init();
    if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
    return wrap(zt::Identity::generate(threads), out);
}

int ztx_identity_from_string(const char* text, size_t len, ztx_identity** out) {
    if (text == nullptr || out == nullptr) return arg_error("identity string must not be NULL");
    if (len >= ZTX_IDENTITY_STRING_LEN) return arg_error("identity: string too long");
    zt::Identity id;
    const char* why = nullptr;
    if (!zt::Identity::from_string(std::string_view(text, len), &id, &why)) return arg_error(why);
    return wrap(id, out);
}

int ztx_identity_from_bytes(const void* data, size_t len, ztx_identity** out) {
    if (data == nullptr || out == nullptr) return arg_error("identity bytes must not be NULL");
    zt::Identity id;
    size_t used = 0;
    const char* why = nullptr;
    if (!zt::Identity::from_bytes(static_cast<const uint8_t*>(data), len, &id, &used, &why)) return arg_error(why);
    if (used != len) return arg_error("identity: trailing bytes after the identity");
    return wrap(id, out);
}

void ztx_identity_free(ztx_identity* id) { delete id; }

uint64_t ztx_identity_address(const ztx_identity* id) { return id != nullptr ? id->id.address() : 0; }

int ztx_identity_has_private(const ztx_identity* id) { return id != nullptr && id->id.has_private() ? 1 : 0; }

int ztx_identity_to_string(const ztx_identity* id, int include_private, char* buf, size_t* len) {
    if (id == nullptr || buf == nullptr || len == nullptr) return arg_error("arguments must not be NULL");
    const std::string s = id->id.to_string(include_private != 0);
    if (s.size() + 1 > *len) return arg_error("buffer too small for the identity string");
    std::memcpy(buf, s.c_str(), s.size() + 1);
    *len = s.size();
    return ZTS_ERR_OK;
}

int ztx_identity_to_bytes(const ztx_identity* id, int include_private, uint8_t* buf, size_t* len) {
    if (id == nullptr || buf == nullptr || len == nullptr) return arg_error("arguments must not be NULL");
    std::vector<uint8_t> out;
    id->id.to_bytes(out, include_private != 0);
    if (out.size() > *len) return arg_error("buffer too small for the identity");
    std::memcpy(buf, out.data(), out.size());
    zt::crypto::wipe(out.data(), out.size());
    *len = out.size();
    return ZTS_ERR_OK;
}

int ztx_identity_public_key(const ztx_identity* id, uint8_t out[ZTX_PUBLIC_KEY_LEN]) {
    if (id == nullptr || out == nullptr) return arg_error("arguments must not be NULL");
    std::memcpy(out, id->id.public_key().data(), ZTX_PUBLIC_KEY_LEN);
    return ZTS_ERR_OK;
}

int ztx_identity_validate(const ztx_identity* id) {
    if (id == nullptr) return arg_error("identity must not be NULL");
    zt::crypto::init();
    return id->id.locally_validate() ? 1 : 0;
}

int ztx_identity_sign(const ztx_identity* id, const void* msg, size_t len, uint8_t sig[ZTX_SIGNATURE_LEN]) {
    if (id == nullptr || sig == nullptr || (msg == nullptr && len > 0)) return arg_error("arguments must not be NULL");
    if (!id->id.has_private()) return arg_error("identity has no private key: it can verify but not sign");
    const zt::Signature s = id->id.sign(msg, len);
    std::memcpy(sig, s.data(), s.size());
    return ZTS_ERR_OK;
}

int ztx_identity_verify(const ztx_identity* id, const void* msg, size_t len, const uint8_t* sig, size_t sig_len) {
    if (id == nullptr || (msg == nullptr && len > 0)) return arg_error("arguments must not be NULL");
    return id->id.verify(msg, len, sig, sig_len) ? 1 : 0;
}

int ztx_identity_agree(const ztx_identity* self, const ztx_identity* peer, uint8_t key[ZTX_SYMMETRIC_KEY_LEN]) {
    if (self == nullptr || peer == nullptr || key == nullptr) return arg_error("arguments must not be NULL");
    if (!self->id.has_private()) return arg_error("identity has no private key: key agreement needs one");
    zt::SymmetricKey k;
    if (!self->id.agree(peer->id, &k)) return arg_error("key agreement failed: the peer's public key is of low order");
    std::memcpy(key, k.data(), k.size());
    zt::crypto::wipe(k.data(), k.size());
    return ZTS_ERR_OK;
}

int ztx_keypair_generate(uint8_t pair[ZTX_KEY_PAIR_LEN]) {
    if (pair == nullptr) return arg_error("pair must not be NULL");
    zt::crypto::init();
    zt::KeyPair::generate().to_pair_bytes(pair);
    return ZTS_ERR_OK;
}

int ztx_keypair_check(const uint8_t pair[ZTX_KEY_PAIR_LEN]) {
    if (pair == nullptr) return arg_error("pair must not be NULL");
    const zt::KeyPair given = zt::KeyPair::from_pair_bytes(pair);
    const zt::KeyPair derived = zt::KeyPair::from_private(given.priv);
    if (!zt::crypto::equal_constant_time(derived.pub.data(), given.pub.data(), zt::kPublicKeyLen)) {
        return arg_error("key pair: the public half does not belong to the private half");
    }
    return ZTS_ERR_OK;
}

int ztx_keypair_sign(const uint8_t pair[ZTX_KEY_PAIR_LEN], const void* msg, size_t len, uint8_t sig[ZTX_SIGNATURE_LEN]) {
    if (pair == nullptr || sig == nullptr || (msg == nullptr && len > 0)) return arg_error("arguments must not be NULL");
    const zt::Signature s = zt::sign_message(zt::KeyPair::from_pair_bytes(pair), msg, len);
    std::memcpy(sig, s.data(), s.size());
    return ZTS_ERR_OK;
}

int ztx_signature_verify(const uint8_t pub[ZTX_PUBLIC_KEY_LEN], const void* msg, size_t len, const uint8_t* sig,
                         size_t sig_len) {
    if (pub == nullptr || (msg == nullptr && len > 0)) return arg_error("arguments must not be NULL");
    zt::PublicKey key;
    std::memcpy(key.data(), pub, key.size());
    return zt::verify_message(key, msg, len, sig, sig_len) ? 1 : 0;
}

}  // extern "C"
