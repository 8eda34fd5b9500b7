// SPDX-License-Identifier: Apache-2.0
#include "tools/json_reader.hpp"

#include <cmath>
#include <cstdlib>

namespace zt::tools {

namespace {

class Parser {
  public:
    explicit Parser(std::string_view text) : s_(text) {}

    bool document(JsonValue* out, std::string* why) {
        skip_space();
        if (!value(out, 0)) return fail_out(why);
        skip_space();
        if (pos_ != s_.size()) {
            error_ = "text after the value";
            return fail_out(why);
        }
        return true;
    }

  private:
    bool fail_out(std::string* why) {
        if (why != nullptr) *why = "at byte " + std::to_string(pos_) + ": " + error_;
        return false;
    }
    bool fail(const char* reason) {
        error_ = reason;
        return false;
    }
    bool at_end() const { return pos_ >= s_.size(); }
    char peek() const { return at_end() ? '\0' : s_[pos_]; }
    void skip_space() {
        while (!at_end() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) ++pos_;
    }
    bool literal(std::string_view word) {
        if (s_.substr(pos_, word.size()) != word) return fail("not a JSON value");
        pos_ += word.size();
        return true;
    }

    bool value(JsonValue* out, unsigned depth) {
        if (depth > kJsonMaxDepth) return fail("nested too deeply");
        switch (peek()) {
            case '{': return object(out, depth);
            case '[': return array(out, depth);
            case '"': out->kind = JsonValue::Kind::kString; return string(&out->text);
            case 't': out->kind = JsonValue::Kind::kBool; out->boolean = true; return literal("true");
            case 'f': out->kind = JsonValue::Kind::kBool; out->boolean = false; return literal("false");
            case 'n': out->kind = JsonValue::Kind::kNull; return literal("null");
            default: out->kind = JsonValue::Kind::kNumber; return number(&out->text);
        }
    }

    // The items of an array or the members of an object, after its opening bracket: `item` reads
    // one, then a ',' or the closing bracket must follow.
    template <typename Item>
    bool items(char close, const char* expected, Item item) {
        ++pos_;
        skip_space();
        if (peek() == close) {
            ++pos_;
            return true;
        }
        for (;;) {
            skip_space();
            if (!item()) return false;
            skip_space();
            if (peek() == close) {
                ++pos_;
                return true;
            }
            if (peek() != ',') return fail(expected);
            ++pos_;
        }
    }

    bool array(JsonValue* out, unsigned depth) {
        out->kind = JsonValue::Kind::kArray;
        return items(']', "expected ',' or ']'", [&] {
            out->items.emplace_back();
            return value(&out->items.back(), depth + 1);
        });
    }

    bool object(JsonValue* out, unsigned depth) {
        out->kind = JsonValue::Kind::kObject;
        return items('}', "expected ',' or '}'", [&] {
            if (peek() != '"') return fail("expected a string key");
            out->members.emplace_back();
            if (!string(&out->members.back().first)) return false;
            skip_space();
            if (peek() != ':') return fail("expected ':'");
            ++pos_;
            skip_space();
            return value(&out->members.back().second, depth + 1);
        });
    }

