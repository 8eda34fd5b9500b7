// SPDX-License-Identifier: Apache-2.0
#include "api/arg_error.hpp"

#include <string>

#include "ZeroTierSockets.h"
#include "libzt_ext.h"

namespace zt::api {

namespace {
// A copy, not a pointer: some reasons are composed at run time (they name a file) and belong to
// objects that are gone by the time the caller asks.
thread_local std::string t_last_error;
}  // namespace

int arg_error(const char* why) {
    t_last_error = why != nullptr ? why : "invalid argument";
    return ZTS_ERR_ARG;
}

void clear_error() { t_last_error.clear(); }

}  // namespace zt::api

extern "C" const char* ztx_error_message(void) { return zt::api::t_last_error.c_str(); }
