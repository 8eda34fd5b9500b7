// SPDX-License-Identifier: Apache-2.0
// The flow rules engine of virtual networks: rules as the controller serializes them, and their
// evaluation on a frame (for a sender: outbound; for a receiver: inbound). The default rule set is
// a single ACCEPT, which takes a fast path.
//
//   rule on the wire: [1] type (0x80 NOT, 0x40 OR, low 6 bits the type) [1] length L [L] value
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "zt/bytes.hpp"

namespace zt {

enum class RuleType : std::uint8_t {
    kActionDrop = 0,
    kActionAccept = 1,
    kActionTee = 2,
    kActionWatch = 3,
    kActionRedirect = 4,
    kActionBreak = 5,
    kActionPriority = 6,
    kMatchSourceZtAddress = 24,
    kMatchDestZtAddress = 25,
    kMatchVlanId = 26,
    kMatchVlanPcp = 27,
    kMatchVlanDei = 28,
    kMatchMacSource = 29,
    kMatchMacDest = 30,
    kMatchIpv4Source = 31,
    kMatchIpv4Dest = 32,
    kMatchIpv6Source = 33,
    kMatchIpv6Dest = 34,
    kMatchIpTos = 35,
    kMatchIpProtocol = 36,
    kMatchEthertype = 37,
    kMatchIcmp = 38,
    kMatchIpSourcePortRange = 39,
    kMatchIpDestPortRange = 40,
    kMatchCharacteristics = 41,
    kMatchFrameSizeRange = 42,
    kMatchRandom = 43,
    kMatchTagsDifference = 44,
    kMatchTagsBitwiseAnd = 45,
    kMatchTagsBitwiseOr = 46,
    kMatchTagsBitwiseXor = 47,
    kMatchTagsEqual = 48,
    kMatchTagSender = 49,
    kMatchTagReceiver = 50,
    kMatchIntegerRange = 51,
};

inline constexpr std::uint8_t kRuleNot = 0x80;
inline constexpr std::uint8_t kRuleOr = 0x40;
inline constexpr std::uint8_t kRuleTypeMask = 0x3f;
inline constexpr std::size_t kMaxNetworkRules = 1024;
inline constexpr std::size_t kMaxCapabilityRules = 64;

// One rule: the type byte as sent (with NOT/OR bits) and its value bytes exactly as on the wire, so
// unknown types survive a round trip. Accessors decode the value per type.
struct Rule {
    std::uint8_t t = static_cast<std::uint8_t>(RuleType::kActionAccept);
    std::uint8_t len = 0;
    std::array<std::uint8_t, 32> value{};

    RuleType type() const { return static_cast<RuleType>(t & kRuleTypeMask); }
    bool is_action() const { return (t & kRuleTypeMask) < 16; }
    bool negated() const { return (t & kRuleNot) != 0; }
    bool ored() const { return (t & kRuleOr) != 0; }
};

// Reads up to `max_rules` rules from the whole of `len` bytes (skipping by each rule's length).
bool parse_rules(const std::uint8_t* data, std::size_t len, std::size_t max_rules, std::vector<Rule>* out,
                 const char** why);
// Reads exactly `count` rules from a reader (capabilities give an explicit count).
bool parse_rules(Reader& r, std::size_t count, std::vector<Rule>* out, const char** why);
void serialize_rules(Writer& w, const std::vector<Rule>& rules);
bool rules_are_accept_all(const std::vector<Rule>& rules);

// What a frame is, for rule evaluation.
struct FrameInfo {
    std::uint64_t network_id = 0;
    std::uint64_t zt_source = 0;
    std::uint64_t zt_dest = 0;
    std::uint64_t mac_source = 0;
    std::uint64_t mac_dest = 0;
    std::uint16_t ethertype = 0;
    std::uint16_t vlan_id = 0;
    const std::uint8_t* payload = nullptr;  // the Ethernet payload (after the ethertype)
    std::size_t payload_len = 0;
    bool inbound = false;
    // Tag values (id -> value) of the two ends, for the tag matches; empty when tags are not used.
    std::vector<std::pair<std::uint32_t, std::uint32_t>> sender_tags;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> receiver_tags;
};

struct FilterResult {
    enum class Verdict { kDrop, kAccept, kSuperAccept, kNoMatch };
    Verdict verdict = Verdict::kNoMatch;
    std::uint64_t redirect_to = 0;  // ACTION_REDIRECT: send here instead (0: none)
    std::uint64_t tee_to = 0;       // ACTION_TEE / ACTION_WATCH: also send a copy here (0: none)
    std::uint32_t tee_length = 0;   // bytes of the frame to copy (0: all)
    bool watch = false;
};

// Evaluates one rule table. `unsupported_match_result` is the netconf flag 0x8 (what an unknown
// MATCH type yields).
FilterResult evaluate_rules(const std::vector<Rule>& rules, const FrameInfo& frame, bool unsupported_match_result);

}  // namespace zt
