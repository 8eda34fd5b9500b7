/* SPDX-License-Identifier: Apache-2.0 */
/* Our build of lwIP: the options chosen for a ZeroTier node inside a process. Everything not set here
 * is lwIP's default (src/include/lwip/opt.h). The options the C++ glue relies on are pinned, with the
 * reasons, in csrc/net/lwip_options_check.hpp: change one here and the build says what breaks. */
#ifndef LIBZT_LWIPOPTS_H
#define LIBZT_LWIPOPTS_H

/* ---- Operating system: threads, with one core lock taken by whoever calls into the stack ---- */
#define NO_SYS 0
#define SYS_LIGHTWEIGHT_PROT 1
/* The glue hands received frames to lwIP itself under the core lock (no mailbox hop per frame) and
 * calls raw netif/tcp functions under it; the socket API takes it too instead of messaging. */
#define LWIP_TCPIP_CORE_LOCKING 1
#define LWIP_TCPIP_CORE_LOCKING_INPUT 0
#define TCPIP_THREAD_NAME "lwip-tcpip"
#ifdef __cplusplus
extern "C" {
#endif
void lwip_port_lock_core(void);
void lwip_port_unlock_core(void);
void lwip_port_check_core_locked(void);
int lwip_port_core_held(void); /* by the calling thread */
void lwip_port_mark_tcpip_thread(void);
#ifdef __cplusplus
}
#endif
#define LOCK_TCPIP_CORE() lwip_port_lock_core()
#define UNLOCK_TCPIP_CORE() lwip_port_unlock_core()
#define LWIP_ASSERT_CORE_LOCKED() lwip_port_check_core_locked()
#define LWIP_MARK_TCPIP_THREAD() lwip_port_mark_tcpip_thread()

/* Source-based IPv4 routing, for multicast from a bound socket (csrc/lwip_port/route_hooks.cpp). Here,
 * not in lwip_port_hooks.h: ip4.h decides by it what ip4_route_src is, before that file is read. */
struct ip4_addr;
struct netif;
#ifdef __cplusplus
extern "C" {
#endif
struct netif* lwip_port_ip4_route_src(const struct ip4_addr* src, const struct ip4_addr* dest);
#ifdef __cplusplus
}
#endif
#define LWIP_HOOK_IP4_ROUTE_SRC(src, dest) lwip_port_ip4_route_src(src, dest)

/* ---- Memory: the C library's allocator for the heap and for every pool ----
 * Bounds come from the protocols (windows, send buffers, mailbox sizes), not from fixed pools sized
 * for the worst case; and every pbuf and PCB is a malloc block that AddressSanitizer can watch. */
#define MEM_LIBC_MALLOC 1
#define MEMP_MEM_MALLOC 1
#define MEM_USE_POOLS 0
#define MEM_ALIGNMENT __SIZEOF_POINTER__
/* Sockets open at once: lwIP's socket array (NUM_SOCKETS), static, 24 bytes a slot. The limit the
 * application meets is the glue's, SocketTable::kMaxSockets (16,384, EMFILE beyond it); lwIP has some
 * slots more because the glue briefly holds two lwIP sockets for one descriptor (a connect that starts
 * over on a fresh socket, an accepted socket refused at the limit), so lwIP's own "table full" (ENFILE)
 * is never what an application sees. With MEMP_MEM_MALLOC no pool is sized by this. */
#define MEMP_NUM_NETCONN (16384 + 256)
/* IPv4 multicast memberships across all sockets (lwIP's default is one per socket slot, and lwip_close
 * walks the whole table each time): as many as before the socket limit grew. */
#define LWIP_SOCKET_MAX_MEMBERSHIPS 1024

/* ---- Interfaces ---- */
#define LWIP_ETHERNET 1
#define LWIP_ARP 1
#define ARP_TABLE_SIZE 64 /* one entry per peer a node talks to on its networks */
#define ARP_QUEUEING 1
#define ARP_QUEUE_LEN 16
#define ETHARP_SUPPORT_STATIC_ENTRIES 0
/* A frame goes to ZeroTier in one piece (net/netif.cpp copies nothing then). */
#define LWIP_NETIF_TX_SINGLE_PBUF 1
/* lwIP's own loopback interface: 127.0.0.1/8 and ::1, and packets to the node's own addresses. */
#define LWIP_NETIF_LOOPBACK 1
#define LWIP_HAVE_LOOPIF 1
#define LWIP_LOOPIF_MULTICAST 0
#define LWIP_NETIF_API 0
#define LWIP_NETIF_HOSTNAME 0
#define LWIP_NUM_NETIF_CLIENT_DATA 0

/* ---- IPv4 ---- */
#define LWIP_IPV4 1
#define IP_FORWARD 0 /* a node in two networks must not route between them */
/* Linux's default TTL and hop limit (lwIP's is 255), for TCP, UDP and raw sockets and ICMP answers alike:
 * what getsockopt(IP_TTL) says and what a capture shows are a Linux host's. */
