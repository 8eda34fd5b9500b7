// SPDX-License-Identifier: Apache-2.0
// Helpers shared by the verb parsers (wire.cpp, wire_vl2.cpp); not part of the public interface.
#pragma once

#include "zt/bytes.hpp"
#include "zt/packet.hpp"

namespace zt::wire::detail {

// Points *why at the reason and returns false, so a parser can `return reject(why, "...")`.
inline bool reject(const char** why, const char* reason) {
    if (why != nullptr) *why = reason;
    return false;
}

// The payload of a dearmored, decompressed packet of the expected verb, or a reason why not.
inline bool payload_of(const Packet& p, Verb expected, const char* wrong_verb, const char** why) {
    if (p.size() < kMinPacketLen) return reject(why, "packet: shorter than the 28-byte header");
    if (p.compressed()) return reject(why, "packet: payload still compressed (decompress first)");
    if (p.verb() != expected) return reject(why, wrong_verb);
    return true;
}

inline Reader payload_reader(const Packet& p) { return Reader(p.payload(), p.payload_size()); }

// 48-bit MAC addresses travel as 6 bytes, big-endian.
inline std::uint64_t read_mac(Reader& r) {
    const std::uint8_t* at = r.take(6);
    return at != nullptr ? load_be(at, 6) : 0;
}

// Reads a serialized certificate of membership (NETWORK_CREDENTIALS, and the deprecated inline COM
// of EXT_FRAME, MULTICAST_GATHER and MULTICAST_FRAME): type 1, qualifier count(2), 24 bytes per
// qualifier (id, value, max delta) with ascending IDs, signer address(5), and a 96-byte signature
// unless the signer is zero. *network_id = the value of qualifier 1 (0 if absent).
inline bool read_certificate_of_membership(Reader& r, std::uint64_t* network_id, const char** why) {
    constexpr unsigned kMaxQualifiers = 8;  // ZT_NETWORK_COM_MAX_QUALIFIERS
    constexpr std::uint64_t kQualifierNetworkId = 1;
    if (r.u8() != 1 || !r.ok()) return reject(why, "certificate of membership: missing or unknown type");
    const unsigned count = r.u16();
    if (count > kMaxQualifiers) return reject(why, "certificate of membership: more than 8 qualifiers");
    std::uint64_t last_id = 0;
    std::uint64_t network = 0;
    for (unsigned i = 0; i < count; ++i) {
        const std::uint64_t id = r.u64();
        if (id < last_id) return reject(why, "certificate of membership: qualifiers out of order");
        last_id = id;
        const std::uint64_t value = r.u64();
        r.skip(8);  // max delta
        if (id == kQualifierNetworkId) network = value;
    }
    const std::uint64_t signer = r.u40();
    if (signer != 0) r.skip(kSignatureLen);
    if (!r.ok()) return reject(why, "certificate of membership: truncated");
    if (network_id != nullptr) *network_id = network;
    return true;
}

inline bool skip_certificate_of_membership(Reader& r, const char** why) {
    return read_certificate_of_membership(r, nullptr, why);
}

}  // namespace zt::wire::detail
