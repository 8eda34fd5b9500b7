// SPDX-License-Identifier: Apache-2.0
// LZ4 payload compression (vl1.md section 8): raw LZ4 block format over bytes 28..end, flagged by the
// verb byte's 0x80 bit. Applied before armoring and undone after dearmoring.
#include <lz4.h>

#include <cstring>

#include "zt/packet.hpp"

namespace zt {

namespace {
// Payloads this small rarely shrink, and the reference never compresses them.
constexpr std::size_t kMinCompressiblePayload = 64;
constexpr std::size_t kMaxPayload = Packet::kCapacity - kIdxPayload;
}  // namespace

bool Packet::compress() {
    if (!ok_ || size_ < kMinPacketLen || compressed()) return false;
    const std::size_t payload_len = size_ - kIdxPayload;
    if (payload_len <= kMinCompressiblePayload) return false;
    // An output bound one byte short of the input makes LZ4 give up unless it strictly shrinks.
    char out[kMaxPayload];
    const int n = LZ4_compress_default(reinterpret_cast<const char*>(buf_.data() + kIdxPayload), out,
                                       static_cast<int>(payload_len), static_cast<int>(payload_len - 1));
    if (n <= 0) return false;
    std::memcpy(buf_.data() + kIdxPayload, out, static_cast<std::size_t>(n));
    size_ = kIdxPayload + static_cast<std::size_t>(n);
    buf_[kIdxVerb] |= kVerbFlagCompressed;
    return true;
}

bool Packet::decompress() {
    if (size_ < kMinPacketLen) return false;
    if (!compressed()) return true;
    const std::size_t compressed_len = size_ - kIdxPayload;
    if (compressed_len > 0) {  // an empty compressed payload stands for an empty payload
        char out[kMaxPayload];
        const int n = LZ4_decompress_safe(reinterpret_cast<const char*>(buf_.data() + kIdxPayload), out,
                                          static_cast<int>(compressed_len), static_cast<int>(sizeof out));
        if (n <= 0) return false;  // corrupt, or would not fit in a packet
        std::memcpy(buf_.data() + kIdxPayload, out, static_cast<std::size_t>(n));
        size_ = kIdxPayload + static_cast<std::size_t>(n);
    }
    buf_[kIdxVerb] &= static_cast<std::uint8_t>(~kVerbFlagCompressed);
    return true;
}

}  // namespace zt
