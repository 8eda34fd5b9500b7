// SPDX-License-Identifier: Apache-2.0
//
// Placeholders for every zts_* function of ZeroTierSockets.h that has no real
// implementation yet, so the library links and C/Python callers get a clean
// failure instead of an undefined symbol. When an area is implemented, delete
// its block here; a definition left behind shows up as a duplicate symbol.
//
// A placeholder returns ZTS_ERR_GENERAL ("a bug on our side" is the honest
// answer for a call we do not implement yet).

#include "ZeroTierSockets.h"

namespace {

int unimplemented()
{
    return ZTS_ERR_GENERAL;
}

}  // namespace

extern "C" {

//---------------------------------------------------------------------------
// Node configuration (zts_init_*)
//---------------------------------------------------------------------------

int zts_init_set_low_bandwidth_mode(int) { return unimplemented(); }

}  // extern "C"
