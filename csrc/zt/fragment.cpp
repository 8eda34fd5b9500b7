// SPDX-License-Identifier: Apache-2.0
// Fragmentation (vl1.md section 3.3): splitting an armored packet into datagrams, telling datagram
// kinds apart, and reassembling heads and fragments that arrive in any order.
#include <cstring>

#include "zt/bytes.hpp"
#include "zt/packet.hpp"

namespace zt {

namespace {

constexpr std::size_t kMaxFragmentPayload(std::size_t mtu) { return mtu - kMinFragmentLen; }

unsigned fragment_total(const std::uint8_t* d) { return d[kIdxFragmentNumbers] >> 4; }
unsigned fragment_number(const std::uint8_t* d) { return d[kIdxFragmentNumbers] & 0x0f; }

}  // namespace

bool needs_fragmentation(std::size_t packet_size, std::size_t mtu) { return packet_size > mtu; }

bool for_each_datagram(const Packet& armored, std::size_t mtu,
                       const std::function<void(const std::uint8_t* data, std::size_t len)>& sink) {
    const std::size_t size = armored.size();
    if (size < kMinPacketLen || mtu <= kMinPacketLen) return false;
    if (armored.fragmented() != needs_fragmentation(size, mtu)) return false;
    // As few pieces as the MTU allows (the head full, fragments full, the last one short)...
    const std::size_t piece_max = kMaxFragmentPayload(mtu);
    const std::size_t fewest = size <= mtu ? 1 : 1 + (size - mtu + piece_max - 1) / piece_max;
    if (fewest > kMaxPacketFragments) return false;
    // ...but with the bytes spread evenly over them: every datagram as long as the head, the last
    // one possibly shorter. Receivers take each piece's length from its datagram (ZeroTier One
    // fills the head to the MTU; either split reassembles the same), and a run of equal-sized
    // datagrams to one peer is what UDP segmentation offload sends in one system call.
    const std::size_t on_the_wire = size + kMinFragmentLen * (fewest - 1);
    const std::size_t head_len = (on_the_wire + fewest - 1) / fewest;
    const std::size_t piece_len = head_len - kMinFragmentLen;
    const std::size_t rest = size - head_len;
    const std::size_t total = fewest == 1 ? 1 : 1 + (rest + piece_len - 1) / piece_len;

    const std::uint8_t* const data = armored.data();
    sink(data, head_len);
    // A piece never exceeds what follows the head, so this holds any fragment at any MTU.
    static_assert(kMinFragmentLen + Packet::kCapacity <= kMaxDatagramLen, "fragment buffer too small");
    std::uint8_t fragment[kMinFragmentLen + Packet::kCapacity];
    std::size_t at = head_len;
    for (std::size_t number = 1; number < total; ++number) {
        const std::size_t n = (size - at) < piece_len ? (size - at) : piece_len;
        const std::size_t len = kMinFragmentLen + n;
        // The packet ID and destination are copied from the armored head: under AES-GMAC-SIV the ID
        // is the SIV tag, known only after armoring.
        std::memcpy(fragment, data, kIdxFragmentIndicator);
        fragment[kIdxFragmentIndicator] = kFragmentIndicator;
        fragment[kIdxFragmentNumbers] = static_cast<std::uint8_t>((total << 4) | number);
        fragment[kIdxFragmentHops] = 0;
        std::memcpy(fragment + kIdxFragmentPayload, data + at, n);
        sink(fragment, len);
        at += n;
    }
    return true;
}

DatagramKind classify_datagram(const std::uint8_t* data, std::size_t len) {
    if (data == nullptr) return DatagramKind::kInvalid;
    if (len == kLegacyBeaconLen) return DatagramKind::kBeacon;
    // A real source address never starts with 0xff (reserved), which is what makes the indicator work.
    if (len > kMinFragmentLen && data[kIdxFragmentIndicator] == kFragmentIndicator) return DatagramKind::kFragment;
    if (len >= kMinPacketLen) return DatagramKind::kPacket;
    return DatagramKind::kInvalid;
}

// ---- Defragmenter ----------------------------------------------------------------------------------

Defragmenter::Slot* Defragmenter::find_or_claim(std::uint64_t id, std::int64_t now) {
    Slot* free_slot = nullptr;
    Slot* oldest = nullptr;
    for (Slot& s : slots_) {
        if (s.used && now - s.created > kReceiveQueueTimeout) abandon(s);  // expired: reuse
        if (s.used && s.packet_id == id) return &s;
        if (!s.used) {
            if (free_slot == nullptr) free_slot = &s;
        } else if (oldest == nullptr || s.created < oldest->created) {
            oldest = &s;
        }
    }
    Slot* s = free_slot != nullptr ? free_slot : oldest;  // full: the oldest set gives way
    if (s->used) abandon(*s);
    s->packet_id = id;
    s->created = now;
    s->used = true;
    s->total = 0;
    s->have_mask = 0;
    s->stored = 0;
    return s;
}

Defragmenter::Result Defragmenter::store(Slot& s, unsigned number, const std::uint8_t* piece, std::size_t len,
                                         Packet* out) {
    if ((s.have_mask & (1u << number)) != 0) return Result::kDropped;  // duplicate
    if (len > s.data.size() - s.stored) {
        abandon(s);  // the assembled packet would not fit in any packet buffer
        return Result::kDropped;
    }
    std::memcpy(s.data.data() + s.stored, piece, len);
    s.piece_offset[number] = s.stored;
    s.piece_len[number] = static_cast<std::uint16_t>(len);
    s.stored = static_cast<std::uint16_t>(s.stored + len);
    s.have_mask |= 1u << number;
    return try_complete(s, out);
}

Defragmenter::Result Defragmenter::try_complete(Slot& s, Packet* out) {
    if (s.total == 0 || s.have_mask != (1u << s.total) - 1) return Result::kIncomplete;
    s.used = false;
    if (!out->assign(s.data.data() + s.piece_offset[0], s.piece_len[0])) return Result::kDropped;
    for (unsigned n = 1; n < s.total; ++n) out->append(s.data.data() + s.piece_offset[n], s.piece_len[n]);
    return out->ok() ? Result::kComplete : Result::kDropped;
}

Defragmenter::Result Defragmenter::add_head(const std::uint8_t* data, std::size_t len, std::int64_t now, Packet* out) {
    if (data == nullptr || out == nullptr || len < kMinPacketLen || len > Packet::kCapacity) return Result::kDropped;
    if ((data[kIdxFlags] & kFlagFragmented) == 0) return Result::kDropped;  // a whole packet, not a head
    if (data[kIdxFragmentIndicator] == kFragmentIndicator) return Result::kDropped;
    Slot& s = *find_or_claim(load_be(data + kIdxPacketId, 8), now);
    return store(s, 0, data, len, out);
}

Defragmenter::Result Defragmenter::add_fragment(const std::uint8_t* data, std::size_t len, std::int64_t now,
                                                Packet* out) {
    if (data == nullptr || out == nullptr || len <= kMinFragmentLen) return Result::kDropped;
    if (data[kIdxFragmentIndicator] != kFragmentIndicator) return Result::kDropped;
    const unsigned total = fragment_total(data);
    const unsigned number = fragment_number(data);
    // The nibbles allow 15, ZeroTier sends and accepts at most 7 pieces; the head is number 0, so a
    // fragment is 1..total-1 of a set of at least 2.
    if (total < 2 || total > kMaxPacketFragments || number < 1 || number >= total) return Result::kDropped;
    Slot& s = *find_or_claim(load_be(data + kIdxPacketId, 8), now);
    if (s.total != 0 && s.total != total) return Result::kDropped;  // disagrees with the set so far
    s.total = total;
    return store(s, number, data + kIdxFragmentPayload, len - kIdxFragmentPayload, out);
}

void Defragmenter::expire(std::int64_t now) {
    for (Slot& s : slots_) {
        if (s.used && now - s.created > kReceiveQueueTimeout) abandon(s);
    }
}

void Defragmenter::abandon(Slot& s) {
    abandoned_pieces_ += static_cast<std::uint64_t>(__builtin_popcount(s.have_mask));
    s.used = false;
}

std::size_t Defragmenter::in_progress() const {
    std::size_t n = 0;
    for (const Slot& s : slots_) n += s.used ? 1 : 0;
    return n;
}

}  // namespace zt
