/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cffi declarations: typedefs and structs of ZeroTierSockets.h.
 *
 * Members are declared in full and in order, so API mode checks each one's
 * offset and type against the real header at build time; a layout drift
 * fails the build instead of corrupting memory. Array lengths are `...`
 * (taken from the header) wherever the header sizes them with a constant.
 */

typedef uint32_t zts_socklen_t;
typedef uint32_t zts_in_addr_t;
typedef uint16_t zts_in_port_t;
typedef uint8_t zts_sa_family_t;
typedef unsigned int zts_nfds_t;

/* Addresses (BSD layout: leading length byte; ports and addresses in
 * network byte order). */

struct zts_in_addr {
    zts_in_addr_t s_addr;
};

struct zts_in6_addr {
    union {
        uint32_t u32_addr[4];
        uint8_t u8_addr[16];
    } un;
};

struct zts_sockaddr_in {
    uint8_t sin_len;
    zts_sa_family_t sin_family;
    zts_in_port_t sin_port;
    struct zts_in_addr sin_addr;
    char sin_zero[...];
};

struct zts_sockaddr_in6 {
    uint8_t sin6_len;
    zts_sa_family_t sin6_family;
    zts_in_port_t sin6_port;
    uint32_t sin6_flowinfo;
    struct zts_in6_addr sin6_addr;
    uint32_t sin6_scope_id;
};

struct zts_sockaddr {
    uint8_t sa_len;
    zts_sa_family_t sa_family;
    char sa_data[14];
};

struct zts_sockaddr_storage {
    uint8_t s2_len;
    zts_sa_family_t ss_family;
    char s2_data1[2];
    uint32_t s2_data2[3];
    uint32_t s2_data3[3];
};

/* Node, network and peer descriptions (event payloads) */

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
    char name[...];
    zts_network_status_t status;
    zts_net_info_type_t type;
    unsigned int mtu;
    int dhcp;
    int bridge;
    int broadcast_enabled;
    int port_error;
    unsigned long netconf_rev;
    unsigned int assigned_addr_count;
    struct zts_sockaddr_storage assigned_addrs[...];
    unsigned int route_count;
    zts_route_info_t routes[...];
    unsigned int multicast_sub_count;
    struct {
        uint64_t mac;
        uint32_t adi;
    } multicast_subs[...];
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
    zts_peer_role_t role;
    unsigned int path_count;
    int unused_0;
    zts_path_t paths[...];
} zts_peer_info_t;

typedef struct {
    char* public_id_str[...];
    char* endpoint_ip_str[...][...];
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

/* Statistics */

typedef struct {
    uint32_t link_tx;
    uint32_t link_rx;
    uint32_t link_drop;
    uint32_t link_err;
    uint32_t etharp_tx;
    uint32_t etharp_rx;
    uint32_t etharp_drop;
    uint32_t etharp_err;
    uint32_t ip4_tx;
    uint32_t ip4_rx;
    uint32_t ip4_drop;
    uint32_t ip4_err;
    uint32_t ip6_tx;
    uint32_t ip6_rx;
    uint32_t ip6_drop;
    uint32_t ip6_err;
    uint32_t icmp4_tx;
    uint32_t icmp4_rx;
    uint32_t icmp4_drop;
    uint32_t icmp4_err;
    uint32_t icmp6_tx;
    uint32_t icmp6_rx;
    uint32_t icmp6_drop;
    uint32_t icmp6_err;
    uint32_t udp_tx;
    uint32_t udp_rx;
    uint32_t udp_drop;
    uint32_t udp_err;
    uint32_t tcp_tx;
    uint32_t tcp_rx;
    uint32_t tcp_drop;
    uint32_t tcp_err;
    uint32_t nd6_tx;
    uint32_t nd6_rx;
    uint32_t nd6_drop;
    uint32_t nd6_err;
} zts_stats_counter_t;

/* Socket option values and socket call arguments */

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
    unsigned char fd_bits[...];
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

/* Name resolution */

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
