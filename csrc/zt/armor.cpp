// SPDX-License-Identifier: Apache-2.0
// Armoring: the per-packet authentication and encryption of ZeroTier's cipher suites 0, 1 and 3,
// and HELLO's separately encrypted tail (vl1.md sections 4.1 to 4.5).
//
// Everything runs on the stack: no heap allocation per packet, and the AES key schedules live in the
// PeerKey, made once per peer.
#include <cstring>

#include "zt/packet.hpp"

namespace zt {

namespace {

constexpr std::size_t kMacLen = 8;
constexpr std::size_t kSalsaBlockLen = 64;
// Salsa suites: the Poly1305 key is keystream bytes 0..31 and the payload is encrypted from keystream
// byte 64 on, so one pass over [64 spare bytes | payload] yields both.
constexpr std::size_t kSalsaScratchLen = kSalsaBlockLen + Packet::kCapacity;

// KBKDF in counter mode with HMAC-SHA384 (NIST SP 800-108), as ZeroTier fixes its inputs: counter 0,
// label "ZT" + the one-character label, a zero separator, context 0, output length 384 bits.
void kbkdf_hmac_sha384(const SymmetricKey& key, char label, std::uint8_t out[crypto::kSha384Len]) {
    const std::uint8_t message[13] = {0, 0, 0, 0, 'Z', 'T', static_cast<std::uint8_t>(label), 0, 0, 0, 0, 0x01, 0x80};
    crypto::hmac_sha384(key.data(), key.size(), message, sizeof message, out);
}

void set_cipher(std::uint8_t* flags, CipherSuite suite) {
    std::uint8_t f = static_cast<std::uint8_t>(*flags & ~(kFlagCipherMask | kFlagLegacyEncrypted | kFlagHopsMask));
    f |= static_cast<std::uint8_t>(static_cast<std::uint8_t>(suite) << kCipherShift);
    // Only pre-1.0.3 peers read the legacy flag; the reference still sets it for Salsa20/12.
    if (suite == CipherSuite::kSalsa2012Poly1305) f |= kFlagLegacyEncrypted;
    *flags = f;
}

// AES-GMAC-SIV's authenticated header: destination, source, flags (11 bytes) zero-padded to one block.
void gmac_siv_header_block(const std::uint8_t* packet, bool mask_hops, std::uint8_t block[16]) {
    std::memset(block, 0, 16);
    std::memcpy(block, packet + kIdxDestination, 11);
    if (mask_hops) block[kIdxFlags - kIdxDestination] &= static_cast<std::uint8_t>(~kFlagHopsMask);
}

// GMAC under K0 with nonce IV || 0^32 over the header block then the plaintext, folded to 8 bytes.
void gmac_siv_mac(PeerKey& key, const std::uint8_t iv[8], const std::uint8_t header_block[16],
                  const std::uint8_t* plaintext, std::size_t len, std::uint8_t mac[8]) {
    std::uint8_t nonce[12] = {};
    std::memcpy(nonce, iv, 8);
    std::uint8_t tag[16];
    key.k0().gmac(nonce, header_block, 16, plaintext, len, tag);
    for (std::size_t i = 0; i < 8; ++i) mac[i] = static_cast<std::uint8_t>(tag[i] ^ tag[i + 8]);
}

// The CTR starting block is the SIV tag with one bit cleared so the 32-bit counter cannot carry.
void gmac_siv_counter_block(const std::uint8_t tag[16], std::uint8_t counter[16]) {
    std::memcpy(counter, tag, 16);
    counter[12] &= 0x7f;
}

}  // namespace

// ---- PeerKey ------------------------------------------------------------------------------------------

PeerKey::PeerKey(const SymmetricKey& key) : key_(key) {
    std::uint8_t derived[crypto::kSha384Len];
    derive_aes_key(key, '0', derived);
    k0_.set_key(derived);
    derive_aes_key(key, '1', derived);
    k1_.set_key(derived);
    crypto::wipe(derived, sizeof derived);
}

PeerKey::~PeerKey() { crypto::wipe(key_.data(), key_.size()); }

void PeerKey::derive_aes_key(const SymmetricKey& key, char label, std::uint8_t out[48]) {
    kbkdf_hmac_sha384(key, label, out);
}

// ---- Salsa20/12 key mangling --------------------------------------------------------------------------

void Packet::mangle_salsa_key(const SymmetricKey& key, std::uint8_t out[32]) const {
    // Packet ID and both addresses, then the flags without the hop count (relays change it), then the
    // total length little-endian: every packet gets its own key, and tampering with any of these
    // breaks the MAC.
    for (std::size_t i = 0; i < kIdxFlags; ++i) out[i] = key[i] ^ buf_[i];
    out[kIdxFlags] = key[kIdxFlags] ^ static_cast<std::uint8_t>(buf_[kIdxFlags] & ~kFlagHopsMask);
    out[19] = key[19] ^ static_cast<std::uint8_t>(size_ & 0xff);
    out[20] = key[20] ^ static_cast<std::uint8_t>((size_ >> 8) & 0xff);
    for (std::size_t i = 21; i < 32; ++i) out[i] = key[i];
}

// ---- armor ----------------------------------------------------------------------------------------------

void Packet::armor(PeerKey& key, CipherSuite suite) {
    if (!ok_ || size_ < kMinPacketLen) {
        ok_ = false;
        return;
    }
    std::uint8_t* const body = buf_.data() + kIdxVerb;  // verb + payload: what is encrypted and MACed
    const std::size_t body_len = size_ - kIdxVerb;

    switch (suite) {
        case CipherSuite::kPoly1305:
        case CipherSuite::kSalsa2012Poly1305: {
            // Setting the cipher also zeroes the hop count: a packet is armored once, at its origin.
            set_cipher(&buf_[kIdxFlags], suite);
            std::uint8_t mangled[32];
            mangle_salsa_key(key.key(), mangled);
            const std::uint8_t* nonce = buf_.data() + kIdxPacketId;
            std::uint8_t mac[crypto::kPoly1305TagLen];
            if (suite == CipherSuite::kSalsa2012Poly1305) {
                std::uint8_t scratch[kSalsaScratchLen];
                std::memset(scratch, 0, kSalsaBlockLen);
                std::memcpy(scratch + kSalsaBlockLen, body, body_len);
                crypto::salsa2012_xor(scratch, scratch, kSalsaBlockLen + body_len, nonce, mangled);
                std::memcpy(body, scratch + kSalsaBlockLen, body_len);
                crypto::poly1305(mac, body, body_len, scratch);  // encrypt-then-MAC
                crypto::wipe(scratch, kSalsaBlockLen);
            } else {
                std::uint8_t poly_key[kSalsaBlockLen] = {};
                crypto::salsa2012_xor(poly_key, poly_key, sizeof poly_key, nonce, mangled);
                crypto::poly1305(mac, body, body_len, poly_key);
                crypto::wipe(poly_key, sizeof poly_key);
            }
            std::memcpy(buf_.data() + kIdxMac, mac, kMacLen);
            crypto::wipe(mangled, sizeof mangled);
            return;
        }
        case CipherSuite::kAesGmacSiv: {
            set_cipher(&buf_[kIdxFlags], suite);
            std::uint8_t header_block[16];
            gmac_siv_header_block(buf_.data(), false, header_block);
            std::uint8_t siv_input[16];  // random IV || folded GMAC
            std::memcpy(siv_input, buf_.data() + kIdxPacketId, 8);
            gmac_siv_mac(key, siv_input, header_block, body, body_len, siv_input + 8);
            std::uint8_t tag[16];
            key.k1().encrypt_block(siv_input, tag);
            // The tag becomes the packet ID and the MAC field: the ID is only final now.
            std::memcpy(buf_.data() + kIdxPacketId, tag, 8);
            std::memcpy(buf_.data() + kIdxMac, tag + 8, kMacLen);
            std::uint8_t counter[16];
            gmac_siv_counter_block(tag, counter);
            key.k1().ctr_xor(counter, body, body_len);
            return;
        }
        case CipherSuite::kTrustedPath:
            break;
    }
    ok_ = false;  // suite 2 carries a trusted-path ID, not a MAC; 4-7 are unassigned
}

// ---- dearmor --------------------------------------------------------------------------------------------

bool Packet::dearmor(PeerKey& key) {
    if (size_ < kMinPacketLen) return false;
    std::uint8_t* const body = buf_.data() + kIdxVerb;
    const std::size_t body_len = size_ - kIdxVerb;
    const std::uint8_t* const wire_mac = buf_.data() + kIdxMac;

    switch (cipher()) {
        case CipherSuite::kPoly1305:
        case CipherSuite::kSalsa2012Poly1305: {
            const bool encrypted = cipher() == CipherSuite::kSalsa2012Poly1305;
            std::uint8_t mangled[32];
            mangle_salsa_key(key.key(), mangled);
            const std::uint8_t* nonce = buf_.data() + kIdxPacketId;
            // Decrypt into scratch so a packet failing the MAC is left exactly as it arrived.
            std::uint8_t scratch[kSalsaScratchLen];
            const std::size_t stream_len = kSalsaBlockLen + (encrypted ? body_len : 0);
            std::memset(scratch, 0, kSalsaBlockLen);
            if (encrypted) std::memcpy(scratch + kSalsaBlockLen, body, body_len);
            crypto::salsa2012_xor(scratch, scratch, stream_len, nonce, mangled);
            crypto::wipe(mangled, sizeof mangled);
            std::uint8_t mac[crypto::kPoly1305TagLen];
            crypto::poly1305(mac, body, body_len, scratch);
            crypto::wipe(scratch, kSalsaBlockLen);
            if (!crypto::equal_constant_time(mac, wire_mac, kMacLen)) return false;
            if (encrypted) std::memcpy(body, scratch + kSalsaBlockLen, body_len);
            return true;
        }
        case CipherSuite::kAesGmacSiv: {
            std::uint8_t tag[16];
            std::memcpy(tag, buf_.data() + kIdxPacketId, 8);
            std::memcpy(tag + 8, wire_mac, 8);
            std::uint8_t counter[16];
            gmac_siv_counter_block(tag, counter);
            key.k1().ctr_xor(counter, body, body_len);
            std::uint8_t siv_input[16];
            key.k1().decrypt_block(tag, siv_input);
            // Relays increment the hop count, so it is authenticated as zero.
            std::uint8_t header_block[16];
            gmac_siv_header_block(buf_.data(), true, header_block);
            std::uint8_t mac[8];
            gmac_siv_mac(key, siv_input, header_block, body, body_len, mac);
            return crypto::equal_constant_time(mac, siv_input + 8, kMacLen);
        }
        case CipherSuite::kTrustedPath:
            break;  // only meaningful on a locally configured trusted path: never accepted here
    }
    return false;
}

// ---- HELLO's encrypted tail -------------------------------------------------------------------------------

void Packet::crypt_field(const SymmetricKey& key, std::size_t start, std::size_t len) {
    if (start > size_ || len > size_ - start) {
        ok_ = false;
        return;
    }
    std::uint8_t nonce[8];
    std::memcpy(nonce, buf_.data() + kIdxPacketId, 8);
    nonce[7] &= 0xf8;  // a leftover of an old packet-counter scheme; both ends clear these bits
    crypto::salsa2012_xor(buf_.data() + start, buf_.data() + start, len, nonce, key.data());
}

}  // namespace zt
