// SPDX-License-Identifier: Apache-2.0
// The packet buffer itself: header fields, bounded appends, verb names. Armoring is in armor.cpp,
// LZ4 in compress.cpp, fragments in fragment.cpp.
#include <cstring>

#include "zt/bytes.hpp"
#include "zt/packet.hpp"

namespace zt {

const char* verb_name(Verb v) {
    switch (v) {
        case Verb::kNop: return "NOP";
        case Verb::kHello: return "HELLO";
        case Verb::kError: return "ERROR";
        case Verb::kOk: return "OK";
        case Verb::kWhois: return "WHOIS";
        case Verb::kRendezvous: return "RENDEZVOUS";
        case Verb::kFrame: return "FRAME";
        case Verb::kExtFrame: return "EXT_FRAME";
        case Verb::kEcho: return "ECHO";
        case Verb::kMulticastLike: return "MULTICAST_LIKE";
        case Verb::kNetworkCredentials: return "NETWORK_CREDENTIALS";
        case Verb::kNetworkConfigRequest: return "NETWORK_CONFIG_REQUEST";
        case Verb::kNetworkConfig: return "NETWORK_CONFIG";
        case Verb::kMulticastGather: return "MULTICAST_GATHER";
        case Verb::kMulticastFrame: return "MULTICAST_FRAME";
        case Verb::kPushDirectPaths: return "PUSH_DIRECT_PATHS";
        case Verb::kAck: return "ACK";
        case Verb::kQosMeasurement: return "QOS_MEASUREMENT";
        case Verb::kUserMessage: return "USER_MESSAGE";
        case Verb::kRemoteTrace: return "REMOTE_TRACE";
        case Verb::kPathNegotiationRequest: return "PATH_NEGOTIATION_REQUEST";
    }
    return "UNKNOWN";
}

Packet::Packet() { std::memset(buf_.data(), 0, kMinPacketLen); }

Packet::Packet(std::uint64_t destination, std::uint64_t source, Verb verb) {
    std::memset(buf_.data(), 0, kMinPacketLen);
    const std::uint64_t id = crypto::random_u64();
    std::memcpy(buf_.data() + kIdxPacketId, &id, sizeof id);
    set_destination(destination);
    set_source(source);
    buf_[kIdxVerb] = static_cast<std::uint8_t>(verb);
    size_ = kMinPacketLen;
}

bool Packet::assign(const std::uint8_t* data, std::size_t len) {
    ok_ = true;
    if (data == nullptr || len < kMinPacketLen || len > kCapacity) {
        size_ = 0;
        return false;
    }
    std::memcpy(buf_.data(), data, len);
    size_ = len;
    return true;
}

std::uint64_t Packet::packet_id() const { return load_be(buf_.data() + kIdxPacketId, 8); }
void Packet::set_packet_id(std::uint64_t id) { store_be(buf_.data() + kIdxPacketId, id, 8); }
std::uint64_t Packet::destination() const { return load_be(buf_.data() + kIdxDestination, kAddressLen); }
std::uint64_t Packet::source() const { return load_be(buf_.data() + kIdxSource, kAddressLen); }
void Packet::set_destination(std::uint64_t a) {
    store_be(buf_.data() + kIdxDestination, a & kAddressMask, kAddressLen);
}
void Packet::set_source(std::uint64_t a) { store_be(buf_.data() + kIdxSource, a & kAddressMask, kAddressLen); }

void Packet::increment_hops() {
    std::uint8_t& flags = buf_[kIdxFlags];
    flags = static_cast<std::uint8_t>((flags & ~kFlagHopsMask) | ((flags + 1) & kFlagHopsMask));
}

void Packet::set_fragmented(bool f) {
    if (f) buf_[kIdxFlags] |= kFlagFragmented;
    else buf_[kIdxFlags] &= static_cast<std::uint8_t>(~kFlagFragmented);
}

void Packet::append(const void* p, std::size_t n) {
    if (!ok_ || n > kCapacity - size_) {
        ok_ = false;
        return;
    }
    if (n > 0) std::memcpy(buf_.data() + size_, p, n);
    size_ += n;
}

void Packet::append_zeros(std::size_t n) {
    if (!ok_ || n > kCapacity - size_) {
        ok_ = false;
        return;
    }
    std::memset(buf_.data() + size_, 0, n);
    size_ += n;
}

void Packet::append_u8(std::uint8_t v) { append(&v, 1); }

void Packet::append_u16(std::uint16_t v) {
    std::uint8_t b[2];
    store_be(b, v, 2);
    append(b, 2);
}

void Packet::append_u32(std::uint32_t v) {
    std::uint8_t b[4];
    store_be(b, v, 4);
    append(b, 4);
}

void Packet::append_u40(std::uint64_t v) {
    std::uint8_t b[5];
    store_be(b, v, 5);
    append(b, 5);
}

void Packet::append_u64(std::uint64_t v) {
    std::uint8_t b[8];
    store_be(b, v, 8);
    append(b, 8);
}

void Packet::truncate(std::size_t size) {
    if (size < kMinPacketLen) size = kMinPacketLen;
    if (size < size_) size_ = size;
}

}  // namespace zt
