// SPDX-License-Identifier: Apache-2.0
// A ZeroTier identity: a 40-bit address bound to a C25519 public key by a memory-hard hash, plus
// (for our own identity) the private key. Wire and string forms are byte-exact with ZeroTier One.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "zt/constants.hpp"

namespace zt {

using PublicKey = std::array<std::uint8_t, kPublicKeyLen>;
using PrivateKey = std::array<std::uint8_t, kPrivateKeyLen>;
using Signature = std::array<std::uint8_t, kSignatureLen>;
using SymmetricKey = std::array<std::uint8_t, kSymmetricKeyLen>;

// A C25519 key pair without an address (what signs worlds).
struct KeyPair {
    PublicKey pub{};
    PrivateKey priv{};

    static KeyPair generate();
    static KeyPair from_private(const PrivateKey& priv);
    // public (64) || private (64): the .c25519 key file layout. Does not check that they match.
    static KeyPair from_pair_bytes(const std::uint8_t* pair);
    void to_pair_bytes(std::uint8_t* pair) const;
    ~KeyPair();
};

// ZeroTier's 96-byte signature: Ed25519 over the first 32 bytes of SHA-512(message), then those bytes.
Signature sign_message(const KeyPair& key, const void* msg, std::size_t len);
bool verify_message(const PublicKey& pub, const void* msg, std::size_t len, const std::uint8_t* sig,
                    std::size_t sig_len);

bool address_is_reserved(std::uint64_t address);

class Identity {
  public:
    Identity() = default;
    Identity(const Identity& other) = default;
    Identity& operator=(const Identity& other) = default;
    ~Identity();

    // Searches for a key pair whose memory-hard hash qualifies (about 15 tries of 2 MiB each);
    // `threads` > 1 searches in parallel.
    static Identity generate(unsigned threads = 1);

    // "address:0:public[:private]". On failure returns false and points *why at a static reason.
    static bool from_string(std::string_view s, Identity* out, const char** why);
    // address(5) type(1) public(64) private-length(1) [private(64)]; *consumed = bytes used.
    static bool from_bytes(const std::uint8_t* data, std::size_t len, Identity* out, std::size_t* consumed,
                           const char** why);

    std::string to_string(bool include_private) const;
    void to_bytes(std::vector<std::uint8_t>& out, bool include_private) const;

    bool is_null() const { return address_ == 0; }
    std::uint64_t address() const { return address_; }
    const PublicKey& public_key() const { return public_; }
    bool has_private() const { return has_private_; }
    const PrivateKey& private_key() const { return private_; }

    // The memory-hard check that the address derives from the public key (and, when we hold the
    // private key, that it is the one behind the public key). Costs a 2 MiB hash: milliseconds.
    bool locally_validate() const;
    bool private_matches_public() const;

    Signature sign(const void* msg, std::size_t len) const;  // requires has_private()
    bool verify(const void* msg, std::size_t len, const std::uint8_t* sig, std::size_t sig_len) const;
    // The 48-byte symmetric key both sides derive: SHA-512(X25519(mine, theirs))[0..47].
    bool agree(const Identity& peer, SymmetricKey* key) const;

    // The same identity without its private key (what may be shared: worlds, OK(WHOIS)).
    Identity public_only() const {
        Identity copy = *this;
        copy.private_.fill(0);
        copy.has_private_ = false;
        return copy;
    }

    bool same_public(const Identity& other) const { return address_ == other.address_ && public_ == other.public_; }

  private:
    std::uint64_t address_ = 0;
    PublicKey public_{};
    PrivateKey private_{};
    bool has_private_ = false;
};

// Exposed for tests and benchmarks: digest = the memory-hard hash of a 64-byte public key.
// `scratch` must hold kIdentityGenMemory bytes.
void memory_hard_hash(const PublicKey& pub, std::uint8_t digest[64], std::uint8_t* scratch);

}  // namespace zt
