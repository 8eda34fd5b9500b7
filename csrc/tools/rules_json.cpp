// SPDX-License-Identifier: Apache-2.0
#include "tools/rules_json.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cstdio>

#include "tools/json_reader.hpp"
#include "zt/constants.hpp"
#include "zt/rule_table.hpp"
#include "zt/vl2_address.hpp"

namespace zt::tools {

namespace {

using Kind = RuleFieldKind;

constexpr std::size_t kMaxTextField = 64;  // no rule field is longer as text (but an unknown value)
constexpr std::size_t kMaxUnknownValueText = 1024;  // read, then refused with a reason if too long
constexpr std::uint64_t kMaxIntegerSpan = 0xffffffffULL;

std::string hex64(std::uint64_t v) {
    char buf[20];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
    return buf;
}

std::string prefix_text(const std::uint8_t* prefix, bool v6) {
    const std::uint16_t bits = prefix[v6 ? 16 : 4];
    return (v6 ? InetAddress::v6(prefix, bits) : InetAddress::v4(prefix, bits)).to_string();
}

// An INTEGER_RANGE's end as ZeroTier holds it: the start plus a 32-bit offset.
std::uint64_t integer_end(const Rule& r) {
    const std::uint64_t start = r.get(rule_value::kIntegerStart);
    return start + static_cast<std::uint32_t>(r.get(rule_value::kIntegerEnd) - start);
}

// ---- out ----------------------------------------------------------------------------------------

void write_field(JsonWriter& j, const Rule& r, const RuleField& f) {
    j.key(f.name);
    const std::uint8_t* at = r.value.data() + f.at.at;
    switch (f.kind) {
        case Kind::kNumber:
        case Kind::kRangeEnd: j.num(r.get(f.at)); break;
        case Kind::kAddress: j.str(address_to_hex(r.get(f.at) & kAddressMask)); break;
        case Kind::kMac: j.str(mac_text(r.get(f.at))); break;
        case Kind::kIpv4Prefix: j.str(prefix_text(at, false)); break;
        case Kind::kIpv6Prefix: j.str(prefix_text(at, true)); break;
        case Kind::kHex64: j.str(hex64(r.get(f.at))); break;
        case Kind::kIcmpCode:
            if ((r.get(rule_value::kIcmpFlags) & kIcmpCodeGiven) != 0) j.num(r.get(f.at));
            else j.null();
            break;
        case Kind::kIntegerEnd: j.str(hex64(integer_end(r))); break;
        case Kind::kIntegerLittle: j.boolean((r.get(f.at) & kIntegerLittleEndian) != 0); break;
        case Kind::kIntegerBits: j.num((r.get(f.at) & kIntegerBitsMask) + 1); break;
    }
}

void write_rule(JsonWriter& j, const Rule& r) {
    j.begin_object();
    const RuleLayout* layout = find_rule_layout(r.type());
    if (layout != nullptr) {
        j.key("type").str(layout->name);
        for (std::size_t i = 0; i < layout->field_count; ++i) write_field(j, r, layout->fields[i]);
    } else {
        j.key("type").str("UNKNOWN");
        j.key("typeId").num(r.t & kRuleTypeMask);
        j.key("value").str(to_hex(r.value.data(), r.len));
    }
    if (!r.is_action()) j.key("not").boolean(r.negated()).key("or").boolean(r.ored());
    j.end_object();
}

// ---- in -----------------------------------------------------------------------------------------

// Text as Python's repr shows it, so messages read the same from every layer.
std::string quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool all_hex(std::string_view s) {
    for (const char c : s) {
        if (hex_digit(c) < 0) return false;
    }
    return true;
}

std::uint64_t hex_value(std::string_view s) {
    std::uint64_t v = 0;
    for (const char c : s) v = (v << 4) | static_cast<std::uint64_t>(hex_digit(c));
    return v;
}

std::string number_text(const JsonValue& v, const JsonNumber& n) {
    if (n.too_large) return v.text;
    return (n.negative ? "-" : "") + std::to_string(n.magnitude);
}

// One rule at a time; every failure names the field as rules[i].field.
class RuleReader {
  public:
    RuleReader(RulesJsonReading reading, std::string* why) : reading_(reading), why_(why) {}

