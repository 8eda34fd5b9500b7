// SPDX-License-Identifier: Apache-2.0
//
// zts_errno storage. One slot per thread, like POSIX errno, so a socket call
// on one thread cannot clobber the error another thread is about to read;
// our header spells zts_errno as (*zts_errno_location()).
//
// libzt 1.8.4's header declares `extern int zts_errno;` instead, so programs
// built against it link to a data symbol of that name. We export one too and
// keep it equal to the last value any thread recorded: such a program then
// reads the last error as it did with libzt (with libzt's cross-thread race).

#include "api/errno.hpp"

#include "ZeroTierSockets.h"

namespace {
thread_local int tls_zts_errno = 0;
}  // namespace

#undef zts_errno  // the macro above hides the name of the global below

extern "C" {
// Default visibility and accessed through the GOT (-fPIC), so when an old
// executable takes a copy of it (copy relocation) our writes land in that copy.
ZTS_API int zts_errno = 0;

int* zts_errno_location(void)
{
    return &tls_zts_errno;
}
}  // extern "C"

namespace zt::api {

void set_zts_errno(int value)
{
    tls_zts_errno = value;
    // Relaxed atomic: a plain int for readers, but no data race on our side.
    __atomic_store_n(&zts_errno, value, __ATOMIC_RELAXED);
}

}  // namespace zt::api
