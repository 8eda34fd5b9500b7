/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Part 2 of libzt's Sockets guide in C, the client: a node that connects to server.c over a
 * network and sends it a message.
 *
 *   client STORAGE_PATH NETWORK_ID REMOTE_ADDR REMOTE_PORT
 *
 * STORAGE_PATH keeps the node's identity and caches; a `planet` file put there replaces
 * ZeroTier's default roots with your own. NETWORK_ID is in hex; REMOTE_ADDR is the address
 * server.c printed.
 *
 * Build: python ext/build_clib.py (the program lands in build/clib/bin/client).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ZeroTierSockets.h"

#define WAIT_LIMIT_MS 60000 /* the guide loops forever; we give up after this long */

static int fail(const char* what, int ret)
{
    fprintf(stderr, "client: %s failed (%d, zts_errno %d)\n", what, ret, zts_errno);
    return 1;
}

int main(int argc, char** argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: %s STORAGE_PATH NETWORK_ID REMOTE_ADDR REMOTE_PORT\n", argv[0]);
        return 2;
    }
    uint64_t net_id = strtoull(argv[2], NULL, 16);
    const char* remote_addr = argv[3];
    unsigned short remote_port = (unsigned short)atoi(argv[4]);
    int ret;

    /* Start the node and join the network (as in pingable_node.c). */
    if ((ret = zts_init_from_storage(argv[1])) != ZTS_ERR_OK) {
        return fail("zts_init_from_storage", ret);
    }
    if ((ret = zts_node_start()) != ZTS_ERR_OK) {
        return fail("zts_node_start", ret);
    }
    for (int waited = 0; ! zts_node_is_online(); waited += 100) {
        if (waited >= WAIT_LIMIT_MS) {
            return fail("coming online", ZTS_ERR_SERVICE);
        }
        zts_util_delay(100);
    }
    printf("Node ID: %llx\n", (unsigned long long)zts_node_get_id());
    if ((ret = zts_net_join(net_id)) != ZTS_ERR_OK) {
        return fail("zts_net_join", ret);
    }
    for (int waited = 0; ! zts_net_transport_is_ready(net_id); waited += 100) {
        if (waited >= WAIT_LIMIT_MS) {
            return fail("waiting for the network", ZTS_ERR_SERVICE);
        }
        zts_util_delay(100);
    }

    /* Connect (zts_tcp_client retries while the path to the server forms), then TX. */
    const char* msg = "Hello, network!";
    int fd = zts_tcp_client(remote_addr, remote_port);
    if (fd < 0) {
        return fail("zts_tcp_client", fd);
    }
    ssize_t sent = zts_write(fd, msg, strlen(msg));
    if (sent != (ssize_t)strlen(msg)) {
        return fail("zts_write", (int)sent);
    }
    printf("TX: %s\n", msg);
    fflush(stdout);

    /* Stopping the node right after close() could cut the message off in flight: say we are done
     * sending and wait for the server to close first, so we know it has everything. */
    zts_shutdown_wr(fd);
    char ignored[16];
    while (zts_read(fd, ignored, sizeof ignored) > 0) {
    }
    zts_close(fd);
    zts_node_stop();
    return 0;
}