    bool hex4(unsigned* out) {
        if (s_.size() - pos_ < 4) return fail("truncated \\u escape");
        unsigned v = 0;
        for (int i = 0; i < 4; ++i) {
            const char c = s_[pos_++];
            v <<= 4;
            if (c >= '0' && c <= '9') v |= static_cast<unsigned>(c - '0');
            else if (c >= 'a' && c <= 'f') v |= static_cast<unsigned>(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F') v |= static_cast<unsigned>(c - 'A' + 10);
            else return fail("bad \\u escape");
        }
        *out = v;
        return true;
    }

    static void append_utf8(std::string* out, unsigned cp) {
        if (cp < 0x80) {
            *out += static_cast<char>(cp);
        } else if (cp < 0x800) {
            *out += static_cast<char>(0xc0 | (cp >> 6));
            *out += static_cast<char>(0x80 | (cp & 0x3f));
        } else if (cp < 0x10000) {
            *out += static_cast<char>(0xe0 | (cp >> 12));
            *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
            *out += static_cast<char>(0x80 | (cp & 0x3f));
        } else {
            *out += static_cast<char>(0xf0 | (cp >> 18));
            *out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
            *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
            *out += static_cast<char>(0x80 | (cp & 0x3f));
        }
    }

    bool escape(std::string* out) {
        if (at_end()) return fail("unterminated string");
        const char c = s_[pos_++];
        switch (c) {
            case '"': *out += '"'; return true;
            case '\\': *out += '\\'; return true;
            case '/': *out += '/'; return true;
            case 'b': *out += '\b'; return true;
            case 'f': *out += '\f'; return true;
            case 'n': *out += '\n'; return true;
            case 'r': *out += '\r'; return true;
            case 't': *out += '\t'; return true;
            case 'u': {
                unsigned cp = 0;
                if (!hex4(&cp)) return false;
                // A surrogate pair is one code point; a lone surrogate is kept as it came (the
                // values read here are names and numbers: it can only make one invalid).
                if (cp >= 0xd800 && cp < 0xdc00 && s_.substr(pos_, 2) == "\\u") {
                    const std::size_t mark = pos_;
                    pos_ += 2;
                    unsigned low = 0;
                    if (!hex4(&low)) return false;
                    if (low >= 0xdc00 && low < 0xe000) cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
                    else pos_ = mark;
                }
                append_utf8(out, cp);
                return true;
            }
            default: return fail("bad escape");
        }
    }

    bool string(std::string* out) {
        ++pos_;  // the opening quote
        for (;;) {
            if (at_end()) return fail("unterminated string");
            const char c = s_[pos_++];
            if (c == '"') return true;
            if (c == '\\') {
                if (!escape(out)) return false;
            } else if (static_cast<unsigned char>(c) < 0x20) {
                return fail("control character in a string");
            } else {
                *out += c;
            }
        }
    }

    static bool digit(char c) { return c >= '0' && c <= '9'; }

    // -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
    bool number(std::string* out) {
        const std::size_t start = pos_;
        if (peek() == '-') ++pos_;
        if (peek() == '0') {
            ++pos_;
        } else if (digit(peek())) {
            while (digit(peek())) ++pos_;
        } else {
            return fail("not a JSON value");
        }
        if (peek() == '.') {
            ++pos_;
            if (!digit(peek())) return fail("bad number");
            while (digit(peek())) ++pos_;
        }
        if (peek() == 'e' || peek() == 'E') {
            ++pos_;
            if (peek() == '+' || peek() == '-') ++pos_;
            if (!digit(peek())) return fail("bad number");
            while (digit(peek())) ++pos_;
        }
        *out = std::string(s_.substr(start, pos_ - start));
        return true;
    }

    std::string_view s_;
    std::size_t pos_ = 0;
    const char* error_ = "";
};

bool plain_integer_literal(const std::string& text) {
    return text.find_first_of(".eE") == std::string::npos;
}

}  // namespace

const JsonValue* JsonValue::find(std::string_view key) const {
    const JsonValue* found = nullptr;
    for (const auto& [k, v] : members) {
        if (k == key) found = &v;
    }
    return found;
}

JsonNumber JsonValue::number() const {
    JsonNumber n;
    if (kind != Kind::kNumber || text.empty()) return n;
    n.negative = text[0] == '-';
    if (plain_integer_literal(text)) {
        n.integral = true;
        for (std::size_t i = n.negative ? 1 : 0; i < text.size(); ++i) {
            const auto d = static_cast<std::uint64_t>(text[i] - '0');
            if (n.magnitude > (UINT64_MAX - d) / 10) {
                n.too_large = true;
                return n;
            }
            n.magnitude = n.magnitude * 10 + d;
        }
    } else {
        const double d = std::strtod(text.c_str(), nullptr);
        n.integral = std::isfinite(d) && std::floor(d) == d;
        if (!n.integral) return n;
        const double m = std::fabs(d);
        if (m >= 18446744073709551616.0) n.too_large = true;
        else n.magnitude = static_cast<std::uint64_t>(m);
    }
    if (n.magnitude == 0) n.negative = false;  // -0 is 0
    return n;
}

const char* JsonValue::type_name() const {
    switch (kind) {
        case Kind::kNull: return "null";
        case Kind::kBool: return "boolean";
        case Kind::kNumber: return plain_integer_literal(text) ? "integer" : "number";
        case Kind::kString: return "string";
        case Kind::kArray: return "array";
        case Kind::kObject: return "object";
    }
    return "value";
}

bool parse_json(std::string_view text, JsonValue* out, std::string* why) {
    JsonValue v;
    if (!Parser(text).document(&v, why)) return false;
    *out = std::move(v);
    return true;
}

}  // namespace zt::tools
