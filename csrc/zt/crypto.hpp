// SPDX-License-Identifier: Apache-2.0
// Thin wrappers over libsodium and OpenSSL: every primitive ZeroTier uses, under names that say which
// variant it is (Salsa20/12 vs Salsa20/20, 8-byte nonces, ...). No cryptography is implemented here.
#pragma once

#include <cstddef>
#include <cstdint>

namespace zt::crypto {

inline constexpr std::size_t kSha512Len = 64;
inline constexpr std::size_t kSha384Len = 48;
inline constexpr std::size_t kSalsaKeyLen = 32;
inline constexpr std::size_t kSalsaNonceLen = 8;
inline constexpr std::size_t kPoly1305KeyLen = 32;
inline constexpr std::size_t kPoly1305TagLen = 16;
inline constexpr std::size_t kX25519Len = 32;
inline constexpr std::size_t kEd25519PublicLen = 32;
inline constexpr std::size_t kEd25519SeedLen = 32;
inline constexpr std::size_t kEd25519SignatureLen = 64;
inline constexpr std::size_t kAes256KeyLen = 32;
inline constexpr std::size_t kAesBlockLen = 16;

// Must run once before anything else here; safe to call from any thread, any number of times.
bool init();

void random_bytes(void* out, std::size_t len);
// 64 random bits for a packet ID, which must never repeat under a key (it is Salsa20's nonce).
// Taken from a per-thread block that random_bytes refills every 64 IDs: one getrandom() per block
// instead of one per packet. A fork()ed child starts a new block rather than reuse the parent's.
std::uint64_t random_u64();
void wipe(void* p, std::size_t len);
bool equal_constant_time(const void* a, const void* b, std::size_t len);

void sha512(const void* data, std::size_t len, std::uint8_t out[kSha512Len]);
// SHA-384 of the concatenation of two parts (OpenSSL: libsodium has no SHA-384).
void sha384(const void* part1, std::size_t len1, const void* part2, std::size_t len2, std::uint8_t out[kSha384Len]);
void hmac_sha384(const std::uint8_t* key, std::size_t key_len, const void* msg, std::size_t msg_len,
                 std::uint8_t out[kSha384Len]);

// Salsa20 with 12 rounds, keystream from block 0, XORed into out (in == out allowed).
void salsa2012_xor(std::uint8_t* out, const std::uint8_t* in, std::size_t len,
                   const std::uint8_t nonce[kSalsaNonceLen], const std::uint8_t key[kSalsaKeyLen]);
// Salsa20 with 20 rounds, keystream starting at 64-byte block `first_block`.
void salsa20_xor(std::uint8_t* out, const std::uint8_t* in, std::size_t len,
                 const std::uint8_t nonce[kSalsaNonceLen], std::uint64_t first_block,
                 const std::uint8_t key[kSalsaKeyLen]);
// Raw Salsa20/20 keystream (the memory-hard hash wants it without an input buffer).
void salsa20_stream(std::uint8_t* out, std::size_t len, const std::uint8_t nonce[kSalsaNonceLen],
                    std::uint64_t first_block, const std::uint8_t key[kSalsaKeyLen]);

void poly1305(std::uint8_t tag[kPoly1305TagLen], const void* msg, std::size_t len,
              const std::uint8_t key[kPoly1305KeyLen]);

// X25519. Returns false for a peer key of low order (the all-zero shared secret).
bool x25519(std::uint8_t shared[kX25519Len], const std::uint8_t secret[kX25519Len],
            const std::uint8_t peer_public[kX25519Len]);
void x25519_public(std::uint8_t pub[kX25519Len], const std::uint8_t secret[kX25519Len]);

// Pure Ed25519 (RFC 8032) keyed by the 32-byte seed, as ZeroTier stores it.
void ed25519_public(std::uint8_t pub[kEd25519PublicLen], const std::uint8_t seed[kEd25519SeedLen]);
void ed25519_sign(std::uint8_t sig[kEd25519SignatureLen], const void* msg, std::size_t len,
                  const std::uint8_t seed[kEd25519SeedLen], const std::uint8_t pub[kEd25519PublicLen]);
bool ed25519_verify(const std::uint8_t sig[kEd25519SignatureLen], const void* msg, std::size_t len,
                    const std::uint8_t pub[kEd25519PublicLen]);

// AES-256 with a key schedule made once and reused per packet. Not thread-safe: one owner at a time.
class Aes256 {
  public:
    Aes256() = default;
    explicit Aes256(const std::uint8_t key[kAes256KeyLen]) { set_key(key); }
    ~Aes256();
    Aes256(const Aes256&) = delete;
    Aes256& operator=(const Aes256&) = delete;

    void set_key(const std::uint8_t key[kAes256KeyLen]);
    bool has_key() const { return ecb_enc_ != nullptr; }

    void encrypt_block(const std::uint8_t in[kAesBlockLen], std::uint8_t out[kAesBlockLen]);
    void decrypt_block(const std::uint8_t in[kAesBlockLen], std::uint8_t out[kAesBlockLen]);
    // CTR mode, big-endian counter in the whole block (callers keep the low word from wrapping).
    void ctr_xor(const std::uint8_t counter_block[kAesBlockLen], std::uint8_t* data, std::size_t len);
    // GCM authentication tag with an empty plaintext: GMAC over the concatenation of the parts.
    void gmac(const std::uint8_t nonce[12], const void* part1, std::size_t len1, const void* part2,
              std::size_t len2, std::uint8_t tag[kAesBlockLen]);

    // What OpenSSL allocates for the contexts of one key, for memory estimates (measured: the RSS of
    // 2,000 peers, each with two keys, in tests/integration/test_peer_expiry.py; OpenSSL 3): 3,300
    // bytes with an EVP context for GMAC, whose place the GCM context took with 720 fewer in use
    // (mallinfo2 over 2,000 keys, OpenSSL 3.0.19); the CTR context without its EVP wrapper takes
    // 192 fewer again (656 -> 464 bytes).
    static constexpr std::size_t kHeapEstimate = 2400;

  private:
    void release();
    void* ecb_enc_ = nullptr;  // EVP_CIPHER_CTX*, kept opaque so OpenSSL headers stay out of ours
    void* ecb_dec_ = nullptr;
    void* ctr_ = nullptr;      // the provider's own AES-256-CTR context (crypto.cpp says why)
    void* gcm_ = nullptr;      // GCM128_CONTEXT* over ecb_enc_
};

}  // namespace zt::crypto
