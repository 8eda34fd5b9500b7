// SPDX-License-Identifier: Apache-2.0
// Checks for the C++ test programs that support.clib.build_core_test builds: CHECK(cond) reports a
// failed condition with its line and counts it, and run_case prints "PASS <case>" or "FAIL <case>"
// (after the case's failed checks), the lines the Python side looks for.
#pragma once

#include <cstdio>
#include <cstring>

namespace core_test {

inline int g_failed_checks = 0;

inline void check(bool ok, const char* what, const char* file, int line) {
    if (ok) return;
    const char* slash = std::strrchr(file, '/');
    std::printf("  check failed (%s:%d): %s\n", slash != nullptr ? slash + 1 : file, line, what);
    ++g_failed_checks;
}

// Runs one case; true if none of its checks failed.
template <class Body>
bool run_case(const char* name, Body&& body) {
    const int before = g_failed_checks;
    body();
    const bool ok = g_failed_checks == before;
    std::printf("%s %s\n", ok ? "PASS" : "FAIL", name);
    std::fflush(stdout);
    return ok;
}

}  // namespace core_test

#define CHECK(cond) core_test::check((cond), #cond, __FILE__, __LINE__)
