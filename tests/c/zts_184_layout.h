/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The C ABI of libzt 1.8.4 as a program built against that release's header sees it (LP64):
 * `extern int zts_errno;`, the public structs with the members, types and order its header
 * documents, and the calls tests/c/abi_184.c makes. Written for our tests from the documented
 * layout, so that a program compiled with it stands for a binary built against the official
 * library. Deliberately independent of csrc/include/ZeroTierSockets.h: never include both.
 */
#ifndef ZTS_184_LAYOUT_H
#define ZTS_184_LAYOUT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* 1.8.4: one process-wide int, a plain data symbol of the library. */
extern int zts_errno;

#define ZTS_ERR_OK      0
#define ZTS_ERR_SOCKET  (-1)
#define ZTS_ERR_SERVICE (-2)
#define ZTS_ERR_ARG     (-3)

#define ZTS_EBADF        9
#define ZTS_EAFNOSUPPORT 97

#define ZTS_EVENT_NODE_UP 200
#define ZTS_AF_INET       2
#define ZTS_SOCK_STREAM   1

#define ZTS_MAX_NETWORK_SHORT_NAME_LENGTH 127
#define ZTS_MAX_NETWORK_ROUTES            32
#define ZTS_MAX_ASSIGNED_ADDRESSES        16
#define ZTS_MAX_PEER_NETWORK_PATHS        16 /* 1.8.4's value (later headers: 64) */
#define ZTS_MAX_MULTICAST_SUBSCRIPTIONS   1024
#define ZTS_MAX_NUM_ROOTS                 16
#define ZTS_MAX_ENDPOINTS_PER_ROOT        32
#define ZTS_FD_SETSIZE                    1024 /* MEMP_NUM_NETCONN in 1.8.4's header */

typedef uint32_t zts_socklen_t;

struct zts_in_addr {
    uint32_t s_addr;
};
struct zts_in6_addr {
    union un {
        uint32_t u32_addr[4];
        uint8_t u8_addr[16];
    } un;
};
struct zts_sockaddr_in {
    uint8_t sin_len;
    uint8_t sin_family;
    uint16_t sin_port;
    struct zts_in_addr sin_addr;
    char sin_zero[8];
};
struct zts_sockaddr_in6 {
    uint8_t sin6_len;
    uint8_t sin6_family;
    uint16_t sin6_port;
    uint32_t sin6_flowinfo;
    struct zts_in6_addr sin6_addr;
    uint32_t sin6_scope_id;
};
struct zts_sockaddr {
    uint8_t sa_len;
    uint8_t sa_family;
    char sa_data[14];
};
struct zts_sockaddr_storage {
    uint8_t s2_len;
    uint8_t ss_family;
    char s2_data1[2];
    uint32_t s2_data2[3];
    uint32_t s2_data3[3];
};

typedef struct {
    uint64_t node_id;
    uint16_t port_primary;
    uint16_t port_secondary;
    uint16_t port_tertiary;
    uint8_t ver_major;
    uint8_t ver_minor;
    uint8_t ver_rev;
} zts_node_info_t;

typedef struct {
    uint64_t net_id;
    struct zts_sockaddr_storage addr;
} zts_addr_info_t;

typedef struct {
    struct zts_sockaddr_storage target;
    struct zts_sockaddr_storage via;
    uint16_t flags;
    uint16_t metric;
} zts_route_info_t;

typedef struct {
    uint64_t mac;
    unsigned long adi;
} zts_multicast_group_t;

typedef struct {
    uint64_t net_id;
    uint64_t mac;
    char name[ZTS_MAX_NETWORK_SHORT_NAME_LENGTH + 1];
    int status; /* enums are int-sized */
    int type;
    unsigned int mtu;
    int dhcp;
    int bridge;
    int broadcast_enabled;
    int port_error;
    unsigned long netconf_rev;
    unsigned int assigned_addr_count;
    struct zts_sockaddr_storage assigned_addrs[ZTS_MAX_ASSIGNED_ADDRESSES];
    unsigned int route_count;
    zts_route_info_t routes[ZTS_MAX_NETWORK_ROUTES];
    unsigned int multicast_sub_count;
    struct {
        uint64_t mac;
        uint32_t adi;
    } multicast_subs[ZTS_MAX_MULTICAST_SUBSCRIPTIONS];
} zts_net_info_t;

