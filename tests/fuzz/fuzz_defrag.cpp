// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: the Defragmenter fed a sequence of datagrams cut from the input.
//
// The input is a list of records, each: control(1) then, by the control's low 2 bits,
//   0  a raw datagram: length(2) and that many bytes, taken as they come;
//   1  a head: packet ID selector(1), length(2): a packet of that length (28..2100) with the fragmented
//      flag set, whose ID is one of four, so sets collide and complete;
//   2  a fragment: packet ID selector(1), numbers(1) = total << 4 | number, length(2) of data (1..2100);
//   3  expire().
// The control's upper 6 bits advance the clock by that many x 200 ms, so sets time out too.
// Invariants: never more than 32 sets in progress, and every assembled packet starts with the head
// that was accepted for it and fits Packet::kCapacity.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <vector>

#include "zt/packet.hpp"
#include "fuzz_support.hpp"

namespace {

using fuzz::check;

class Input {
  public:
    Input(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
    bool empty() const { return at_ >= size_; }
    std::uint8_t u8() { return at_ < size_ ? data_[at_++] : 0; }
    std::uint16_t u16() { return static_cast<std::uint16_t>(u8() << 8 | u8()); }
    const std::uint8_t* take(std::size_t* n) {
        *n = std::min(*n, size_ - std::min(at_, size_));
        const std::uint8_t* p = data_ + std::min(at_, size_);
        at_ += *n;
        return p;
    }

  private:
    const std::uint8_t* data_;
    std::size_t size_;
    std::size_t at_ = 0;
};

// One of four packet IDs, so that heads and fragments meet.
void put_packet_id(std::vector<std::uint8_t>& datagram, std::uint8_t selector) {
    const std::uint64_t id = 0x1122334455667700ULL | (selector & 3);
    for (std::size_t i = 0; i < 8; ++i) datagram[i] = static_cast<std::uint8_t>(id >> (56 - 8 * i));
}

// Adds a head and remembers it if it was taken, to check what the packet assembles into.
zt::Defragmenter::Result add_head(zt::Defragmenter& defrag, const std::vector<std::uint8_t>& head, std::int64_t now,
                                  zt::Packet* out, std::map<std::uint64_t, std::vector<std::uint8_t>>& accepted) {
    const zt::Defragmenter::Result r = defrag.add_head(head.data(), head.size(), now, out);
    if (r != zt::Defragmenter::Result::kDropped && head.size() >= 8) {
        std::uint64_t id = 0;
        for (std::size_t i = 0; i < 8; ++i) id = id << 8 | head[i];
        accepted[id] = head;
    }
    return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto defrag = std::make_unique<zt::Defragmenter>();
    auto out = std::make_unique<zt::Packet>();
    std::vector<std::uint8_t> datagram;
    std::map<std::uint64_t, std::vector<std::uint8_t>> accepted_heads;  // per packet ID
    Input in(data, size);
    std::int64_t now = 1000;
    while (!in.empty()) {
        const std::uint8_t control = in.u8();
        now += static_cast<std::int64_t>(control >> 2) * 200;
        zt::Defragmenter::Result result = zt::Defragmenter::Result::kDropped;
        switch (control & 3) {
            case 0: {
                std::size_t n = in.u16();
                const std::uint8_t* raw = in.take(&n);
                if (zt::classify_datagram(raw, n) == zt::DatagramKind::kFragment) {
                    result = defrag->add_fragment(raw, n, now, out.get());
                } else {
                    datagram.assign(raw, raw + n);
                    result = add_head(*defrag, datagram, now, out.get(), accepted_heads);
                }
                break;
            }
            case 1: {
                const std::uint8_t selector = in.u8() & 3;
                const std::size_t n = zt::kMinPacketLen + in.u16() % 2073;
                datagram.assign(n, static_cast<std::uint8_t>(n));
                put_packet_id(datagram, selector);
                datagram[zt::kIdxSource] = 0x42;  // a real address never starts with 0xff
                datagram[zt::kIdxFlags] = zt::kFlagFragmented;
                result = add_head(*defrag, datagram, now, out.get(), accepted_heads);
                break;
            }
            case 2: {
                const std::uint8_t selector = in.u8() & 3;
                const std::uint8_t numbers = in.u8();
                const std::size_t n = 1 + in.u16() % 2100;
                datagram.assign(zt::kMinFragmentLen + n, numbers);
                put_packet_id(datagram, selector);
                datagram[zt::kIdxFragmentIndicator] = zt::kFragmentIndicator;
                datagram[zt::kIdxFragmentNumbers] = numbers;
                result = defrag->add_fragment(datagram.data(), datagram.size(), now, out.get());
                break;
            }
            default: defrag->expire(now); break;
        }
        check(defrag->in_progress() <= zt::kRxQueueSize);
        if (result == zt::Defragmenter::Result::kComplete) {
            check(out->size() >= zt::kMinPacketLen && out->size() <= zt::Packet::kCapacity);
            const auto head = accepted_heads.find(out->packet_id());
            check(head != accepted_heads.end() && head->second.size() <= out->size());
            check(std::memcmp(out->data(), head->second.data(), head->second.size()) == 0);
            accepted_heads.erase(head);
        }
    }
    return 0;
}
