// SPDX-License-Identifier: Apache-2.0
// What a ztx_identity* points to, for the C API files that take identities (ext_identity.cpp makes
// and frees them).
#pragma once

#include "zt/identity.hpp"

struct ztx_identity {
    zt::Identity id;
};
