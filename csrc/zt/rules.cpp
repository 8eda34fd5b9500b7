// SPDX-License-Identifier: Apache-2.0
// Rules on the wire: [1] type [1] length [length] value, the value big-endian per type.
#include <cstring>

#include "zt/rule_table.hpp"
#include "zt/rules.hpp"

namespace zt {

namespace {

bool reject(const char** why, const char* reason) {
    if (why != nullptr) *why = reason;
    return false;
}

// Reads one rule. A reader always advances by the length byte, never by its own idea of the size,
// so types added later are skipped intact.
bool read_rule(Reader& r, Rule* out, const char** why) {
    Rule rule;
    rule.t = r.u8();
    const std::uint8_t len = r.u8();
    const std::uint8_t* value = r.take(len);
    if (!r.ok()) return reject(why, "rules: truncated rule");
    const int known = rule_value_length(rule.type());
    if (known >= 0) {
        if (len < known) return reject(why, "rules: value shorter than its type needs");
        rule.len = static_cast<std::uint8_t>(known);
    } else {
        rule.len = len <= rule.value.size() ? len : 0;
    }
    if (rule.len > 0) std::memcpy(rule.value.data(), value, rule.len);
    *out = rule;
    return true;
}

}  // namespace

int rule_value_length(RuleType type) {
    const RuleLayout* layout = find_rule_layout(type);
    return layout != nullptr ? layout->value_length : -1;
}

bool parse_rules(const std::uint8_t* data, std::size_t len, std::size_t max_rules, std::vector<Rule>* out,
                 const char** why) {
    if (data == nullptr && len > 0) return reject(why, "rules: no data");
    Reader r(data, len);
    std::vector<Rule> rules;
    while (r.remaining() > 0) {
        if (rules.size() >= max_rules) return reject(why, "rules: more than the maximum number of rules");
        Rule rule;
        if (!read_rule(r, &rule, why)) return false;
        rules.push_back(rule);
    }
    *out = std::move(rules);
    return true;
}

bool parse_rules(Reader& r, std::size_t count, std::vector<Rule>* out, const char** why) {
    std::vector<Rule> rules;
    rules.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        Rule rule;
        if (!read_rule(r, &rule, why)) return false;
        rules.push_back(rule);
    }
    *out = std::move(rules);
    return true;
}

void serialize_rules(Writer& w, const std::vector<Rule>& rules) {
    for (const Rule& rule : rules) {
        w.u8(rule.t);
        w.u8(rule.len);
        w.bytes(rule.value.data(), rule.len);
    }
}

bool rules_are_accept_all(const std::vector<Rule>& rules) {
    return rules.size() == 1 && rules[0].type() == RuleType::kActionAccept;
}

}  // namespace zt
