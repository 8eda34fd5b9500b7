// SPDX-License-Identifier: Apache-2.0
#include "zt/bytes.hpp"

namespace zt {

namespace {
constexpr char kDigits[] = "0123456789abcdef";

int nibble(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}
}  // namespace

std::string to_hex(const void* data, std::size_t len) {
    const auto* b = static_cast<const std::uint8_t*>(data);
    std::string s(len * 2, '0');
    for (std::size_t i = 0; i < len; ++i) {
        s[2 * i] = kDigits[b[i] >> 4];
        s[2 * i + 1] = kDigits[b[i] & 15];
    }
    return s;
}

bool from_hex(std::string_view hex, void* out, std::size_t len) {
    if (hex.size() != 2 * len) return false;
    auto* b = static_cast<std::uint8_t*>(out);
    for (std::size_t i = 0; i < len; ++i) {
        const int hi = nibble(hex[2 * i]);
        const int lo = nibble(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) return false;
        b[i] = static_cast<std::uint8_t>((hi << 4) | lo);
    }
    return true;
}

std::string address_to_hex(std::uint64_t address) {
    std::uint8_t b[5];
    store_be(b, address, 5);
    return to_hex(b, 5);
}

bool address_from_hex(std::string_view hex, std::uint64_t* address) {
    std::uint8_t b[5];
    if (!from_hex(hex, b, 5)) return false;
    *address = load_be(b, 5);
    return true;
}

}  // namespace zt