#define IP_DEFAULT_TTL 64
#define IP_REASSEMBLY 1
#define IP_FRAG 1
/* Fragments held for reassembly, IPv4 and IPv6 alike (lwIP's default, 10, kept datagrams under ~28 kB at
 * ZeroTier's MTU: larger ones never arrived). A 64 kB datagram is 24 fragments at MTU 2800, 52 at 1280;
 * what other members can make us hold is bounded by this (and IP_REASS_MAXAGE). */
#define IP_REASS_MAX_PBUFS 128
#define LWIP_ICMP 1
#define LWIP_IGMP 1
#define LWIP_DHCP 0    /* addresses come from the network controller */
#define LWIP_AUTOIP 0

/* ---- IPv6 ---- */
#define LWIP_IPV6 1
#define LWIP_IPV6_FORWARD 0
#define LWIP_IPV6_NUM_ADDRESSES 6 /* link-local, 6PLANE, RFC 4193 and assigned ones */
#define LWIP_IPV6_MLD 1
#define MEMP_NUM_MLD6_GROUP 16
#define LWIP_ICMP6 1
#define LWIP_IPV6_FRAG 1
#define LWIP_IPV6_REASS 1
/* Reassembly keeps its bookkeeping beside the fragment header: with 64-bit pointers it does not fit in it. */
#define IPV6_FRAG_COPYHEADER 1
/* Addresses are unique by construction (the controller assigns them): one probe, set PREFERRED by us. */
#define LWIP_IPV6_DUP_DETECT_ATTEMPTS 1
#define LWIP_IPV6_SEND_ROUTER_SOLICIT 1 /* answered by net/ipv6_router.cpp */
#define LWIP_IPV6_AUTOCONFIG 1
#define LWIP_IPV6_DHCP6 0
#define LWIP_ND6_NUM_NEIGHBORS 64
#define LWIP_ND6_NUM_DESTINATIONS 64

/* ---- Transports ---- */
#define LWIP_RAW 1 /* SOCK_RAW sockets */
#define LWIP_UDP 1
#define LWIP_UDPLITE 0
#define LWIP_TCP 1
#define LWIP_ALTCP 0
#define LWIP_RANDOMIZE_INITIAL_LOCAL_PORTS 1
#define LWIP_CHECKSUM_ON_COPY 1
/* Received checksums are not verified: every frame lwIP sees was authenticated by ZeroTier (Poly1305
 * or AES-GMAC-SIV over the whole packet, from the peer that built it), so no bit can have changed on
 * the way, which is all a checksum would catch; verifying cost a bulk receiver 6% of its core thread
 * (bench/tcp.py, perf). Checksums of what lwIP sends are computed as always: peers may verify them. */
#define CHECKSUM_CHECK_IP 0
#define CHECKSUM_CHECK_UDP 0
#define CHECKSUM_CHECK_TCP 0
#define CHECKSUM_CHECK_ICMP 0
#define CHECKSUM_CHECK_ICMP6 0

/* TCP, sized for ZeroTier: its default MTU is 2800 bytes (ZT_DEFAULT_MTU), and performance is paid
 * per frame, not per byte (each one costs a UDP datagram and crypto), so segments are as large as the
 * MTU allows. 2800 - 20 (IPv4) - 20 (TCP) = 2760. Over IPv6 lwIP derives 2800 - 40 - 20 = 2740 from the
 * interface MTU itself (TCP_CALCULATE_EFF_SEND_MSS, for what it sends and the MSS it announces), and
 * likewise on networks whose controller sets a smaller MTU. TCP_MSS is the ceiling. */
#define TCP_MSS 2760
#define TCP_CALCULATE_EFF_SEND_MSS 1
/* Windows of 96 segments (258 KB): enough not to stall a stream between two nodes on one machine
 * (measured: a 64 KB window leaves the sender window-blocked a third of the time). Needs window
 * scaling: shift 3 allows up to 512 KB. */
#define LWIP_WND_SCALE 1
#define TCP_RCV_SCALE 3
#define TCP_WND (96 * TCP_MSS)
#define TCP_SND_BUF (96 * TCP_MSS)
#define TCP_SND_QUEUELEN (4 * TCP_SND_BUF / TCP_MSS)
/* Writable again once this much send buffer is free: 8 segments (lwIP wants it well below 64 KB). */
#define TCP_SNDLOWAT (8 * TCP_MSS)
#define TCP_QUEUE_OOSEQ 1
/* Maximum segment lifetime: TIME_WAIT (and LAST_ACK) last 2*MSL. lwIP's default of 60 s makes them
 * 2 minutes; 30 s gives Linux's 60 s TIME_WAIT (TCP_TIMEWAIT_LEN) and FreeBSD's default MSL. Segments
 * between ZeroTier nodes live for milliseconds to seconds. The local ports a churning client leaves
 * in TIME_WAIT are recycled anyway (net/ephemeral_port.hpp); this bounds how long a server keeps the
 * TIME_WAIT state of connections it closed first. */
