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
#include "fuzz_support.hpp"

namespace {

using fuzz::check;

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
        switch (assembler.add(chunk.data(), chunk.size(), fuzz::captured_controller(), true, packet_id++, &dictionary, &update_id,
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
