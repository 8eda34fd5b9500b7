// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: rule tables and their evaluation on arbitrary frames.
//
//   [2] length L of the rules, [L] rules (serialized), [1] frame flags (bit 0 inbound, bit 1 the
//   network's unsupported-match result, bit 2 tags known), [2] ethertype, [6] destination MAC,
//   then the frame payload.
// Rules that parse must serialize back to bytes that parse and serialize identically; evaluation
// (one table, and with the table as a capability too) must stay within the frame and allocate
// nothing per frame (ASan watches the reads).
// Seeds: tests/fuzz/corpus/rules/ (every rule type and captured frames), made by make_vl2_seeds.py.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "zt/credentials.hpp"
#include "zt/rules.hpp"
#include "fuzz_support.hpp"

namespace {

constexpr std::size_t kFrameHeader = 1 + 2 + 6;

using fuzz::check;

std::vector<std::uint8_t> serialized(const std::vector<zt::Rule>& rules) {
    std::vector<std::uint8_t> out;
    zt::Writer w(out);
    zt::serialize_rules(w, rules);
    return out;
}

// Owns odd IPv4/IPv6 first bytes and MACs ending in an odd byte: something to flip the bits.
class OddOwnership : public zt::OwnershipCheck {
  public:
    bool owns_ip(const zt::InetAddress& ip) const override { return (ip.ip[0] & 1) != 0; }
    bool owns_mac(std::uint64_t mac) const override { return (mac & 1) != 0; }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    const std::size_t rules_len = std::min<std::size_t>(zt::load_be(data, 2), size - 2);
    std::vector<zt::Rule> rules;
    const char* why = nullptr;
    if (!zt::parse_rules(data + 2, rules_len, zt::kMaxNetworkRules, &rules, &why)) {
        check(why != nullptr);
        return 0;
    }
    const std::vector<std::uint8_t> out = serialized(rules);
    std::vector<zt::Rule> again;
    check(zt::parse_rules(out.data(), out.size(), zt::kMaxNetworkRules, &again, &why));
    check(serialized(again) == out);

    const std::uint8_t* f = data + 2 + rules_len;
    const std::size_t left = size - 2 - rules_len;
    if (left < kFrameHeader) return 0;
    // The payload is copied into a buffer of exactly its size so any read past it is caught.
    const std::vector<std::uint8_t> payload(f + kFrameHeader, f + left);
    static const OddOwnership ownership;
    zt::FrameInfo frame;
    frame.inbound = (f[0] & 1) != 0;
    frame.ethertype = static_cast<std::uint16_t>(zt::load_be(f + 1, 2));
    frame.mac_dest = zt::load_be(f + 3, 6);
    frame.mac_source = 0x32aabbccdd01ULL;
    frame.zt_source = 0x1111111111ULL;
    frame.zt_dest = 0x2222222222ULL;
    frame.payload = payload.data();
    frame.payload_len = payload.size();
    frame.ownership = &ownership;
    if ((f[0] & 4) != 0) {
        frame.sender_tags = {{1, 5}, {2, 0xf0}};
        frame.receiver_tags = {{1, 7}};
    }
    const bool unsupported = (f[0] & 2) != 0;
    const zt::FilterResult r = zt::evaluate_rules(rules, frame, unsupported);
    check(r.tee_length <= payload.size());
    zt::Capability cap;
    cap.rules = rules;
    const zt::FilterResult whole = zt::filter_frame(rules, &cap, 1, frame, unsupported);
    check(whole.verdict != zt::FilterResult::Verdict::kNoMatch);
    return 0;
}
