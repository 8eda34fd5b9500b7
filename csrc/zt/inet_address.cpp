// SPDX-License-Identifier: Apache-2.0
#include "zt/inet_address.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>

namespace zt {

namespace {
const std::uint8_t kV4MappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
}  // namespace

bool is_v4_mapped(const std::uint8_t ip6[16]) { return std::memcmp(ip6, kV4MappedPrefix, sizeof kV4MappedPrefix) == 0; }

std::uint32_t mapped_v4(const std::uint8_t ip6[16]) {
    std::uint32_t v4 = 0;
    std::memcpy(&v4, ip6 + 12, 4);
    return v4;
}

void set_v4_mapped(std::uint8_t ip6[16], std::uint32_t v4) {
    std::memcpy(ip6, kV4MappedPrefix, sizeof kV4MappedPrefix);
    std::memcpy(ip6 + 12, &v4, 4);
}

bool is_unspecified_v6(const std::uint8_t ip6[16]) {
    static const std::uint8_t kUnspecified[16] = {};
    return std::memcmp(ip6, kUnspecified, sizeof kUnspecified) == 0;
}

namespace {
constexpr std::uint8_t kWireNil = 0;
constexpr std::uint8_t kWireV4 = 4;
constexpr std::uint8_t kWireV6 = 6;
constexpr std::uint8_t kWireEthernet = 1;   // reserved, never produced: 6-byte body
constexpr std::uint8_t kWireBluetooth = 2;  // reserved, never produced: 6-byte body
constexpr std::uint8_t kWireOther = 3;      // reserved: 2-byte length then that many bytes
}  // namespace

InetAddress InetAddress::v4(const std::uint8_t ip4[4], std::uint16_t port) {
    InetAddress a;
    a.family = Family::kV4;
    std::memcpy(a.ip, ip4, 4);
    a.port = port;
    return a;
}

InetAddress InetAddress::v6(const std::uint8_t ip6[16], std::uint16_t port) {
    InetAddress a;
    a.family = Family::kV6;
    std::memcpy(a.ip, ip6, 16);
    a.port = port;
    return a;
}

bool InetAddress::from_string(std::string_view s, InetAddress* out) {
    const std::size_t slash = s.rfind('/');
    if (slash == std::string_view::npos || slash == 0 || slash + 1 >= s.size() || s.size() > 64) return false;
    const std::string_view port_text = s.substr(slash + 1);
    if (port_text.size() > 5) return false;
    unsigned long port = 0;
    for (char c : port_text) {
        if (c < '0' || c > '9') return false;
        port = port * 10 + static_cast<unsigned long>(c - '0');
    }
    if (port > 65535) return false;
    const std::string ip_text(s.substr(0, slash));
    InetAddress a;
    if (inet_pton(AF_INET, ip_text.c_str(), a.ip) == 1) {
        a.family = Family::kV4;
    } else if (inet_pton(AF_INET6, ip_text.c_str(), a.ip) == 1) {
        a.family = Family::kV6;
    } else {
        return false;
    }
    a.port = static_cast<std::uint16_t>(port);
    *out = a;
    return true;
}

std::string InetAddress::ip_string() const {
    char buf[INET6_ADDRSTRLEN] = {};
    if (family == Family::kV4) inet_ntop(AF_INET, ip, buf, sizeof buf);
    else if (family == Family::kV6) inet_ntop(AF_INET6, ip, buf, sizeof buf);
    return buf;
}

std::string InetAddress::to_string() const {
    if (is_nil()) return "";
    return ip_string() + "/" + std::to_string(port);
}

void InetAddress::serialize(Writer& w) const {
    switch (family) {
        case Family::kNone: w.u8(kWireNil); return;
        case Family::kV4: w.u8(kWireV4); w.bytes(ip, 4); w.u16(port); return;
        case Family::kV6: w.u8(kWireV6); w.bytes(ip, 16); w.u16(port); return;
    }
}

bool InetAddress::deserialize(Reader& r, InetAddress* out) {
    InetAddress a;
    switch (r.u8()) {
        case kWireNil: break;
        case kWireV4:
            a.family = Family::kV4;
            r.copy(a.ip, 4);
            a.port = r.u16();
            break;
        case kWireV6:
            a.family = Family::kV6;
            r.copy(a.ip, 16);
            a.port = r.u16();
            break;
        case kWireEthernet:
        case kWireBluetooth: r.skip(6); break;
        case kWireOther: r.skip(r.u16()); break;
        default: r.fail(); break;  // an unknown type has no known length: nothing after it can be read
    }
    if (!r.ok()) return false;
    *out = a;
    return true;
}

bool InetAddress::to_sockaddr(sockaddr_storage* ss, unsigned* len) const {
    std::memset(ss, 0, sizeof *ss);
    if (family == Family::kV4) {
        auto* sin = reinterpret_cast<sockaddr_in*>(ss);
        sin->sin_family = AF_INET;
        sin->sin_port = htons(port);
        std::memcpy(&sin->sin_addr, ip, 4);
        *len = sizeof(sockaddr_in);
        return true;
    }
    if (family == Family::kV6) {
        auto* sin6 = reinterpret_cast<sockaddr_in6*>(ss);
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons(port);
        std::memcpy(&sin6->sin6_addr, ip, 16);
        *len = sizeof(sockaddr_in6);
        return true;
    }
    return false;
}

bool InetAddress::from_sockaddr(const sockaddr* sa, InetAddress* out) {
    if (sa->sa_family == AF_INET) {
        const auto* sin = reinterpret_cast<const sockaddr_in*>(sa);
        *out = v4(reinterpret_cast<const std::uint8_t*>(&sin->sin_addr), ntohs(sin->sin_port));
        return true;
    }
    if (sa->sa_family == AF_INET6) {
        const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(sa);
        *out = v6(reinterpret_cast<const std::uint8_t*>(&sin6->sin6_addr), ntohs(sin6->sin6_port));
        return true;
    }
    return false;
}

bool InetAddress::same_ip(const InetAddress& o) const {
    return family == o.family && std::memcmp(ip, o.ip, ip_len()) == 0;
}

bool InetAddress::operator==(const InetAddress& o) const { return same_ip(o) && port == o.port; }

}  // namespace zt

