// SPDX-License-Identifier: Apache-2.0
// ZeroTier's Dictionary: "key=value" entries separated by LF, values escaped so any bytes fit
// (\0 NUL, \r CR, \n LF, \\ backslash, \e '='). Integers are hex (written as 16 lower-case digits,
// addresses as 10), booleans "1"/"0". The first occurrence of a key wins. Used for network configs,
// config request metadata and error details.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace zt {

// The leading hex digits of `s`, as strtoull(s, 16) reads integer values: none gives 0, more than
// 64 bits saturate.
std::uint64_t hex_prefix_value(std::string_view s);

class Dictionary {
  public:
    // Parses `len` bytes (no terminating NUL needed; parsing also stops at a NUL). Rejects keys
    // that are empty or over 255 bytes and inputs over kMaxLen.
    static constexpr std::size_t kMaxLen = 1 << 20;
    static bool parse(const std::uint8_t* data, std::size_t len, Dictionary* out, const char** why);

    bool has(std::string_view key) const;
    // The unescaped value of the first entry with this key.
    std::optional<std::string> get(std::string_view key) const;
    std::uint64_t get_u64(std::string_view key, std::uint64_t fallback = 0) const;  // hex
    std::int64_t get_i64(std::string_view key, std::int64_t fallback = 0) const;    // hex, "-" for negatives
    bool get_bool(std::string_view key, bool fallback = false) const;

    // Setters append (or replace an existing key in place). Values are escaped on serialize().
    void set(std::string_view key, std::string_view value);
    void set_u64(std::string_view key, std::uint64_t v);  // 16 hex digits
    void set_i64(std::string_view key, std::int64_t v);
    void set_address(std::string_view key, std::uint64_t address);  // 10 hex digits
    void set_bool(std::string_view key, bool v);

    std::string serialize() const;
    const std::vector<std::pair<std::string, std::string>>& entries() const { return entries_; }
    bool empty() const { return entries_.empty(); }

  private:
    std::vector<std::pair<std::string, std::string>> entries_;  // unescaped values, insertion order
};

}  // namespace zt
