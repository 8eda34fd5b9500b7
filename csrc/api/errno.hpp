// SPDX-License-Identifier: Apache-2.0
// How the library records a zts_errno value. Two readers exist: code built against our header
// reads the calling thread's slot (zts_errno is a macro over zts_errno_location()), and binaries
// built against libzt 1.8.4's header read the process-global `int zts_errno` symbol. Every write
// goes through set_zts_errno() so both see it.
#pragma once

namespace zt::api {

void set_zts_errno(int value);

}  // namespace zt::api
