// SPDX-License-Identifier: Apache-2.0
//
// zts_errno storage. One slot per thread, like POSIX errno, so a socket call
// on one thread cannot clobber the error another thread is about to read.
// The header spells zts_errno as (*zts_errno_location()).

#include "ZeroTierSockets.h"

namespace {
thread_local int tls_zts_errno = 0;
}  // namespace

extern "C" int* zts_errno_location(void)
{
    return &tls_zts_errno;
}
