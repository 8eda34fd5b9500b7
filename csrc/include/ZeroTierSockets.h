/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ZeroTierSockets.h: the public C API of libzt.
 *
 * Source compatible with ZeroTier's libzt header: every function name,
 * argument list, return type, constant (name and value), enum, typedef and
 * struct layout matches it, so C code written for libzt compiles against this
 * header unchanged and sees the same ABI on LP64 platforms.
 *
 * Conventions shared by the whole API:
 *  - Most calls return a zts_error_t: ZTS_ERR_OK (0) or a negative code.
 *    Calls that return a count, a size or a file descriptor return it when
 *    >= 0 and a negative zts_error_t otherwise.
 *  - Socket calls (zts_bsd_* and the simplified zts_* socket helpers) also set
 *    zts_errno (a zts_errno_t) when they return ZTS_ERR_SOCKET.
 *  - There is one node per process. zts_init_* calls configure it and are
 *    accepted only before zts_node_start(); afterwards they return
 *    ZTS_ERR_SERVICE.
 *  - While no node runs (before zts_node_start(), after zts_node_stop()),
 *    node, network, address, core-query and socket calls return
 *    ZTS_ERR_SERVICE before looking at their arguments, as libzt does; the
 *    exceptions, also libzt's: zts_node_is_online() and
 *    zts_addr_is_assigned() return 0, zts_node_get_id() and
 *    zts_net_get_mac() return (uint64_t)ZTS_ERR_SERVICE, zts_addr_get_str()
 *    and zts_stats_get_all() check their arguments first. Pure computations
 *    (zts_addr_compute_*, zts_id_*, zts_util_*, zts_inet_*) need no node.
 *  - Socket file descriptors belong to the embedded TCP/IP stack. They are
 *    not OS descriptors: pass them only to zts_* calls.
 *
 * Differences from libzt that C code can observe:
 *  - zts_errno is per thread (a macro over zts_errno_location(), like POSIX
 *    errno) instead of one process-global variable. Reading and assigning it
 *    works as before; only an `extern int zts_errno;` declaration would not
 *    compile. Binaries built against libzt's header are served too: the
 *    library also exports a global `int zts_errno` holding the last value set
 *    by any thread, so they link and run unchanged (binary compatible with
 *    libzt 1.8.4 on LP64: same symbols, struct sizes and field offsets).
 *  - Only the plain C event callback exists; libzt's Python, .NET and Java
 *    variants of zts_init_set_event_handler() are not provided.
 *  - The ZeroTier Central REST client (zts_central_*) is absent. libzt ships
 *    it compiled out (ZTS_DISABLE_CENTRAL_API), which we keep defined.
 *  - <unistd.h> is no longer pulled in; include it yourself if you use it.
 *  - Smaller ones are explained where they occur: zts_in6addr_any,
 *    ZTS_MAX_ENDPOINT_STR_LEN, the ZTS_FD_* macros, struct zts_ip6_addr.
 */

#ifndef ZTS_SOCKETS_H
#define ZTS_SOCKETS_H

#include <stdint.h>
#include <string.h>    /* memset, used by ZTS_FD_ZERO */
#include <sys/types.h> /* size_t, ssize_t */

