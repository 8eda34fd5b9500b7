// SPDX-License-Identifier: Apache-2.0
#include "net/ack_coalescer.hpp"

#include "zt/ip_numbers.hpp"

namespace zt::net {

namespace {
// Of a few connections at most per batch: beyond that, frames just go.
constexpr std::size_t kMaxHeld = 64;
}  // namespace

bool AckCoalescer::hold(std::uint64_t src_mac, std::uint64_t dst_mac, std::uint16_t ethertype,
                        const std::uint8_t* packet, std::size_t len) {
    if (!batching_ || (ethertype != kEthertypeIpv4 && ethertype != kEthertypeIpv6)) return false;
    PureAck a{};
    if (!parse_pure_ack(packet, len, &a)) return false;
    for (Held& h : held_) {
        if (h.ack.flow != a.flow || h.ethertype != ethertype) continue;
        // Only an ACK that acknowledges more (sequence arithmetic) replaces the held one: an equal
        // one is a duplicate ACK or a window update, and both must reach the sender.
        if (static_cast<std::int32_t>(a.ack - h.ack.ack) <= 0 || a.seq != h.ack.seq) return false;
        h.src_mac = src_mac;
        h.dst_mac = dst_mac;
        h.ack = a;
        h.packet.assign(packet, packet + len);
        return true;
    }
    if (held_.size() >= kMaxHeld) return false;
    held_.push_back(Held{src_mac, dst_mac, ethertype, a, std::vector<std::uint8_t>(packet, packet + len)});
    return true;
}

std::vector<AckCoalescer::Held> AckCoalescer::take_held() {
    std::vector<Held> out;
    out.swap(held_);
    return out;
}

}  // namespace zt::net
