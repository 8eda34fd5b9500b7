// SPDX-License-Identifier: Apache-2.0
// What we know about one other node: its identity and the key we share, the software it runs, the
// physical paths we have heard it on, and the rate limits that apply to it.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "zt/identity.hpp"
#include "zt/packet.hpp"
#include "zt/path.hpp"
#include "zt/rate_gate.hpp"

namespace zt {

class Peer {
  public:
    // Agrees a key with `id`; nullptr if the peer's key is unusable (low-order point).
    static std::unique_ptr<Peer> create(const Identity& self, const Identity& id, std::int64_t now);

    const Identity& identity() const { return identity_; }
    std::uint64_t address() const { return identity_.address(); }
    PeerKey& key() { return *key_; }

    // ---- remote software version (learned from HELLO / OK(HELLO)) -----------------------------------
    void set_version(std::uint8_t protocol, std::uint8_t major, std::uint8_t minor, std::uint16_t revision);
    bool version_known() const { return protocol_ != 0; }
    std::uint8_t protocol() const { return protocol_; }
    int major() const { return version_known() ? major_ : -1; }
    int minor() const { return version_known() ? minor_ : -1; }
    int revision() const { return version_known() ? revision_ : -1; }
    // AES-GMAC-SIV for peers that announced protocol 12+, Salsa20/12 otherwise (and while unknown).
    CipherSuite sending_suite() const;
    // ECHO is a cheaper probe than HELLO once we know the peer understands it.
    bool prefers_echo() const;

    // ---- paths ---------------------------------------------------------------------------------------
    const std::vector<Path>& paths() const { return paths_; }
    Path* find_path(std::int64_t local_socket, const InetAddress& addr);
    // The path to send on: alive paths first, then by widest scope and lowest latency.
    Path* best_path(std::int64_t now);
    bool has_alive_path(std::int64_t now) const;
    // Adopt a path (after an OK arrived on it). Returns the path and whether it is new.
    Path* learn_path(std::int64_t now, std::int64_t local_socket, const InetAddress& addr, bool* is_new);
    // At most one confirmation HELLO per second to an address we have not adopted.
    bool may_confirm_path(std::int64_t now, const InetAddress& addr);
    // Forgets expired paths; returns them.
    std::vector<Path> expire_paths(std::int64_t now);
    void forget_paths() { paths_.clear(); }

    // ---- activity ------------------------------------------------------------------------------------
    std::int64_t created() const { return created_; }
    std::int64_t last_receive() const { return last_receive_; }
    std::int64_t last_nontrivial_receive() const { return last_nontrivial_receive_; }
    void received(std::int64_t now, Verb verb);
    bool active(std::int64_t now) const { return now - last_nontrivial_receive_ < kPeerActivityTimeout; }
    std::int64_t last_full_hello = INT64_MIN / 2;
    std::int64_t last_remembered_path_try = INT64_MIN / 2;
    // Paths remembered from the peer cache: not trusted for sending until the peer answers there.
    std::vector<InetAddress> remembered_paths;
    std::int64_t last_trust = INT64_MIN / 2;  // last authenticated network packet (VL2 sets it)
    int latency() const;  // best path latency, -1 unknown
    // Bytes this peer holds: itself, its keys (with OpenSSL's contexts) and its path lists.
    std::size_t memory_estimate() const;

    // Whether the application was told this peer is direct / relayed (to emit events on changes).
    enum class Reach { kUnknown, kRelayed, kDirect };
    Reach reported_reach = Reach::kUnknown;

    // ---- rate limits ---------------------------------------------------------------------------------
    RateGate whois_gate;
    RateGate echo_gate;  // ECHO on a path we have not learned (each learned path has its own)
    TokenBucket credentials_bucket;  // bursts: a member pushes its COM, tags and capabilities at once
    WindowGate push_paths_gate;

  private:
    Peer(const Identity& id, std::unique_ptr<PeerKey> key, std::int64_t now);

    Identity identity_;
    std::unique_ptr<PeerKey> key_;
    std::uint8_t protocol_ = 0;
    std::uint8_t major_ = 0;
    std::uint8_t minor_ = 0;
    std::uint16_t revision_ = 0;
    std::vector<Path> paths_;
    struct Tried {
        InetAddress address;
        std::int64_t at;
    };
    std::vector<Tried> recently_tried_;
    std::int64_t created_ = 0;
    std::int64_t last_receive_ = 0;
    std::int64_t last_nontrivial_receive_ = INT64_MIN / 2;
};

}  // namespace zt
