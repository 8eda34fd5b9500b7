/* SPDX-License-Identifier: Apache-2.0 */
/*
 * zts_stats_get_all under traffic: a node moves TCP and UDP over IPv4 and UDP over IPv6 to a peer
 * (examples/c/echo as a server) and checks that the counters of each protocol it used moved.
 *
 *   stats PLANET NETWORK_ID PEER_NODE_ID PEER_IP4 PEER_PORT
 *
 * NETWORK_ID is an ad-hoc network giving IPv4 and 6PLANE IPv6 addresses (ffAA000000000001); the
 * peer's IPv6 address is computed from its node ID. The
 * echo server listens on PEER_PORT; nothing listens on UDP PEER_PORT + 1, so the datagrams sent
 * there come back as ICMP port-unreachable. Prints every counter before and after, then one PASS
 * or FAIL line per counter that must have moved, then STATS-COMPILED or STATS-NOT-COMPILED (what
 * zts_stats_get_all said: ZTS_ERR_OK, or ZTS_ERR_NO_RESULT with only the link counters), then
 * PASSED or FAILED. Without lwIP's statistics only the link counters are required to move.
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ZeroTierSockets.h"

#define WAIT_MS 60000

/* Each counter with its name, read from a zts_stats_counter_t by offset. */
#define COUNTER(name) { #name, offsetof(zts_stats_counter_t, name) }
static const struct {
    const char* name;
    size_t offset;
} counters[] = {
    COUNTER(link_tx),   COUNTER(link_rx),   COUNTER(link_drop),   COUNTER(link_err),   COUNTER(etharp_tx),
    COUNTER(etharp_rx), COUNTER(etharp_drop), COUNTER(etharp_err), COUNTER(ip4_tx),    COUNTER(ip4_rx),
    COUNTER(ip4_drop),  COUNTER(ip4_err),   COUNTER(ip6_tx),      COUNTER(ip6_rx),     COUNTER(ip6_drop),
    COUNTER(ip6_err),   COUNTER(icmp4_tx),  COUNTER(icmp4_rx),    COUNTER(icmp4_drop), COUNTER(icmp4_err),
    COUNTER(icmp6_tx),  COUNTER(icmp6_rx),  COUNTER(icmp6_drop),  COUNTER(icmp6_err),  COUNTER(udp_tx),
    COUNTER(udp_rx),    COUNTER(udp_drop),  COUNTER(udp_err),     COUNTER(tcp_tx),     COUNTER(tcp_rx),
    COUNTER(tcp_drop),  COUNTER(tcp_err),   COUNTER(nd6_tx),      COUNTER(nd6_rx),     COUNTER(nd6_drop),
    COUNTER(nd6_err),
};
#define N_COUNTERS (sizeof counters / sizeof counters[0])

static uint32_t get(const zts_stats_counter_t* s, const char* name)
{
    for (size_t i = 0; i < N_COUNTERS; i++) {
        if (strcmp(counters[i].name, name) == 0) {
            return *(const uint32_t*)((const char*)s + counters[i].offset);
        }
    }
    abort();
}

/* What the traffic below must move: "a|b" means at least one of them (ARP and ND requests may
 * come from either side first). Only the link counters without lwIP statistics. */
static const char* const link_moves[] = { "link_tx", "link_rx" };
static const char* const stack_moves[] = {
    "ip4_tx", "ip4_rx", "tcp_tx", "tcp_rx", "udp_tx", "icmp4_rx", "etharp_tx|etharp_rx",
    "ip6_tx", "ip6_rx", "icmp6_rx", "nd6_tx|nd6_rx",
};

static int moved(const zts_stats_counter_t* before, const zts_stats_counter_t* after, const char* spec)
{
    char names[64];
    snprintf(names, sizeof names, "%s", spec);
    for (char* name = strtok(names, "|"); name; name = strtok(NULL, "|")) {
        if (get(after, name) > get(before, name)) {
            return 1;
        }
    }
    return 0;
}

static int all_moved(const zts_stats_counter_t* before, const zts_stats_counter_t* after, int with_stack)
{
    for (size_t i = 0; i < sizeof link_moves / sizeof link_moves[0]; i++) {
        if (! moved(before, after, link_moves[i])) {
            return 0;
        }
    }
    for (size_t i = 0; with_stack && i < sizeof stack_moves / sizeof stack_moves[0]; i++) {
        if (! moved(before, after, stack_moves[i])) {
            return 0;
        }
    }
    return 1;
}

static int fail(const char* what, long ret)
{
    printf("FAIL %s: %ld (zts_errno %d)\nFAILED\n", what, ret, zts_errno);
    return 1;
}

/* A datagram to a port nobody listens on: the peer's stack answers ICMP port-unreachable. */
static int udp_to_closed_port(const char* ip, unsigned short port)
{
    int fd = zts_udp_client(ip);
    if (fd < 0) {
        return fd;
    }
    int ret = zts_connect(fd, ip, port, 0);
    if (ret == ZTS_ERR_OK) {
        ret = zts_send(fd, "anyone?", 7, 0) == 7 ? ZTS_ERR_OK : ZTS_ERR_SOCKET;
    }
    zts_close(fd);
    return ret;
}