namespace zt {

IpScope InetAddress::scope() const {
    if (family == Family::kV4) {
        const std::uint32_t a = static_cast<std::uint32_t>(load_be(ip, 4));
        const std::uint32_t top = a >> 24;
        if (top == 0 || top == 0xff) return IpScope::kNone;
        if (top == 127) return IpScope::kLoopback;
        if (top == 10 || (a & 0xfff00000u) == 0xac100000u || (a & 0xffff0000u) == 0xc0a80000u) return IpScope::kPrivate;
        if ((a & 0xffc00000u) == 0x64400000u) return IpScope::kShared;  // 100.64/10
        if ((a & 0xffff0000u) == 0xa9fe0000u) return IpScope::kLinkLocal;
        if ((a & 0xfffe0000u) == 0xc6120000u) return IpScope::kPrivate;  // 198.18/15, benchmarking
        if ((a >> 28) == 0xe) return IpScope::kMulticast;
        if ((a >> 28) == 0xf) return IpScope::kPseudoPrivate;
        switch (top) {  // US/UK government blocks that never appear on the public Internet
            case 6: case 11: case 21: case 22: case 25: case 26: case 28: case 29: case 30: case 51: case 55: case 56:
                return IpScope::kPseudoPrivate;
            default: return IpScope::kGlobal;
        }
    }
    if (family == Family::kV6) {
        static const std::uint8_t kLoop[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
        if (std::memcmp(ip, kLoop, 16) == 0) return IpScope::kLoopback;
        if (ip[0] == 0xff) return IpScope::kMulticast;
        if (ip[0] == 0xfe && (ip[1] & 0xc0) == 0x80) return IpScope::kLinkLocal;
        if ((ip[0] & 0xfe) == 0xfc) return IpScope::kPrivate;  // fc00::/7 unique local
        bool all_zero = true;
        for (int i = 0; i < 16; ++i) all_zero = all_zero && ip[i] == 0;
        if (all_zero) return IpScope::kNone;
        // IPv4-mapped addresses take the scope of the IPv4 address they carry.
        if (is_v4_mapped(ip)) return InetAddress::v4(ip + 12, port).scope();
        return IpScope::kGlobal;
    }
    return IpScope::kNone;
}

std::uint64_t InetAddress::network_bucket() const {
    if (family == Family::kV4) return 0x400000000ULL | load_be(ip, 3);
    if (family == Family::kV6) return 0x600000000000000ULL ^ load_be(ip, 6);
    return 0;
}

}  // namespace zt
