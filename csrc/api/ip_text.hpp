// SPDX-License-Identifier: Apache-2.0
// IP addresses as text, the way libzt writes and reads them: libzt goes through lwIP's converters,
// so C code written against it sees lwIP's spelling (checked against the official libzt 1.8.4).
//  - IPv6 out: upper-case hex without leading zeros, "::" for the FIRST run of two or more zero
//    groups (glibc picks the longest), IPv4-mapped addresses as "::FFFF:a.b.c.d".
//  - IPv4 in: inet_aton's forms ("10.1", "0x7f.1", octal parts, trailing blanks), as lwIP's
//    ip4addr_aton accepts them. IPv6 in: a "%zone" suffix is accepted and ignored.
#pragma once

#include <cstddef>
#include <cstdint>

#include "ZeroTierSockets.h"

namespace zt::api {

// The longest text either function writes, with its NUL: ZTS_INET6_ADDRSTRLEN.
constexpr std::size_t kIpTextMax = 46;

// Writes the text and its NUL into out (cap bytes); false if it does not fit.
bool format_ipv4(const std::uint8_t ip[4], char* out, std::size_t cap);
bool format_ipv6(const std::uint8_t ip[16], char* out, std::size_t cap);

bool parse_ipv4(const char* text, std::uint8_t out[4]);
bool parse_ipv6(const char* text, std::uint8_t out[16]);

// ZTS_AF_INET or ZTS_AF_INET6 for an address literal; 0 for anything else (NULL included).
int literal_family(const char* text);

// An address literal and a port as a zts_sockaddr_in/_in6 (sin_len set, the rest zeroed) in *out;
// *len receives its size. False if the text is no address.
bool literal_to_sockaddr(const char* text, std::uint16_t port, zts_sockaddr_storage* out, zts_socklen_t* len);

// The address (kIpTextMax bytes at out) and port (host order, if port is not NULL) of an IPv4 or
// IPv6 sockaddr of `len` bytes. False for another family or a length too short for the family.
bool sockaddr_to_text(const zts_sockaddr* addr, zts_socklen_t len, char* out, std::uint16_t* port);

}  // namespace zt::api
