// SPDX-License-Identifier: Apache-2.0
// Between the C struct ztx_world_t and zt::World, validating every string on the way in.
#pragma once

#include "libzt_ext.h"
#include "zt/world.hpp"

namespace zt::api {

bool world_from_c(const ztx_world_t& in, World* out, const char** why);
void world_to_c(const World& in, ztx_world_t* out);

}  // namespace zt::api
