// SPDX-License-Identifier: Apache-2.0
// fuzz-link: tools
// libFuzzer target: rules as JSON text (tools/rules_json over tools/json_reader), the form a
// controller's REST API takes from anyone who can reach it. Any text, read completely and the
// controller's way, must either be refused with a reason or give rules that serialize to bytes the
// wire reader takes; those, written as JSON again and read back, must give the same bytes (apart
// from NOT/OR bits on actions, which the REST API's JSON does not carry).
// Seeds: tests/fuzz/corpus/rules_json/, made by make_vl2_seeds.py.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.hpp"
#include "tools/rules_json.hpp"

namespace {

using fuzz::check;
using zt::tools::RulesJsonReading;

std::vector<std::uint8_t> serialized(std::vector<zt::Rule> rules, bool drop_action_bits) {
    if (drop_action_bits) {
        for (zt::Rule& r : rules) {
            if (r.is_action()) r.t &= zt::kRuleTypeMask;
        }
    }
    std::vector<std::uint8_t> out;
    zt::Writer w(out);
    zt::serialize_rules(w, rules);
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    for (const RulesJsonReading reading : {RulesJsonReading::kComplete, RulesJsonReading::kController}) {
        std::vector<zt::Rule> rules;
        std::string why;
        if (!zt::tools::read_rules_json(text, zt::kMaxNetworkRules, reading, &rules, &why)) {
            check(why.rfind("rules", 0) == 0);  // every refusal names the array or a rule in it
            continue;
        }
        const std::vector<std::uint8_t> bytes = serialized(rules, false);
        std::vector<zt::Rule> parsed;
        const char* wire_why = nullptr;
        check(zt::parse_rules(bytes.data(), bytes.size(), zt::kMaxNetworkRules, &parsed, &wire_why));
        zt::tools::JsonWriter j;
        zt::tools::write_rules_json(j, parsed);
        std::vector<zt::Rule> again;
        check(zt::tools::read_rules_json(j.text(), zt::kMaxNetworkRules, RulesJsonReading::kComplete, &again, &why));
        check(serialized(again, true) == serialized(rules, true));
    }
    return 0;
}
