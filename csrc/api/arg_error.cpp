// SPDX-License-Identifier: Apache-2.0
#include "api/arg_error.hpp"

#include "ZeroTierSockets.h"
#include "libzt_ext.h"

namespace zt::api {

namespace {
thread_local const char* t_last_error = "";
}

int arg_error(const char* why) {
    t_last_error = why != nullptr ? why : "invalid argument";
    return ZTS_ERR_ARG;
}

void clear_error() { t_last_error = ""; }

}  // namespace zt::api

extern "C" const char* ztx_error_message(void) { return zt::api::t_last_error; }
