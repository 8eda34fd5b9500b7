/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Part 2 of libzt's Sockets guide in C, the server: a node that accepts one TCP connection on a
 * network and prints the message it receives.
 *
 *   server STORAGE_PATH NETWORK_ID PORT
 *
 * STORAGE_PATH keeps the node's identity and caches; a `planet` file put there replaces
 * ZeroTier's default roots with your own. NETWORK_ID is in hex. Run client.c against the address
 * this prints.
 *
 * Build: python ext/build_clib.py (the program lands in build/clib/bin/server).
 */
#include <stdio.h>
#include <stdlib.h>

#include "ZeroTierSockets.h"

#define WAIT_LIMIT_MS 60000 /* the guide loops forever; we give up after this long */

static int fail(const char* what, int ret)
{
    fprintf(stderr, "server: %s failed (%d, zts_errno %d)\n", what, ret, zts_errno);
    return 1;
}

int main(int argc, char** argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s STORAGE_PATH NETWORK_ID PORT\n", argv[0]);
        return 2;
    }
    uint64_t net_id = strtoull(argv[2], NULL, 16);
    unsigned short port = (unsigned short)atoi(argv[3]);
    int ret;

    /* Start the node, join the network, learn our address (as in pingable_node.c). */
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
    char ipstr[ZTS_IP_MAX_STR_LEN] = { 0 };
    if ((ret = zts_addr_get_str(net_id, ZTS_AF_INET, ipstr, ZTS_IP_MAX_STR_LEN)) != ZTS_ERR_OK) {
        return fail("zts_addr_get_str", ret);
    }
    printf("IP address: %s\n", ipstr);
    fflush(stdout);

    /* Listen, accept one client (zts_tcp_server does socket, bind, listen and accept). */
    char remote_addr[ZTS_INET6_ADDRSTRLEN] = { 0 };
    unsigned short remote_port = 0;
    int fd = zts_tcp_server("0.0.0.0", port, remote_addr, ZTS_INET6_ADDRSTRLEN, &remote_port);
    if (fd < 0) {
        return fail("zts_tcp_server", fd);
    }
    printf("Accepted connection from %s:%d\n", remote_addr, remote_port);

    /* RX: everything the client sends, until it closes its side. */
    char recv_buf[128] = { 0 };
    size_t got = 0;
    ssize_t n;
    while (got < sizeof recv_buf - 1 && (n = zts_read(fd, recv_buf + got, sizeof recv_buf - 1 - got)) > 0) {
        got += (size_t)n;
    }
    printf("RX: %s\n", recv_buf);
    fflush(stdout);

    zts_close(fd);
    zts_node_stop();
    return 0;
}