#ifdef __cplusplus
extern "C" {
#endif

/* Export and calling-convention markers. Kept so that code which spells them
 * out (or wraps the API with them) still compiles. */
#ifndef ZTS_API
#if defined(__GNUC__) || defined(__clang__)
#define ZTS_API __attribute__((visibility("default")))
#else
#define ZTS_API
#endif
#endif
#ifndef ZTCALL
#define ZTCALL
#endif

/* Feature macros libzt code tests with #ifdef: this is the plain C API, and
 * the Central REST client is not part of it. */
#ifndef ZTS_C_API_ONLY
#define ZTS_C_API_ONLY 1
#endif
#ifndef ZTS_DISABLE_CENTRAL_API
#define ZTS_DISABLE_CENTRAL_API 1
#endif

/*----------------------------------------------------------------------------
 * Return codes
 *--------------------------------------------------------------------------*/

typedef enum {
    ZTS_ERR_OK = 0,
    /* The socket layer failed; zts_errno says why. */
    ZTS_ERR_SOCKET = -1,
    /* The node is not in a state that allows this call (not started yet,
     * already started for zts_init_*, or stopped). */
    ZTS_ERR_SERVICE = -2,
    ZTS_ERR_ARG = -3,
    /* The query found nothing; not necessarily a failure. */
    ZTS_ERR_NO_RESULT = -4,
    /* Internal failure; a bug on our side. */
    ZTS_ERR_GENERAL = -5
} zts_error_t;

/*----------------------------------------------------------------------------
 * zts_errno: the reason behind ZTS_ERR_SOCKET
 *--------------------------------------------------------------------------*/

/* Per-thread, so concurrent socket calls cannot overwrite each other's error.
 * Values are zts_errno_t, numbered like Linux errno. (The exported global of
 * the same name, for binaries built against libzt's header, is not visible
 * here: the macro hides it.) */
ZTS_API int* ZTCALL zts_errno_location(void);
#define zts_errno (*zts_errno_location())

typedef enum {
    ZTS_EPERM = 1,
    ZTS_ENOENT = 2,
    ZTS_ESRCH = 3,
    ZTS_EINTR = 4,
    ZTS_EIO = 5,
    ZTS_ENXIO = 6,
    ZTS_EBADF = 9,
    ZTS_EAGAIN = 11,
    ZTS_EWOULDBLOCK = ZTS_EAGAIN,
    ZTS_ENOMEM = 12,
    ZTS_EACCES = 13,
    ZTS_EFAULT = 14,
    ZTS_EBUSY = 16,
    ZTS_EEXIST = 17,
    ZTS_ENODEV = 19,
    ZTS_EINVAL = 22,
    ZTS_ENFILE = 23,
    ZTS_EMFILE = 24,
    ZTS_EPIPE = 32, /* not in libzt 1.8.4: a send on a connection shut down for writing or over */
    ZTS_ENOSYS = 38,
    ZTS_ENOTSOCK = 88,
    ZTS_EDESTADDRREQ = 89,
    ZTS_EMSGSIZE = 90,
    ZTS_EPROTOTYPE = 91,
    ZTS_ENOPROTOOPT = 92,
    ZTS_EPROTONOSUPPORT = 93,
    ZTS_ESOCKTNOSUPPORT = 94,
    ZTS_EOPNOTSUPP = 95,
    ZTS_EPFNOSUPPORT = 96,
    ZTS_EAFNOSUPPORT = 97,
    ZTS_EADDRINUSE = 98,
    ZTS_EADDRNOTAVAIL = 99,
    ZTS_ENETDOWN = 100,
    ZTS_ENETUNREACH = 101,
    ZTS_ECONNABORTED = 103,
    ZTS_ECONNRESET = 104,
    ZTS_ENOBUFS = 105,
    ZTS_EISCONN = 106,
    ZTS_ENOTCONN = 107,
    ZTS_ETIMEDOUT = 110,
    ZTS_ECONNREFUSED = 111,
    ZTS_EHOSTUNREACH = 113,
    ZTS_EALREADY = 114,
    ZTS_EINPROGRESS = 115
} zts_errno_t;

/*----------------------------------------------------------------------------
 * Event codes
 *
 * Delivered in zts_event_msg_t.event_code to the handler installed with
 * zts_init_set_event_handler(). The comment on each group names the member of
 * zts_event_msg_t that carries the payload; the other pointers are NULL.
 *--------------------------------------------------------------------------*/

typedef enum {
    /* Node lifecycle. Payload: node. */
    ZTS_EVENT_NODE_UP = 200, /* always the first event */
    ZTS_EVENT_NODE_ONLINE = 201, /* at least one root answers */
    ZTS_EVENT_NODE_OFFLINE = 202,
    ZTS_EVENT_NODE_DOWN = 203,
    /* Unrecoverable, e.g. our 40-bit address collides with another node's:
     * the identity must be discarded and a new one generated. */
    ZTS_EVENT_NODE_FATAL_ERROR = 204,

    /* Network membership and configuration. Payload: network. */
    ZTS_EVENT_NETWORK_NOT_FOUND = 210,
    ZTS_EVENT_NETWORK_CLIENT_TOO_OLD = 211,
    ZTS_EVENT_NETWORK_REQ_CONFIG = 212,
    ZTS_EVENT_NETWORK_OK = 213,
    ZTS_EVENT_NETWORK_ACCESS_DENIED = 214, /* the controller must authorize us */
    ZTS_EVENT_NETWORK_READY_IP4 = 215,
    ZTS_EVENT_NETWORK_READY_IP6 = 216,
    ZTS_EVENT_NETWORK_READY_IP4_IP6 = 217, /* deprecated, never sent by libzt */
    ZTS_EVENT_NETWORK_DOWN = 218, /* controller unreachable */
    ZTS_EVENT_NETWORK_UPDATE = 219,

    /* TCP/IP stack. No payload. */
    ZTS_EVENT_STACK_UP = 220,
    ZTS_EVENT_STACK_DOWN = 221,

    /* Virtual network interface (one per joined network). Payload: netif. */
    ZTS_EVENT_NETIF_UP = 230,
    ZTS_EVENT_NETIF_DOWN = 231,
    ZTS_EVENT_NETIF_REMOVED = 232,
    ZTS_EVENT_NETIF_LINK_UP = 233,
    ZTS_EVENT_NETIF_LINK_DOWN = 234,

    /* Reachability of other nodes. Payload: peer. */
    ZTS_EVENT_PEER_DIRECT = 240,
    ZTS_EVENT_PEER_RELAY = 241, /* no direct path: traffic goes via a root */
    ZTS_EVENT_PEER_UNREACHABLE = 242,
    ZTS_EVENT_PEER_PATH_DISCOVERED = 243,
    ZTS_EVENT_PEER_PATH_DEAD = 244,

    /* Managed routes. Payload: route. */
    ZTS_EVENT_ROUTE_ADDED = 250,
    ZTS_EVENT_ROUTE_REMOVED = 251,

    /* Managed addresses. Payload: addr. */
    ZTS_EVENT_ADDR_ADDED_IP4 = 260,
    ZTS_EVENT_ADDR_REMOVED_IP4 = 261,
    ZTS_EVENT_ADDR_ADDED_IP6 = 262,
    ZTS_EVENT_ADDR_REMOVED_IP6 = 263,

    /* State the node would persist. Payload: cache and len. They let an
     * application without a storage directory keep the state itself. */
    ZTS_EVENT_STORE_IDENTITY_SECRET = 270,
    ZTS_EVENT_STORE_IDENTITY_PUBLIC = 271,
    ZTS_EVENT_STORE_PLANET = 272,
    ZTS_EVENT_STORE_PEER = 273,
    ZTS_EVENT_STORE_NETWORK = 274
} zts_event_t;

/*----------------------------------------------------------------------------
 * Buffer sizes and limits
 *--------------------------------------------------------------------------*/

#define ZTS_MAC_ADDRSTRLEN   18
#define ZTS_INET_ADDRSTRLEN  16
#define ZTS_INET6_ADDRSTRLEN 46
/* Size that every caller-supplied IP address string buffer must have. */
#define ZTS_IP_MAX_STR_LEN ZTS_INET6_ADDRSTRLEN
/* Size of the buffer that receives one ZTS_EVENT_STORE_* item. */
#define ZTS_STORE_DATA_LEN 4096

#define ZTS_MAX_NETWORK_SHORT_NAME_LENGTH 127
#define ZTS_MAX_NETWORK_ROUTES            32
#define ZTS_MAX_ASSIGNED_ADDRESSES        16
/* libzt 1.8.4's value: zts_peer_info_t keeps its layout (1960 bytes). A peer
 * with more paths reports 16 of them, the preferred one included. */
#define ZTS_MAX_PEER_NETWORK_PATHS        16
#define ZTS_MAX_MULTICAST_SUBSCRIPTIONS   1024
/* "address/port" text. Parenthesised here, unlike libzt, so that it can be
 * used inside larger expressions; the value is the same. */
#define ZTS_MAX_ENDPOINT_STR_LEN (ZTS_INET6_ADDRSTRLEN + 6)

/* Size of the buffer for a text identity ("address:0:public:secret"). */
#define ZTS_ID_STR_BUF_LEN 384

/* Limits of a custom root set (zts_root_set_t). */
#define ZTS_MAX_NUM_ROOTS          16
#define ZTS_MAX_ENDPOINTS_PER_ROOT 32

/*----------------------------------------------------------------------------
 * Addresses, families, socket types and protocols
 *
 * These mirror the embedded TCP/IP stack (lwIP), not the host OS: the
 * sockaddr structs carry a leading length byte (BSD layout) and the constants
 * are lwIP's. Never pass host `struct sockaddr` or AF_* values.
 *--------------------------------------------------------------------------*/

/* IPv4 addresses in host byte order. */
#define ZTS_IPADDR_NONE      ((uint32_t)0xffffffffUL)
#define ZTS_IPADDR_LOOPBACK  ((uint32_t)0x7f000001UL)
#define ZTS_IPADDR_ANY       ((uint32_t)0x00000000UL)
#define ZTS_IPADDR_BROADCAST ((uint32_t)0xffffffffUL)

#define ZTS_INADDR_NONE      ZTS_IPADDR_NONE
#define ZTS_INADDR_LOOPBACK  ZTS_IPADDR_LOOPBACK
#define ZTS_INADDR_ANY       ZTS_IPADDR_ANY
#define ZTS_INADDR_BROADCAST ZTS_IPADDR_BROADCAST

#define ZTS_IN6ADDR_ANY_INIT {{{0, 0, 0, 0}}}

#define ZTS_AF_UNSPEC 0x0000
#define ZTS_AF_INET   0x0002
#define ZTS_AF_INET6  0x000a
#define ZTS_PF_INET   ZTS_AF_INET
#define ZTS_PF_INET6  ZTS_AF_INET6
#define ZTS_PF_UNSPEC ZTS_AF_UNSPEC

#define ZTS_SOCK_STREAM 0x0001
#define ZTS_SOCK_DGRAM  0x0002
#define ZTS_SOCK_RAW    0x0003

#define ZTS_IPPROTO_IP      0x0000
#define ZTS_IPPROTO_ICMP    0x0001
#define ZTS_IPPROTO_TCP     0x0006
#define ZTS_IPPROTO_UDP     0x0011
#define ZTS_IPPROTO_IPV6    0x0029
#define ZTS_IPPROTO_ICMPV6  0x003a
#define ZTS_IPPROTO_UDPLITE 0x0088
#define ZTS_IPPROTO_RAW     0x00ff

typedef uint32_t zts_socklen_t;
typedef uint32_t zts_in_addr_t;
typedef uint16_t zts_in_port_t;
typedef uint8_t zts_sa_family_t;

/* Network byte order. */
struct zts_in_addr {
    zts_in_addr_t s_addr;
};

struct zts_in6_addr {
    union un {
        uint32_t u32_addr[4];
        uint8_t u8_addr[16];
    } un;
};

/* An object, as in libzt, but `static` so that including this header in
 * several C files does not define the symbol several times. */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((unused))
#endif
static const struct zts_in6_addr zts_in6addr_any = ZTS_IN6ADDR_ANY_INIT;

#define SIN_ZERO_LEN 8

struct zts_sockaddr_in {
    uint8_t sin_len;
    zts_sa_family_t sin_family;
    zts_in_port_t sin_port; /* network byte order */
    struct zts_in_addr sin_addr;
    char sin_zero[SIN_ZERO_LEN];
};

struct zts_sockaddr_in6 {
    uint8_t sin6_len;
    zts_sa_family_t sin6_family;
    zts_in_port_t sin6_port; /* network byte order */
    uint32_t sin6_flowinfo;
    struct zts_in6_addr sin6_addr;
    uint32_t sin6_scope_id;
};

struct zts_sockaddr {
    uint8_t sa_len;
    zts_sa_family_t sa_family;
    char sa_data[14];
};

/* Large and aligned enough for either family. */
struct zts_sockaddr_storage {
    uint8_t s2_len;
    zts_sa_family_t ss_family;
    char s2_data1[2];
    uint32_t s2_data2[3];
    uint32_t s2_data3[3];
};

/*----------------------------------------------------------------------------
 * Node, network and peer descriptions
 *
 * Filled by the library and handed to the event handler. The pointers in a
 * zts_event_msg_t are valid only during the handler call: copy what you keep.
 *--------------------------------------------------------------------------*/

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

typedef enum {
    ZTS_NETWORK_STATUS_REQUESTING_CONFIGURATION = 0,
    ZTS_NETWORK_STATUS_OK = 1,
    ZTS_NETWORK_STATUS_ACCESS_DENIED = 2,
    ZTS_NETWORK_STATUS_NOT_FOUND = 3,
    ZTS_NETWORK_STATUS_PORT_ERROR = 4,
    ZTS_NETWORK_STATUS_CLIENT_TOO_OLD = 5
} zts_network_status_t;

typedef enum {
    ZTS_NETWORK_TYPE_PRIVATE = 0, /* members need authorization */
    ZTS_NETWORK_TYPE_PUBLIC = 1
} zts_net_info_type_t;

/* In `target` the port field holds the prefix length, not a port. */
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

typedef enum {
    ZTS_PEER_ROLE_LEAF = 0,
    ZTS_PEER_ROLE_MOON = 1,
    ZTS_PEER_ROLE_PLANET = 2
} zts_peer_role_t;

/* Large (about 19 KiB, mostly multicast_subs): do not put it on a
 * small stack. In assigned_addrs the port field holds the prefix length. */
typedef struct {
    uint64_t net_id;
    uint64_t mac;
    char name[ZTS_MAX_NETWORK_SHORT_NAME_LENGTH + 1];
    zts_network_status_t status;
    zts_net_info_type_t type;
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

/* The unused_* members only keep the layout identical to libzt's. */
typedef struct {
    struct zts_sockaddr_storage address;
    uint64_t last_tx; /* ms timestamps */
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
    int ver_major; /* -1 when unknown */
    int ver_minor;
    int ver_rev;
    int latency; /* ms, -1 when unknown */
    zts_peer_role_t role;
    unsigned int path_count;
    int unused_0;
    zts_path_t paths[ZTS_MAX_PEER_NETWORK_PATHS];
} zts_peer_info_t;

/* Input of zts_util_sign_root_set(): NULL ends each list. */
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
    int16_t event_code; /* a zts_event_t */
    zts_node_info_t* node;
    zts_net_info_t* network;
    zts_netif_info_t* netif;
    zts_route_info_t* route;
    zts_peer_info_t* peer;
    zts_addr_info_t* addr;
    void* cache; /* ZTS_EVENT_STORE_*: len bytes to persist */
    int len;
} zts_event_msg_t;

/*----------------------------------------------------------------------------
 * Identity
 *--------------------------------------------------------------------------*/

/* Generate a new identity as text. *key_buf_len: in, size of key (exactly
 * ZTS_ID_STR_BUF_LEN, as libzt asks; anything else is ZTS_ERR_ARG); out, length
 * written. Usable without a node. */
ZTS_API int ZTCALL zts_id_new(char* key, unsigned int* key_buf_len);

/* 1 if key is a well-formed identity with a secret that matches its address,
 * 0 otherwise. */
ZTS_API int ZTCALL zts_id_pair_is_valid(const char* key, unsigned int len);

/*----------------------------------------------------------------------------
 * Node configuration: only before zts_node_start(), else ZTS_ERR_SERVICE
 *--------------------------------------------------------------------------*/

/* Keep identity, roots, peers and network configs under path. Without this
 * or zts_init_from_memory() a fresh identity is generated at start. */
ZTS_API int ZTCALL zts_init_from_storage(const char* path);

/* Use this text identity; nothing is written to disk. */
ZTS_API int ZTCALL zts_init_from_memory(const char* key, unsigned int len);

/* callback receives a zts_event_msg_t* on the library's callback thread.
 * It must return promptly and must not keep the pointer. */
ZTS_API int ZTCALL zts_init_set_event_handler(void (*callback)(void*));

/* TCP relay, the fallback when UDP is blocked. */
ZTS_API int ZTCALL zts_init_set_tcp_relay(const char* tcp_relay_addr, unsigned short tcp_relay_port);
ZTS_API int ZTCALL zts_init_allow_tcp_relay(int enabled);
ZTS_API int ZTCALL zts_init_force_tcp_relay(int enabled);

/* Send no underlay traffic over host interfaces whose name starts with
 * prefix. */
ZTS_API int ZTCALL zts_init_blacklist_if(const char* prefix, unsigned int len);

/* Replace the default roots with a signed root set (a serialized "world", as
 * produced by zts_util_sign_root_set()). Unlike libzt, which takes any bytes
 * and fails later, the data is checked here: it must be exactly one
 * well-formed world of type planet, else ZTS_ERR_ARG. */
ZTS_API int ZTCALL zts_init_set_roots(const void* roots_data, unsigned int len);

/* Not implemented: always ZTS_ERR_GENERAL. (Not in libzt 1.8.4 either; libzt's
 * sources after its last release, 1.8.10, use it for fewer keepalives and
 * config polls.) */
ZTS_API int ZTCALL zts_init_set_low_bandwidth_mode(int enabled);

/* Underlay UDP ports. */
ZTS_API int ZTCALL zts_init_set_port(unsigned short port);
ZTS_API int ZTCALL zts_init_set_random_port_range(unsigned short start_port, unsigned short end_port);
ZTS_API int ZTCALL zts_init_allow_secondary_port(unsigned int allowed);
ZTS_API int ZTCALL zts_init_allow_port_mapping(unsigned int allowed);

/* What is cached in storage; all default to on with zts_init_from_storage(). */
ZTS_API int ZTCALL zts_init_allow_net_cache(unsigned int allowed);
ZTS_API int ZTCALL zts_init_allow_peer_cache(unsigned int allowed);
ZTS_API int ZTCALL zts_init_allow_roots_cache(unsigned int allowed);
ZTS_API int ZTCALL zts_init_allow_id_cache(unsigned int allowed);

/*----------------------------------------------------------------------------
 * Addresses assigned to this node
 *--------------------------------------------------------------------------*/

/* 1 if the network gave us an address of this family, else 0. */
ZTS_API int ZTCALL zts_addr_is_assigned(uint64_t net_id, unsigned int family);

/* The first assigned address of the family. */
ZTS_API int ZTCALL zts_addr_get(uint64_t net_id, unsigned int family, struct zts_sockaddr_storage* addr);

/* Same as text; len must be ZTS_IP_MAX_STR_LEN. */
ZTS_API int ZTCALL zts_addr_get_str(uint64_t net_id, unsigned int family, char* dst, unsigned int len);

/* addr holds ZTS_MAX_ASSIGNED_ADDRESSES entries and *count must equal that
 * on entry; on return *count is the number filled. */
ZTS_API int ZTCALL zts_addr_get_all(uint64_t net_id, struct zts_sockaddr_storage* addr, unsigned int* count);

/* The IPv6 addresses ZeroTier derives from (network, node): pure
 * computations, no node needed. String variants: len must be
 * ZTS_IP_MAX_STR_LEN. */
ZTS_API int ZTCALL
zts_addr_compute_6plane(const uint64_t net_id, const uint64_t node_id, struct zts_sockaddr_storage* addr);
ZTS_API int ZTCALL
zts_addr_compute_rfc4193(const uint64_t net_id, const uint64_t node_id, struct zts_sockaddr_storage* addr);
ZTS_API int ZTCALL zts_addr_compute_rfc4193_str(uint64_t net_id, uint64_t node_id, char* dst, unsigned int len);
ZTS_API int ZTCALL zts_addr_compute_6plane_str(uint64_t net_id, uint64_t node_id, char* dst, unsigned int len);

/*----------------------------------------------------------------------------
 * Networks
 *--------------------------------------------------------------------------*/

/* ID of the controller-less network 0xff SSSS EEEE 000000 that admits IPv6
 * TCP/UDP unicast to ports start_port..end_port. Pure computation. */
ZTS_API uint64_t ZTCALL zts_net_compute_adhoc_id(uint16_t start_port, uint16_t end_port);

/* Asynchronous: progress arrives as ZTS_EVENT_NETWORK_* events. */
ZTS_API int ZTCALL zts_net_join(uint64_t net_id);
ZTS_API int ZTCALL zts_net_leave(uint64_t net_id);

/* 1 once the network's interface is up and can carry traffic, else 0. */
ZTS_API int ZTCALL zts_net_transport_is_ready(const uint64_t net_id);

/* 0 when the network is unknown; (uint64_t)ZTS_ERR_SERVICE with no node. */
ZTS_API uint64_t ZTCALL zts_net_get_mac(uint64_t net_id);
/* len must be at least ZTS_MAC_ADDRSTRLEN. */
ZTS_API int ZTCALL zts_net_get_mac_str(uint64_t net_id, char* dst, unsigned int len);
/* 1 if broadcast is enabled on the network, else 0. */
ZTS_API int ZTCALL zts_net_get_broadcast(uint64_t net_id);
ZTS_API int ZTCALL zts_net_get_mtu(uint64_t net_id);
ZTS_API int ZTCALL zts_net_get_name(uint64_t net_id, char* dst, unsigned int len);
/* A zts_network_status_t, or a negative zts_error_t. */
ZTS_API int ZTCALL zts_net_get_status(uint64_t net_id);
/* A zts_net_info_type_t, or a negative zts_error_t. */
ZTS_API int ZTCALL zts_net_get_type(uint64_t net_id);

/*----------------------------------------------------------------------------
 * Routes
 *--------------------------------------------------------------------------*/

/* 1 if the network pushed a route of this family, else 0. Per-route detail
 * is in the core queries below. */
ZTS_API int ZTCALL zts_route_is_assigned(uint64_t net_id, unsigned int family);

/*----------------------------------------------------------------------------
 * Node lifecycle
 *--------------------------------------------------------------------------*/

/* Start the node's threads. Returns before the node is online: wait for
 * ZTS_EVENT_NODE_ONLINE or poll zts_node_is_online(). */
ZTS_API int ZTCALL zts_node_start(void);
/* 1 if at least one root answers, else 0. */
ZTS_API int ZTCALL zts_node_is_online(void);
/* The 40-bit address; (uint64_t)ZTS_ERR_SERVICE while no node runs. */
ZTS_API uint64_t ZTCALL zts_node_get_id(void);
/* The running node's identity as text, secret included. *key_dst_len: in,
 * size of key (at least ZTS_ID_STR_BUF_LEN); out, length written. */
ZTS_API int ZTCALL zts_node_get_id_pair(char* key, unsigned int* key_dst_len);
/* The primary UDP port actually bound. */
ZTS_API int ZTCALL zts_node_get_port(void);
/* Stop the ZeroTier service; the TCP/IP stack stays up. */
ZTS_API int ZTCALL zts_node_stop(void);
/* Stop and release everything; nothing starts again afterwards. Before the
 * first zts_node_start() there is nothing to free: ZTS_ERR_SERVICE, and the
 * library stays usable. (libzt also answers ZTS_ERR_SERVICE after
 * zts_node_stop(); we free then too.) */
ZTS_API int ZTCALL zts_node_free(void);

/* Moons: additional, user-run roots identified by their world ID (a world of
 * type moon, as `libzt world new --moon` or `zerotier-idtool genmoon` makes).
 * zts_moon_orbit() asks moon_seed, the address of one of the moon's roots
 * (found through the roots we already have), for the moon; it arrives in
 * the root's OK(HELLO), is checked (its own signature, its ID, moon_seed
 * among its roots) and, with zts_init_from_storage(), kept as
 * moons.d/<16 hex digits of the ID>.moon, which is loaded at every start
 * (zerotier-one's layout: a moon file copied there is orbited too). From
 * then on its roots serve the node as the planet's do: HELLO, WHOIS,
 * relaying, the online state. Returns at once (ZTS_ERR_OK); the fetch runs in
 * the background. A moon_seed of 0 fetches nothing: only a moon file already
 * in moons.d/ is taken, as zerotier-one does. zts_moon_deorbit() forgets the
 * moon and deletes its file. */
ZTS_API int ZTCALL zts_moon_orbit(uint64_t moon_roots_id, uint64_t moon_seed);
ZTS_API int ZTCALL zts_moon_deorbit(uint64_t moon_roots_id);

/*----------------------------------------------------------------------------
 * Statistics: TCP/IP stack counters
 *--------------------------------------------------------------------------*/

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

/* Counters since the stack started (they wrap at 2^32). link_*: the Ethernet
 * frames between the stack and ZeroTier (tx: sent onto networks, rx:
 * delivered to the stack, drop: refused by rules, membership or a missing
 * config). All the others are lwIP's own counts; err is the sum of its error
 * kinds, IPv4/IPv6 including fragmentation errors. With an lwIP built
 * without statistics (LWIP_STATS 0) only link_* are filled and the call
 * returns ZTS_ERR_NO_RESULT; ZTS_ERR_ARG for NULL, then ZTS_ERR_SERVICE with
 * no node. */
ZTS_API int ZTCALL zts_stats_get_all(zts_stats_counter_t* dst);

/*----------------------------------------------------------------------------
 * BSD socket API
 *
 * Same semantics as the POSIX calls of the same name, on the embedded stack.
 * On failure they return ZTS_ERR_SOCKET and set zts_errno, or return
 * ZTS_ERR_SERVICE when the node is not running.
 *--------------------------------------------------------------------------*/

/* send/recv flags */
#define ZTS_MSG_PEEK     0x0001
#define ZTS_MSG_WAITALL  0x0002
#define ZTS_MSG_OOB      0x0004
#define ZTS_MSG_DONTWAIT 0x0008
#define ZTS_MSG_MORE     0x0010
/* zts_msghdr.msg_flags on return */
#define ZTS_MSG_TRUNC  0x04
#define ZTS_MSG_CTRUNC 0x08

/* ioctl request encoding (BSD style: direction, size, group, number). */
#define ZTS_IOCPARM_MASK 0x7fU
#define ZTS_IOC_VOID     0x20000000UL
#define ZTS_IOC_OUT      0x40000000UL
#define ZTS_IOC_IN       0x80000000UL
#define ZTS_IOC_INOUT    (ZTS_IOC_IN | ZTS_IOC_OUT)
#define ZTS_IO(x, y)     (ZTS_IOC_VOID | ((x) << 8) | (y))
#define ZTS_IOR(x, y, t) (ZTS_IOC_OUT | (((long)sizeof(t) & ZTS_IOCPARM_MASK) << 16) | ((x) << 8) | (y))
#define ZTS_IOW(x, y, t) (ZTS_IOC_IN | (((long)sizeof(t) & ZTS_IOCPARM_MASK) << 16) | ((x) << 8) | (y))
#define ZTS_FIONREAD     ZTS_IOR('f', 127, unsigned long)
#define ZTS_FIONBIO      ZTS_IOW('f', 126, unsigned long)

/* Socket options: level ZTS_SOL_SOCKET */
#define ZTS_SOL_SOCKET       0x0fff
#define ZTS_SO_DEBUG         0x0001
#define ZTS_SO_ACCEPTCONN    0x0002
#define ZTS_SO_REUSEADDR     0x0004
#define ZTS_SO_KEEPALIVE     0x0008
#define ZTS_SO_DONTROUTE     0x0010
#define ZTS_SO_BROADCAST     0x0020
#define ZTS_SO_USELOOPBACK   0x0040
#define ZTS_SO_LINGER        0x0080
#define ZTS_SO_DONTLINGER    ((int)(~ZTS_SO_LINGER))
#define ZTS_SO_OOBINLINE     0x0100
#define ZTS_SO_REUSEPORT     0x0200
#define ZTS_SO_SNDBUF        0x1001
#define ZTS_SO_RCVBUF        0x1002
#define ZTS_SO_SNDLOWAT      0x1003
#define ZTS_SO_RCVLOWAT      0x1004
#define ZTS_SO_SNDTIMEO      0x1005
#define ZTS_SO_RCVTIMEO      0x1006
#define ZTS_SO_ERROR         0x1007
#define ZTS_SO_TYPE          0x1008
#define ZTS_SO_CONTIMEO      0x1009
#define ZTS_SO_NO_CHECK      0x100a
#define ZTS_SO_BINDTODEVICE  0x100b

/* Value of ZTS_SO_LINGER. */
struct zts_linger {
    int l_onoff;
    int l_linger; /* seconds */
};

/* Level ZTS_IPPROTO_IP */
#define ZTS_IP_TOS             0x0001
#define ZTS_IP_TTL             0x0002
#define ZTS_IP_ADD_MEMBERSHIP  3
#define ZTS_IP_DROP_MEMBERSHIP 4
#define ZTS_IP_MULTICAST_TTL   5
#define ZTS_IP_MULTICAST_IF    6
#define ZTS_IP_MULTICAST_LOOP  7
#define ZTS_IP_PKTINFO         0x0008

/* Value of ZTS_IP_ADD_MEMBERSHIP / ZTS_IP_DROP_MEMBERSHIP. */
typedef struct zts_ip_mreq {
    struct zts_in_addr imr_multiaddr;
    struct zts_in_addr imr_interface;
} zts_ip_mreq;

/* Control message data of ZTS_IP_PKTINFO. */
struct zts_in_pktinfo {
    unsigned int ipi_ifindex;
    struct zts_in_addr ipi_addr;
};

/* Level ZTS_IPPROTO_TCP */
#define ZTS_TCP_NODELAY   0x0001
#define ZTS_TCP_KEEPALIVE 0x0002
#define ZTS_TCP_KEEPIDLE  0x0003
#define ZTS_TCP_KEEPINTVL 0x0004
#define ZTS_TCP_KEEPCNT   0x0005

/* Level ZTS_IPPROTO_IPV6 */
#define ZTS_IPV6_CHECKSUM        0x0007
#define ZTS_IPV6_JOIN_GROUP      12
#define ZTS_IPV6_ADD_MEMBERSHIP  ZTS_IPV6_JOIN_GROUP
#define ZTS_IPV6_LEAVE_GROUP     13
#define ZTS_IPV6_DROP_MEMBERSHIP ZTS_IPV6_LEAVE_GROUP
#define ZTS_IPV6_V6ONLY          0x001b
/* Not in libzt 1.8.4 (nor in its lwIP: this library provides them over lwIP's IPv4 ones), with
 * Linux's numbers: an IPv6 socket's hop limit, its multicast hop limit, and whether its multicast
 * comes back to the host's own members of the group. */
#define ZTS_IPV6_UNICAST_HOPS    16
#define ZTS_IPV6_MULTICAST_HOPS  18
#define ZTS_IPV6_MULTICAST_LOOP  19

/* Value of ZTS_IPV6_JOIN_GROUP / ZTS_IPV6_LEAVE_GROUP. */
typedef struct zts_ipv6_mreq {
    struct zts_in6_addr ipv6mr_multiaddr;
    unsigned int ipv6mr_interface;
} zts_ipv6_mreq;

/* Level ZTS_IPPROTO_UDPLITE */
#define ZTS_UDPLITE_SEND_CSCOV 0x01
#define ZTS_UDPLITE_RECV_CSCOV 0x02

/* Values of ZTS_IP_TOS: type of service bits and precedence. */
#define ZTS_IPTOS_TOS_MASK             0x1E
#define ZTS_IPTOS_TOS(tos)             ((tos) & ZTS_IPTOS_TOS_MASK)
#define ZTS_IPTOS_LOWDELAY             0x10
#define ZTS_IPTOS_THROUGHPUT           0x08
#define ZTS_IPTOS_RELIABILITY          0x04
#define ZTS_IPTOS_LOWCOST              0x02
#define ZTS_IPTOS_MINCOST              ZTS_IPTOS_LOWCOST
#define ZTS_IPTOS_PREC_MASK            0xe0
#define ZTS_IPTOS_PREC(tos)            ((tos) & ZTS_IPTOS_PREC_MASK)
#define ZTS_IPTOS_PREC_NETCONTROL      0xe0
#define ZTS_IPTOS_PREC_INTERNETCONTROL 0xc0
#define ZTS_IPTOS_PREC_CRITIC_ECP      0xa0
#define ZTS_IPTOS_PREC_FLASHOVERRIDE   0x80
#define ZTS_IPTOS_PREC_FLASH           0x60
#define ZTS_IPTOS_PREC_IMMEDIATE       0x40
#define ZTS_IPTOS_PREC_PRIORITY        0x20
#define ZTS_IPTOS_PREC_ROUTINE         0x00

/* fcntl: only F_GETFL/F_SETFL, and of the flags only O_NONBLOCK matters. */
#define ZTS_F_GETFL    0x0003
#define ZTS_F_SETFL    0x0004
#define ZTS_O_NONBLOCK 1
#define ZTS_O_NDELAY   ZTS_O_NONBLOCK
#define ZTS_O_RDONLY   2
#define ZTS_O_WRONLY   4
#define ZTS_O_RDWR     (ZTS_O_RDONLY | ZTS_O_WRONLY)

/* poll events */
#define ZTS_POLLIN     0x001
#define ZTS_POLLOUT    0x002
#define ZTS_POLLERR    0x004
#define ZTS_POLLNVAL   0x008
#define ZTS_POLLRDNORM 0x010
#define ZTS_POLLRDBAND 0x020
#define ZTS_POLLPRI    0x040
#define ZTS_POLLWRNORM 0x080
#define ZTS_POLLWRBAND 0x100
#define ZTS_POLLHUP    0x200

/* shutdown how */
#define ZTS_SHUT_RD   0x0
#define ZTS_SHUT_WR   0x1
#define ZTS_SHUT_RDWR 0x2

/* select() sets. Descriptors are 0..ZTS_FD_SETSIZE-1; the macros ignore
 * values outside that range instead of writing past the set. A process may
 * have more sockets open than that (16,384): as with the OS's FD_SETSIZE,
 * descriptors from ZTS_FD_SETSIZE up are for zts_bsd_poll, not select.
 * LWIP_SOCKET_OFFSET and MEMP_NUM_NETCONN are lwIP configuration names that
 * libzt's header exposes; they are kept for code that reads them, but the set
 * size below does not depend on them, so a different lwIP configuration
 * cannot change the layout of zts_fd_set. */
#ifndef LWIP_SOCKET_OFFSET
#define LWIP_SOCKET_OFFSET 0
#endif
#ifndef MEMP_NUM_NETCONN
#define MEMP_NUM_NETCONN 1024
#endif
#define ZTS_FD_SETSIZE 1024
#define ZTS_FDSETSAFESET(n, code)                                   \
    do {                                                            \
        if (((int)(n)) >= 0 && ((int)(n)) < ZTS_FD_SETSIZE) {       \
            code;                                                   \
        }                                                           \
    } while (0)
#define ZTS_FDSETSAFEGET(n, code) ((((int)(n)) >= 0 && ((int)(n)) < ZTS_FD_SETSIZE) ? (code) : 0)
#define ZTS_FD_SET(n, p)   ZTS_FDSETSAFESET(n, (p)->fd_bits[(n) / 8] |= (1 << ((n) & 7)))
#define ZTS_FD_CLR(n, p)   ZTS_FDSETSAFESET(n, (p)->fd_bits[(n) / 8] &= ~(1 << ((n) & 7)))
#define ZTS_FD_ISSET(n, p) ZTS_FDSETSAFEGET(n, (p)->fd_bits[(n) / 8] & (1 << ((n) & 7)))
#define ZTS_FD_ZERO(p)     memset((void*)(p), 0, sizeof(*(p)))

typedef struct zts_fd_set {
    unsigned char fd_bits[(ZTS_FD_SETSIZE + 7) / 8];
} zts_fd_set;

typedef struct zts_timeval {
    long tv_sec;
    long tv_usec;
} zts_timeval;

typedef unsigned int zts_nfds_t;

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

/* Returns the new descriptor. */
ZTS_API int ZTCALL zts_bsd_socket(int family, int type, int protocol);
ZTS_API int ZTCALL zts_bsd_connect(int fd, const struct zts_sockaddr* addr, zts_socklen_t addrlen);
ZTS_API int ZTCALL zts_bsd_bind(int fd, const struct zts_sockaddr* addr, zts_socklen_t addrlen);
ZTS_API int ZTCALL zts_bsd_listen(int fd, int backlog);
/* Returns the new descriptor. */
ZTS_API int ZTCALL zts_bsd_accept(int fd, struct zts_sockaddr* addr, zts_socklen_t* addrlen);
ZTS_API int ZTCALL zts_bsd_setsockopt(int fd, int level, int optname, const void* optval, zts_socklen_t optlen);
ZTS_API int ZTCALL zts_bsd_getsockopt(int fd, int level, int optname, void* optval, zts_socklen_t* optlen);
ZTS_API int ZTCALL zts_bsd_getsockname(int fd, struct zts_sockaddr* addr, zts_socklen_t* addrlen);
ZTS_API int ZTCALL zts_bsd_getpeername(int fd, struct zts_sockaddr* addr, zts_socklen_t* addrlen);
ZTS_API int ZTCALL zts_bsd_close(int fd);
/* Returns the number of ready descriptors; timeout NULL blocks. */
ZTS_API int ZTCALL
zts_bsd_select(int nfds, zts_fd_set* readfds, zts_fd_set* writefds, zts_fd_set* exceptfds, struct zts_timeval* timeout);
/* F_GETFL returns the flags. */
ZTS_API int ZTCALL zts_bsd_fcntl(int fd, int cmd, int flags);
/* Returns the number of ready descriptors; timeout in ms, -1 blocks. */
ZTS_API int ZTCALL zts_bsd_poll(struct zts_pollfd* fds, zts_nfds_t nfds, int timeout);
/* ZTS_FIONREAD and ZTS_FIONBIO. */
ZTS_API int ZTCALL zts_bsd_ioctl(int fd, unsigned long request, void* argp);
ZTS_API ssize_t ZTCALL zts_bsd_send(int fd, const void* buf, size_t len, int flags);
ZTS_API ssize_t ZTCALL
zts_bsd_sendto(int fd, const void* buf, size_t len, int flags, const struct zts_sockaddr* addr, zts_socklen_t addrlen);
ZTS_API ssize_t ZTCALL zts_bsd_sendmsg(int fd, const struct zts_msghdr* msg, int flags);
ZTS_API ssize_t ZTCALL zts_bsd_recv(int fd, void* buf, size_t len, int flags);
ZTS_API ssize_t ZTCALL
zts_bsd_recvfrom(int fd, void* buf, size_t len, int flags, struct zts_sockaddr* addr, zts_socklen_t* addrlen);
ZTS_API ssize_t ZTCALL zts_bsd_recvmsg(int fd, struct zts_msghdr* msg, int flags);
ZTS_API ssize_t ZTCALL zts_bsd_read(int fd, void* buf, size_t len);
ZTS_API ssize_t ZTCALL zts_bsd_readv(int fd, const struct zts_iovec* iov, int iovcnt);
ZTS_API ssize_t ZTCALL zts_bsd_write(int fd, const void* buf, size_t len);
ZTS_API ssize_t ZTCALL zts_bsd_writev(int fd, const struct zts_iovec* iov, int iovcnt);
ZTS_API int ZTCALL zts_bsd_shutdown(int fd, int how);

/*----------------------------------------------------------------------------
 * Simplified socket API: addresses as text plus a port
 *
 * Address strings are IPv4 or IPv6 literals (no host names); buffers that
 * receive one must be exactly ZTS_INET6_ADDRSTRLEN long (anything else is
 * ZTS_ERR_ARG, as in libzt), and are written the way libzt writes them
 * (IPv6 in upper case, see zts_inet_ntop). Port out-parameters may be NULL.
 * Errors as for the BSD calls: ZTS_ERR_SERVICE while no node runs, checked
 * before the arguments.
 *--------------------------------------------------------------------------*/

ZTS_API int ZTCALL zts_socket(int family, int type, int protocol);

/* Unlike zts_bsd_connect(), a blocking socket tries again, four times a
 * second, until timeout_ms has passed (0 means 30 s; negative is ZTS_ERR_ARG):
 * the first packets to a peer are often lost while a path to it forms, its
 * address may not be assigned yet, and its listener may not be up yet. Each
 * new attempt runs on a fresh socket under the same descriptor, with the
 * options and local address the first one had. Fails with zts_errno
 * ZTS_ETIMEDOUT if an attempt was still under way at the deadline, else with
 * the last attempt's reason (ZTS_ECONNREFUSED, ZTS_EHOSTUNREACH, ...). On a
 * non-blocking socket this is one zts_bsd_connect(). */
ZTS_API int ZTCALL zts_connect(int fd, const char* ipstr, unsigned short port, int timeout_ms);
ZTS_API int ZTCALL zts_bind(int fd, const char* ipstr, unsigned short port);
ZTS_API int ZTCALL zts_listen(int fd, int backlog);
/* Returns the new descriptor and the peer's address and port. */
ZTS_API int ZTCALL zts_accept(int fd, char* remote_addr, int len, unsigned short* port);
ZTS_API ssize_t ZTCALL zts_send(int fd, const void* buf, size_t len, int flags);
ZTS_API ssize_t ZTCALL zts_recv(int fd, void* buf, size_t len, int flags);
ZTS_API ssize_t ZTCALL zts_read(int fd, void* buf, size_t len);
ZTS_API ssize_t ZTCALL zts_write(int fd, const void* buf, size_t len);
ZTS_API int ZTCALL zts_shutdown_rd(int fd);
ZTS_API int ZTCALL zts_shutdown_wr(int fd);
ZTS_API int ZTCALL zts_shutdown_rdwr(int fd);
ZTS_API int ZTCALL zts_close(int fd);
ZTS_API int ZTCALL zts_getpeername(int fd, char* remote_addr_str, int len, unsigned short* port);
ZTS_API int ZTCALL zts_getsockname(int fd, char* local_addr_str, int len, unsigned short* port);

/* One-call helpers; each returns the descriptor (libzt 1.8.4's tcp_client and
 * tcp_server return 0 instead: fixed here). zts_tcp_client() connects as
 * zts_connect() with the default 30 s. zts_tcp_server() blocks until one
 * client connects and returns that client's descriptor; the listening socket
 * is closed. On failure they close what they opened, zts_errno kept. */
ZTS_API int ZTCALL zts_tcp_client(const char* remote_ipstr, unsigned short remote_port);
ZTS_API int ZTCALL zts_tcp_server(
    const char* local_ipstr,
    unsigned short local_port,
    char* remote_ipstr,
    int len,
    unsigned short* remote_port);
ZTS_API int ZTCALL zts_udp_server(const char* local_ipstr, unsigned short local_port);
/* A UDP socket of remote_ipstr's family, nothing more (as in libzt): send
 * with zts_bsd_sendto(), or zts_connect() it first. */
ZTS_API int ZTCALL zts_udp_client(const char* remote_ipstr);

/* Option shortcuts. Setters take 0/1 for on/off (else ZTS_ERR_ARG) and
 * refuse negative sizes and times; getters return the value (1/0 for on/off)
 * or a negative zts_error_t. zts_get_recv_timeout/zts_get_send_timeout return
 * whole seconds, as in libzt. lwIP has no send buffer size: the
 * *_send_buf_size calls fail with ZTS_ENOPROTOOPT, as in libzt. */
ZTS_API int ZTCALL zts_set_no_delay(int fd, int enabled);
ZTS_API int ZTCALL zts_get_no_delay(int fd);
/* The socket's pending error (ZTS_SO_ERROR), a zts_errno_t. */
ZTS_API int ZTCALL zts_get_last_socket_error(int fd);
/* Bytes readable now (ZTS_FIONREAD). As in libzt a failure comes back as a
 * negative zts_error_t converted to size_t: test with (ssize_t)n < 0. */
ZTS_API size_t ZTCALL zts_get_data_available(int fd);
ZTS_API int ZTCALL zts_get_pending_data_size(int fd);
ZTS_API int ZTCALL zts_set_linger(int fd, int enabled, int value);
ZTS_API int ZTCALL zts_get_linger_enabled(int fd);
ZTS_API int ZTCALL zts_get_linger_value(int fd);
ZTS_API int ZTCALL zts_set_reuse_addr(int fd, int enabled);
ZTS_API int ZTCALL zts_get_reuse_addr(int fd);
ZTS_API int ZTCALL zts_set_recv_timeout(int fd, int seconds, int microseconds);
ZTS_API int ZTCALL zts_get_recv_timeout(int fd);
ZTS_API int ZTCALL zts_set_send_timeout(int fd, int seconds, int microseconds);
ZTS_API int ZTCALL zts_get_send_timeout(int fd);
ZTS_API int ZTCALL zts_set_send_buf_size(int fd, int size);
ZTS_API int ZTCALL zts_get_send_buf_size(int fd);
ZTS_API int ZTCALL zts_set_recv_buf_size(int fd, int size);
ZTS_API int ZTCALL zts_get_recv_buf_size(int fd);
ZTS_API int ZTCALL zts_set_ttl(int fd, int ttl);
ZTS_API int ZTCALL zts_get_ttl(int fd);
ZTS_API int ZTCALL zts_set_blocking(int fd, int enabled);
ZTS_API int ZTCALL zts_get_blocking(int fd);
ZTS_API int ZTCALL zts_set_keepalive(int fd, int enabled);
ZTS_API int ZTCALL zts_get_keepalive(int fd);

/*----------------------------------------------------------------------------
 * Name resolution over the virtual network
 *--------------------------------------------------------------------------*/

struct zts_hostent {
    char* h_name;
    char** h_aliases;
    int h_addrtype;
    int h_length;
    char** h_addr_list;
};
/* Same spelling as <netdb.h>, so both headers can be included together. */
#define h_addr h_addr_list[0]

/* Name resolution: lwIP's DNS client, asking the servers set with
 * zts_dns_set_server() (index 0 or 1) over the node's networks; while none is
 * set (all the zero address), the servers a joined network's config pushes
 * (ztx_net_get_dns in libzt_ext.h). Servers set here always win.
 * zts_bsd_gethostbyname() returns the first address (IPv4, else IPv6) in storage
 * of the calling thread, valid until its next call; NULL with zts_errno
 * ZTS_EHOSTUNREACH when no server answered with one, ZTS_ENETDOWN without a node. */
ZTS_API struct zts_hostent* ZTCALL zts_bsd_gethostbyname(const char* name);

/* Network byte order. */
struct zts_ip4_addr {
    uint32_t addr;
};

/* libzt declares a `zone` member here only when lwIP's LWIP_IPV6_SCOPES is
 * set, which C code including libzt's header never sees; that code's
 * layout (no zone) is the one kept. */
struct zts_ip6_addr {
    uint32_t addr[4];
};

/* type: 0 for IPv4, 6 for IPv6 (lwIP's IPADDR_TYPE_*). */
typedef struct zts_ip_addr {
    union {
        struct zts_ip6_addr ip6;
        struct zts_ip4_addr ip4;
    } u_addr;
    uint8_t type;
} zts_ip_addr;

ZTS_API int ZTCALL zts_dns_set_server(uint8_t index, const zts_ip_addr* addr);
ZTS_API const zts_ip_addr* ZTCALL zts_dns_get_server(uint8_t index);

/*----------------------------------------------------------------------------
 * Core queries, for language bindings
 *
 * libzt's bindings hold its core lock across a count call and the indexed
 * calls that follow. Here zts_core_lock_obtain/release only answer ZTS_ERR_OK
 * (ZTS_ERR_SERVICE without a running node) and lock nothing: each call reads
 * the node as it is then, so a list may change between a count and the indexed
 * calls, and an index past its end is an error (ZTS_ERR_ARG; for paths
 * ZTS_ERR_NO_RESULT). Counts are returned directly (>= 0), or
 * ZTS_ERR_NO_RESULT for a network not joined or a peer not known.
 *--------------------------------------------------------------------------*/

ZTS_API int ZTCALL zts_core_lock_obtain(void);
ZTS_API int ZTCALL zts_core_lock_release(void);

ZTS_API int ZTCALL zts_core_query_addr_count(uint64_t net_id);
ZTS_API int ZTCALL zts_core_query_addr(uint64_t net_id, unsigned int idx, char* addr, unsigned int len);
ZTS_API int ZTCALL zts_core_query_route_count(uint64_t net_id);
ZTS_API int ZTCALL zts_core_query_route(
    uint64_t net_id,
    unsigned int idx,
    char* target,
    char* via,
    unsigned int len,
    uint16_t* flags,
    uint16_t* metric);
ZTS_API int ZTCALL zts_core_query_path_count(uint64_t peer_id);
ZTS_API int ZTCALL zts_core_query_path(uint64_t peer_id, unsigned int idx, char* dst, unsigned int len);
ZTS_API int ZTCALL zts_core_query_mc_count(uint64_t net_id);
ZTS_API int ZTCALL zts_core_query_mc(uint64_t net_id, unsigned int idx, uint64_t* mac, uint32_t* adi);

/*----------------------------------------------------------------------------
 * Utilities: no node needed
 *--------------------------------------------------------------------------*/

/* Build and sign a root set (a "world") listing roots_spec, with world ID id
 * and timestamp ts (a newer ts supersedes an older world of the same id).
 * roots_out receives the serialized world for zts_init_set_roots(); the
 * update-signing key pairs (previous, current) travel through prev_key and
 * curr_key. All *_len are in/out. */
ZTS_API int ZTCALL zts_util_sign_root_set(
    char* roots_out,
    unsigned int* roots_len,
    char* prev_key,
    unsigned int* prev_key_len,
    char* curr_key,
    unsigned int* curr_key_len,
    uint64_t id,
    uint64_t ts,
    zts_root_set_t* roots_spec);

ZTS_API void ZTCALL zts_util_delay(unsigned long milliseconds);

/* ZTS_AF_INET or ZTS_AF_INET6 for an address literal, ZTS_ERR_ARG for
 * anything else (libzt: -1). */
ZTS_API int ZTCALL zts_util_get_ip_family(const char* ipstr);

/* Text address and port to a sockaddr (zeroed, sin_len set). *addrlen: in,
 * size of dstaddr (ZTS_ERR_ARG if too small); out, size used. */
ZTS_API int ZTCALL zts_util_ipstr_to_saddr(
    const char* src_ipstr,
    unsigned short port,
    struct zts_sockaddr* dstaddr,
    zts_socklen_t* addrlen);

/* sockaddr to text address and port; len must be ZTS_INET6_ADDRSTRLEN. */
ZTS_API int ZTCALL
zts_util_ntop(struct zts_sockaddr* addr, zts_socklen_t addrlen, char* dst_str, int len, unsigned short* port);

/* lwIP-style conversions. zts_ipaddr_ntoa returns a buffer of the calling
 * thread that its next call overwrites; zts_ipaddr_aton returns 1 on success
 * and 0 on failure (addr may be NULL to only check). */
ZTS_API char* ZTCALL zts_ipaddr_ntoa(const zts_ip_addr* addr);
ZTS_API int ZTCALL zts_ipaddr_aton(const char* cp, zts_ip_addr* addr);

/* inet_ntop/inet_pton with ZTS_AF_* families, spelling addresses as libzt
 * (lwIP) does: IPv6 text in upper case with "::" for the first run of zero
 * groups, IPv4 text in any of inet_aton's forms ("10.1", "0x7f.0.0.1").
 * zts_inet_pton returns 1 on success, 0 for an invalid string and -1 (with
 * zts_errno set) for a bad family or NULL; it does not use the zts_error_t
 * convention. zts_inet_ntop returns NULL (zts_errno set) on failure. */
ZTS_API const char* ZTCALL zts_inet_ntop(int family, const void* src, char* dst, zts_socklen_t size);
ZTS_API int ZTCALL zts_inet_pton(int family, const char* src, void* dst);

#ifdef __cplusplus
}
#endif

#endif /* ZTS_SOCKETS_H */
