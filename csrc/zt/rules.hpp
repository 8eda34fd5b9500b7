// SPDX-License-Identifier: Apache-2.0
// The flow rules engine of virtual networks: rules as the controller serializes them, and their
// evaluation on a frame (for a sender: outbound; for a receiver: inbound). The default rule set is
// a single ACCEPT, which takes a fast path. Evaluation allocates nothing.
//
//   rule on the wire: [1] type (0x80 NOT, 0x40 OR, low 6 bits the type) [1] length L [L] value
//
// Where each type keeps its values (ValueField) is the one rule table's (zt/rule_table.hpp), which
// also names the types and fields for JSON. Wire form in rules.cpp, evaluation in rules_eval.cpp
// (semantics: docs/protocol/vl2.md section 5).
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "zt/bytes.hpp"
#include "zt/inet_address.hpp"

namespace zt {

struct Capability;

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

// Where a value sits in a rule's value bytes: `width` bytes from `at`, big-endian.
struct ValueField {
    std::uint8_t at;
    std::uint8_t width;
    constexpr std::size_t end() const { return static_cast<std::size_t>(at) + width; }
};

// One rule: the type byte as sent (with NOT/OR bits) and its value bytes as on the wire. A known
// type keeps the bytes its layout defines (a longer value is cut to them, as ZeroTier reads it); an
// unknown type keeps its value if it fits in 32 bytes (else none: ZeroTier itself writes unknown
// types with length 0), so it survives a round trip.
struct Rule {
    std::uint8_t t = static_cast<std::uint8_t>(RuleType::kActionAccept);
    std::uint8_t len = 0;
    std::array<std::uint8_t, 32> value{};

    RuleType type() const { return static_cast<RuleType>(t & kRuleTypeMask); }
    bool is_action() const { return (t & kRuleTypeMask) < 16; }
    bool negated() const { return (t & kRuleNot) != 0; }
    bool ored() const { return (t & kRuleOr) != 0; }
    // A field of up to 8 bytes (see ValueField); longer ones (an IPv6 address) are read in place.
    std::uint64_t get(ValueField f) const { return load_be(value.data() + f.at, f.width); }
    void set(ValueField f, std::uint64_t v) { store_be(value.data() + f.at, v, f.width); }
};

// Reads up to `max_rules` rules from the whole of `len` bytes (skipping by each rule's length).
bool parse_rules(const std::uint8_t* data, std::size_t len, std::size_t max_rules, std::vector<Rule>* out,
                 const char** why);
// Reads exactly `count` rules from a reader (capabilities give an explicit count).
bool parse_rules(Reader& r, std::size_t count, std::vector<Rule>* out, const char** why);
void serialize_rules(Writer& w, const std::vector<Rule>& rules);
bool rules_are_accept_all(const std::vector<Rule>& rules);
// The value length a known type's layout defines; -1 for an unknown type.
int rule_value_length(RuleType type);

// Characteristics bits of MATCH_CHARACTERISTICS (the low 12 bits are the TCP flags).
inline constexpr std::uint64_t kCharacteristicInbound = 0x8000000000000000ULL;
inline constexpr std::uint64_t kCharacteristicMulticast = 0x4000000000000000ULL;
inline constexpr std::uint64_t kCharacteristicBroadcast = 0x2000000000000000ULL;
inline constexpr std::uint64_t kCharacteristicSenderIpAuthenticated = 0x1000000000000000ULL;
inline constexpr std::uint64_t kCharacteristicSenderMacAuthenticated = 0x0800000000000000ULL;
inline constexpr std::uint64_t kCharacteristicTcpFlagsMask = 0xfffULL;

// Whether the sender of a frame owns an address, for the SENDER_IP/MAC_AUTHENTICATED bits: by the
// certificates of ownership it presented (inbound) or ours (outbound). netconf.hpp has the usual one.
class OwnershipCheck {
  public:
    virtual ~OwnershipCheck() = default;
    virtual bool owns_ip(const InetAddress& ip) const = 0;  // port field ignored
    virtual bool owns_mac(std::uint64_t mac) const = 0;
};

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
    // Ours are in our config; the other end's are those it presented (valid ones only).
    std::vector<std::pair<std::uint32_t, std::uint32_t>> sender_tags;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> receiver_tags;
    const OwnershipCheck* ownership = nullptr;  // none: no address counts as authenticated
    // We are zt_dest when inbound and zt_source when outbound: that is who TEE/REDIRECT targets are
    // compared with.
    std::uint64_t self() const { return inbound ? zt_dest : zt_source; }
};

struct FilterResult {
    enum class Verdict { kDrop, kAccept, kSuperAccept, kNoMatch };
    Verdict verdict = Verdict::kNoMatch;
    std::uint64_t redirect_to = 0;  // ACTION_REDIRECT: send here instead (0: none)
    std::uint64_t tee_to = 0;       // ACTION_TEE / ACTION_WATCH: also send a copy here (0: none)
    std::uint32_t tee_length = 0;   // bytes of the frame to copy (the whole payload, or the rule's limit)
    bool watch = false;
    int qos_bucket = -1;  // ACTION_PRIORITY: the bucket (0..8); -1: none
    // filter_frame only: which capability accepted (-1: the network's rules decided), and its own
    // TEE/WATCH (the network table's stays in tee_to: both copies are sent).
    int capability = -1;
    std::uint64_t capability_tee_to = 0;
    std::uint32_t capability_tee_length = 0;
    bool capability_watch = false;
};

// Evaluates one rule table. `unsupported_match_result` is the netconf flag 0x8 (what an unknown
// MATCH type yields). kNoMatch when the table ends (or BREAKs) without DROP or ACCEPT.
FilterResult evaluate_rules(const std::vector<Rule>& rules, const FrameInfo& frame, bool unsupported_match_result);

// A frame's final verdict: the network's rules, then, if they do not decide, each capability in
// order (outbound: ours; inbound: the valid ones the sender presented) until one accepts (a DROP in
// a capability only ends that capability). Never kNoMatch: what nothing accepts is dropped.
FilterResult filter_frame(const std::vector<Rule>& network_rules, const Capability* capabilities,
                          std::size_t capability_count, const FrameInfo& frame, bool unsupported_match_result);

}  // namespace zt
