// SPDX-License-Identifier: Apache-2.0
// Big-endian readers and writers for wire formats. The reader never reads past its end: a short read
// marks it failed and returns zeros, so a parser can read a whole record and check ok() once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace zt {

class Reader {
  public:
    Reader(const void* data, std::size_t len) : p_(static_cast<const std::uint8_t*>(data)), len_(len) {}

    bool ok() const { return ok_; }
    std::size_t pos() const { return pos_; }
    std::size_t remaining() const { return ok_ ? len_ - pos_ : 0; }
    const std::uint8_t* cursor() const { return p_ + pos_; }

    // Marks the reader failed unless n more bytes exist; returns whether they do.
    bool need(std::size_t n) {
        if (!ok_ || len_ - pos_ < n) ok_ = false;
        return ok_;
    }
    void fail() { ok_ = false; }

    std::uint8_t u8() { return static_cast<std::uint8_t>(be(1)); }
    std::uint16_t u16() { return static_cast<std::uint16_t>(be(2)); }
    std::uint32_t u32() { return static_cast<std::uint32_t>(be(4)); }
    std::uint64_t u40() { return be(5); }
    std::uint64_t u64() { return be(8); }

    // Pointer to the next n bytes (nullptr if absent), advancing past them.
    const std::uint8_t* take(std::size_t n) {
        if (!need(n)) return nullptr;
        const std::uint8_t* at = p_ + pos_;
        pos_ += n;
        return at;
    }
    bool copy(void* out, std::size_t n) {
        const std::uint8_t* at = take(n);
        if (at == nullptr) return false;
        std::memcpy(out, at, n);
        return true;
    }
    bool skip(std::size_t n) { return take(n) != nullptr; }

  private:
    std::uint64_t be(std::size_t n) {
        const std::uint8_t* at = take(n);
        std::uint64_t v = 0;
        if (at != nullptr) {
            for (std::size_t i = 0; i < n; ++i) v = (v << 8) | at[i];
        }
        return v;
    }

    const std::uint8_t* p_;
    std::size_t len_;
    std::size_t pos_ = 0;
    bool ok_ = true;
};

class Writer {
  public:
    explicit Writer(std::vector<std::uint8_t>& out) : out_(out) {}

    void u8(std::uint8_t v) { out_.push_back(v); }
    void u16(std::uint16_t v) { be(v, 2); }
    void u32(std::uint32_t v) { be(v, 4); }
    void u40(std::uint64_t v) { be(v, 5); }
    void u64(std::uint64_t v) { be(v, 8); }
    void bytes(const void* p, std::size_t n) {
        const auto* b = static_cast<const std::uint8_t*>(p);
        out_.insert(out_.end(), b, b + n);
    }
    void fill(std::uint8_t v, std::size_t n) { out_.insert(out_.end(), n, v); }
    std::size_t size() const { return out_.size(); }

  private:
    void be(std::uint64_t v, std::size_t n) {
        for (std::size_t i = n; i-- > 0;) out_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
    }
    std::vector<std::uint8_t>& out_;
};

inline void store_be(std::uint8_t* p, std::uint64_t v, std::size_t n) {
    for (std::size_t i = n; i-- > 0; v >>= 8) p[i] = static_cast<std::uint8_t>(v);
}
inline std::uint64_t load_be(const std::uint8_t* p, std::size_t n) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n; ++i) v = (v << 8) | p[i];
    return v;
}

// Hex: lower case out; in, exactly 2*len digits of either case or failure.
std::string to_hex(const void* data, std::size_t len);
bool from_hex(std::string_view hex, void* out, std::size_t len);
// A 40-bit address as exactly 10 lower-case hex digits.
std::string address_to_hex(std::uint64_t address);
bool address_from_hex(std::string_view hex, std::uint64_t* address);

}  // namespace zt
