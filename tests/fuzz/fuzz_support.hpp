// SPDX-License-Identifier: Apache-2.0
// What the fuzz targets share: an invariant check that libFuzzer reports as a crash, and the
// controller identity of the captured network (tests/vectors/capture), against which credentials
// and configs are verified.
#pragma once

#include <cstdlib>

#include "zt/identity.hpp"

namespace fuzz {

// abort(), not assert(): the targets are built with NDEBUG and must still stop on a broken invariant.
inline void check(bool condition) {
    if (!condition) std::abort();
}

inline const zt::Identity& captured_controller() {
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

}  // namespace fuzz
