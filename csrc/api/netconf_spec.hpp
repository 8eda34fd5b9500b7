// SPDX-License-Identifier: Apache-2.0
// ztx_netconf_spec_t (what a controller application decides for a member) to the core's NetconfSpec,
// checking every count against its array and every string for its terminator.
#pragma once

#include "libzt_ext.h"
#include "zt/netconf.hpp"

namespace zt::api {

// A zero timestamp becomes now, a zero credential_time_max_delta the controller default (30 min),
// a zero MTU the default (2800).
bool netconf_spec_from_c(const ztx_netconf_spec_t& in, NetconfSpec* out, const char** why);

}  // namespace zt::api
