// SPDX-License-Identifier: Apache-2.0
#include "zt/rule_table.hpp"

namespace zt {

namespace {

using K = RuleFieldKind;
namespace v = rule_value;

constexpr RuleField kForwardFields[] = {
    {"address", K::kAddress, v::kForwardAddress, false},
    {"flags", K::kNumber, v::kForwardFlags, true},
    {"length", K::kNumber, v::kForwardLength, true},
};
constexpr RuleField kRangeFields[] = {
    {"start", K::kNumber, v::kRangeStart, false},
    {"end", K::kRangeEnd, v::kRangeEnd, true},
};
constexpr RuleField kTagFields[] = {
    {"id", K::kNumber, v::kTagId, false},
    {"value", K::kNumber, v::kTagValue, false},
};

template <std::size_t N>
constexpr RuleLayout layout(RuleType type, const char* name, std::uint8_t length, const RuleField (&fields)[N],
                            const char* alias = nullptr, const char* not_issued = nullptr) {
    static_assert(N <= kMaxRuleFields, "raise kMaxRuleFields");
    RuleLayout l{type, name, alias, length, not_issued, static_cast<std::uint8_t>(N), {}};
    for (std::size_t i = 0; i < N; ++i) l.fields[i] = fields[i];
    return l;
}

constexpr RuleLayout bare(RuleType type, const char* name, const char* not_issued = nullptr) {
    return RuleLayout{type, name, nullptr, 0, not_issued, 0, {}};
}

constexpr RuleLayout one(RuleType type, const char* name, std::uint8_t length, RuleField field) {
    const RuleField fields[] = {field};
    return layout(type, name, length, fields);
}

constexpr RuleLayout kLayouts[] = {
    bare(RuleType::kActionDrop, "ACTION_DROP"),
    bare(RuleType::kActionAccept, "ACTION_ACCEPT"),
    layout(RuleType::kActionTee, "ACTION_TEE", 14, kForwardFields),
    layout(RuleType::kActionWatch, "ACTION_WATCH", 14, kForwardFields),
    // REDIRECT carries the length bytes but neither reads nor writes them: always 0.
    layout(RuleType::kActionRedirect, "ACTION_REDIRECT", 14, {kForwardFields[0], kForwardFields[1]}),
    bare(RuleType::kActionBreak, "ACTION_BREAK"),
    // ZeroTier serializes PRIORITY without its QoS bucket (length 0), and its REST API has no such type.
    bare(RuleType::kActionPriority, "ACTION_PRIORITY", "its QoS bucket cannot be sent"),
    one(RuleType::kMatchSourceZtAddress, "MATCH_SOURCE_ZEROTIER_ADDRESS", 5, {"zt", K::kAddress, v::kZtAddress, false}),
    one(RuleType::kMatchDestZtAddress, "MATCH_DEST_ZEROTIER_ADDRESS", 5, {"zt", K::kAddress, v::kZtAddress, false}),
    one(RuleType::kMatchVlanId, "MATCH_VLAN_ID", 2, {"vlanId", K::kNumber, v::kVlanId, false}),
    one(RuleType::kMatchVlanPcp, "MATCH_VLAN_PCP", 1, {"vlanPcp", K::kNumber, v::kVlanPcp, false}),
    one(RuleType::kMatchVlanDei, "MATCH_VLAN_DEI", 1, {"vlanDei", K::kNumber, v::kVlanDei, false}),
    one(RuleType::kMatchMacSource, "MATCH_MAC_SOURCE", 6, {"mac", K::kMac, v::kMac, false}),
    one(RuleType::kMatchMacDest, "MATCH_MAC_DEST", 6, {"mac", K::kMac, v::kMac, false}),
    one(RuleType::kMatchIpv4Source, "MATCH_IPV4_SOURCE", 5, {"ip", K::kIpv4Prefix, v::kIpv4Prefix, false}),
    one(RuleType::kMatchIpv4Dest, "MATCH_IPV4_DEST", 5, {"ip", K::kIpv4Prefix, v::kIpv4Prefix, false}),
    one(RuleType::kMatchIpv6Source, "MATCH_IPV6_SOURCE", 17, {"ip", K::kIpv6Prefix, v::kIpv6Prefix, false}),
    one(RuleType::kMatchIpv6Dest, "MATCH_IPV6_DEST", 17, {"ip", K::kIpv6Prefix, v::kIpv6Prefix, false}),
    layout(RuleType::kMatchIpTos, "MATCH_IP_TOS", 3,
           {RuleField{"mask", K::kNumber, v::kTosMask, false}, RuleField{"start", K::kNumber, v::kTosStart, false},
            RuleField{"end", K::kNumber, v::kTosEnd, false}}),
    one(RuleType::kMatchIpProtocol, "MATCH_IP_PROTOCOL", 1, {"ipProtocol", K::kNumber, v::kIpProtocol, false}),
    one(RuleType::kMatchEthertype, "MATCH_ETHERTYPE", 2, {"etherType", K::kNumber, v::kEthertype, false}),
    layout(RuleType::kMatchIcmp, "MATCH_ICMP", 3,
           {RuleField{"icmpType", K::kNumber, v::kIcmpType, false},
            RuleField{"icmpCode", K::kIcmpCode, v::kIcmpCode, true}}),
    layout(RuleType::kMatchIpSourcePortRange, "MATCH_IP_SOURCE_PORT_RANGE", 4, kRangeFields),
    layout(RuleType::kMatchIpDestPortRange, "MATCH_IP_DEST_PORT_RANGE", 4, kRangeFields),
    one(RuleType::kMatchCharacteristics, "MATCH_CHARACTERISTICS", 8,
        {"mask", K::kHex64, v::kCharacteristics, false}),
    layout(RuleType::kMatchFrameSizeRange, "MATCH_FRAME_SIZE_RANGE", 4, kRangeFields),
    one(RuleType::kMatchRandom, "MATCH_RANDOM", 4, {"probability", K::kNumber, v::kProbability, false}),
    layout(RuleType::kMatchTagsDifference, "MATCH_TAGS_DIFFERENCE", 8, kTagFields),
    layout(RuleType::kMatchTagsBitwiseAnd, "MATCH_TAGS_BITWISE_AND", 8, kTagFields),
    layout(RuleType::kMatchTagsBitwiseOr, "MATCH_TAGS_BITWISE_OR", 8, kTagFields),
    layout(RuleType::kMatchTagsBitwiseXor, "MATCH_TAGS_BITWISE_XOR", 8, kTagFields),
    layout(RuleType::kMatchTagsEqual, "MATCH_TAGS_EQUAL", 8, kTagFields),
    layout(RuleType::kMatchTagSender, "MATCH_TAG_SENDER", 8, kTagFields),
    layout(RuleType::kMatchTagReceiver, "MATCH_TAG_RECEIVER", 8, kTagFields),
    // (sic: the REST API names it without MATCH_, and reads either spelling here)
    layout(RuleType::kMatchIntegerRange, "INTEGER_RANGE", 19,
           {RuleField{"start", K::kHex64, v::kIntegerStart, false},
            RuleField{"end", K::kIntegerEnd, v::kIntegerEnd, false},
            RuleField{"idx", K::kNumber, v::kIntegerIndex, true},
            RuleField{"little", K::kIntegerLittle, v::kIntegerFormat, true},
            RuleField{"bits", K::kIntegerBits, v::kIntegerFormat, true}},
           "MATCH_INTEGER_RANGE"),
};

constexpr bool table_is_consistent() {
    std::uint8_t last = 0;
    for (std::size_t i = 0; i < sizeof kLayouts / sizeof kLayouts[0]; ++i) {
        const RuleLayout& l = kLayouts[i];
        const auto type = static_cast<std::uint8_t>(l.type);
        if (i > 0 && type <= last) return false;  // in type order, once each
        last = type;
        for (std::size_t f = 0; f < l.field_count; ++f) {
            if (l.fields[f].at.end() > l.value_length) return false;
            if (l.fields[f].at.width > 8 && l.fields[f].kind != K::kIpv6Prefix) return false;
        }
    }
    return true;
}
static_assert(table_is_consistent(), "rule table: types out of order, or a field outside its value");

}  // namespace

std::size_t rule_layout_count() { return sizeof kLayouts / sizeof kLayouts[0]; }

const RuleLayout& rule_layout_at(std::size_t i) { return kLayouts[i]; }

const RuleLayout* find_rule_layout(RuleType type) {
    for (const RuleLayout& l : kLayouts) {
        if (l.type == type) return &l;
    }
    return nullptr;
}

const RuleLayout* find_rule_layout(std::string_view name) {
    for (const RuleLayout& l : kLayouts) {
        if (name == l.name || (l.alias != nullptr && name == l.alias)) return &l;
    }
    return nullptr;
}

}  // namespace zt
