/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the C API answers before zts_node_start(), as a table checked against libzt 1.8.4's
 * answers (its src/Controls.cpp: node, network, address and query calls return ZTS_ERR_SERVICE
 * before anything else; zts_node_is_online and zts_addr_is_assigned return 0; the uint64_t calls
 * return (uint64_t)-2). Then: the failed zts_node_free() changed nothing, so a node still starts,
 * and zts_init_set_roots() refuses what is not a planet.
 *
 *   prestart PLANET PORT
 *
 * Prints PASS or FAIL per check and a summary line; exits 1 if any check failed.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ZeroTierSockets.h"

#define NET_ID     0x8056c2e21c000001ULL
#define PEER_ID    0x1234567890ULL
#define NO_SERVICE ((long)ZTS_ERR_SERVICE)

static int checks, failures;

static void check_eq(const char* call, long got, long want)
{
    int ok = got == want;
    printf("%s %s -> %ld (want %ld)\n", ok ? "PASS" : "FAIL", call, got, want);
    fflush(stdout);
    checks++;
    failures += ! ok;
}
/* The call is evaluated once; uint64_t answers compare as their low bits, so (uint64_t)-2 is -2. */
#define EXPECT(call, want) check_eq(#call, (long)(call), (long)(want))

static void answers_before_start(void)
{
    char text[ZTS_INET6_ADDRSTRLEN];
    char name[ZTS_MAX_NETWORK_SHORT_NAME_LENGTH];
    char mac[ZTS_MAC_ADDRSTRLEN];
    char key[ZTS_ID_STR_BUF_LEN];
    unsigned int key_len = sizeof key;
    struct zts_sockaddr_storage ss, all[ZTS_MAX_ASSIGNED_ADDRESSES];
    unsigned int count = ZTS_MAX_ASSIGNED_ADDRESSES;
    uint16_t flags, metric;
    uint64_t mc_mac;
    uint32_t adi;
    zts_stats_counter_t stats;

    /* Node */
    EXPECT(zts_node_is_online(), 0);
    EXPECT(zts_node_get_id() == (uint64_t)ZTS_ERR_SERVICE, 1);
    EXPECT(zts_node_get_id_pair(key, &key_len), NO_SERVICE);
    EXPECT(zts_node_get_id_pair(NULL, NULL), NO_SERVICE); /* the node first, then the arguments */
    EXPECT(zts_node_get_port(), NO_SERVICE);
    EXPECT(zts_node_stop(), NO_SERVICE);
    EXPECT(zts_node_free(), NO_SERVICE);
    EXPECT(zts_moon_orbit(PEER_ID, PEER_ID), NO_SERVICE);
    EXPECT(zts_moon_deorbit(PEER_ID), NO_SERVICE);
    EXPECT(zts_stats_get_all(&stats), NO_SERVICE);
    EXPECT(zts_stats_get_all(NULL), ZTS_ERR_ARG); /* libzt checks dst first here */

    /* Networks */
    EXPECT(zts_net_join(NET_ID), NO_SERVICE);
    EXPECT(zts_net_join(0), NO_SERVICE);
    EXPECT(zts_net_leave(NET_ID), NO_SERVICE);
    EXPECT(zts_net_transport_is_ready(NET_ID), NO_SERVICE);
    EXPECT(zts_net_get_mac(NET_ID) == (uint64_t)ZTS_ERR_SERVICE, 1);
    EXPECT(zts_net_get_mac_str(NET_ID, mac, sizeof mac), NO_SERVICE);
    EXPECT(zts_net_get_mac_str(NET_ID, NULL, 0), NO_SERVICE);
    EXPECT(zts_net_get_broadcast(NET_ID), NO_SERVICE);
    EXPECT(zts_net_get_mtu(NET_ID), NO_SERVICE);
    EXPECT(zts_net_get_name(NET_ID, name, sizeof name), NO_SERVICE);
    EXPECT(zts_net_get_status(NET_ID), NO_SERVICE);
    EXPECT(zts_net_get_type(NET_ID), NO_SERVICE);
    EXPECT(zts_route_is_assigned(NET_ID, ZTS_AF_INET), NO_SERVICE);

    /* Addresses */
    EXPECT(zts_addr_is_assigned(NET_ID, ZTS_AF_INET), 0);
    EXPECT(zts_addr_is_assigned(0, ZTS_AF_INET), 0);
    EXPECT(zts_addr_get(NET_ID, ZTS_AF_INET, &ss), NO_SERVICE);
    EXPECT(zts_addr_get(0, 12345, NULL), NO_SERVICE);
    EXPECT(zts_addr_get_str(NET_ID, ZTS_AF_INET, text, sizeof text), NO_SERVICE);
    EXPECT(zts_addr_get_str(0, ZTS_AF_INET, text, sizeof text), ZTS_ERR_ARG); /* libzt: arguments first */
    EXPECT(zts_addr_get_all(NET_ID, all, &count), NO_SERVICE);

    /* Core queries */
    EXPECT(zts_core_lock_obtain(), NO_SERVICE);
    EXPECT(zts_core_lock_release(), NO_SERVICE);
    EXPECT(zts_core_query_addr_count(NET_ID), NO_SERVICE);
    EXPECT(zts_core_query_addr(NET_ID, 0, text, sizeof text), NO_SERVICE);
    EXPECT(zts_core_query_route_count(NET_ID), NO_SERVICE);
    EXPECT(zts_core_query_route(NET_ID, 0, text, text, sizeof text, &flags, &metric), NO_SERVICE);
    EXPECT(zts_core_query_path_count(PEER_ID), NO_SERVICE);
    EXPECT(zts_core_query_path(PEER_ID, 0, text, sizeof text), NO_SERVICE);
    EXPECT(zts_core_query_mc_count(NET_ID), NO_SERVICE);
    EXPECT(zts_core_query_mc(NET_ID, 0, &mc_mac, &adi), NO_SERVICE);

    /* Sockets */
    EXPECT(zts_bsd_socket(ZTS_AF_INET, ZTS_SOCK_STREAM, 0), NO_SERVICE);
    EXPECT(zts_socket(ZTS_AF_INET, ZTS_SOCK_DGRAM, 0), NO_SERVICE);

    /* Computations need no node. */
    EXPECT(zts_addr_compute_rfc4193_str(NET_ID, PEER_ID, text, sizeof text), ZTS_ERR_OK);
    EXPECT(zts_net_compute_adhoc_id(8000, 8000) == 0xff1f401f40000000ULL, 1);
    key_len = sizeof key;
    EXPECT(zts_id_new(key, &key_len), ZTS_ERR_OK);
}

