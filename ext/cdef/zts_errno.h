/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cffi declarations: zts_errno.
 *
 * The header's zts_errno is a macro, which cffi cannot see; read it as
 * lib.zts_errno_location()[0]. It is per thread, and cffi runs the C call and
 * this read on the same Python thread, so the value belongs to that call.
 */

int* zts_errno_location(void);
