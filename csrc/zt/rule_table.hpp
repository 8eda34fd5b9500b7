// SPDX-License-Identifier: Apache-2.0
// The one table of flow rule types: for each type its number, its name as ZeroTier's controller
// REST API spells it, the length of its value on the wire, and its fields: the JSON key, how the
// key's value reads as JSON, and where its bytes sit in the rule's value (ZeroTier's serialization:
// Capability::serializeRules; the JSON names: the controller's _parseRule/_renderRule).
//
// Users: the wire reader (rules.cpp: how many value bytes a known type keeps), the evaluator
// (rules_eval.cpp reads each value through the ValueFields below) and the JSON reader and writer
// (tools/rules_json.cpp), which walk a type's fields. Nothing else knows a rule's layout.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "zt/rules.hpp"

namespace zt {

// Where each type keeps its values.
namespace rule_value {
inline constexpr ValueField kForwardAddress{0, 8};  // TEE, WATCH, REDIRECT: the target (low 40 bits)
inline constexpr ValueField kForwardFlags{8, 4};
inline constexpr ValueField kForwardLength{12, 2};  // TEE, WATCH: bytes to copy, 0 the whole frame
inline constexpr ValueField kZtAddress{0, 5};
inline constexpr ValueField kVlanId{0, 2};
inline constexpr ValueField kVlanPcp{0, 1};
inline constexpr ValueField kVlanDei{0, 1};
inline constexpr ValueField kMac{0, 6};
inline constexpr ValueField kIpv4Prefix{0, 5};   // [4] address [1] prefix bits
inline constexpr ValueField kIpv6Prefix{0, 17};  // [16] address [1] prefix bits
inline constexpr ValueField kTosMask{0, 1};
inline constexpr ValueField kTosStart{1, 1};
inline constexpr ValueField kTosEnd{2, 1};
inline constexpr ValueField kIpProtocol{0, 1};
inline constexpr ValueField kEthertype{0, 2};
inline constexpr ValueField kIcmpType{0, 1};
inline constexpr ValueField kIcmpCode{1, 1};
inline constexpr ValueField kIcmpFlags{2, 1};  // bit 0: the code is to be matched
inline constexpr ValueField kRangeStart{0, 2};  // port and frame size ranges
inline constexpr ValueField kRangeEnd{2, 2};
inline constexpr ValueField kCharacteristics{0, 8};
inline constexpr ValueField kProbability{0, 4};
inline constexpr ValueField kTagId{0, 4};
inline constexpr ValueField kTagValue{4, 4};
inline constexpr ValueField kIntegerStart{0, 8};
inline constexpr ValueField kIntegerEnd{8, 8};  // ZeroTier keeps start + a 32-bit offset
inline constexpr ValueField kIntegerIndex{16, 2};
inline constexpr ValueField kIntegerFormat{18, 1};  // bit 7 little-endian, bits 0-5 the width - 1
}  // namespace rule_value

inline constexpr std::uint8_t kIcmpCodeGiven = 0x01;
inline constexpr std::uint8_t kIntegerLittleEndian = 0x80;
inline constexpr std::uint8_t kIntegerBitsMask = 0x3f;

// How a field's bytes read as JSON.
enum class RuleFieldKind : std::uint8_t {
    kNumber,         // an unsigned integer as wide as the field
    kAddress,        // a ZeroTier address: 10 hex digits (the low 40 bits of the field)
    kMac,            // "xx:xx:xx:xx:xx:xx"
    kIpv4Prefix,     // "a.b.c.d/bits": the address, then one byte of prefix bits
    kIpv6Prefix,     // "x::y/bits"
    kHex64,          // 16 hex digits (read: hex digits, or a number)
    kIcmpCode,       // a number, or null for any code (the kIcmpCodeGiven bit of kIcmpFlags)
    kRangeEnd,       // a number; absent: the range's start (the field before it)
    kIntegerEnd,     // like kHex64; absent: the start; on the wire the start plus a 32-bit offset
    kIntegerLittle,  // a boolean: the kIntegerLittleEndian bit
    kIntegerBits,    // 1..64: the kIntegerBitsMask bits, plus one
};

struct RuleField {
    const char* name;  // the JSON key
    RuleFieldKind kind;
    ValueField at;
    bool optional;  // may be left out even of a complete rule (ztx_rules_from_json's default reading)
};

inline constexpr std::size_t kMaxRuleFields = 5;

struct RuleLayout {
    RuleType type;
    const char* name;   // as the REST API spells it
    const char* alias;  // another name it is read by, or nullptr
    std::uint8_t value_length;
    // Why a controller does not issue this type (its JSON has no way to say what the wire needs),
    // or nullptr.
    const char* not_issued;
    std::uint8_t field_count;
    std::array<RuleField, kMaxRuleFields> fields;
};

// Every type the engine knows, in type order.
std::size_t rule_layout_count();
const RuleLayout& rule_layout_at(std::size_t i);
// nullptr for a type (or name) not in the table.
const RuleLayout* find_rule_layout(RuleType type);
const RuleLayout* find_rule_layout(std::string_view name_or_alias);

}  // namespace zt