#define TCP_MSL 30000UL
#define TCP_LISTEN_BACKLOG 1
#define LWIP_TCP_KEEPALIVE 1 /* SO_KEEPALIVE with TCP_KEEPIDLE/INTVL/CNT */
#define LWIP_TCP_TIMESTAMPS 0

/* ---- Sockets: lwIP's own definitions (struct sockaddr with sa_len, AF_*, SOL_SOCKET, POLL*, ...),
 * whose values ZeroTierSockets.h's ZTS_* constants repeat; only the lwip_* names (no socket()/
 * connect() macros). No source file that includes lwIP's sockets.h may include the system's socket
 * headers. */
#define LWIP_SOCKET 1
#define LWIP_NETCONN 1
#define LWIP_COMPAT_SOCKETS 0
#define LWIP_POSIX_SOCKETS_IO_NAMES 0
#define LWIP_SOCKET_OFFSET 0
#define LWIP_SOCKET_SELECT 0 /* zts_bsd_select is built on lwip_poll */
#define LWIP_SOCKET_POLL 1
#define LWIP_NETCONN_FULLDUPLEX 0
#define LWIP_NETCONN_SEM_PER_THREAD 0
#define LWIP_SO_SNDTIMEO 0 /* send and receive timeouts are the glue's (net/socket_table.hpp) */
#define LWIP_SO_RCVTIMEO 0
#define LWIP_SO_RCVBUF 1
/* SO_RCVBUF's starting value. lwIP's default (INT_MAX) said 2 GB to a program sizing its buffers from
 * it, and let a UDP or raw socket that is not read queue a mailbox of datagrams of up to 64 KB each
 * (64 MB). This is the window TCP offers (TCP_WND: TCP does not read the option), and the most bytes
 * a datagram socket queues before it drops what arrives: a limit like Linux's (212,992 by default),
 * not the same rule (Linux doubles a value set, counts each datagram's buffers, and takes a datagram
 * while the queue is within the limit; lwIP drops one that would take it over). */
#define RECV_BUFSIZE_DEFAULT TCP_WND
#define LWIP_SO_LINGER 1
#define SO_REUSE 1
#define LWIP_MULTICAST_TX_OPTIONS 1
#define LWIP_FIONREAD_LINUXMODE 0
/* Mailboxes between the stack and a socket, in messages (a TCP message is the data of one or more
 * segments; a UDP one a datagram). Full, they refuse data: TCP then holds it back (lwIP retries on the
 * next segment or its 250 ms timer), UDP drops it, a listener resets the connection. So: more than a
 * window's segments; a listener's above the largest backlog (lwIP's is a u8_t, and with
 * TCP_LISTEN_BACKLOG it keeps connections waiting for accept within it). Their slots cost nothing
 * until used (sys_arch.cpp). */
#define TCPIP_MBOX_SIZE 1024
#define DEFAULT_TCP_RECVMBOX_SIZE 1024
#define DEFAULT_UDP_RECVMBOX_SIZE 1024
#define DEFAULT_RAW_RECVMBOX_SIZE 256
#define DEFAULT_ACCEPTMBOX_SIZE 256

/* ---- DNS client (zts_dns_*, zts_bsd_gethostbyname, lwip_getaddrinfo) ---- */
#define LWIP_DNS 1
#define DNS_MAX_SERVERS 2 /* as libzt's build: zts_dns_set_server takes index 0 or 1 */
#define LWIP_DNS_SUPPORT_MDNS_QUERIES 0

/* ---- Statistics: they feed zts_stats_get_all ---- */
#define LWIP_STATS 1
#define LWIP_STATS_DISPLAY 0
#define LINK_STATS 1
#define ETHARP_STATS 1
#define IP_STATS 1
#define IPFRAG_STATS 1
#define ICMP_STATS 1
#define IGMP_STATS 1
#define UDP_STATS 1
#define TCP_STATS 1
/* Heap, pool and sys_arch counts feed nothing, and lwIP takes SYS_ARCH_PROTECT to update the heap's
 * on every mem_malloc and mem_free (two mutex operations per allocation, a few per packet). */
#define MEM_STATS 0
#define MEMP_STATS 0
#define SYS_STATS 0
#define IP6_STATS 1
#define ICMP6_STATS 1
#define IP6_FRAG_STATS 1
#define MLD6_STATS 1
#define ND6_STATS 1

/* ---- Hooks: RFC 6528 initial sequence numbers, and a fix for a pcb freed under its netconn
 * (include/lwip_port_hooks.h says which) ---- */
#define LWIP_HOOK_FILENAME "lwip_port_hooks.h"

/* ---- Nothing else: no PPP, SLIP, SNMP, applications ---- */
#define PPP_SUPPORT 0
#define LWIP_SNMP 0

#endif /* LIBZT_LWIPOPTS_H */