    bool rule(const JsonValue& obj, std::size_t index, Rule* out) {
        path_ = "rules[" + std::to_string(index) + "]";
        if (obj.kind != JsonValue::Kind::kObject) return wrong_type("", "an object", obj);
        const JsonValue* type = obj.find("type");
        if (type == nullptr) return fail("type", "missing (e.g. \"ACTION_ACCEPT\" or \"MATCH_ETHERTYPE\")");
        std::string name;
        if (!text(*type, "type", &name)) return false;
        Rule r;
        if (name == "UNKNOWN" && reading_ == RulesJsonReading::kComplete) {
            if (!unknown(obj, &r)) return false;
        } else {
            const RuleLayout* layout = find_rule_layout(name);
            if (layout == nullptr) return fail("type", "unknown rule type " + quoted(name));
            if (reading_ == RulesJsonReading::kController && layout->not_issued != nullptr) {
                return fail("type", std::string(layout->name) + " is not supported: " + layout->not_issued);
            }
            r.t = static_cast<std::uint8_t>(layout->type);
            r.len = layout->value_length;
            for (std::size_t i = 0; i < layout->field_count; ++i) {
                if (!field(obj, *layout, i, &r)) return false;
            }
        }
        // The NOT and OR bits go out with every type, as zerotier-one's controller sends them.
        bool bit = false;
        if (!flag(obj, "not", &bit)) return false;
        if (bit) r.t |= kRuleNot;
        if (!flag(obj, "or", &bit)) return false;
        if (bit) r.t |= kRuleOr;
        *out = r;
        return true;
    }

  private:
    bool controller() const { return reading_ == RulesJsonReading::kController; }

    bool fail(std::string_view field, const std::string& problem) {
        *why_ = path_;
        if (!field.empty()) *why_ += "." + std::string(field);
        *why_ += ": " + problem;
        return false;
    }

    bool wrong_type(std::string_view field, const char* wanted, const JsonValue& v) {
        return fail(field, std::string("expected ") + wanted + ", got " + v.type_name());
    }

    bool text(const JsonValue& v, const char* field, std::string* out, std::size_t max = kMaxTextField) {
        if (v.kind != JsonValue::Kind::kString) return wrong_type(field, "a string", v);
        if (v.text.size() > max) return fail(field, "longer than " + std::to_string(max) + " bytes");
        if (v.text.find('\0') != std::string::npos) return fail(field, "contains a NUL character");
        *out = v.text;
        return true;
    }

    bool integer(const JsonValue& v, const char* field, std::uint64_t lo, std::uint64_t hi, std::uint64_t* out) {
        const JsonNumber n = v.number();
        if (v.kind != JsonValue::Kind::kNumber || !n.integral) return wrong_type(field, "an integer", v);
        if (n.negative || n.too_large || n.magnitude < lo || n.magnitude > hi) {
            return fail(field, number_text(v, n) + " is out of range [" + std::to_string(lo) + ", " +
                                   std::to_string(hi) + "]");
        }
        *out = n.magnitude;
        return true;
    }

    // zerotier-one writes 64-bit values as 16 hex digits and reads either those or a number.
    bool hex_or_integer(const JsonValue& v, const char* field, std::uint64_t* out) {
        if (v.kind != JsonValue::Kind::kString) return integer(v, field, 0, UINT64_MAX, out);
        std::string_view digits = v.text;
        if (digits.size() >= 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) digits.remove_prefix(2);
        if (digits.empty() || digits.size() > 16 || !all_hex(digits)) {
            return fail(field, "expected up to 16 hex digits, got " + quoted(v.text));
        }
        *out = hex_value(digits);
        return true;
    }

    bool boolean(const JsonValue& v, const char* field, bool* out) {
        if (v.kind != JsonValue::Kind::kBool) return wrong_type(field, "a boolean", v);
        *out = v.boolean;
        return true;
    }

    // "not" and "or": absent is false, anything but a boolean (null too) is refused.
    bool flag(const JsonValue& obj, const char* field, bool* out) {
        const JsonValue* v = obj.find(field);
        *out = false;
        return v == nullptr || boolean(*v, field, out);
    }

    bool address(const JsonValue& v, const char* field, std::uint64_t* out) {
        std::string s;
        if (!text(v, field, &s)) return false;
        if (s.size() != 10 || !all_hex(s)) return fail(field, "expected 10 hex digits, got " + quoted(s));
        *out = hex_value(s);
        return true;
    }