int main(int argc, char** argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: %s PLANET NETWORK_ID PEER_NODE_ID PEER_IP4 PEER_PORT\n", argv[0]);
        return 2;
    }
    static char planet[ZTS_STORE_DATA_LEN];
    FILE* f = fopen(argv[1], "rb");
    if (! f) {
        perror(argv[1]);
        return 2;
    }
    size_t planet_len = fread(planet, 1, sizeof planet, f);
    fclose(f);
    uint64_t net_id = strtoull(argv[2], NULL, 16);
    uint64_t peer_id = strtoull(argv[3], NULL, 16);
    const char* peer4 = argv[4];
    unsigned short port = (unsigned short)atoi(argv[5]);
    char peer6[ZTS_IP_MAX_STR_LEN];
    int ret = zts_addr_compute_6plane_str(net_id, peer_id, peer6, sizeof peer6);
    if (ret != ZTS_ERR_OK) {
        return fail("zts_addr_compute_6plane_str", ret);
    }

    if ((ret = zts_init_set_roots(planet, (unsigned int)planet_len)) != ZTS_ERR_OK) {
        return fail("zts_init_set_roots", ret);
    }
    if ((ret = zts_node_start()) != ZTS_ERR_OK) {
        return fail("zts_node_start", ret);
    }
    for (int waited = 0; ! zts_node_is_online(); waited += 20) {
        if (waited > WAIT_MS) {
            return fail("coming online", 0);
        }
        zts_util_delay(20);
    }
    if ((ret = zts_net_join(net_id)) != ZTS_ERR_OK) {
        return fail("zts_net_join", ret);
    }
    for (int waited = 0; ! zts_net_transport_is_ready(net_id); waited += 20) {
        if (waited > WAIT_MS) {
            return fail("waiting for the network", 0);
        }
        zts_util_delay(20);
    }

    zts_stats_counter_t before, after;
    int rc = zts_stats_get_all(&before);
    if (rc != ZTS_ERR_OK && rc != ZTS_ERR_NO_RESULT) {
        return fail("zts_stats_get_all", rc);
    }
    int with_stack = rc == ZTS_ERR_OK;

    /* TCP over IPv4: a round trip through the echo server. */
    int fd = zts_tcp_client(peer4, port);
    if (fd < 0) {
        return fail("zts_tcp_client", fd);
    }
    char buf[2048];
    memset(buf, 'z', sizeof buf);
    if (zts_write(fd, buf, sizeof buf) != (ssize_t)sizeof buf) {
        return fail("zts_write", -1);
    }
    zts_shutdown_wr(fd);
    size_t echoed = 0;
    ssize_t n;
    while ((n = zts_read(fd, buf, sizeof buf)) > 0) {
        echoed += (size_t)n;
    }
    zts_close(fd);
    if (echoed != sizeof buf) {
        return fail("echo round trip (bytes back)", (long)echoed);
    }
    /* UDP over IPv4 and IPv6 to a closed port, repeated until everything required has moved (the
     * first datagrams may wait for ARP / neighbor discovery). */
    int done = 0;
    for (int waited = 0; ! done && waited <= WAIT_MS; waited += 200) {
        if ((ret = udp_to_closed_port(peer4, (unsigned short)(port + 1))) != ZTS_ERR_OK) {
            return fail("UDP over IPv4", ret);
        }
        if ((ret = udp_to_closed_port(peer6, (unsigned short)(port + 1))) != ZTS_ERR_OK) {
            return fail("UDP over IPv6", ret);
        }
        zts_util_delay(200);
        if ((rc = zts_stats_get_all(&after)) != (with_stack ? ZTS_ERR_OK : ZTS_ERR_NO_RESULT)) {
            return fail("zts_stats_get_all (second call)", rc);
        }
        done = all_moved(&before, &after, with_stack);
    }

    for (size_t i = 0; i < N_COUNTERS; i++) {
        printf("COUNTER %s %" PRIu32 " %" PRIu32 "\n", counters[i].name, get(&before, counters[i].name),
               get(&after, counters[i].name));
    }
    int failures = 0;
    for (size_t i = 0; i < sizeof link_moves / sizeof link_moves[0]; i++) {
        int ok = moved(&before, &after, link_moves[i]);
        printf("%s %s moved\n", ok ? "PASS" : "FAIL", link_moves[i]);
        failures += ! ok;
    }
    for (size_t i = 0; with_stack && i < sizeof stack_moves / sizeof stack_moves[0]; i++) {
        int ok = moved(&before, &after, stack_moves[i]);
        printf("%s %s moved\n", ok ? "PASS" : "FAIL", stack_moves[i]);
        failures += ! ok;
    }
    printf("%s\n", with_stack ? "STATS-COMPILED" : "STATS-NOT-COMPILED");
    printf("%s\n", failures ? "FAILED" : "PASSED");
    zts_node_free();
    return failures ? 1 : 0;
}
