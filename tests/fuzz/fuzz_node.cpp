// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: a whole node's intake (zt::Node::process_datagram and the verb handlers behind
// it), with a fake host that swallows what the node sends. Each input is a sequence of records:
//
//   byte 0: kind   0 = a raw datagram from the wire
//                  1 = a packet from the known peer P: the harness armors it with P's key, so the
//                      verb handlers see authentic input (suite from bits 4-5 of the kind byte)
//                  2 = the same from the root R (which is allowed to say more: OK(WHOIS),
//                      RENDEZVOUS, world updates)
//   byte 1-2: length (big-endian), then that many bytes; for kinds 1 and 2 they are the verb byte
//             and the payload.
//   Time advances 250 ms per record, so timers, queue expiry and keepalives run too.
// A fresh node per input (identities and the planet come from the official vectors), and the run
// ends with process_background far in the future so every queue drains. LeakSanitizer then sees
// anything the node forgot to free.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "zt/node.hpp"

namespace {

// identities.json entries 4 (us), 5 (P) and 2 (the root, first root of world_two_roots.bin).
const char* const kSelf =
    "53f3ae9e13:0:78599abbdcc91732c6f55b107bf426e34a8c696c3a34a007ff71ceee8435b73445e93fd313492f3f3f3990779e0f9b72"
    "df228c559a67bacf442517e0ccb02ccb:da84eebf6bebf6a6f239369f03428387698a1d8b5d6ff5bc6c41e7e2b18cf753af788c36"
    "0a8583b9b7d387e222f50b0586223e05d7e5ad3e2b5bfdd325d05479";
const char* const kPeer =
    "f0e01a6ba0:0:2fa616095f248f076f02a7ee9350e58418b82d8f987e43007aeae67babb34d272cbadaeb6234b86423949d2bbb15ec"
    "8bd677b4347a15c7d3dfe745f934a91b58:9396b005806ad4a832a24ff48bf990b5a3e3b3b61b0514fd2f87d201b0ef7409b991d7"
    "7b1d06dd62d36b02f8d7d79ab0b519833fc591f8dfc1e1dd57ef46157e";
const char* const kRoot =
    "0e28950832:0:576f7715414097b758b10346e4583a4d6000031e0b542d097b06c072d1baa76e9828bd815227065be8e5360a4b6b63"
    "68ebb028c2fbaa02a0a2af51ce898333ac:e08f6397d1ca2c9be32df81551fd40d44155502e4cfe7b97fca4f28525a851d53527874c"
    "cc7d742ddaa7eda2ea55056b806705dcc97cbad9ea67a74a84c39750";

class NullHost final : public zt::NodeHost {
  public:
    void send_datagram(std::int64_t, const zt::InetAddress&, const std::uint8_t*, std::size_t len,
                       unsigned) override {
        if (len == 0 || len > zt::kMaxDatagramLen) std::abort();  // the node never sends nonsense
    }
    void on_event(const zt::NodeEvent&) override {}
};

zt::Identity parse(const char* text) {
    zt::Identity id;
    if (!zt::Identity::from_string(text, &id, nullptr)) std::abort();
    return id;
}

struct Fixture {
    zt::Identity self = parse(kSelf);
    zt::Identity peer = parse(kPeer);
    zt::Identity root = parse(kRoot);
    zt::World planet;
    zt::InetAddress peer_at;
    zt::InetAddress root_at;
    std::unique_ptr<zt::PeerKey> peer_key;
    std::unique_ptr<zt::PeerKey> root_key;

    Fixture() {
        planet.type = zt::World::Type::kPlanet;
        planet.id = 7;
        planet.timestamp = 1;
        zt::InetAddress::from_string("127.0.0.1/9993", &root_at);
        zt::InetAddress::from_string("127.0.0.2/20000", &peer_at);
        planet.roots.push_back({root.public_only(), {root_at}});
        zt::SymmetricKey k;
        if (!peer.agree(self, &k)) std::abort();
        peer_key = std::make_unique<zt::PeerKey>(k);
        if (!root.agree(self, &k)) std::abort();
        root_key = std::make_unique<zt::PeerKey>(k);
    }
};

Fixture& fixture() {
    static Fixture f;
    return f;
}

zt::CipherSuite suite_of(std::uint8_t kind) {
    switch ((kind >> 4) & 3) {
        case 0: return zt::CipherSuite::kPoly1305;
        case 1: return zt::CipherSuite::kSalsa2012Poly1305;
        default: return zt::CipherSuite::kAesGmacSiv;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    Fixture& f = fixture();
    NullHost host;
    zt::NodeConfig config;
    config.allow_loopback_paths = true;
    std::int64_t now = 1'000'000;
    zt::Node node(f.self, f.planet, config, host, now);
    node.topology().add(f.peer, now);
    node.process_background(now);

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
            case 0: node.process_datagram(now, 3, f.peer_at, body, len); break;
            case 1:
            case 2: {
                if (len < 1) break;
                const bool from_root = (kind & 3) == 2;
                const zt::Identity& sender = from_root ? f.root : f.peer;
                zt::Packet p(f.self.address(), sender.address(), static_cast<zt::Verb>(body[0] & zt::kVerbMask));
                p.data()[zt::kIdxVerb] = body[0];
                p.append(body + 1, len - 1);
                if (!p.ok()) break;
                p.set_fragmented(zt::needs_fragmentation(p.size(), zt::kDefaultPhysMtu));
                p.armor(from_root ? *f.root_key : *f.peer_key, suite_of(kind));
                zt::for_each_datagram(p, zt::kDefaultPhysMtu, [&](const std::uint8_t* d, std::size_t n) {
                    node.process_datagram(now, 3, from_root ? f.root_at : f.peer_at, d, n);
                });
                break;
            }
            default: node.process_background(now); break;
        }
    }
    // Far in the future: every queue times out, every path expires.
    node.process_background(now + 10 * 60 * 1000);
    return 0;
}