    bool mac(const JsonValue& v, const char* field, std::uint64_t* out) {
        std::string s;
        if (!text(v, field, &s)) return false;
        std::string digits;
        for (const char c : s) {
            if (c != ':' && c != '-' && c != '.' && c != ' ') digits += c;
        }
        if (digits.size() != 12 || !all_hex(digits)) {
            return fail(field, quoted(s) + " is not a MAC address (xx:xx:xx:xx:xx:xx)");
        }
        *out = hex_value(digits);
        return true;
    }

    // "ip/bits" with the prefix length required; host bits stay as given (ZeroTier keeps them).
    bool prefix(const JsonValue& v, const char* field, bool want_v6, std::uint8_t* out) {
        std::string s;
        if (!text(v, field, &s)) return false;
        const std::size_t slash = s.find('/');
        if (slash == std::string::npos) return fail(field, quoted(s) + " needs a prefix length, as in 10.0.0.0/24");
        const std::string ip_text = s.substr(0, slash);
        const std::string bits_text = s.substr(slash + 1);
        std::uint8_t ip[16] = {};
        bool v6 = false;
        if (inet_pton(AF_INET, ip_text.c_str(), ip) != 1) {
            if (inet_pton(AF_INET6, ip_text.c_str(), ip) != 1) {
                return fail(field, quoted(ip_text) + " is not an IP address");
            }
            v6 = true;
        }
        if (bits_text.empty() || bits_text.find_first_not_of("0123456789") != std::string::npos) {
            return fail(field, "prefix length in " + quoted(s) + " is not a number");
        }
        const unsigned max_bits = v6 ? 128 : 32;
        const std::size_t significant = bits_text.find_first_not_of('0');
        const unsigned long bits = significant == std::string::npos || bits_text.size() - significant > 3
                                       ? (significant == std::string::npos ? 0 : 1000)
                                       : std::stoul(bits_text.substr(significant));
        if (bits > max_bits) {
            return fail(field, "prefix length " + bits_text + " is too long for IPv" + (v6 ? "6" : "4"));
        }
        if (v6 != want_v6) {
            const std::string shown = v6 ? InetAddress::v6(ip, 0).ip_string() : InetAddress::v4(ip, 0).ip_string();
            return fail(field, std::string("expected an IPv") + (want_v6 ? "6" : "4") + " address, got " + shown);
        }
        const std::size_t n = v6 ? 16 : 4;
        std::copy(ip, ip + n, out);
        out[n] = static_cast<std::uint8_t>(bits);
        return true;
    }

