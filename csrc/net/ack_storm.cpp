// SPDX-License-Identifier: Apache-2.0
#include "net/ack_storm.hpp"

#include "net/pure_ack.hpp"

namespace zt::net {

bool AckStormGuard::suppress(const std::uint8_t* packet, std::size_t len, std::int64_t now_ms) {
    // A pure ACK advertising a zero window; anything else passes.
    PureAck a{};
    if (!parse_pure_ack(packet, len, &a) || a.window != 0) return false;
    auto it = flows_.find(a.flow);
    if (it != flows_.end() && it->second.seq == a.seq && it->second.ack == a.ack &&
        now_ms - it->second.sent_ms < kRepeatMs) {
        return true;  // the same ACK again, too soon: the storm's
    }
    if (it == flows_.end() && flows_.size() >= kMaxFlows) flows_.clear();  // bounded, and cheap to rebuild
    flows_[a.flow] = Last{a.seq, a.ack, now_ms};
    return false;
}

}  // namespace zt::net
