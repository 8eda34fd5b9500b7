// SPDX-License-Identifier: Apache-2.0
// fuzz-link: tools
// libFuzzer target: the VL1 packet layer and every verb parser (and the wire inspector over them).
//
// Each input is used twice:
//  1. As a datagram off the wire: classified, dearmored with a fixed key (the MAC fails for nearly
//     every input, which is the point: nothing may crash first), decompressed and described.
//  2. As a packet we armor ourselves, so the parsers see structured, authentic input:
//       byte 0      bits 0-1 cipher suite (0, 1, 3, 3), bit 2 compress first, bit 3 relayed copy
//       bytes 1-10  destination(5) source(5)
//       byte 11     verb byte (0x80 = claims to be compressed)
//       then        payload (HELLO: its moon list in plain text; the harness encrypts it)
//     It must dearmor, survive a flipped bit only in the hop count, decompress to what was
//     compressed, decode or say why, and re-encode stably.
// Seeds: tests/fuzz/corpus/packet/ (captured payloads in form 2), made by make_packet_seeds.py.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include "tools/inspect.hpp"
#include "zt/packet.hpp"
#include "zt/wire.hpp"
#include "fuzz_support.hpp"

namespace {

constexpr std::uint8_t kPacketId[8] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08};
constexpr std::size_t kControlLen = 11;

using fuzz::check;

const zt::SymmetricKey& fuzz_key() {
    static const zt::SymmetricKey key = [] {
        zt::SymmetricKey k;
        for (std::size_t i = 0; i < k.size(); ++i) k[i] = static_cast<std::uint8_t>(7 * i + 3);
        return k;
    }();
    return key;
}

zt::PeerKey& fuzz_peer_key() {
    static zt::PeerKey key(fuzz_key());  // AES key schedules made once, as a node makes them per peer
    return key;
}

zt::CipherSuite suite_of(std::uint8_t control) {
    switch (control & 3) {
        case 0: return zt::CipherSuite::kPoly1305;
        case 1: return zt::CipherSuite::kSalsa2012Poly1305;
        default: return zt::CipherSuite::kAesGmacSiv;
    }
}

// Every parser on every packet: those for other verbs must refuse cleanly.
void run_every_parser(const zt::Packet& p) {
    const char* why = nullptr;
    zt::wire::Hello hello;
    zt::wire::ReplyHeader reply;
    zt::wire::OkHello ok_hello;
    std::vector<zt::Identity> ids;
    zt::wire::Error error;
    std::vector<std::uint64_t> addresses;
    zt::wire::Rendezvous rendezvous;
    std::vector<zt::wire::DirectPath> paths;
    zt::wire::UserMessage message;
    zt::wire::Frame frame;
    zt::wire::ExtFrame ext_frame;
    std::vector<zt::wire::MulticastSubscription> subscriptions;
    zt::wire::MulticastGather gather;
    zt::wire::OkMulticastGather ok_gather;
    zt::wire::OkMulticastFrame ok_multicast_frame;
    zt::wire::NetworkCredentials credentials;
    zt::wire::MulticastFrame multicast_frame;
    zt::wire::NetworkConfigRequest request;
    zt::wire::NetworkConfigChunk chunk;
    const bool results[] = {
        zt::wire::parse_hello(p, &fuzz_key(), &hello, &why),
        zt::wire::parse_hello(p, nullptr, &hello, &why),
        zt::wire::parse_reply_header(p, &reply, &why),
        zt::wire::parse_ok_hello(p, &ok_hello, &why),
        zt::wire::parse_ok_whois(p, &ids, &why),
        zt::wire::parse_error(p, &error, &why),
        zt::wire::parse_whois(p, &addresses, &why),
        zt::wire::parse_rendezvous(p, &rendezvous, &why),
        zt::wire::parse_push_direct_paths(p, &paths, &why),
        zt::wire::parse_user_message(p, &message, &why),
        zt::wire::parse_frame(p, &frame, &why),
        zt::wire::parse_ext_frame(p, &ext_frame, &why),
        zt::wire::parse_multicast_like(p, &subscriptions, &why),
        zt::wire::parse_multicast_gather(p, &gather, &why),
        zt::wire::parse_ok_multicast_gather(p, &ok_gather, &why),
        zt::wire::parse_ok_multicast_frame(p, &ok_multicast_frame, &why),
        zt::wire::parse_network_credentials(p, &credentials, &why),
        zt::wire::parse_multicast_frame(p, &multicast_frame, &why),
        zt::wire::parse_network_config_request(p, &request, &why),
        zt::wire::parse_network_config_chunk(p, zt::kIdxPayload, &chunk, &why),
        zt::wire::parse_network_config_chunk(p, zt::kIdxPayload + zt::wire::kReplyBodyOffset, &chunk, &why),
    };
    for (bool ok : results) {
        if (!ok) check(why != nullptr);  // a refusal always says why
    }
    // Offsets handed out point inside the packet.
    if (results[10]) check(frame.payload_offset + frame.payload_len == p.size());
    if (results[11]) check(ext_frame.payload_offset + ext_frame.payload_len == p.size());
    if (results[17]) check(multicast_frame.payload_offset + multicast_frame.payload_len == p.size());
    if (results[18]) check(request.metadata_offset + request.metadata_len <= p.size());
    check(!zt::inspect::packet(p, &fuzz_key(), zt::inspect::Format::kText).empty());
    check(!zt::inspect::packet(p, &fuzz_key(), zt::inspect::Format::kJson).empty());
}

