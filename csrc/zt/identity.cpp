// SPDX-License-Identifier: Apache-2.0
#include "zt/identity.hpp"

#include <atomic>
#include <cstring>
#include <memory>
#include <mutex>
#include <thread>

#include "zt/bytes.hpp"
#include "zt/crypto.hpp"

namespace zt {

namespace {

constexpr std::size_t kBlock = 64;
constexpr std::size_t kGenBlocks = kIdentityGenMemory / kBlock;
constexpr std::size_t kGenWords = kIdentityGenMemory / 8;
constexpr std::size_t kMixBlocks = kGenWords / 2;  // one keystream block per pair of words read
constexpr std::size_t kKeystreamChunkBlocks = 512;

// Layout of the 64-byte key halves: X25519 first, Ed25519 second.
constexpr std::size_t kEdOffset = 32;

}  // namespace

void memory_hard_hash(const PublicKey& pub, std::uint8_t digest[64], std::uint8_t* gen) {
    crypto::sha512(pub.data(), pub.size(), digest);
    // The first digest keys one continuous Salsa20/20 keystream; copy key and nonce out before the
    // digest starts changing.
    std::uint8_t salsa_key[crypto::kSalsaKeyLen];
    std::uint8_t nonce[crypto::kSalsaNonceLen];
    std::memcpy(salsa_key, digest, sizeof salsa_key);
    std::memcpy(nonce, digest + 32, sizeof nonce);

    // Fill: block i = block i-1 XOR keystream block i. Writing the keystream first and chaining after
    // gives the same bytes as the sequential definition, at bulk keystream speed.
    crypto::salsa20_stream(gen, kIdentityGenMemory, nonce, 0, salsa_key);
    for (std::size_t i = kBlock; i < kIdentityGenMemory; ++i) gen[i] ^= gen[i - kBlock];

    // Mix: swap cells chosen by the buffer's own (big-endian) contents with digest cells, and encrypt
    // the digest with the continuing keystream after every swap.
    std::uint8_t stream[kKeystreamChunkBlocks * kBlock];
    std::uint64_t next_block = kGenBlocks;
    std::size_t w = 0;
    for (std::size_t done = 0; done < kMixBlocks; done += kKeystreamChunkBlocks) {
        crypto::salsa20_stream(stream, sizeof stream, nonce, next_block, salsa_key);
        next_block += kKeystreamChunkBlocks;
        for (std::size_t k = 0; k < kKeystreamChunkBlocks; ++k, w += 2) {
            const std::size_t idx1 = load_be(gen + w * 8, 8) % 8;
            const std::size_t idx2 = load_be(gen + (w + 1) * 8, 8) % kGenWords;
            std::uint8_t tmp[8];
            std::memcpy(tmp, gen + idx2 * 8, 8);
            std::memcpy(gen + idx2 * 8, digest + idx1 * 8, 8);
            std::memcpy(digest + idx1 * 8, tmp, 8);
            const std::uint8_t* ks = stream + k * kBlock;
            for (std::size_t i = 0; i < kBlock; ++i) digest[i] ^= ks[i];
        }
    }
    crypto::wipe(salsa_key, sizeof salsa_key);
}

bool address_is_reserved(std::uint64_t address) {
    return address == 0 || (address >> 32) == kAddressReservedPrefix;
}

// ---- key pairs and signatures ---------------------------------------------------------------------

KeyPair KeyPair::from_private(const PrivateKey& priv) {
    KeyPair kp;
    kp.priv = priv;
    crypto::x25519_public(kp.pub.data(), kp.priv.data());
    crypto::ed25519_public(kp.pub.data() + kEdOffset, kp.priv.data() + kEdOffset);
    return kp;
}

KeyPair KeyPair::from_pair_bytes(const std::uint8_t* pair) {
    KeyPair kp;
    std::memcpy(kp.pub.data(), pair, kPublicKeyLen);
    std::memcpy(kp.priv.data(), pair + kPublicKeyLen, kPrivateKeyLen);
    return kp;
}

void KeyPair::to_pair_bytes(std::uint8_t* pair) const {
    std::memcpy(pair, pub.data(), kPublicKeyLen);
    std::memcpy(pair + kPublicKeyLen, priv.data(), kPrivateKeyLen);
}

KeyPair KeyPair::generate() {
    PrivateKey priv;
    crypto::random_bytes(priv.data(), priv.size());
    KeyPair kp = from_private(priv);
    crypto::wipe(priv.data(), priv.size());
    return kp;
}

KeyPair::~KeyPair() { crypto::wipe(priv.data(), priv.size()); }

Signature sign_message(const KeyPair& key, const void* msg, std::size_t len) {
    std::uint8_t digest[crypto::kSha512Len];
    crypto::sha512(msg, len, digest);
    Signature sig;
    crypto::ed25519_sign(sig.data(), digest, 32, key.priv.data() + kEdOffset, key.pub.data() + kEdOffset);
    std::memcpy(sig.data() + crypto::kEd25519SignatureLen, digest, 32);
    return sig;
}

bool verify_message(const PublicKey& pub, const void* msg, std::size_t len, const std::uint8_t* sig,
                    std::size_t sig_len) {
    if (sig == nullptr || sig_len != kSignatureLen) return false;
    std::uint8_t digest[crypto::kSha512Len];
    crypto::sha512(msg, len, digest);
    // The signature carries the digest it signed; a mismatch is a cheap early reject.
    if (!crypto::equal_constant_time(sig + crypto::kEd25519SignatureLen, digest, 32)) return false;
    return crypto::ed25519_verify(sig, digest, 32, pub.data() + kEdOffset);
}

// ---- identity ---------------------------------------------------------------------------------------

Identity::~Identity() { crypto::wipe(private_.data(), private_.size()); }

Identity Identity::generate(unsigned threads) {
    if (threads == 0) threads = 1;
    std::mutex lock;
    std::atomic<bool> found{false};
    Identity result;

    auto search = [&]() {
        std::unique_ptr<std::uint8_t[]> gen(new std::uint8_t[kIdentityGenMemory]);
        std::uint8_t digest[64];
        while (!found.load(std::memory_order_relaxed)) {
            KeyPair kp = KeyPair::generate();
            memory_hard_hash(kp.pub, digest, gen.get());
            if (digest[0] >= kIdentityGenFirstByteLessThan) continue;
            const std::uint64_t address = load_be(digest + 59, kAddressLen);
            if (address_is_reserved(address)) continue;
            std::lock_guard<std::mutex> g(lock);
            if (found.exchange(true)) return;
            result.address_ = address;
            result.public_ = kp.pub;
            result.private_ = kp.priv;
            result.has_private_ = true;
        }
    };

    if (threads == 1) {
        search();
    } else {
        std::vector<std::thread> workers;
        for (unsigned i = 0; i < threads; ++i) workers.emplace_back(search);
        for (auto& t : workers) t.join();
    }
    return result;
}

bool Identity::from_string(std::string_view s, Identity* out, const char** why) {
    const char* ignored = nullptr;
    if (why == nullptr) why = &ignored;
    std::string_view fields[4];
    std::size_t n = 0;
    std::size_t start = 0;
    for (;;) {
        const std::size_t colon = s.find(':', start);
        if (n == 4) {
            *why = "identity: too many ':'-separated fields (expected address:0:public[:private])";
            return false;
        }
        fields[n++] = s.substr(start, colon == std::string_view::npos ? std::string_view::npos : colon - start);
        if (colon == std::string_view::npos) break;
        start = colon + 1;
    }
    if (n < 3) {
        *why = "identity: expected address:0:public[:private]";
        return false;
    }
    Identity id;
    if (!address_from_hex(fields[0], &id.address_)) {
        *why = "identity: address must be exactly 10 hex digits";
        return false;
    }
    if (address_is_reserved(id.address_)) {
        *why = "identity: address is reserved (zero or starting with ff)";
        return false;
    }
    if (fields[1] != "0") {
        *why = "identity: unsupported type (only type 0, C25519, exists)";
        return false;
    }
    if (!from_hex(fields[2], id.public_.data(), id.public_.size())) {
        *why = "identity: public key must be exactly 128 hex digits";
        return false;
    }
    if (n == 4) {
        if (!from_hex(fields[3], id.private_.data(), id.private_.size())) {
            *why = "identity: private key must be exactly 128 hex digits";
            return false;
        }
        id.has_private_ = true;
    }
    *out = id;
    return true;
}

bool Identity::from_bytes(const std::uint8_t* data, std::size_t len, Identity* out, std::size_t* consumed,
                          const char** why) {
    const char* ignored = nullptr;
    if (why == nullptr) why = &ignored;
    Reader r(data, len);
    Identity id;
    id.address_ = r.u40();
    const std::uint8_t type = r.u8();
    r.copy(id.public_.data(), id.public_.size());
    const std::uint8_t priv_len = r.u8();
    if (!r.ok()) {
        *why = "identity: truncated (a binary identity is at least 71 bytes)";
        return false;
    }
    if (type != kIdentityTypeC25519) {
        *why = "identity: unsupported type (only type 0, C25519, exists)";
        return false;
    }
    if (address_is_reserved(id.address_)) {
        *why = "identity: address is reserved (zero or starting with ff)";
        return false;
    }
    if (priv_len != 0) {
        if (priv_len != kPrivateKeyLen) {
            *why = "identity: private key length must be 0 or 64";
            return false;
        }
        if (!r.copy(id.private_.data(), id.private_.size())) {
            *why = "identity: truncated private key";
            return false;
        }
        id.has_private_ = true;
    }
    if (consumed != nullptr) *consumed = r.pos();
    *out = id;
    return true;
}

std::string Identity::to_string(bool include_private) const {
    std::string s = address_to_hex(address_);
    s += ":0:";
    s += to_hex(public_.data(), public_.size());
    if (include_private && has_private_) {
        s += ':';
        s += to_hex(private_.data(), private_.size());
    }
    return s;
}

void Identity::to_bytes(std::vector<std::uint8_t>& out, bool include_private) const {
    Writer w(out);
    w.u40(address_);
    w.u8(kIdentityTypeC25519);
    w.bytes(public_.data(), public_.size());
    if (include_private && has_private_) {
        w.u8(static_cast<std::uint8_t>(kPrivateKeyLen));
        w.bytes(private_.data(), private_.size());
    } else {
        w.u8(0);
    }
}

bool Identity::private_matches_public() const {
    if (!has_private_) return false;
    const KeyPair derived = KeyPair::from_private(private_);
    return crypto::equal_constant_time(derived.pub.data(), public_.data(), public_.size());
}

bool Identity::locally_validate() const {
    if (address_is_reserved(address_)) return false;
    thread_local std::unique_ptr<std::uint8_t[]> gen;
    if (!gen) gen.reset(new std::uint8_t[kIdentityGenMemory]);
    std::uint8_t digest[64];
    memory_hard_hash(public_, digest, gen.get());
    if (digest[0] >= kIdentityGenFirstByteLessThan) return false;
    if (load_be(digest + 59, kAddressLen) != address_) return false;
    return !has_private_ || private_matches_public();
}

Signature Identity::sign(const void* msg, std::size_t len) const {
    KeyPair kp;
    kp.pub = public_;
    kp.priv = private_;
    return sign_message(kp, msg, len);
}

bool Identity::verify(const void* msg, std::size_t len, const std::uint8_t* sig, std::size_t sig_len) const {
    return verify_message(public_, msg, len, sig, sig_len);
}

bool Identity::agree(const Identity& peer, SymmetricKey* key) const {
    if (!has_private_) return false;
    std::uint8_t raw[crypto::kX25519Len];
    if (!crypto::x25519(raw, private_.data(), peer.public_.data())) return false;
    std::uint8_t digest[crypto::kSha512Len];
    crypto::sha512(raw, sizeof raw, digest);
    std::memcpy(key->data(), digest, kSymmetricKeyLen);
    crypto::wipe(raw, sizeof raw);
    crypto::wipe(digest, sizeof digest);
    return true;
}

}  // namespace zt
