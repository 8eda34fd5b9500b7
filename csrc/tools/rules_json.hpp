// SPDX-License-Identifier: Apache-2.0
// Flow rules as the objects of ZeroTier's controller REST API ({"type": "MATCH_ETHERTYPE",
// "etherType": 2048, "not": false, "or": false}), both ways, by walking the rule table
// (zt/rule_table.hpp). Actions are written without "not"/"or", as the REST API renders them; a type
// the engine does not know is written {"type": "UNKNOWN", "typeId": n, "value": hex} so nothing is
// lost.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "tools/json_writer.hpp"
#include "zt/rules.hpp"

namespace zt::tools {

void write_rules_json(JsonWriter& j, const std::vector<Rule>& rules);

enum class RulesJsonReading {
    // Each rule as write_rules_json writes it: every field the table does not mark optional must be
    // there; "UNKNOWN" and ACTION_PRIORITY are read; what the wire keeps differently from the JSON
    // (an INTEGER_RANGE's end beyond start + 2^32 - 1) is kept as ZeroTier keeps it.
    kComplete,
    // As a controller reads its REST API: an absent field takes zerotier-one's default, and what a
    // member could not receive as written is refused (a type it does not issue, "UNKNOWN", a range
    // ending below its start, an INTEGER_RANGE wider than its 32-bit offset).
    kController,
};

// A JSON array of at most `max_rules` rules. False with *why naming the rule and field, as
// "rules[2].etherType: 65536 is out of range [0, 65535]" (the array itself is "rules").
bool read_rules_json(std::string_view text, std::size_t max_rules, RulesJsonReading reading, std::vector<Rule>* out,
                     std::string* why);

}  // namespace zt::tools
