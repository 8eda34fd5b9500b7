// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: a member's reassembly of config chunks. The input is a sequence of chunks, each
// [2] length then that many bytes, fed to one assembler for a fixed controller (the legacy unsigned
// form is allowed, as if from the controller). Signatures almost never verify, so this mostly
// walks the refusals; the seeds are genuine chunks, so mutations of them reach the slots too. A
// completed config must be non-empty and within the size limit.
// Seeds: tests/fuzz/corpus/config_chunks/ (captured and built chunks), made by make_vl2_seeds.py.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "zt/netconf.hpp"

namespace {

void check(bool condition) {
    if (!condition) std::abort();
}

const zt::Identity& controller() {
    static const zt::Identity id = [] {
        zt::Identity i;
        const char* why = nullptr;
        zt::Identity::from_string(
            "0f2e12b316:0:5b3b0fea9dda4b2af5f0f56bd3b5051112a62c4edc555e5edfadaaeb4c079d4be69b9c8f807904aeb7374ae17a28"
            "24610e1a16db737453ea0e62835ef5e2ba5f",
            &i, &why);
        return i;
    }();
    return id;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    zt::ConfigAssembler assembler;
    zt::Reader r(data, size);
    std::uint64_t packet_id = 1;
    while (r.remaining() >= 2) {
        const std::size_t n = std::min<std::size_t>(r.u16(), r.remaining());
        const std::uint8_t* at = r.take(n);
        // Each chunk in a buffer of its own size, so a read past its end is caught.
        const std::vector<std::uint8_t> chunk(at, at + n);
        std::string dictionary;
        std::uint64_t update_id = 0;
        const char* why = nullptr;
        switch (assembler.add(chunk.data(), chunk.size(), controller(), true, packet_id++, &dictionary, &update_id,
                              &why)) {
            case zt::ConfigAssembler::Result::kComplete:
                check(!dictionary.empty() && dictionary.size() <= zt::kMaxConfigLength);
                break;
            case zt::ConfigAssembler::Result::kRejected: check(why != nullptr); break;
            case zt::ConfigAssembler::Result::kIncomplete: break;
        }
    }
    return 0;
}
