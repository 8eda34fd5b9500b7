// SPDX-License-Identifier: Apache-2.0
// The one JSON writer of the core, for the inspection API (api/vl2_json.*, ztx_*_parse) and the wire
// inspector (tools/inspect.*): a minimal streaming writer of objects, arrays, strings (escaped),
// numbers, booleans and null, with the commas placed for the caller; quoted() is its string escaping
// for callers that assemble JSON text themselves.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace zt::tools {

class JsonWriter {
  public:
    JsonWriter& begin_object() { return open('{'); }
    JsonWriter& end_object() { return close('}'); }
    JsonWriter& begin_array() { return open('['); }
    JsonWriter& end_array() { return close(']'); }

    // Within an object: the key of the next value.
    JsonWriter& key(std::string_view k) {
        separate();
        quote(k);
        out_ += ':';
        after_key_ = true;
        return *this;
    }
    JsonWriter& str(std::string_view s) {
        separate();
        quote(s);
        return *this;
    }
    JsonWriter& num(std::uint64_t v) { return raw(std::to_string(v)); }
    JsonWriter& num_signed(std::int64_t v) { return raw(std::to_string(v)); }
    JsonWriter& boolean(bool v) { return raw(v ? "true" : "false"); }
    JsonWriter& null() { return raw("null"); }

    const std::string& text() const { return out_; }

    // `s` as a JSON string: quoted, with '"', '\\' and control characters escaped. Bytes from 0x80
    // pass through: names are UTF-8 by convention, and a reader that wants the exact bytes decodes
    // with surrogateescape.
    static std::string quoted(std::string_view s) {
        std::string out;
        out.reserve(s.size() + 2);
        append_quoted(out, s);
        return out;
    }

  private:
    JsonWriter& raw(std::string_view v) {
        separate();
        out_ += v;
        return *this;
    }
    JsonWriter& open(char c) {
        separate();
        out_ += c;
        has_items_.push_back(false);
        return *this;
    }
    JsonWriter& close(char c) {
        if (!has_items_.empty()) has_items_.pop_back();
        out_ += c;
        return *this;
    }
    // A comma before every item but the first of its container (a value right after its key needs none).
    void separate() {
        if (after_key_) {
            after_key_ = false;
            return;
        }
        if (!has_items_.empty()) {
            if (has_items_.back()) out_ += ',';
            has_items_.back() = true;
        }
    }
    void quote(std::string_view s) { append_quoted(out_, s); }
    static void append_quoted(std::string& out, std::string_view s) {
        out += '"';
        for (const char c : s) {
            const auto u = static_cast<unsigned char>(c);
            if (c == '"' || c == '\\') {
                out += '\\';
                out += c;
            } else if (u < 0x20 || u == 0x7f) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(u));
                out += buf;
            } else {
                out += c;
            }
        }
        out += '"';
    }

    std::string out_;
    std::vector<bool> has_items_;
    bool after_key_ = false;
};

}  // namespace zt::tools
