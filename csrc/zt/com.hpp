// SPDX-License-Identifier: Apache-2.0
// Certificate of membership: what a controller signs to say "this identity belongs to this network
// as of this time". Peers on private networks accept frames only from members whose certificate
// agrees with their own (same network, timestamps within the allowed delta, bound to the identity).
//
//   [1] 0x01  [2] count  count x { [8] id [8] value [8] max delta }  [5] signed by  [96] signature
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "zt/bytes.hpp"
#include "zt/identity.hpp"

namespace zt {

class CertificateOfMembership {
  public:
    enum QualifierId : std::uint64_t {
        kTimestamp = 0,
        kNetworkId = 1,
        kIssuedTo = 2,
        // 3..6: SHA-384(address || public key), first 32 bytes as four big-endian words.
        kIdentityHash0 = 3,
    };
    static constexpr std::size_t kMaxQualifiers = 8;

    struct Qualifier {
        std::uint64_t id = 0;
        std::uint64_t value = 0;
        std::uint64_t max_delta = 0;
    };

    CertificateOfMembership() = default;
    // The standard 7-qualifier certificate a controller issues (unsigned until sign()).
    static CertificateOfMembership issue(std::uint64_t timestamp, std::uint64_t max_delta, std::uint64_t network_id,
                                         const Identity& issued_to);

    static bool parse(Reader& r, CertificateOfMembership* out, const char** why);
    void serialize(Writer& w) const;

    bool sign(const Identity& controller);
    // The signature is by the network's controller (network_id >> 24) and valid for its identity.
    bool verify(const Identity& controller) const;
    // Run on OUR certificate against theirs: every qualifier of ours within our max delta of theirs,
    // and identity-hash qualifiers equal to the hash of the identity we know for them.
    bool agrees_with(const CertificateOfMembership& other, const Identity& other_identity) const;

    bool empty() const { return qualifiers_.empty(); }
    std::uint64_t timestamp() const;
    std::uint64_t network_id() const;
    std::uint64_t issued_to() const;
    std::uint64_t signed_by() const { return signed_by_; }
    const Signature& signature() const { return signature_; }
    const std::vector<Qualifier>& qualifiers() const { return qualifiers_; }

    bool operator==(const CertificateOfMembership& o) const {
        return signed_by_ == o.signed_by_ && signature_ == o.signature_ && qualifiers_.size() == o.qualifiers_.size() &&
               std::equal(qualifiers_.begin(), qualifiers_.end(), o.qualifiers_.begin(),
                          [](const auto& a, const auto& b) {
                              return a.id == b.id && a.value == b.value && a.max_delta == b.max_delta;
                          });
    }
    bool operator!=(const CertificateOfMembership& o) const { return !(*this == o); }

  private:
    std::uint64_t value_of(std::uint64_t id, std::uint64_t fallback) const;
    std::vector<std::uint8_t> signed_bytes() const;

    std::vector<Qualifier> qualifiers_;
    std::uint64_t signed_by_ = 0;
    Signature signature_{};
};

// SHA-384(address(5) || public key(64)) as the four words of qualifiers 3..6.
void identity_hash_words(const Identity& id, std::uint64_t out[4]);

}  // namespace zt
