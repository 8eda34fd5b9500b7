// SPDX-License-Identifier: Apache-2.0
// What the whole-node fuzz targets (fuzz_node, fuzz_root) share: a cast of three identities from
// the official vectors (the node under test and two parties A and B that talk to it), a host that
// swallows what the node sends (noting the packet IDs replies name), and the record format their
// inputs are written in:
//
//   byte 0: kind   bits 0-1: 0 = a raw datagram from the wire (from A's physical address)
//                            1 = a packet from A: the harness armors it with the key A shares with
//                                its destination, so the verb handlers see authentic input
//                            2 = the same from B
//                            3 = an action of the target's own (bits 2-3 pick it; 0 in every
//                                target: the node's timers run)
//                  bits 4-5: the cipher suite of kinds 1 and 2 (Poly1305, Salsa20/12, AES-GMAC-SIV)
//                  bit 6:    kinds 1 and 2 address the packet to the other party (A to B, B to A)
//                            instead of to the node: what a node that relays for them sees
//                  bit 7:    kinds 1 and 2 answer one of the last four packets the node sent the
//                            sender: payload bytes 1-8 (after the OK or ERROR's in-re verb) become
//                            its packet ID, the low 2 bits of byte 1 saying how far back (0: the
//                            last). So replies the node waits for (OK(HELLO), which confirms a
//                            path, OK(WHOIS), gathers, config answers) get past the ID check.
//   byte 1-2: length (big-endian), then that many bytes; for kinds 1 and 2 the verb byte and the
//             payload, for actions the action's argument.
//   Time advances 250 ms per record, so timers, queue expiry and keepalives run too.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <deque>
#include <functional>
#include <map>
#include <memory>

#include "zt/node.hpp"

namespace fuzz {

// identities.json entries 4, 5 and 2 (the last is the first root of world_two_roots.bin).
inline const char* const kIdentity4 =
    "53f3ae9e13:0:78599abbdcc91732c6f55b107bf426e34a8c696c3a34a007ff71ceee8435b73445e93fd313492f3f3f3990779e0f9b72"
    "df228c559a67bacf442517e0ccb02ccb:da84eebf6bebf6a6f239369f03428387698a1d8b5d6ff5bc6c41e7e2b18cf753af788c36"
    "0a8583b9b7d387e222f50b0586223e05d7e5ad3e2b5bfdd325d05479";
inline const char* const kIdentity5 =
    "f0e01a6ba0:0:2fa616095f248f076f02a7ee9350e58418b82d8f987e43007aeae67babb34d272cbadaeb6234b86423949d2bbb15ec"
    "8bd677b4347a15c7d3dfe745f934a91b58:9396b005806ad4a832a24ff48bf990b5a3e3b3b61b0514fd2f87d201b0ef7409b991d7"
    "7b1d06dd62d36b02f8d7d79ab0b519833fc591f8dfc1e1dd57ef46157e";
inline const char* const kIdentity2 =
    "0e28950832:0:576f7715414097b758b10346e4583a4d6000031e0b542d097b06c072d1baa76e9828bd815227065be8e5360a4b6b63"
    "68ebb028c2fbaa02a0a2af51ce898333ac:e08f6397d1ca2c9be32df81551fd40d44155502e4cfe7b97fca4f28525a851d53527874c"
    "cc7d742ddaa7eda2ea55056b806705dcc97cbad9ea67a74a84c39750";

// Swallows what the node sends, keeping the IDs of the last packets to each ZeroTier address.
class RecordingHost final : public zt::NodeHost {
  public:
    void send_datagram(std::int64_t, const zt::InetAddress&, const std::uint8_t* data, std::size_t len,
                       unsigned) override {
        if (len == 0 || len > zt::kMaxDatagramLen) std::abort();  // the node never sends nonsense
        if (len >= zt::kMinPacketLen && data[zt::kIdxFragmentIndicator] != zt::kFragmentIndicator) {
            std::deque<std::uint64_t>& ids = sent_[zt::load_be(data + zt::kIdxDestination, zt::kAddressLen)];
            ids.push_front(zt::load_be(data, 8));
            if (ids.size() > 4) ids.pop_back();
        }
    }
    void on_event(const zt::NodeEvent&) override {}
    // The ID of the packet `back` packets before the last one to `to` (0 if there is none).
    std::uint64_t sent_packet_id(std::uint64_t to, unsigned back) const {
        auto it = sent_.find(to);
        return it == sent_.end() || back >= it->second.size() ? 0 : it->second[back];
    }

