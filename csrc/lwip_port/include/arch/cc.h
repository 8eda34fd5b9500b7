/* SPDX-License-Identifier: Apache-2.0 */
/* lwIP's compiler and platform layer for our build (a 32/64-bit Unix with a C99 compiler and libc).
 * Included by every lwIP source and header, in C and in C++. */
#ifndef LIBZT_LWIP_ARCH_CC_H
#define LIBZT_LWIP_ARCH_CC_H

#include <stdio.h>
#include <stdlib.h>
/* The system's struct timeval (lwIP would otherwise define its own): glibc defines it in nearly every
 * translation unit anyway (<sys/types.h> pulls in <sys/select.h>). */
#include <sys/time.h>

#define LWIP_TIMEVAL_PRIVATE 0

/* The same pulls in the C library's fd_set, and lwIP's sockets.h then insists that FD_SETSIZE covers
 * lwIP's socket table (MEMP_NUM_NETCONN, lwipopts.h), for lwip_select. Our build has no lwip_select
 * (LWIP_SOCKET_SELECT 0: zts_bsd_select is the glue's, over lwip_poll, with its own zts_fd_set), and no
 * file that includes lwIP's headers uses the system's select, so the macro is raised to the table's
 * size for that check. The C library's fd_set is unchanged: its size was fixed when it was declared
 * (<sys/select.h>, included once). */
#include <sys/select.h>
#undef FD_SETSIZE
#define FD_SETSIZE MEMP_NUM_NETCONN

/* errno is the C library's (thread-local); lwIP's socket calls set it, the glue reads it. Linux's
 * values are the ones lwIP and ZeroTierSockets.h (ZTS_E*) use. */
#define LWIP_ERRNO_STDINCLUDE 1

/* Byte order comes from the compiler: lwIP's default is little endian. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define BYTE_ORDER BIG_ENDIAN
#endif

#ifdef __cplusplus
extern "C" {
#endif
/* Random numbers for initial local ports and DNS query ids/ports (sys_arch.cpp: the kernel's). */
unsigned int lwip_port_rand(void);
/* A failed LWIP_ASSERT: prints where and aborts. */
void lwip_port_assert_failed(const char* message, const char* file, int line);
/* The Internet checksum a word at a time (chksum.cpp); lwIP's convention: not inverted. */
unsigned short lwip_port_chksum(const void* data, int len);
#ifdef __cplusplus
}
#endif

/* What SYS_ARCH_PROTECT returns (sys_arch.cpp: a recursive mutex; nothing to remember). */
typedef int sys_prot_t;

#define LWIP_RAND() ((u32_t)lwip_port_rand())
#define LWIP_CHKSUM lwip_port_chksum
#define LWIP_PLATFORM_DIAG(x) \
    do {                      \
        printf x;             \
    } while (0)
#define LWIP_PLATFORM_ASSERT(x) lwip_port_assert_failed((x), __FILE__, __LINE__)

#endif /* LIBZT_LWIP_ARCH_CC_H */
