// SPDX-License-Identifier: Apache-2.0
#include "zt/crypto.hpp"

#include <openssl/core_dispatch.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/modes.h>
#include <openssl/provider.h>
#include <sodium.h>

#include <pthread.h>
#include <strings.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <string_view>

namespace zt::crypto {

bool init() { return sodium_init() >= 0; }

namespace {
// libsodium must be initialised before its random generator is used; doing it at load time means no
// entry point can forget. sodium_init() is idempotent and thread-safe.
const bool g_sodium_ready = init();
}  // namespace

void random_bytes(void* out, std::size_t len) { randombytes_buf(out, len); }

namespace {

std::atomic<unsigned> g_fork_generation{0};
void count_fork() { g_fork_generation.fetch_add(1, std::memory_order_relaxed); }
const bool g_fork_counted = ::pthread_atfork(nullptr, nullptr, count_fork) == 0;

struct RandomBlock {
    static constexpr unsigned kWords = 64;
    std::uint64_t words[kWords];
    unsigned next = kWords;
    unsigned generation = 0;
};
thread_local RandomBlock t_block;

}  // namespace

std::uint64_t random_u64() {
    RandomBlock& b = t_block;
    const unsigned generation = g_fork_generation.load(std::memory_order_relaxed);
    if (b.next == RandomBlock::kWords || b.generation != generation || !g_fork_counted) {
        randombytes_buf(b.words, sizeof b.words);
        b.next = 0;
        b.generation = generation;
    }
    const std::uint64_t value = b.words[b.next];
    b.words[b.next++] = 0;  // handed out once
    return value;
}

void wipe(void* p, std::size_t len) { sodium_memzero(p, len); }

bool equal_constant_time(const void* a, const void* b, std::size_t len) { return sodium_memcmp(a, b, len) == 0; }

void sha512(const void* data, std::size_t len, std::uint8_t out[kSha512Len]) {
    crypto_hash_sha512(out, static_cast<const unsigned char*>(data), len);
}

void sha384(const void* part1, std::size_t len1, const void* part2, std::size_t len2, std::uint8_t out[kSha384Len]) {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    if (ctx == nullptr) std::abort();  // out of memory: nothing sensible to continue with
    unsigned int out_len = 0;
    EVP_DigestInit_ex(ctx, EVP_sha384(), nullptr);
    EVP_DigestUpdate(ctx, part1, len1);
    EVP_DigestUpdate(ctx, part2, len2);
    EVP_DigestFinal_ex(ctx, out, &out_len);
    EVP_MD_CTX_free(ctx);
}

void hmac_sha384(const std::uint8_t* key, std::size_t key_len, const void* msg, std::size_t msg_len,
                 std::uint8_t out[kSha384Len]) {
    unsigned int out_len = 0;
    HMAC(EVP_sha384(), key, static_cast<int>(key_len), static_cast<const unsigned char*>(msg), msg_len, out,
         &out_len);
}

void salsa2012_xor(std::uint8_t* out, const std::uint8_t* in, std::size_t len,
                   const std::uint8_t nonce[kSalsaNonceLen], const std::uint8_t key[kSalsaKeyLen]) {
    crypto_stream_salsa2012_xor(out, in, len, nonce, key);
}

void salsa20_xor(std::uint8_t* out, const std::uint8_t* in, std::size_t len,
                 const std::uint8_t nonce[kSalsaNonceLen], std::uint64_t first_block,
                 const std::uint8_t key[kSalsaKeyLen]) {
    crypto_stream_salsa20_xor_ic(out, in, len, nonce, first_block, key);
}

void salsa20_stream(std::uint8_t* out, std::size_t len, const std::uint8_t nonce[kSalsaNonceLen],
                    std::uint64_t first_block, const std::uint8_t key[kSalsaKeyLen]) {
    // libsodium has no keystream-with-counter call; XOR over zeros is the keystream itself.
    std::memset(out, 0, len);
    crypto_stream_salsa20_xor_ic(out, out, len, nonce, first_block, key);
}

void poly1305(std::uint8_t tag[kPoly1305TagLen], const void* msg, std::size_t len,
              const std::uint8_t key[kPoly1305KeyLen]) {
    crypto_onetimeauth_poly1305(tag, static_cast<const unsigned char*>(msg), len, key);
}

bool x25519(std::uint8_t shared[kX25519Len], const std::uint8_t secret[kX25519Len],
            const std::uint8_t peer_public[kX25519Len]) {
    return crypto_scalarmult_curve25519(shared, secret, peer_public) == 0;
}

void x25519_public(std::uint8_t pub[kX25519Len], const std::uint8_t secret[kX25519Len]) {
    crypto_scalarmult_curve25519_base(pub, secret);
}

void ed25519_public(std::uint8_t pub[kEd25519PublicLen], const std::uint8_t seed[kEd25519SeedLen]) {
    unsigned char sk[crypto_sign_ed25519_SECRETKEYBYTES];
    crypto_sign_ed25519_seed_keypair(pub, sk, seed);
    sodium_memzero(sk, sizeof sk);
}

void ed25519_sign(std::uint8_t sig[kEd25519SignatureLen], const void* msg, std::size_t len,
                  const std::uint8_t seed[kEd25519SeedLen], const std::uint8_t pub[kEd25519PublicLen]) {
    // libsodium's secret key is seed || public key.
    unsigned char sk[crypto_sign_ed25519_SECRETKEYBYTES];
    std::memcpy(sk, seed, kEd25519SeedLen);
    std::memcpy(sk + kEd25519SeedLen, pub, kEd25519PublicLen);
    crypto_sign_ed25519_detached(sig, nullptr, static_cast<const unsigned char*>(msg), len, sk);
    sodium_memzero(sk, sizeof sk);
}

bool ed25519_verify(const std::uint8_t sig[kEd25519SignatureLen], const void* msg, std::size_t len,
                    const std::uint8_t pub[kEd25519PublicLen]) {
    return crypto_sign_ed25519_verify_detached(sig, static_cast<const unsigned char*>(msg), len, pub) == 0;
}

// ---- AES-256 ------------------------------------------------------------------------------------

namespace {

EVP_CIPHER_CTX* ctx_of(void* p) { return static_cast<EVP_CIPHER_CTX*>(p); }

EVP_CIPHER_CTX* new_ctx(const EVP_CIPHER* cipher, const std::uint8_t* key, bool encrypt) {
    EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
    if (ctx == nullptr) std::abort();  // out of memory: nothing sensible to continue with
    if (EVP_CipherInit_ex(ctx, cipher, nullptr, key, nullptr, encrypt ? 1 : 0) != 1) std::abort();
    EVP_CIPHER_CTX_set_padding(ctx, 0);
    return ctx;
}

// AES-256-CTR through the functions of the provider that implements it, not through EVP: there
// every packet's new counter block cost OpenSSL 3's parameter lookups (EVP_EncryptInit_ex asks the
// provider for the IV length with an OSSL_PARAM array, string compares included), most of a small
// packet's time: 83-101 ns against 24-56 ns for 48-100 bytes (pinned, OpenSSL 3.0.19). The same
// implementation does the work either way; only the dispatch is skipped.
struct CtrFunctions {
    EVP_CIPHER* cipher = nullptr;  // kept for good: it holds the provider, and with it these functions
    OSSL_FUNC_cipher_newctx_fn* newctx = nullptr;
    OSSL_FUNC_cipher_freectx_fn* freectx = nullptr;
    OSSL_FUNC_cipher_encrypt_init_fn* encrypt_init = nullptr;
    OSSL_FUNC_cipher_update_fn* update = nullptr;
    void* provider_ctx = nullptr;
};

bool names_include(const char* names, std::string_view name) {
    // An algorithm's names are one string, separated by colons; OpenSSL matches them ignoring case.
    for (std::string_view rest = names; !rest.empty();) {
        const std::size_t end = std::min(rest.find(':'), rest.size());
        if (end == name.size() && ::strncasecmp(rest.data(), name.data(), end) == 0) return true;
        rest.remove_prefix(std::min(end + 1, rest.size()));
    }
    return false;
}

CtrFunctions find_ctr_functions() {
    CtrFunctions f;
    f.cipher = EVP_CIPHER_fetch(nullptr, "AES-256-CTR", nullptr);
    const OSSL_PROVIDER* provider = f.cipher != nullptr ? EVP_CIPHER_get0_provider(f.cipher) : nullptr;
    if (provider == nullptr) std::abort();  // as below
    int no_store = 0;
    const OSSL_ALGORITHM* algorithms = OSSL_PROVIDER_query_operation(provider, OSSL_OP_CIPHER, &no_store);
    for (const OSSL_ALGORITHM* a = algorithms; a != nullptr && a->algorithm_names != nullptr; ++a) {
        if (!names_include(a->algorithm_names, "AES-256-CTR")) continue;
        for (const OSSL_DISPATCH* d = a->implementation; d->function_id != 0; ++d) {
            switch (d->function_id) {
                case OSSL_FUNC_CIPHER_NEWCTX: f.newctx = OSSL_FUNC_cipher_newctx(d); break;
                case OSSL_FUNC_CIPHER_FREECTX: f.freectx = OSSL_FUNC_cipher_freectx(d); break;
                case OSSL_FUNC_CIPHER_ENCRYPT_INIT: f.encrypt_init = OSSL_FUNC_cipher_encrypt_init(d); break;
                case OSSL_FUNC_CIPHER_UPDATE: f.update = OSSL_FUNC_cipher_update(d); break;
                default: break;
            }
        }
        break;
    }
    if (algorithms != nullptr) OSSL_PROVIDER_unquery_operation(provider, OSSL_OP_CIPHER, algorithms);
    if (f.newctx == nullptr || f.freectx == nullptr || f.encrypt_init == nullptr || f.update == nullptr) {
        std::abort();  // a libcrypto without AES-256-CTR: nothing sensible to continue with
    }
    f.provider_ctx = OSSL_PROVIDER_get0_provider_ctx(provider);
    return f;
}

const CtrFunctions& ctr_functions() {
    static const CtrFunctions f = find_ctr_functions();
    return f;
}

// One block through an ECB context: the block function of OpenSSL's GCM code, which calls it for
// the hash key when the key is set and for the tag's mask once per GMAC.
void ecb_encrypt_one(const unsigned char in[16], unsigned char out[16], const void* ctx) {
    int n = 0;
    EVP_EncryptUpdate(static_cast<EVP_CIPHER_CTX*>(const_cast<void*>(ctx)), out, &n, in, kAesBlockLen);
}

}  // namespace

Aes256::~Aes256() { release(); }

void Aes256::release() {
    if (gcm_ != nullptr) CRYPTO_gcm128_release(static_cast<GCM128_CONTEXT*>(gcm_));
    gcm_ = nullptr;
    for (void** p : {&ecb_enc_, &ecb_dec_}) {
        if (*p != nullptr) EVP_CIPHER_CTX_free(ctx_of(*p));
        *p = nullptr;
    }
    if (ctr_ != nullptr) ctr_functions().freectx(ctr_);
    ctr_ = nullptr;
}

void Aes256::set_key(const std::uint8_t key[kAes256KeyLen]) {
    release();
    ecb_enc_ = new_ctx(EVP_aes_256_ecb(), key, true);
    ecb_dec_ = new_ctx(EVP_aes_256_ecb(), key, false);
    const CtrFunctions& ctr = ctr_functions();
    ctr_ = ctr.newctx(ctr.provider_ctx);
    if (ctr_ == nullptr || ctr.encrypt_init(ctr_, key, kAes256KeyLen, nullptr, 0, nullptr) != 1) std::abort();
    gcm_ = CRYPTO_gcm128_new(ecb_enc_, ecb_encrypt_one);
    if (gcm_ == nullptr) std::abort();  // out of memory, as in new_ctx
}

void Aes256::encrypt_block(const std::uint8_t in[kAesBlockLen], std::uint8_t out[kAesBlockLen]) {
    int n = 0;
    EVP_EncryptUpdate(ctx_of(ecb_enc_), out, &n, in, kAesBlockLen);
}

void Aes256::decrypt_block(const std::uint8_t in[kAesBlockLen], std::uint8_t out[kAesBlockLen]) {
    int n = 0;
    EVP_DecryptUpdate(ctx_of(ecb_dec_), out, &n, in, kAesBlockLen);
}

void Aes256::ctr_xor(const std::uint8_t counter_block[kAesBlockLen], std::uint8_t* data, std::size_t len) {
    const CtrFunctions& ctr = ctr_functions();
    std::size_t n = 0;
    // A counter block not taken would reuse the previous packet's key stream: never go on.
    if (ctr.encrypt_init(ctr_, nullptr, 0, counter_block, kAesBlockLen, nullptr) != 1) std::abort();
    ctr.update(ctr_, data, &n, len, data, len);
}

void Aes256::gmac(const std::uint8_t nonce[12], const void* part1, std::size_t len1, const void* part2,
                  std::size_t len2, std::uint8_t tag[kAesBlockLen]) {
    // GCM with no plaintext is GMAC; successive AAD pieces hash as one stream. OpenSSL's GCM code
    // itself (modes.h), not the EVP interface: there every packet's IV and tag went through
    // OpenSSL 3's parameter lookups (string compares), most of the time a 100-byte GMAC took.
    auto* gcm = static_cast<GCM128_CONTEXT*>(gcm_);
    CRYPTO_gcm128_setiv(gcm, nonce, 12);
    if (len1 > 0) CRYPTO_gcm128_aad(gcm, static_cast<const unsigned char*>(part1), len1);
    if (len2 > 0) CRYPTO_gcm128_aad(gcm, static_cast<const unsigned char*>(part2), len2);
    CRYPTO_gcm128_tag(gcm, tag, kAesBlockLen);
}

}  // namespace zt::crypto
