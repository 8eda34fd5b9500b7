/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A program built the way one built against libzt 1.8.4 is: it includes zts_184_layout.h (the
 * 1.8.4 declarations, `extern int zts_errno;` included), never our header, and links to our
 * libzt.so. It checks that:
 *  - every public struct has 1.8.4's size and member offsets here (abi_layout_table.h), and prints
 *    them in abi_ours.c's format so the test can compare them with our header's;
 *  - the library exports the zts_errno data symbol, and it holds the error of the last failing
 *    socket call;
 *  - calls and the event callback work through these declarations: the NODE_UP event's
 *    zts_node_info_t, read with 1.8.4's layout, names the node zts_node_get_id() names.
 *
 *   abi_184 PLANET PORT
 *
 * Prints PASS or FAIL per check and a summary line; exits 1 if any check failed.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "zts_184_layout.h"

static int checks, failures;

/* Each call is evaluated once, when its value is passed here. */
static void check_eq(const char* what, long got, long want)
{
    int ok = got == want;
    printf("%s %s: %ld (want %ld)\n", ok ? "PASS" : "FAIL", what, got, want);
    fflush(stdout);
    checks++;
    failures += ! ok;
}
#define CHECK_EQ(what, got, want) check_eq(what, (long)(got), (long)(want))

static void check_layout(void)
{
    char what[160];
#define ABI_STRUCT(type, size)                                                                                       \
    printf("sizeof(%s) = %zu\n", #type, sizeof(type));                                                               \
    snprintf(what, sizeof what, "1.8.4 sizeof(%s)", #type);                                                          \
    CHECK_EQ(what, sizeof(type), size);
#define ABI_FIELD(type, member, offset)                                                                              \
    printf("offsetof(%s, %s) = %zu\n", #type, #member, offsetof(type, member));                                      \
    snprintf(what, sizeof what, "1.8.4 offsetof(%s, %s)", #type, #member);                                           \
    CHECK_EQ(what, offsetof(type, member), offset);
#include "abi_layout_table.h"
#undef ABI_STRUCT
#undef ABI_FIELD
}

/* What the event callback saw of NODE_UP, read through 1.8.4's zts_event_msg_t. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static int node_up_seen;
static uint64_t node_up_id;

static void on_event(void* arg)
{
    const zts_event_msg_t* msg = (const zts_event_msg_t*)arg;
    if (msg->event_code == ZTS_EVENT_NODE_UP && msg->node != NULL) {
        pthread_mutex_lock(&lock);
        node_up_seen = 1;
        node_up_id = msg->node->node_id;
        pthread_cond_broadcast(&changed);
        pthread_mutex_unlock(&lock);
    }
}

static int wait_node_up(int seconds)
{
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += seconds;
    pthread_mutex_lock(&lock);
    while (! node_up_seen) {
        if (pthread_cond_timedwait(&changed, &lock, &deadline) == ETIMEDOUT) {
            break;
        }
    }
    int seen = node_up_seen;
    pthread_mutex_unlock(&lock);
    return seen;
}

int main(int argc, char** argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s PLANET PORT\n", argv[0]);
        return 2;
    }
    static unsigned char planet[16384];
    FILE* f = fopen(argv[1], "rb");
    if (! f) {
        perror(argv[1]);
        return 2;
    }
    unsigned int planet_len = (unsigned int)fread(planet, 1, sizeof planet, f);
    fclose(f);

    check_layout();

    /* zts_errno is a data symbol: a failing call stores its reason there. */
    unsigned char ip[16];
    zts_errno = 0;
    CHECK_EQ("zts_inet_pton(bad family)", zts_inet_pton(12345, "10.0.0.1", ip), -1);
    CHECK_EQ("zts_errno after zts_inet_pton(bad family)", zts_errno, ZTS_EAFNOSUPPORT);

    CHECK_EQ("zts_init_set_roots", zts_init_set_roots(planet, planet_len), ZTS_ERR_OK);
    CHECK_EQ("zts_init_set_port", zts_init_set_port((unsigned short)atoi(argv[2])), ZTS_ERR_OK);
    CHECK_EQ("zts_init_set_event_handler", zts_init_set_event_handler(on_event), ZTS_ERR_OK);
    CHECK_EQ("zts_node_start", zts_node_start(), ZTS_ERR_OK);
    CHECK_EQ("NODE_UP delivered", wait_node_up(60), 1);
    uint64_t id = zts_node_get_id();
    printf("INFO node %010" PRIx64 "\n", id);
    CHECK_EQ("zts_node_get_id is a 40-bit address", id != 0 && id < (1ULL << 40), 1);
    CHECK_EQ("NODE_UP's node_id (1.8.4 zts_node_info_t) equals zts_node_get_id", node_up_id == id, 1);

    zts_errno = 0;
    CHECK_EQ("zts_bsd_close(bad descriptor)", zts_bsd_close(777), ZTS_ERR_SOCKET);
    CHECK_EQ("zts_errno after zts_bsd_close(bad descriptor)", zts_errno, ZTS_EBADF);
    int fd = zts_bsd_socket(ZTS_AF_INET, ZTS_SOCK_STREAM, 0);
    CHECK_EQ("zts_bsd_socket returns a descriptor", fd >= 0, 1);
    CHECK_EQ("zts_bsd_close(fd)", zts_bsd_close(fd), ZTS_ERR_OK);
    zts_errno = 0;
    CHECK_EQ("zts_bsd_socket(bad family)", zts_bsd_socket(12345, ZTS_SOCK_STREAM, 0), ZTS_ERR_SOCKET);
    CHECK_EQ("zts_errno after zts_bsd_socket(bad family)", zts_errno, ZTS_EAFNOSUPPORT);

    zts_stats_counter_t stats;
    memset(&stats, 0xff, sizeof stats);
    int rc = zts_stats_get_all(&stats);
    CHECK_EQ("zts_stats_get_all answers", rc == ZTS_ERR_OK || rc == -4 /* ZTS_ERR_NO_RESULT */, 1);

    CHECK_EQ("zts_node_stop", zts_node_stop(), ZTS_ERR_OK);
    CHECK_EQ("zts_node_free", zts_node_free(), ZTS_ERR_OK);
    printf("%s: %d checks, %d failed\n", failures ? "FAILED" : "PASSED", checks, failures);
    return failures ? 1 : 0;
}