static void roots_must_be_a_planet(const unsigned char* planet, unsigned int len)
{
    unsigned char garbage[64];
    memset(garbage, 0x5a, sizeof garbage);
    EXPECT(zts_init_set_roots(garbage, sizeof garbage), ZTS_ERR_ARG);
    EXPECT(zts_init_set_roots(planet, len - 1), ZTS_ERR_ARG); /* truncated */
    EXPECT(zts_init_set_roots(NULL, len), ZTS_ERR_ARG);
    unsigned char moon[16384];
    memcpy(moon, planet, len);
    moon[0] = 127; /* the same world, typed as a moon */
    EXPECT(zts_init_set_roots(moon, len), ZTS_ERR_ARG);
    EXPECT(zts_init_set_roots(planet, len), ZTS_ERR_OK);
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

    answers_before_start();
    /* The refused zts_node_free() left the library as it was: configure and start a node. */
    roots_must_be_a_planet(planet, planet_len);
    EXPECT(zts_init_set_port((unsigned short)atoi(argv[2])), ZTS_ERR_OK);
    EXPECT(zts_node_start(), ZTS_ERR_OK);
    uint64_t id = zts_node_get_id();
    EXPECT(id != 0 && id < (1ULL << 40), 1);
    EXPECT(zts_node_get_port(), atoi(argv[2]));
    EXPECT(zts_net_get_mac(NET_ID), 0); /* running, network not joined */
    EXPECT(zts_node_stop(), ZTS_ERR_OK);
    EXPECT(zts_node_get_id() == (uint64_t)ZTS_ERR_SERVICE, 1); /* stopped: the same answers again */
    EXPECT(zts_net_join(NET_ID), NO_SERVICE);
    EXPECT(zts_node_free(), ZTS_ERR_OK);
    EXPECT(zts_node_free(), NO_SERVICE);
    EXPECT(zts_node_start(), NO_SERVICE); /* nothing starts after zts_node_free */
    printf("%s: %d checks, %d failed\n", failures ? "FAILED" : "PASSED", checks, failures);
    return failures ? 1 : 0;
}
