/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TCP echo over a ZeroTier network, in C, with the zts_* calls of ZeroTierSockets.h.
 *
 *   echo server PLANET NETWORK_ID PORT
 *   echo client PLANET NETWORK_ID SERVER_IP PORT MESSAGE
 *
 * PLANET is a world file naming your roots (`libzt world new` makes one). NETWORK_ID is in hex;
 * an ad-hoc network needs no controller: ffAA000000000001 gives every member the IPv4 address
 * AA.x.y.z from its node address, ffSSSSEEEE000000 a 6PLANE IPv6 address and TCP/UDP to ports
 * SSSS..EEEE. The server prints its address, then echoes each client until it closes; the client
 * sends MESSAGE, closes its sending side and prints what comes back.
 *
 * Build: python ext/build_clib.py (the program lands in build/clib/bin/echo).
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ZeroTierSockets.h"

/* Events arrive on the library's callback thread; main() waits for the ones it needs. */
static pthread_mutex_t event_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t event_seen = PTHREAD_COND_INITIALIZER;
static int online, network_ready;

static void on_event(void* msg_ptr)
{
    const zts_event_msg_t* msg = msg_ptr;
    pthread_mutex_lock(&event_lock);
    if (msg->event_code == ZTS_EVENT_NODE_ONLINE) {
        online = 1;
    }
    if (msg->event_code == ZTS_EVENT_NETWORK_READY_IP4 || msg->event_code == ZTS_EVENT_NETWORK_READY_IP6) {
        network_ready = 1;
    }
    pthread_cond_broadcast(&event_seen);
    pthread_mutex_unlock(&event_lock);
}

/* Waits until *flag is set by on_event, at most `seconds`. */
static int wait_for(const int* flag, int seconds)
{
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += seconds;
    pthread_mutex_lock(&event_lock);
    int timed_out = 0;
    while (! *flag && ! timed_out) {
        timed_out = pthread_cond_timedwait(&event_seen, &event_lock, &deadline) != 0;
    }
    int set = *flag;
    pthread_mutex_unlock(&event_lock);
    return set;
}

static int die(const char* what, int ret)
{
    fprintf(stderr, "echo: %s failed: %d (zts_errno %d)\n", what, ret, zts_errno);
    exit(1);
}

/* Starts the node with the roots in `planet_path`, joins the network and writes our address on it. */
static int join(const char* planet_path, uint64_t net_id, char* addr, int* family)
{
    static char planet[ZTS_STORE_DATA_LEN];
    FILE* f = fopen(planet_path, "rb");
    if (! f) {
        perror(planet_path);
        exit(1);
    }
    size_t len = fread(planet, 1, sizeof planet, f);
    fclose(f);
    int ret;
    if ((ret = zts_init_set_roots(planet, (unsigned int)len)) != ZTS_ERR_OK) {
        die("zts_init_set_roots", ret);
    }
    if ((ret = zts_init_set_event_handler(on_event)) != ZTS_ERR_OK) {
        die("zts_init_set_event_handler", ret);
    }
    if ((ret = zts_node_start()) != ZTS_ERR_OK) {
        die("zts_node_start", ret);
    }
    if (! wait_for(&online, 30)) {
        die("waiting to come online", 0);
    }
    if ((ret = zts_net_join(net_id)) != ZTS_ERR_OK) {
        die("zts_net_join", ret);
    }
    if (! wait_for(&network_ready, 30)) {
        die("waiting for the network", 0);
    }
    *family = zts_addr_is_assigned(net_id, ZTS_AF_INET) ? ZTS_AF_INET : ZTS_AF_INET6;
    return zts_addr_get_str(net_id, *family, addr, ZTS_IP_MAX_STR_LEN);
}

static void serve(unsigned short port, int family)
{
    int listener = zts_socket(family, ZTS_SOCK_STREAM, 0);
    if (listener < 0) {
        die("zts_socket", listener);
    }
    int ret;
    if ((ret = zts_bind(listener, family == ZTS_AF_INET ? "0.0.0.0" : "::", port)) != ZTS_ERR_OK) {
        die("zts_bind", ret);
    }
    if ((ret = zts_listen(listener, 8)) != ZTS_ERR_OK) {
        die("zts_listen", ret);
    }
    for (;;) {
        char peer[ZTS_INET6_ADDRSTRLEN];
        unsigned short peer_port = 0;
        int fd = zts_accept(listener, peer, sizeof peer, &peer_port);
        if (fd < 0) {
            die("zts_accept", fd);
        }
        char buf[16384];
        ssize_t n;
        long total = 0;
        while ((n = zts_read(fd, buf, sizeof buf)) > 0) {
            for (ssize_t sent = 0; sent < n;) {
                ssize_t w = zts_write(fd, buf + sent, (size_t)(n - sent));
                if (w < 0) {
                    break;
                }
                sent += w;
            }
            total += n;
        }
        zts_close(fd);
        printf("echo server: echoed %ld bytes to %s port %u\n", total, peer, peer_port);
        fflush(stdout);
    }
}

static int talk(const char* server, unsigned short port, const char* message)
{
    int fd = zts_tcp_client(server, port); /* retries while the path to the server forms */
    if (fd < 0) {
        die("zts_tcp_client", fd);
    }
    size_t len = strlen(message);
    if (zts_write(fd, message, len) != (ssize_t)len) {
        die("zts_write", -1);
    }
    zts_shutdown_wr(fd); /* the server sees the end and closes after echoing */
    char reply[4096];
    size_t got = 0;
    ssize_t n;
    while (got < sizeof reply - 1 && (n = zts_read(fd, reply + got, sizeof reply - 1 - got)) > 0) {
        got += (size_t)n;
    }
    reply[got] = '\0';
    zts_close(fd);
    printf("echo client: sent '%s', got '%s'\n", message, reply);
    return strcmp(reply, message) == 0 ? 0 : 1;
}

int main(int argc, char** argv)
{
    int server = argc == 5 && strcmp(argv[1], "server") == 0;
    int client = argc == 7 && strcmp(argv[1], "client") == 0;
    if (! server && ! client) {
        fprintf(stderr,
                "usage: %s server PLANET NETWORK_ID PORT\n"
                "       %s client PLANET NETWORK_ID SERVER_IP PORT MESSAGE\n",
                argv[0], argv[0]);
        return 2;
    }
    uint64_t net_id = strtoull(argv[3], NULL, 16);
    char addr[ZTS_IP_MAX_STR_LEN];
    int family = 0;
    int ret = join(argv[2], net_id, addr, &family);
    if (ret != ZTS_ERR_OK) {
        die("zts_addr_get_str", ret);
    }
    printf("echo %s: node %010" PRIx64 " at %s on network %016" PRIx64 "\n", argv[1], zts_node_get_id(), addr, net_id);
    fflush(stdout);
    if (server) {
        serve((unsigned short)atoi(argv[4]), family);
        return 0;
    }
    ret = talk(argv[4], (unsigned short)atoi(argv[5]), argv[6]);
    zts_node_free();
    return ret;
}
