// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: identity string and binary parsers. Whatever parses must re-serialize to a form
// that parses to the same identity (no parser may accept what the writer cannot reproduce).
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "zt/identity.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    zt::Identity id;
    const char* why = nullptr;
    if (zt::Identity::from_string(text, &id, &why)) {
        zt::Identity again;
        if (!zt::Identity::from_string(id.to_string(true), &again, &why) || !again.same_public(id)) std::abort();
    } else if (why == nullptr) {
        std::abort();  // every rejection must say why
    }

    std::size_t used = 0;
    if (zt::Identity::from_bytes(data, size, &id, &used, &why)) {
        if (used > size) std::abort();
        std::vector<std::uint8_t> out;
        id.to_bytes(out, true);
        if (out.size() != used || !std::equal(out.begin(), out.end(), data)) std::abort();
    } else if (why == nullptr) {
        std::abort();
    }
    return 0;
}