void reencode_is_stable(const zt::Packet& p) {
    auto once = std::make_unique<zt::Packet>();
    auto twice = std::make_unique<zt::Packet>();
    const char* why = nullptr;
    if (!zt::inspect::reencode(p, &fuzz_key(), once.get(), &why)) {
        check(why != nullptr);
        return;
    }
    check(zt::inspect::reencode(*once, &fuzz_key(), twice.get(), &why));
    check(once->size() == twice->size() && std::memcmp(once->data(), twice->data(), once->size()) == 0);
}

void as_received_datagram(const std::uint8_t* data, std::size_t size) {
    zt::classify_datagram(data, size);
    check(!zt::inspect::datagram(data, size, &fuzz_key(), zt::inspect::Format::kJson).empty());
    check(!zt::inspect::datagram(data, size, nullptr, zt::inspect::Format::kText).empty());
    auto p = std::make_unique<zt::Packet>();
    if (p->assign(data, size) && p->dearmor(fuzz_peer_key())) {
        if (p->decompress()) run_every_parser(*p);
    }
}

void as_authentic_packet(const std::uint8_t* data, std::size_t size) {
    if (size < kControlLen + 1) return;
    const std::uint8_t control = data[0];
    auto p = std::make_unique<zt::Packet>();
    std::uint8_t header[zt::kMinPacketLen] = {};
    std::memcpy(header, kPacketId, sizeof kPacketId);
    std::memcpy(header + zt::kIdxDestination, data + 1, 10);
    header[zt::kIdxVerb] = data[kControlLen];
    p->assign(header, sizeof header);
    const std::size_t payload_len = std::min(size - kControlLen - 1, zt::Packet::kCapacity - zt::kMinPacketLen);
    p->append(data + kControlLen + 1, payload_len);
    check(p->ok());

    if (p->verb() == zt::Verb::kHello && !p->compressed()) {  // the moon list travels encrypted
        zt::wire::Hello h;
        if (zt::wire::parse_hello(*p, nullptr, &h, nullptr) && h.encrypted_offset != 0) {
            p->crypt_field(fuzz_key(), h.encrypted_offset, p->size() - h.encrypted_offset);
        }
    }
    auto original = std::make_unique<zt::Packet>();
    original->assign(p->data(), p->size());
    const bool we_compressed = (control & 4) != 0 && p->compress();

    p->armor(fuzz_peer_key(), suite_of(control));
    check(p->ok());
    if ((control & 8) != 0) p->increment_hops();

    auto tampered = std::make_unique<zt::Packet>();
    tampered->assign(p->data(), p->size());
    const std::size_t bit = (static_cast<std::size_t>(data[1]) << 8 | data[2]) % (p->size() * 8);
    tampered->data()[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
    const bool hop_bit = bit / 8 == zt::kIdxFlags && bit % 8 < 3;
    check(tampered->dearmor(fuzz_peer_key()) == hop_bit);

    check(p->dearmor(fuzz_peer_key()));
    if (!p->decompress()) {
        check(!we_compressed);  // only payloads that merely claim compression may fail
        return;
    }
    if (we_compressed) {
        check(p->size() == original->size());
        check(std::memcmp(p->data() + zt::kIdxVerb, original->data() + zt::kIdxVerb, p->size() - zt::kIdxVerb) == 0);
    }
    run_every_parser(*p);
    reencode_is_stable(*p);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    as_received_datagram(data, size);
    as_authentic_packet(data, size);
    return 0;
}