    // A field absent (or null: the REST API's "not given") takes zerotier-one's default, unless a
    // complete rule is wanted and the table does not mark it optional.
    bool field(const JsonValue& obj, const RuleLayout& layout, std::size_t i, Rule* r) {
        const RuleField& f = layout.fields[i];
        const JsonValue* v = obj.find(f.name);
        if (v != nullptr && v->kind == JsonValue::Kind::kNull) v = nullptr;
        if (v == nullptr && !f.optional && !controller()) return fail(f.name, "missing");
        std::uint8_t* at = r->value.data() + f.at.at;
        std::uint64_t n = 0;
        switch (f.kind) {
            case Kind::kNumber: {
                const std::uint64_t max = f.at.width >= 8 ? UINT64_MAX : (1ULL << (8 * f.at.width)) - 1;
                if (v != nullptr && !integer(*v, f.name, 0, max, &n)) return false;
                r->set(f.at, n);
                return true;
            }
            case Kind::kAddress:
                if (v != nullptr && !address(*v, f.name, &n)) return false;
                r->set(f.at, n);
                return true;
            case Kind::kMac:
                if (v != nullptr && !mac(*v, f.name, &n)) return false;
                r->set(f.at, n);
                return true;
            case Kind::kIpv4Prefix:
            case Kind::kIpv6Prefix:
                return v == nullptr || prefix(*v, f.name, f.kind == Kind::kIpv6Prefix, at);
            case Kind::kHex64:
                if (v != nullptr && !hex_or_integer(*v, f.name, &n)) return false;
                r->set(f.at, n);
                return true;
            case Kind::kIcmpCode:
                if (v == nullptr) return true;  // any code
                if (!integer(*v, f.name, 0, 0xff, &n)) return false;
                r->set(f.at, n);
                r->set(rule_value::kIcmpFlags, r->get(rule_value::kIcmpFlags) | kIcmpCodeGiven);
                return true;
            case Kind::kRangeEnd: {
                const std::uint64_t start = r->get(layout.fields[i - 1].at);
                const std::uint64_t max = (1ULL << (8 * f.at.width)) - 1;
                n = start;
                if (v != nullptr && !integer(*v, f.name, 0, max, &n)) return false;
                if (controller() && n < start) {
                    return fail(f.name, std::to_string(n) + " is below start " + std::to_string(start));
                }
                r->set(f.at, n);
                return true;
            }
            case Kind::kIntegerEnd: {
                const std::uint64_t start = r->get(rule_value::kIntegerStart);
                n = start;
                if (v != nullptr && !hex_or_integer(*v, f.name, &n)) return false;
                if (controller() && n < start) {
                    char buf[64];
                    std::snprintf(buf, sizeof buf, "%#llx is below start %#llx", static_cast<unsigned long long>(n),
                                  static_cast<unsigned long long>(start));
                    return fail(f.name, buf);
                }
                if (controller() && n - start > kMaxIntegerSpan) {
                    return fail(f.name, "the range may span at most 2**32 - 1 values");
                }
                r->set(f.at, start + static_cast<std::uint32_t>(n - start));
                return true;
            }
            case Kind::kIntegerLittle: {
                bool little = false;
                if (v != nullptr && !boolean(*v, f.name, &little)) return false;
                if (little) *at |= kIntegerLittleEndian;
                return true;
            }
            case Kind::kIntegerBits:
                n = 1;
                if (v != nullptr && !integer(*v, f.name, 1, 64, &n)) return false;
                *at = static_cast<std::uint8_t>((*at & ~kIntegerBitsMask) | ((n - 1) & kIntegerBitsMask));
                return true;
        }
        return true;
    }

    // A type the engine does not know, as write_rule writes it: its number and value bytes.
    bool unknown(const JsonValue& obj, Rule* r) {
        const JsonValue* id = obj.find("typeId");
        if (id == nullptr) return fail("typeId", "missing");
        std::uint64_t type = 0;
        if (!integer(*id, "typeId", 0, kRuleTypeMask, &type)) return false;
        const RuleLayout* known = find_rule_layout(static_cast<RuleType>(type));
        if (known != nullptr) return fail("typeId", std::to_string(type) + " is " + known->name + ": give it by name");
        std::string hex;
        const JsonValue* value = obj.find("value");
        if (value != nullptr && !text(*value, "value", &hex, kMaxUnknownValueText)) return false;
        if (hex.size() % 2 != 0 || !all_hex(hex) || hex.size() / 2 > r->value.size()) {
            const std::string most = std::to_string(r->value.size());
            return fail("value", "expected up to " + most + " bytes in hex, got " + quoted(hex));
        }
        r->t = static_cast<std::uint8_t>(type);
        r->len = static_cast<std::uint8_t>(hex.size() / 2);
        from_hex(hex, r->value.data(), r->len);
        return true;
    }

    RulesJsonReading reading_;
    std::string* why_;
    std::string path_;
};

}  // namespace

void write_rules_json(JsonWriter& j, const std::vector<Rule>& rules) {
    j.begin_array();
    for (const Rule& r : rules) write_rule(j, r);
    j.end_array();
}

bool read_rules_json(std::string_view text, std::size_t max_rules, RulesJsonReading reading, std::vector<Rule>* out,
                     std::string* why) {
    JsonValue doc;
    std::string syntax;
    if (!parse_json(text, &doc, &syntax)) {
        *why = "rules: not JSON (" + syntax + ")";
        return false;
    }
    if (doc.kind != JsonValue::Kind::kArray) {
        *why = std::string("rules: expected an array, got ") + doc.type_name();
        return false;
    }
    if (doc.items.size() > max_rules) {
        *why = "rules: at most " + std::to_string(max_rules) + " entries, got " + std::to_string(doc.items.size());
        return false;
    }
    std::vector<Rule> rules(doc.items.size());
    RuleReader reader(reading, why);
    for (std::size_t i = 0; i < doc.items.size(); ++i) {
        if (!reader.rule(doc.items[i], i, &rules[i])) return false;
    }
    *out = std::move(rules);
    return true;
}

}  // namespace zt::tools
