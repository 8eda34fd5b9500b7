// SPDX-License-Identifier: Apache-2.0
#include "zt/dictionary.hpp"

#include <limits>

namespace zt {

namespace {

constexpr std::size_t kMaxKeyLen = 255;
constexpr char kHexDigits[] = "0123456789abcdef";

bool reject(const char** why, const char* reason) {
    if (why != nullptr) *why = reason;
    return false;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

std::uint64_t hex_prefix_value(std::string_view s) {
    std::uint64_t v = 0;
    for (const char c : s) {
        const int d = hex_value(c);
        if (d < 0) break;
        if (v > (std::numeric_limits<std::uint64_t>::max() >> 4)) return std::numeric_limits<std::uint64_t>::max();
        v = (v << 4) | static_cast<std::uint64_t>(d);
    }
    return v;
}

namespace {

std::string hex_digits(std::uint64_t v, unsigned digits) {
    std::string s(digits, '0');
    for (unsigned i = digits; i-- > 0; v >>= 4) s[i] = kHexDigits[v & 0xf];
    return s;
}

// Undoes the escaping of one value; false for a backslash with nothing after it, which no
// serializer produces (it would have written "\\").
bool unescape(std::string_view raw, std::string* out) {
    out->clear();
    out->reserve(raw.size());
    for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] != '\\') {
            out->push_back(raw[i]);
            continue;
        }
        if (++i == raw.size()) return false;
        switch (raw[i]) {
            case '0': out->push_back('\0'); break;
            case 'r': out->push_back('\r'); break;
            case 'n': out->push_back('\n'); break;
            case 'e': out->push_back('='); break;
            default: out->push_back(raw[i]); break;  // "\\" and any unknown escape: the byte itself
        }
    }
    return true;
}

void append_escaped(std::string& out, std::string_view value) {
    for (const char c : value) {
        switch (c) {
            case '\0': out += "\\0"; break;
            case '\r': out += "\\r"; break;
            case '\n': out += "\\n"; break;
            case '\\': out += "\\\\"; break;
            case '=': out += "\\e"; break;
            default: out.push_back(c); break;
        }
    }
}

}  // namespace

bool Dictionary::parse(const std::uint8_t* data, std::size_t len, Dictionary* out, const char** why) {
    if (data == nullptr && len > 0) return reject(why, "dictionary: no data");
    if (len > kMaxLen) return reject(why, "dictionary: larger than 1 MiB");
    std::string_view text(reinterpret_cast<const char*>(data), len);
    const std::size_t nul = text.find('\0');
    if (nul != std::string_view::npos) text = text.substr(0, nul);  // C-string semantics, as ZeroTier stores it

    Dictionary d;
    std::size_t at = 0;
    while (at < text.size()) {
        // A value ends at LF or CR; an escaped one never contains either, so both end the entry.
        std::size_t end = text.find_first_of("\r\n", at);
        if (end == std::string_view::npos) end = text.size();
        const std::string_view line = text.substr(at, end - at);
        at = end + 1;
        if (line.empty()) continue;  // CR LF pairs, a trailing newline
        const std::size_t eq = line.find('=');
        if (eq == std::string_view::npos) return reject(why, "dictionary: entry without '='");
        if (eq == 0) return reject(why, "dictionary: empty key");
        if (eq > kMaxKeyLen) return reject(why, "dictionary: key longer than 255 bytes");
        std::string value;
        if (!unescape(line.substr(eq + 1), &value)) return reject(why, "dictionary: value ends in a lone backslash");
        d.entries_.emplace_back(std::string(line.substr(0, eq)), std::move(value));
    }
    *out = std::move(d);
    return true;
}

bool Dictionary::has(std::string_view key) const {
    for (const auto& e : entries_) {
        if (e.first == key) return true;
    }
    return false;
}

std::optional<std::string> Dictionary::get(std::string_view key) const {
    for (const auto& e : entries_) {
        if (e.first == key) return e.second;
    }
    return std::nullopt;
}

std::uint64_t Dictionary::get_u64(std::string_view key, std::uint64_t fallback) const {
    const std::optional<std::string> v = get(key);
    if (!v || v->empty()) return fallback;
    return hex_prefix_value(*v);
}

std::int64_t Dictionary::get_i64(std::string_view key, std::int64_t fallback) const {
    const std::optional<std::string> v = get(key);
    if (!v || v->empty()) return fallback;
    const bool negative = (*v)[0] == '-';
    const std::uint64_t magnitude = hex_prefix_value(std::string_view(*v).substr(negative ? 1 : 0));
    constexpr std::uint64_t kMaxPositive = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    if (!negative) return magnitude > kMaxPositive ? std::numeric_limits<std::int64_t>::max()
                                                   : static_cast<std::int64_t>(magnitude);
    if (magnitude > kMaxPositive) return std::numeric_limits<std::int64_t>::min();
    return -static_cast<std::int64_t>(magnitude);
}

bool Dictionary::get_bool(std::string_view key, bool fallback) const {
    const std::optional<std::string> v = get(key);
    if (!v) return fallback;
    return !v->empty() && ((*v)[0] == '1' || (*v)[0] == 't' || (*v)[0] == 'T');
}

void Dictionary::set(std::string_view key, std::string_view value) {
    for (auto& e : entries_) {
        if (e.first == key) {
            e.second.assign(value);
            return;
        }
    }
    entries_.emplace_back(std::string(key), std::string(value));
}

void Dictionary::set_u64(std::string_view key, std::uint64_t v) { set(key, hex_digits(v, 16)); }

void Dictionary::set_i64(std::string_view key, std::int64_t v) {
    if (v >= 0) {
        set(key, hex_digits(static_cast<std::uint64_t>(v), 16));
    } else {
        set(key, "-" + hex_digits(0 - static_cast<std::uint64_t>(v), 16));
    }
}

void Dictionary::set_address(std::string_view key, std::uint64_t address) { set(key, hex_digits(address, 10)); }

void Dictionary::set_bool(std::string_view key, bool v) { set(key, v ? "1" : "0"); }

std::string Dictionary::serialize() const {
    std::string out;
    for (std::size_t i = 0; i < entries_.size(); ++i) {
        const auto& e = entries_[i];
        if (i > 0) out.push_back('\n');
        out += e.first;
        out.push_back('=');
        append_escaped(out, e.second);
    }
    return out;
}

}  // namespace zt