typedef struct {
    struct zts_sockaddr_storage address;
    uint64_t last_tx;
    uint64_t last_rx;
    uint64_t trusted_path_id;
    float latency;
    float unused_0;
    float unused_1;
    float unused_2;
    float unused_3;
    float unused_4;
    uint64_t unused_5;
    uint64_t unused_6;
    float unused_7;
    char* ifname;
    int expired;
    int preferred;
} zts_path_t;

typedef struct {
    uint64_t peer_id;
    int ver_major;
    int ver_minor;
    int ver_rev;
    int latency;
    int role;
    unsigned int path_count;
    int unused_0;
    zts_path_t paths[ZTS_MAX_PEER_NETWORK_PATHS];
} zts_peer_info_t;

typedef struct {
    char* public_id_str[ZTS_MAX_NUM_ROOTS];
    char* endpoint_ip_str[ZTS_MAX_NUM_ROOTS][ZTS_MAX_ENDPOINTS_PER_ROOT];
} zts_root_set_t;

typedef struct {
    uint64_t net_id;
    uint64_t mac;
    int mtu;
} zts_netif_info_t;

typedef struct {
    int16_t event_code;
    zts_node_info_t* node;
    zts_net_info_t* network;
    zts_netif_info_t* netif;
    zts_route_info_t* route;
    zts_peer_info_t* peer;
    zts_addr_info_t* addr;
    void* cache;
    int len;
} zts_event_msg_t;

typedef struct {
    uint32_t link_tx, link_rx, link_drop, link_err;
    uint32_t etharp_tx, etharp_rx, etharp_drop, etharp_err;
    uint32_t ip4_tx, ip4_rx, ip4_drop, ip4_err;
    uint32_t ip6_tx, ip6_rx, ip6_drop, ip6_err;
    uint32_t icmp4_tx, icmp4_rx, icmp4_drop, icmp4_err;
    uint32_t icmp6_tx, icmp6_rx, icmp6_drop, icmp6_err;
    uint32_t udp_tx, udp_rx, udp_drop, udp_err;
    uint32_t tcp_tx, tcp_rx, tcp_drop, tcp_err;
    uint32_t nd6_tx, nd6_rx, nd6_drop, nd6_err;
} zts_stats_counter_t;

struct zts_linger {
    int l_onoff;
    int l_linger;
};
typedef struct zts_ip_mreq {
    struct zts_in_addr imr_multiaddr;
    struct zts_in_addr imr_interface;
} zts_ip_mreq;
struct zts_in_pktinfo {
    unsigned int ipi_ifindex;
    struct zts_in_addr ipi_addr;
};
typedef struct zts_ipv6_mreq {
    struct zts_in6_addr ipv6mr_multiaddr;
    unsigned int ipv6mr_interface;
} zts_ipv6_mreq;
typedef struct zts_fd_set {
    unsigned char fd_bits[(ZTS_FD_SETSIZE + 7) / 8];
} zts_fd_set;
typedef struct zts_timeval {
    long tv_sec;
    long tv_usec;
} zts_timeval;
struct zts_pollfd {
    int fd;
    short events;
    short revents;
};
struct zts_iovec {
    void* iov_base;
    size_t iov_len;
};
struct zts_msghdr {
    void* msg_name;
    zts_socklen_t msg_namelen;
    struct zts_iovec* msg_iov;
    int msg_iovlen;
    void* msg_control;
    zts_socklen_t msg_controllen;
    int msg_flags;
};
struct zts_hostent {
    char* h_name;
    char** h_aliases;
    int h_addrtype;
    int h_length;
    char** h_addr_list;
};
struct zts_ip4_addr {
    uint32_t addr;
};
struct zts_ip6_addr {
    uint32_t addr[4];
};
typedef struct zts_ip_addr {
    union {
        struct zts_ip6_addr ip6;
        struct zts_ip4_addr ip4;
    } u_addr;
    uint8_t type;
} zts_ip_addr;

/* The calls abi_184.c makes, declared as 1.8.4 declares them. */
int zts_init_set_roots(const void* roots_data, unsigned int len);
int zts_init_set_port(unsigned short port);
int zts_init_set_event_handler(void (*callback)(void*));
int zts_node_start(void);
uint64_t zts_node_get_id(void);
int zts_node_stop(void);
int zts_node_free(void);
int zts_stats_get_all(zts_stats_counter_t* dst);
int zts_bsd_socket(int family, int type, int protocol);
int zts_bsd_close(int fd);
int zts_inet_pton(int family, const char* src, void* dst);
void zts_util_delay(unsigned long milliseconds);

#endif /* ZTS_184_LAYOUT_H */
