// SPDX-License-Identifier: Apache-2.0
// The one JSON reader of the core, beside its writer (json_writer.hpp): RFC 8259 text to a small
// tree, for the few inputs that arrive as JSON (rules in the controller REST API's form). Strict:
// one value, nothing but white space after it, no comments or trailing commas; nesting is bounded
// so hostile input cannot exhaust the stack. Numbers keep their literal; number() reads it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace zt::tools {

// What a JSON number says, for callers that want an unsigned integer.
struct JsonNumber {
    bool integral = false;   // no fraction (5 and 5.0 are integral, 5.5 is not)
    bool negative = false;
    bool too_large = false;  // integral but beyond 64 bits
    std::uint64_t magnitude = 0;
};

struct JsonValue {
    enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject };
    Kind kind = Kind::kNull;
    bool boolean = false;
    std::string text;  // a string's value (UTF-8), or a number's literal as written
    std::vector<JsonValue> items;
    std::vector<std::pair<std::string, JsonValue>> members;  // in order; see find()

    // The member `key` (the last of equal keys, as most readers take it), or nullptr.
    const JsonValue* find(std::string_view key) const;
    JsonNumber number() const;
    // JSON's name for the kind, as error messages say it: "null", "boolean", "integer" (a literal
    // without fraction or exponent), "number", "string", "array" or "object".
    const char* type_name() const;
};

inline constexpr unsigned kJsonMaxDepth = 32;

// False with *why ("at byte N: ...") if `text` is not one JSON value.
bool parse_json(std::string_view text, JsonValue* out, std::string* why);

}  // namespace zt::tools
