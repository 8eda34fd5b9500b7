// SPDX-License-Identifier: Apache-2.0
// The wire inspector: what one UDP payload is and says, as a line of text for people or a JSON object
// for tools and tests. It decodes with the same parsers the node uses (wire.hpp), so what a test sees
// is what the node would see. Never fails: malformed input is described as such.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "zt/identity.hpp"
#include "zt/packet.hpp"

namespace zt::inspect {

enum class Format { kText, kJson };

// A dearmored (and decompressed) packet; `key` only decrypts HELLO's moon list (may be nullptr).
std::string packet(const Packet& p, const SymmetricKey* key, Format format);

// A datagram as received: a packet (with a key it is dearmored and decompressed first; without one
// its payload is taken as it is, which is right for HELLO and for packets already dearmored), a
// fragment, a legacy beacon, or something else.
std::string datagram(const std::uint8_t* data, std::size_t len, const SymmetricKey* key, Format format);

// Parses a dearmored packet and builds it again from the parsed fields with the wire.hpp builders,
// into *out (same header). For the verbs that have builders (HELLO, OK(HELLO), OK(WHOIS), ERROR,
// WHOIS, RENDEZVOUS, PUSH_DIRECT_PATHS, USER_MESSAGE): if the result equals the input, parser and
// builder agree with whoever made the packet. `key` is HELLO's (for the moon list). False, with a
// reason, if the packet does not parse or its verb has no builder.
bool reencode(const Packet& p, const SymmetricKey* key, Packet* out, const char** why);

}  // namespace zt::inspect
