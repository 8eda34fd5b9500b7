// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: the world (planet/moon) parser, as fed by planet files, zts_init_set_roots and
// OK(HELLO) world updates. Serialization must be stable: what we write parses back to the same bytes.
// (It need not equal the input: reserved endpoint types and a moon's dictionary are dropped, as
// ZeroTier drops them.)
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "zt/world.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    zt::World w;
    std::size_t used = 0;
    const char* why = nullptr;
    if (!zt::World::parse(data, size, &w, &used, &why)) {
        if (why == nullptr) std::abort();
        return 0;
    }
    if (used > size) std::abort();
    const std::vector<std::uint8_t> out = w.serialized();
    zt::World again;
    std::size_t used2 = 0;
    if (!zt::World::parse(out.data(), out.size(), &again, &used2, &why) || used2 != out.size()) std::abort();
    if (again.serialized() != out) std::abort();
    w.verify(w.update_key);  // exercise the signature path on arbitrary input
    return 0;
}
