// SPDX-License-Identifier: Apache-2.0
#include "zt/com.hpp"

#include "zt/crypto.hpp"

namespace zt {

namespace {

constexpr std::uint8_t kFormat = 1;
constexpr std::uint64_t kNotCompared = 0xffffffffffffffffULL;  // max delta of qualifiers that identify
constexpr std::uint64_t kIdentityHashWords = 4;

bool reject(const char** why, const char* reason) {
    if (why != nullptr) *why = reason;
    return false;
}

std::uint64_t controller_of(std::uint64_t network_id) { return network_id >> 24; }

// The value a certificate gives a qualifier, as a map would hold it (the last of equal IDs).
bool find_last(const std::vector<CertificateOfMembership::Qualifier>& qs, std::uint64_t id, std::uint64_t* value) {
    bool found = false;
    for (const auto& q : qs) {
        if (q.id == id) {
            *value = q.value;
            found = true;
        }
    }
    return found;
}

}  // namespace

void identity_hash_words(const Identity& id, std::uint64_t out[4]) {
    std::uint8_t address[kAddressLen];
    store_be(address, id.address(), kAddressLen);
    std::uint8_t digest[crypto::kSha384Len];
    crypto::sha384(address, sizeof address, id.public_key().data(), id.public_key().size(), digest);
    for (std::size_t i = 0; i < kIdentityHashWords; ++i) out[i] = load_be(digest + 8 * i, 8);
}

CertificateOfMembership CertificateOfMembership::issue(std::uint64_t timestamp, std::uint64_t max_delta,
                                                       std::uint64_t network_id, const Identity& issued_to) {
    CertificateOfMembership com;
    com.qualifiers_.push_back({kTimestamp, timestamp, max_delta});
    com.qualifiers_.push_back({kNetworkId, network_id, 0});
    com.qualifiers_.push_back({kIssuedTo, issued_to.address(), kNotCompared});
    // The identity hash binds the certificate to the full public key, not just the 40-bit address.
    std::uint64_t words[kIdentityHashWords];
    identity_hash_words(issued_to, words);
    for (std::uint64_t i = 0; i < kIdentityHashWords; ++i) {
        com.qualifiers_.push_back({kIdentityHash0 + i, words[i], kNotCompared});
    }
    return com;
}

bool CertificateOfMembership::parse(Reader& r, CertificateOfMembership* out, const char** why) {
    if (r.u8() != kFormat || !r.ok()) return reject(why, "certificate of membership: missing or unknown format");
    const unsigned count = r.u16();
    if (count > kMaxQualifiers) return reject(why, "certificate of membership: more than 8 qualifiers");
    CertificateOfMembership com;
    for (unsigned i = 0; i < count; ++i) {
        Qualifier q;
        q.id = r.u64();
        q.value = r.u64();
        q.max_delta = r.u64();
        if (!r.ok()) return reject(why, "certificate of membership: truncated");
        if (!com.qualifiers_.empty() && q.id < com.qualifiers_.back().id) {
            return reject(why, "certificate of membership: qualifiers out of order");
        }
        com.qualifiers_.push_back(q);
    }
    com.signed_by_ = r.u40();
    if (com.signed_by_ != 0) r.copy(com.signature_.data(), com.signature_.size());
    if (!r.ok()) return reject(why, "certificate of membership: truncated");
    *out = std::move(com);
    return true;
}

void CertificateOfMembership::serialize(Writer& w) const {
    w.u8(kFormat);
    w.u16(static_cast<std::uint16_t>(qualifiers_.size()));
    for (const auto& q : qualifiers_) {
        w.u64(q.id);
        w.u64(q.value);
        w.u64(q.max_delta);
    }
    w.u40(signed_by_);
    if (signed_by_ != 0) w.bytes(signature_.data(), signature_.size());
}

std::vector<std::uint8_t> CertificateOfMembership::signed_bytes() const {
    // Exactly the qualifiers as on the wire: not the format byte, the count or the signer.
    std::vector<std::uint8_t> out;
    Writer w(out);
    for (const auto& q : qualifiers_) {
        w.u64(q.id);
        w.u64(q.value);
        w.u64(q.max_delta);
    }
    return out;
}

bool CertificateOfMembership::sign(const Identity& controller) {
    if (!controller.has_private() || qualifiers_.empty() || qualifiers_.size() > kMaxQualifiers) return false;
    const std::vector<std::uint8_t> msg = signed_bytes();
    signature_ = controller.sign(msg.data(), msg.size());
    signed_by_ = controller.address();
    return true;
}

bool CertificateOfMembership::verify(const Identity& controller) const {
    if (signed_by_ == 0 || signed_by_ != controller_of(network_id()) || controller.address() != signed_by_) {
        return false;
    }
    if (qualifiers_.size() > kMaxQualifiers) return false;
    const std::vector<std::uint8_t> msg = signed_bytes();
    return controller.verify(msg.data(), msg.size(), signature_.data(), signature_.size());
}

bool CertificateOfMembership::agrees_with(const CertificateOfMembership& other, const Identity& other_identity) const {
    if (qualifiers_.empty() || other.qualifiers_.empty()) return false;
    bool binds_identity = false;
    for (const auto& mine : qualifiers_) {
        if (mine.id >= kIdentityHash0 && mine.id < kIdentityHash0 + kIdentityHashWords) binds_identity = true;
        std::uint64_t theirs = 0;
        if (!find_last(other.qualifiers_, mine.id, &theirs)) return false;
        const std::uint64_t delta = mine.value >= theirs ? mine.value - theirs : theirs - mine.value;
        if (delta > mine.max_delta) return false;  // OUR tolerance decides, not theirs
    }
    if (!binds_identity) return true;  // an older controller: no identity hash to compare
    std::uint64_t words[kIdentityHashWords];
    identity_hash_words(other_identity, words);
    for (std::uint64_t i = 0; i < kIdentityHashWords; ++i) {
        std::uint64_t theirs = 0;
        if (!find_last(other.qualifiers_, kIdentityHash0 + i, &theirs) || theirs != words[i]) return false;
    }
    return true;
}

std::uint64_t CertificateOfMembership::value_of(std::uint64_t id, std::uint64_t fallback) const {
    for (const auto& q : qualifiers_) {
        if (q.id == id) return q.value;
    }
    return fallback;
}

std::uint64_t CertificateOfMembership::timestamp() const { return value_of(kTimestamp, 0); }
std::uint64_t CertificateOfMembership::network_id() const { return value_of(kNetworkId, 0); }
std::uint64_t CertificateOfMembership::issued_to() const { return value_of(kIssuedTo, 0) & kAddressMask; }

}  // namespace zt