  private:
    std::map<std::uint64_t, std::deque<std::uint64_t>> sent_;
};

inline zt::Identity parse_identity(const char* text) {
    zt::Identity id;
    if (!zt::Identity::from_string(text, &id, nullptr)) std::abort();
    return id;
}

inline std::unique_ptr<zt::PeerKey> agreed_key(const zt::Identity& a, const zt::Identity& b) {
    zt::SymmetricKey k;
    if (!a.agree(b, &k)) std::abort();
    return std::make_unique<zt::PeerKey>(k);
}

struct Party {
    zt::Identity id;
    zt::InetAddress at;  // where its datagrams come from
};

struct Cast {
    zt::Identity self;
    Party a;
    Party b;
    zt::World planet;
    std::unique_ptr<zt::PeerKey> a_self, b_self, a_b;  // the keys each pair shares

    Cast(const char* self_text, const char* a_text, const char* a_at, const char* b_text, const char* b_at)
        : self(parse_identity(self_text)), a{parse_identity(a_text), {}}, b{parse_identity(b_text), {}} {
        zt::InetAddress::from_string(a_at, &a.at);
        zt::InetAddress::from_string(b_at, &b.at);
        planet.type = zt::World::Type::kPlanet;
        planet.id = 7;
        planet.timestamp = 1;
        a_self = agreed_key(a.id, self);
        b_self = agreed_key(b.id, self);
        a_b = agreed_key(a.id, b.id);
    }
};

inline zt::CipherSuite suite_of(std::uint8_t kind) {
    switch ((kind >> 4) & 3) {
        case 0: return zt::CipherSuite::kPoly1305;
        case 1: return zt::CipherSuite::kSalsa2012Poly1305;
        default: return zt::CipherSuite::kAesGmacSiv;
    }
}

// `action(node, now, which, argument, length)` runs actions 1-3 (0 runs the node's timers); it may
// move the clock on.
using Action = std::function<void(zt::Node&, std::int64_t& now, unsigned which, const std::uint8_t*, std::size_t)>;

// One input's run: a fresh node of the cast's `self` (loopback paths allowed: the cast lives on
// 127.0.0.x), its host and its clock. The run ends with the timers far in the future, so every
// queue drains and every path expires; LeakSanitizer then sees anything the node forgot to free.
class Run {
  public:
    explicit Run(const Cast& cast) : cast_(cast), node_(cast.self, cast.planet, config(), host_, now_) {}
    ~Run() { node_.process_background(now_ + 10 * 60 * 1000); }
    Run(const Run&) = delete;
    Run& operator=(const Run&) = delete;

    zt::Node& node() { return node_; }
    std::int64_t now() const { return now_; }
    // Plays the records of one input.
    void play(const std::uint8_t* data, std::size_t size, const Action& action);

  private:
    static zt::NodeConfig config() {
        zt::NodeConfig c;
        c.allow_loopback_paths = true;
        return c;
    }

    const Cast& cast_;
    RecordingHost host_;
    std::int64_t now_ = 1'000'000;
    zt::Node node_;
};

inline void Run::play(const std::uint8_t* data, std::size_t size, const Action& action) {
    const Cast& cast = cast_;
    zt::Node& node = node_;
    std::int64_t& now = now_;
    const RecordingHost& host = host_;
    std::size_t at = 0;
    while (at + 3 <= size) {
        const std::uint8_t kind = data[at];
        const std::size_t len = (static_cast<std::size_t>(data[at + 1]) << 8) | data[at + 2];
        at += 3;
        if (len > size - at) break;
        const std::uint8_t* body = data + at;
        at += len;
        now += 250;
        switch (kind & 3) {
            case 0: node.process_datagram(now, 3, cast.a.at, body, len); break;
            case 1:
            case 2: {
                if (len < 1) break;
                const bool from_b = (kind & 3) == 2;
                const bool to_other = (kind & 0x40) != 0;
                const Party& sender = from_b ? cast.b : cast.a;
                const zt::Identity& dest = to_other ? (from_b ? cast.a.id : cast.b.id) : cast.self;
                zt::PeerKey& key = to_other ? *cast.a_b : (from_b ? *cast.b_self : *cast.a_self);
                zt::Packet p(dest.address(), sender.id.address(), static_cast<zt::Verb>(body[0] & zt::kVerbMask));
                p.data()[zt::kIdxVerb] = body[0];
                p.append(body + 1, len - 1);
                if (!p.ok()) break;
                if ((kind & 0x80) && len >= 10) {
                    const std::uint64_t id = host.sent_packet_id(sender.id.address(), body[2] & 3);
                    zt::store_be(p.data() + zt::kIdxPayload + 1, id, 8);
                }
                p.set_fragmented(zt::needs_fragmentation(p.size(), zt::kDefaultPhysMtu));
                p.armor(key, suite_of(kind));
                zt::for_each_datagram(p, zt::kDefaultPhysMtu, [&](const std::uint8_t* d, std::size_t n) {
                    node.process_datagram(now, 3, sender.at, d, n);
                });
                break;
            }
            default: {
                const unsigned which = (kind >> 2) & 3;
                if (which == 0) {
                    node.process_background(now);
                } else {
                    action(node, now, which, body, len);
                }
                break;
            }
        }
    }
}

}  // namespace fuzz
