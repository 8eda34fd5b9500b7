// SPDX-License-Identifier: Apache-2.0
// An IPv4/IPv6 address with a UDP port, as ZeroTier carries physical endpoints: "ip/port" as text
// and type-byte + address + port on the wire (HELLO, OK(HELLO), worlds).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "zt/bytes.hpp"

struct sockaddr;
struct sockaddr_storage;

namespace zt {

// ::ffff:a.b.c.d, an IPv4 address in IPv6's form: how an IPv6 socket names an IPv4 peer.
bool is_v4_mapped(const std::uint8_t ip6[16]);
// The IPv4 address in the last four bytes of a v4-mapped one, in network byte order (as it stands).
std::uint32_t mapped_v4(const std::uint8_t ip6[16]);
// Writes ::ffff: and IPv4 address `v4` (network byte order) into `ip6`.
void set_v4_mapped(std::uint8_t ip6[16], std::uint32_t v4);
// ::, the unspecified IPv6 address (a socket bound to none).
bool is_unspecified_v6(const std::uint8_t ip6[16]);

// How far an IP address reaches; wider scopes are preferred paths. Loopback is never a path to a
// peer unless a node is explicitly configured to allow it.
enum class IpScope : std::uint8_t {
    kNone = 0,
    kMulticast,
    kLoopback,
    kPseudoPrivate,  // nominally global blocks that are in practice private
    kGlobal,
    kLinkLocal,
    kShared,  // carrier-grade NAT space
    kPrivate,
};

struct InetAddress {
    enum class Family : std::uint8_t { kNone = 0, kV4 = 4, kV6 = 6 };

    Family family = Family::kNone;
    std::uint8_t ip[16] = {};  // IPv4 uses the first 4 bytes
    std::uint16_t port = 0;

    static InetAddress v4(const std::uint8_t ip4[4], std::uint16_t port);
    static InetAddress v6(const std::uint8_t ip6[16], std::uint16_t port);

    bool is_nil() const { return family == Family::kNone; }
    std::size_t ip_len() const { return family == Family::kV4 ? 4 : family == Family::kV6 ? 16 : 0; }

    // "10.0.0.1/9993", "fd00::1/9993". from_string rejects anything else (no port, bad IP, port > 65535).
    static bool from_string(std::string_view s, InetAddress* out);
    std::string to_string() const;
    std::string ip_string() const;

    // Wire form: 0x00 | 0x04 ip4 port | 0x06 ip6 port. deserialize() skips the reserved types 1, 2
    // (7 bytes) and 3 (length-prefixed), returning a nil address for them, as ZeroTier does.
    void serialize(Writer& w) const;
    static bool deserialize(Reader& r, InetAddress* out);

    bool to_sockaddr(sockaddr_storage* ss, unsigned* len) const;
    static bool from_sockaddr(const sockaddr* sa, InetAddress* out);

    bool operator==(const InetAddress& o) const;
    bool operator!=(const InetAddress& o) const { return !(*this == o); }
    bool same_ip(const InetAddress& o) const;
    IpScope scope() const;
    // Bucket of the source network for per-network rate limits: the /24 (IPv4) or /48 (IPv6).
    std::uint64_t network_bucket() const;
};

}  // namespace zt
