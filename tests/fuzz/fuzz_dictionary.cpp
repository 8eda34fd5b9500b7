// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: the Dictionary parser (network configs, request metadata, error details).
// What parses must serialize to text that parses back to the same entries and serializes to the
// same bytes; what is refused must say why. The typed getters run on every entry.
// Seeds: tests/fuzz/corpus/dictionary/ (configs and request metadata), made by make_vl2_seeds.py.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "zt/dictionary.hpp"
#include "fuzz_support.hpp"

namespace {
using fuzz::check;
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    zt::Dictionary d;
    const char* why = nullptr;
    if (!zt::Dictionary::parse(data, size, &d, &why)) {
        check(why != nullptr);
        return 0;
    }
    for (const auto& [key, value] : d.entries()) {
        check(!key.empty() && d.has(key) && d.get(key).has_value());
        d.get_u64(key);
        d.get_i64(key);
        d.get_bool(key);
    }
    const std::string text = d.serialize();
    zt::Dictionary again;
    check(zt::Dictionary::parse(reinterpret_cast<const std::uint8_t*>(text.data()), text.size(), &again, &why));
    check(again.entries() == d.entries());
    check(again.serialize() == text);
    return 0;
}
