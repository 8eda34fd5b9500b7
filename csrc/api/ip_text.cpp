// SPDX-License-Identifier: Apache-2.0
#include "api/ip_text.hpp"

#include <arpa/inet.h>

#include <cstdio>
#include <cstring>

#include "zt/inet_address.hpp"

namespace zt::api {


bool format_ipv4(const std::uint8_t ip[4], char* out, std::size_t cap) {
    const int n = std::snprintf(out, cap, "%u.%u.%u.%u", ip[0], ip[1], ip[2], ip[3]);
    return n > 0 && static_cast<std::size_t>(n) < cap;
}

bool format_ipv6(const std::uint8_t ip[16], char* out, std::size_t cap) {
    if (zt::is_v4_mapped(ip)) {
        const int n = std::snprintf(out, cap, "::FFFF:%u.%u.%u.%u", ip[12], ip[13], ip[14], ip[15]);
        return n > 0 && static_cast<std::size_t>(n) < cap;
    }
    std::uint16_t groups[8];
    for (int i = 0; i < 8; ++i) groups[i] = static_cast<std::uint16_t>((ip[2 * i] << 8) | ip[2 * i + 1]);
    int run_start = -1;  // the first run of at least two zero groups becomes "::"
    int run_len = 0;
    for (int i = 0; i < 7 && run_start < 0; ++i) {
        if (groups[i] != 0 || groups[i + 1] != 0) continue;
        run_start = i;
        while (i + run_len < 8 && groups[i + run_len] == 0) ++run_len;
    }
    char text[kIpTextMax];
    int at = 0;
    for (int i = 0; i < 8; ++i) {
        if (i == run_start) {
            at += std::snprintf(text + at, sizeof text - at, "::");
            i += run_len - 1;
            continue;
        }
        const bool colon = i > 0 && i != run_start + run_len;  // (the "::" already separates)
        at += std::snprintf(text + at, sizeof text - at, colon ? ":%X" : "%X", static_cast<unsigned>(groups[i]));
    }
    if (static_cast<std::size_t>(at) >= cap) return false;
    std::memcpy(out, text, static_cast<std::size_t>(at) + 1);
    return true;
}

bool parse_ipv4(const char* text, std::uint8_t out[4]) {
    in_addr a{};
    if (text == nullptr || inet_aton(text, &a) == 0) return false;
    std::memcpy(out, &a, 4);
    return true;
}

bool parse_ipv6(const char* text, std::uint8_t out[16]) {
    if (text == nullptr) return false;
    char plain[kIpTextMax];
    const char* zone = std::strchr(text, '%');
    const std::size_t len = zone != nullptr ? static_cast<std::size_t>(zone - text) : std::strlen(text);
    if (len >= sizeof plain) return false;
    std::memcpy(plain, text, len);
    plain[len] = '\0';
    return inet_pton(AF_INET6, plain, out) == 1;
}

int literal_family(const char* text) {
    std::uint8_t ip[16];
    if (parse_ipv4(text, ip)) return ZTS_AF_INET;
    if (parse_ipv6(text, ip)) return ZTS_AF_INET6;
    return 0;
}

bool literal_to_sockaddr(const char* text, std::uint16_t port, zts_sockaddr_storage* out, zts_socklen_t* len) {
    std::memset(out, 0, sizeof *out);
    const std::uint16_t network_port = htons(port);
    auto* in4 = reinterpret_cast<zts_sockaddr_in*>(out);
    if (parse_ipv4(text, reinterpret_cast<std::uint8_t*>(&in4->sin_addr))) {
        in4->sin_len = sizeof(zts_sockaddr_in);
        in4->sin_family = ZTS_AF_INET;
        in4->sin_port = network_port;
        *len = sizeof(zts_sockaddr_in);
        return true;
    }
    std::memset(out, 0, sizeof *out);
    auto* in6 = reinterpret_cast<zts_sockaddr_in6*>(out);
    if (parse_ipv6(text, reinterpret_cast<std::uint8_t*>(&in6->sin6_addr))) {
        in6->sin6_len = sizeof(zts_sockaddr_in6);
        in6->sin6_family = ZTS_AF_INET6;
        in6->sin6_port = network_port;
        *len = sizeof(zts_sockaddr_in6);
        return true;
    }
    return false;
}

bool sockaddr_to_text(const zts_sockaddr* addr, zts_socklen_t len, char* out, std::uint16_t* port) {
    std::uint16_t network_port = 0;
    if (addr->sa_family == ZTS_AF_INET && len >= sizeof(zts_sockaddr_in)) {
        const auto* in4 = reinterpret_cast<const zts_sockaddr_in*>(addr);
        format_ipv4(reinterpret_cast<const std::uint8_t*>(&in4->sin_addr), out, kIpTextMax);
        network_port = in4->sin_port;
    } else if (addr->sa_family == ZTS_AF_INET6 && len >= sizeof(zts_sockaddr_in6)) {
        const auto* in6 = reinterpret_cast<const zts_sockaddr_in6*>(addr);
        format_ipv6(reinterpret_cast<const std::uint8_t*>(&in6->sin6_addr), out, kIpTextMax);
        network_port = in6->sin6_port;
    } else {
        return false;
    }
    if (port != nullptr) *port = ntohs(network_port);
    return true;
}

}  // namespace zt::api
