// SPDX-License-Identifier: Apache-2.0
// NETWORK_CREDENTIALS framing (vl1.md section 5.10): enough of each credential's serialized form to
// know where it ends, so the verb can be checked and counted. Decoding what the credentials say is
// VL2's job (CertificateOfMembership.hpp, Capability.hpp, Tag.hpp, Revocation.hpp,
// CertificateOfOwnership.hpp in the reference).
#include "zt/wire.hpp"
#include "zt/wire_reader.hpp"

namespace zt::wire {

using detail::payload_of;
using detail::payload_reader;
using detail::read_certificate_of_membership;
using detail::reject;

namespace {

constexpr unsigned kMaxCapabilityRules = 64;        // ZT_MAX_CAPABILITY_RULES
constexpr unsigned kMaxCustodyChainLength = 7;      // ZT_MAX_CAPABILITY_CUSTODY_CHAIN_LENGTH
constexpr unsigned kMaxOwnershipThings = 16;        // ZT_CERTIFICATEOFOWNERSHIP_MAX_THINGS
constexpr std::size_t kOwnershipThingLen = 1 + 16;  // type + value

// A signature slot: flag 1 = a 96-byte C25519 signature with its length; otherwise a length and
// that many bytes of something we do not know. False only for a C25519 slot of the wrong length;
// truncation shows in r.ok().
bool signature_slot_ok(Reader& r) {
    if (r.u8() == 1) {
        const bool right_length = r.u16() == kSignatureLen;
        r.skip(kSignatureLen);
        return right_length || !r.ok();
    }
    r.skip(r.u16());
    return true;
}

// Every credential ends with a length-prefixed extension field (unused so far).
bool skip_extension(Reader& r) { return r.skip(r.u16()); }

bool skip_capability(Reader& r, const char** why) {
    r.skip(8 + 8 + 4);  // network ID, timestamp, ID
    const unsigned rules = r.u16();
    if (rules > kMaxCapabilityRules) return reject(why, "NETWORK_CREDENTIALS: capability with more than 64 rules");
    for (unsigned i = 0; i < rules; ++i) {
        r.skip(1);  // rule type
        r.skip(r.u8());
    }
    const unsigned max_chain = r.u8();
    if (r.ok() && (max_chain < 1 || max_chain > kMaxCustodyChainLength)) {
        return reject(why, "NETWORK_CREDENTIALS: capability custody chain limit out of range");
    }
    for (unsigned i = 0; r.ok(); ++i) {
        if (r.u40() == 0) break;  // a zero "to" address ends the chain
        if (i >= max_chain) return reject(why, "NETWORK_CREDENTIALS: capability custody chain too long");
        r.skip(kAddressLen);  // from
        if (!signature_slot_ok(r)) return reject(why, "NETWORK_CREDENTIALS: capability signature is not 96 bytes");
    }
    return skip_extension(r) || reject(why, "NETWORK_CREDENTIALS: truncated capability");
}

bool skip_tag(Reader& r, const char** why) {
    r.skip(8 + 8 + 4 + 4 + kAddressLen + kAddressLen);  // network, timestamp, ID, value, issued to, signer
    if (!signature_slot_ok(r)) return reject(why, "NETWORK_CREDENTIALS: tag signature is not 96 bytes");
    return skip_extension(r) || reject(why, "NETWORK_CREDENTIALS: truncated tag");
}

bool skip_revocation(Reader& r, const char** why) {
    // unused(4) ID(4) network(8) unused(4) credential ID(4) threshold(8) flags(8) target(5) signer(5) type(1)
    r.skip(4 + 4 + 8 + 4 + 4 + 8 + 8 + kAddressLen + kAddressLen + 1);
    if (!signature_slot_ok(r)) return reject(why, "NETWORK_CREDENTIALS: revocation signature is not 96 bytes");
    return skip_extension(r) || reject(why, "NETWORK_CREDENTIALS: truncated revocation");
}

bool skip_certificate_of_ownership(Reader& r, const char** why) {
    r.skip(8 + 8 + 8 + 4);  // network, timestamp, flags, ID
    const unsigned things = r.u16();
    if (things > kMaxOwnershipThings) return reject(why, "NETWORK_CREDENTIALS: ownership of more than 16 things");
    r.skip(things * kOwnershipThingLen);
    r.skip(kAddressLen + kAddressLen);  // issued to, signer
    if (!signature_slot_ok(r)) return reject(why, "NETWORK_CREDENTIALS: ownership signature is not 96 bytes");
    return skip_extension(r) || reject(why, "NETWORK_CREDENTIALS: truncated certificate of ownership");
}

// Reads a 16-bit count (absent at the end of the payload = 0) and skips that many credentials.
template <typename Skip>
bool counted(Reader& r, unsigned* count, Skip skip, const char** why) {
    if (r.remaining() == 0) return true;  // older senders stop early
    *count = r.u16();
    if (!r.ok()) return reject(why, "NETWORK_CREDENTIALS: truncated credential count");
    for (unsigned i = 0; i < *count; ++i) {
        if (!skip(r, why)) return false;
    }
    return true;
}

}  // namespace

bool parse_network_credentials(const Packet& p, NetworkCredentials* out, const char** why) {
    if (!payload_of(p, Verb::kNetworkCredentials, "NETWORK_CREDENTIALS: not a NETWORK_CREDENTIALS packet", why)) {
        return false;
    }
    Reader r = payload_reader(p);
    NetworkCredentials c;
    // Certificates of membership until a 0 byte (or the end, for the oldest senders).
    while (r.remaining() > 0 && *r.cursor() != 0) {
        std::uint64_t network = 0;
        if (!read_certificate_of_membership(r, &network, why)) return false;
        c.com_network_ids.push_back(network);
    }
    if (r.remaining() > 0) r.skip(1);  // the 0 byte ending them (the oldest senders stop before it)
    if (!counted(r, &c.capabilities, skip_capability, why) || !counted(r, &c.tags, skip_tag, why) ||
        !counted(r, &c.revocations, skip_revocation, why) ||
        !counted(r, &c.ownerships, skip_certificate_of_ownership, why)) {
        return false;
    }
    *out = std::move(c);
    return true;
}

}  // namespace zt::wire
