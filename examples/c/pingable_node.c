/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Part 1 of libzt's Sockets guide in C: a node that joins a network and can be pinged there.
 *
 *   pingable_node STORAGE_PATH NETWORK_ID [SECONDS]
 *
 * STORAGE_PATH keeps the node's identity (made on the first run) and caches; a `planet` file put
 * there replaces ZeroTier's default roots with your own (`libzt world new` makes one). NETWORK_ID
 * is in hex. The node stays up SECONDS (default 3600) so that other members can ping its address.
 *
 * Build: python ext/build_clib.py (the program lands in build/clib/bin/pingable_node).
 */
#include <stdio.h>
#include <stdlib.h>

#include "ZeroTierSockets.h"

/* The guide waits in plain loops; we give up after this long instead of waiting forever. */
#define WAIT_LIMIT_MS 60000

static int fail(const char* what, int ret)
{
    fprintf(stderr, "pingable_node: %s failed (%d)\n", what, ret);
    return 1;
}

int main(int argc, char** argv)
{
    if (argc != 3 && argc != 4) {
        fprintf(stderr, "usage: %s STORAGE_PATH NETWORK_ID [SECONDS]\n", argv[0]);
        return 2;
    }
    uint64_t net_id = strtoull(argv[2], NULL, 16);
    long seconds = argc == 4 ? atol(argv[3]) : 3600;
    int ret;

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
    fflush(stdout);

    if ((ret = zts_net_join(net_id)) != ZTS_ERR_OK) {
        return fail("zts_net_join", ret);
    }
    for (int waited = 0; ! zts_net_transport_is_ready(net_id); waited += 100) {
        if (waited >= WAIT_LIMIT_MS) {
            return fail("waiting for the network", ZTS_ERR_SERVICE);
        }
        zts_util_delay(100);
    }
    char ipstr[ZTS_IP_MAX_STR_LEN] = { 0 };
    if (zts_addr_get_str(net_id, ZTS_AF_INET, ipstr, ZTS_IP_MAX_STR_LEN) == ZTS_ERR_OK) {
        printf("IP address: %s\n", ipstr);
    }
    if (zts_addr_get_str(net_id, ZTS_AF_INET6, ipstr, ZTS_IP_MAX_STR_LEN) == ZTS_ERR_OK) {
        printf("IP address: %s\n", ipstr);
    }
    fflush(stdout);

    zts_util_delay((unsigned long)seconds * 1000); /* ping me */
    zts_node_stop();
    return 0;
}
