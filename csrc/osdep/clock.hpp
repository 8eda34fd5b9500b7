// SPDX-License-Identifier: Apache-2.0
// Milliseconds on a clock that never goes backwards but reads like wall-clock time (ZeroTier puts
// "now" in HELLOs and compares it on the way back, so it must be monotonic).
#pragma once

#include <chrono>
#include <cstdint>

namespace zt::osdep {

inline std::int64_t now_ms() {
    using namespace std::chrono;
    static const std::int64_t offset =
        duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count() -
        duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
    return offset + duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

}  // namespace zt::osdep
