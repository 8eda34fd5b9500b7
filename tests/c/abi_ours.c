/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The layout of every public struct as our header (csrc/include/ZeroTierSockets.h) defines it,
 * printed one line per struct and member in the format of abi_184.c, which prints the same list
 * as libzt 1.8.4 lays it out; tests/c/test_abi_184.py compares the two outputs.
 */
#include <stddef.h>
#include <stdio.h>

#include "ZeroTierSockets.h"

int main(void)
{
#define ABI_STRUCT(type, size)          printf("sizeof(%s) = %zu\n", #type, sizeof(type));
#define ABI_FIELD(type, member, offset) printf("offsetof(%s, %s) = %zu\n", #type, #member, offsetof(type, member));
#include "abi_layout_table.h"
#undef ABI_STRUCT
#undef ABI_FIELD
    return 0;
}
