/* SPDX-License-Identifier: Apache-2.0 */
/* lwIP's operating system layer (NO_SYS=0): the types behind sys_sem_t, sys_mutex_t, sys_mbox_t and
 * sys_thread_t. Each is a pointer to an object of sys_arch.cpp (C++ standard library threads and
 * condition variables); NULL means "not allocated", which is how lwIP tests validity. */
#ifndef LIBZT_LWIP_ARCH_SYS_ARCH_H
#define LIBZT_LWIP_ARCH_SYS_ARCH_H

#include <stddef.h>

struct lwip_port_sem;
struct lwip_port_mutex;
struct lwip_port_mbox;
struct lwip_port_thread;

typedef struct lwip_port_sem* sys_sem_t;
typedef struct lwip_port_mutex* sys_mutex_t;
typedef struct lwip_port_mbox* sys_mbox_t;
typedef struct lwip_port_thread* sys_thread_t;

#define SYS_MBOX_NULL NULL
#define SYS_SEM_NULL NULL

#define sys_sem_valid(s) ((s) != NULL && *(s) != NULL)
#define sys_sem_valid_val(s) ((s) != NULL)
#define sys_sem_set_invalid(s) \
    do {                       \
        if ((s) != NULL) {     \
            *(s) = NULL;       \
        }                      \
    } while (0)
#define sys_sem_set_invalid_val(s) ((s) = NULL)

#define sys_mutex_valid(m) ((m) != NULL && *(m) != NULL)
#define sys_mutex_valid_val(m) ((m) != NULL)
#define sys_mutex_set_invalid(m) \
    do {                         \
        if ((m) != NULL) {       \
            *(m) = NULL;         \
        }                        \
    } while (0)
#define sys_mutex_set_invalid_val(m) ((m) = NULL)

#define sys_mbox_valid(b) ((b) != NULL && *(b) != NULL)
#define sys_mbox_valid_val(b) ((b) != NULL)
#define sys_mbox_set_invalid(b) \
    do {                        \
        if ((b) != NULL) {      \
            *(b) = NULL;        \
        }                       \
    } while (0)
#define sys_mbox_set_invalid_val(b) ((b) = NULL)

#endif /* LIBZT_LWIP_ARCH_SYS_ARCH_H */
