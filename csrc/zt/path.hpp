// SPDX-License-Identifier: Apache-2.0
// A physical path to a peer: one of our UDP sockets and the peer's IP:port, with the times that decide
// whether it is alive (heard from recently), needs a keepalive, or is forgotten.
#pragma once

#include <cstdint>

#include "zt/constants.hpp"
#include "zt/inet_address.hpp"
#include "zt/rate_gate.hpp"

namespace zt {

struct Path {
    std::int64_t local_socket = -1;  // which of our sockets; -1 = any
    InetAddress address;
    std::int64_t created = 0;
    std::int64_t last_in = 0;
    std::int64_t last_out = 0;
    int latency = -1;  // ms, from OK(HELLO)/OK(ECHO) round trips; -1 until measured
    // ECHO requests answered on this path. Per path, as ZeroTier limits them: a peer's keepalive
    // round sends one on each of its paths at once (dozens on a multihomed host).
    RateGate echo_gate;

    bool alive(std::int64_t now) const { return now - last_in < kPathAliveTimeout; }
    bool needs_heartbeat(std::int64_t now) const { return now - last_out >= kPathHeartbeatPeriod; }
    bool expired(std::int64_t now) const { return now - last_in >= kPeerPathExpiration; }
    bool same(std::int64_t sock, const InetAddress& addr) const {
        return address == addr && (local_socket == sock || local_socket < 0 || sock < 0);
    }
    void update_latency(int sample_ms) {
        // Smooth like ZeroTier: new samples move the estimate half way.
        latency = latency < 0 ? sample_ms : (latency + sample_ms) / 2;
    }
};

// Milliseconds from `sent_ms`, a time of ours that a peer echoed back (so it may be anything), to
// `now`; -1 if that is no round trip: from the future, or longer than 16 bits of milliseconds (what
// ZeroTier One also takes as the most a sample can be).
inline int round_trip_ms(std::int64_t now, std::uint64_t sent_ms) {
    const auto now_ms = static_cast<std::uint64_t>(now);
    if (now < 0 || sent_ms > now_ms || now_ms - sent_ms > 0xffff) return -1;
    return static_cast<int>(now_ms - sent_ms);
}

}  // namespace zt
