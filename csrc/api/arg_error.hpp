// SPDX-License-Identifier: Apache-2.0
// The calling thread's reason for its last ZTS_ERR_ARG, so Python can raise with a real message.
#pragma once

namespace zt::api {

// Records (a copy of) why and returns ZTS_ERR_ARG, for `return arg_error("...")`.
int arg_error(const char* why);
void clear_error();

}  // namespace zt::api
