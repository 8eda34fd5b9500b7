// SPDX-License-Identifier: Apache-2.0
// What the glue assumes of lwIP's build, checked at compile time in one place. lwipopts.h
// (csrc/lwip_port/include) chooses the options; this says which of them code here depends on, and why.
#pragma once

#include <lwip/init.h>
#include <lwip/opt.h>
#include <lwip/prot/icmp6.h>
#include <lwip/prot/ieee.h>
#include <lwip/prot/ip.h>
#include <lwip/prot/ip4.h>
#include <lwip/prot/ip6.h>
#include <lwip/sockets.h>
#ifdef LWIP_HOOK_FILENAME
#include LWIP_HOOK_FILENAME
#endif

#include <cstddef>

#include "ZeroTierSockets.h"
#include "libzt_ext.h"
#include "zt/ip_numbers.hpp"

// socket_table.cpp and receive_assist.cpp read struct lwip_sock and struct netconn (lwip/priv), and
// tcp_acks.cpp walks tcp_active_pcbs: layouts of this release (2.2 moved netconn's socket field).
#if LWIP_VERSION_MAJOR != 2 || LWIP_VERSION_MINOR != 1
#error "the glue reads lwIP 2.1 internals (netconn->socket, struct lwip_sock, tcp_active_pcbs)"
#endif

// Threads, and one core lock: the glue feeds frames and changes interfaces itself under CoreLock
// (net/stack.hpp) rather than through the tcpip thread's mailbox.
#if NO_SYS != 0 || LWIP_TCPIP_CORE_LOCKING != 1
#error "the glue needs NO_SYS=0 and LWIP_TCPIP_CORE_LOCKING=1"
#endif

// The BSD socket layer under zts_bsd_*, with lwIP's own definitions (they are ZTS_*'s, checked
// below) and without macros named socket/connect/close over the glue's own names.
#if !LWIP_SOCKET || LWIP_COMPAT_SOCKETS != 0 || LWIP_SOCKET_EXTERNAL_HEADERS != 0
#error "the glue needs LWIP_SOCKET=1, LWIP_COMPAT_SOCKETS=0 and lwIP's own socket definitions"
#endif
// Blocking calls wait in lwip_poll (net/socket_table.cpp); lwip_sock's event counters, read by
// busy polling, exist only with poll or select.
#if !LWIP_SOCKET_POLL
#error "the glue needs LWIP_SOCKET_POLL=1"
#endif
// No lwip_select: arch/cc.h sets FD_SETSIZE to lwIP's socket table size, which is not the size of the
// C library's fd_set that lwip_select would use.
#if LWIP_SOCKET_SELECT
#error "the glue needs LWIP_SOCKET_SELECT=0 (arch/cc.h redefines FD_SETSIZE)"
#endif
// Descriptors of the socket table index lwIP's from 0.
#if LWIP_SOCKET_OFFSET != 0
#error "the glue needs LWIP_SOCKET_OFFSET=0"
#endif
// MEMP_NUM_NETCONN (lwIP's socket array) must exceed SocketTable::kMaxSockets: checked beside it, in
// socket_table.cpp.

// Both address families on every network interface; multicast groups reach ZeroTier through the
// interfaces' igmp_mac_filter/mld_mac_filter (net/netif.cpp).
#if !LWIP_IPV4 || !LWIP_IPV6 || !LWIP_IGMP || !LWIP_IPV6_MLD || !LWIP_ETHERNET || !LWIP_ARP
#error "the glue needs IPv4 and IPv6 over Ethernet, with IGMP and MLD"
#endif
// 127.0.0.1 and ::1 are lwIP's own loopback interface (there is no other).
#if !LWIP_NETIF_LOOPBACK || !LWIP_HAVE_LOOPIF
#error "the glue needs LWIP_NETIF_LOOPBACK=1 and LWIP_HAVE_LOOPIF=1"
#endif
// zts_dns_* and name resolution are lwIP's DNS client; zts_stats_get_all reads lwIP's counters.
#if !LWIP_DNS || DNS_MAX_SERVERS < 2
#error "the glue needs LWIP_DNS=1 with at least 2 servers"
#endif
#if !LWIP_STATS
#error "the glue needs LWIP_STATS=1"
#endif
// A netconn whose pcb lwIP 2.1.3 frees without telling it (LAST_ACK after the receive side was shut)
// is told by lwip_port/tcp_hooks.cpp; the same hooks file makes the initial sequence numbers.
#if !defined(LWIP_HOOK_TCP_INPACKET_PCB) || !defined(LWIP_HOOK_TCP_ISN)
#error "the glue needs lwip_port_hooks.h (LWIP_HOOK_FILENAME) for its TCP hooks"
#endif
// Frames leave lwIP in one piece (net/netif.cpp sends them without a copy).
#if !LWIP_NETIF_TX_SINGLE_PBUF
#error "the glue expects LWIP_NETIF_TX_SINGLE_PBUF=1"
#endif

// ZeroTierSockets.h's constants and structures are lwIP's: zts_bsd_* passes them through.
namespace zt::net::lwip_abi {

#define LIBZT_SAME_VALUE(name) static_assert(ZTS_##name == name, "ZTS_" #name " differs from lwIP's " #name)
LIBZT_SAME_VALUE(AF_UNSPEC);
LIBZT_SAME_VALUE(AF_INET);
LIBZT_SAME_VALUE(AF_INET6);
LIBZT_SAME_VALUE(SOCK_STREAM);
LIBZT_SAME_VALUE(SOCK_DGRAM);
LIBZT_SAME_VALUE(SOCK_RAW);
LIBZT_SAME_VALUE(IPPROTO_IP);
LIBZT_SAME_VALUE(IPPROTO_ICMP);
LIBZT_SAME_VALUE(IPPROTO_TCP);
LIBZT_SAME_VALUE(IPPROTO_UDP);
LIBZT_SAME_VALUE(IPPROTO_IPV6);
LIBZT_SAME_VALUE(IPPROTO_ICMPV6);
LIBZT_SAME_VALUE(IPPROTO_UDPLITE);
LIBZT_SAME_VALUE(IPPROTO_RAW);
LIBZT_SAME_VALUE(MSG_PEEK);
LIBZT_SAME_VALUE(MSG_WAITALL);
LIBZT_SAME_VALUE(MSG_OOB);
LIBZT_SAME_VALUE(MSG_DONTWAIT);
LIBZT_SAME_VALUE(MSG_MORE);
LIBZT_SAME_VALUE(MSG_TRUNC);
static_assert((ZTX_MSG_TRUNC & (MSG_PEEK | MSG_WAITALL | MSG_OOB | MSG_DONTWAIT | MSG_MORE | MSG_NOSIGNAL)) == 0,
              "ZTX_MSG_TRUNC is one of lwIP's flags");
LIBZT_SAME_VALUE(MSG_CTRUNC);
LIBZT_SAME_VALUE(FIONREAD);
LIBZT_SAME_VALUE(FIONBIO);
LIBZT_SAME_VALUE(SOL_SOCKET);
LIBZT_SAME_VALUE(SO_DEBUG);
LIBZT_SAME_VALUE(SO_ACCEPTCONN);
LIBZT_SAME_VALUE(SO_REUSEADDR);
LIBZT_SAME_VALUE(SO_KEEPALIVE);
LIBZT_SAME_VALUE(SO_DONTROUTE);
LIBZT_SAME_VALUE(SO_BROADCAST);
LIBZT_SAME_VALUE(SO_USELOOPBACK);
LIBZT_SAME_VALUE(SO_LINGER);
LIBZT_SAME_VALUE(SO_DONTLINGER);
LIBZT_SAME_VALUE(SO_OOBINLINE);
LIBZT_SAME_VALUE(SO_REUSEPORT);
LIBZT_SAME_VALUE(SO_SNDBUF);
LIBZT_SAME_VALUE(SO_RCVBUF);
LIBZT_SAME_VALUE(SO_SNDLOWAT);
LIBZT_SAME_VALUE(SO_RCVLOWAT);
LIBZT_SAME_VALUE(SO_SNDTIMEO);
LIBZT_SAME_VALUE(SO_RCVTIMEO);
LIBZT_SAME_VALUE(SO_ERROR);
LIBZT_SAME_VALUE(SO_TYPE);
LIBZT_SAME_VALUE(SO_CONTIMEO);
LIBZT_SAME_VALUE(SO_NO_CHECK);
LIBZT_SAME_VALUE(SO_BINDTODEVICE);
LIBZT_SAME_VALUE(IP_TOS);
LIBZT_SAME_VALUE(IP_TTL);
LIBZT_SAME_VALUE(IP_ADD_MEMBERSHIP);
LIBZT_SAME_VALUE(IP_DROP_MEMBERSHIP);
LIBZT_SAME_VALUE(IP_MULTICAST_TTL);
LIBZT_SAME_VALUE(IP_MULTICAST_IF);
LIBZT_SAME_VALUE(IP_MULTICAST_LOOP);
LIBZT_SAME_VALUE(IP_PKTINFO);
LIBZT_SAME_VALUE(TCP_NODELAY);
LIBZT_SAME_VALUE(TCP_KEEPALIVE);
LIBZT_SAME_VALUE(TCP_KEEPIDLE);
LIBZT_SAME_VALUE(TCP_KEEPINTVL);
LIBZT_SAME_VALUE(TCP_KEEPCNT);
LIBZT_SAME_VALUE(IPV6_CHECKSUM);
LIBZT_SAME_VALUE(IPV6_JOIN_GROUP);
LIBZT_SAME_VALUE(IPV6_ADD_MEMBERSHIP);
LIBZT_SAME_VALUE(IPV6_LEAVE_GROUP);
LIBZT_SAME_VALUE(IPV6_DROP_MEMBERSHIP);
LIBZT_SAME_VALUE(IPV6_V6ONLY);
LIBZT_SAME_VALUE(F_GETFL);
LIBZT_SAME_VALUE(F_SETFL);
LIBZT_SAME_VALUE(O_NONBLOCK);
LIBZT_SAME_VALUE(O_NDELAY);
LIBZT_SAME_VALUE(POLLIN);
LIBZT_SAME_VALUE(POLLOUT);
LIBZT_SAME_VALUE(POLLERR);
LIBZT_SAME_VALUE(POLLNVAL);
LIBZT_SAME_VALUE(POLLRDNORM);
LIBZT_SAME_VALUE(POLLRDBAND);
LIBZT_SAME_VALUE(POLLPRI);
LIBZT_SAME_VALUE(POLLWRNORM);
LIBZT_SAME_VALUE(POLLWRBAND);
LIBZT_SAME_VALUE(POLLHUP);
LIBZT_SAME_VALUE(SHUT_RD);
LIBZT_SAME_VALUE(SHUT_WR);
LIBZT_SAME_VALUE(SHUT_RDWR);
#undef LIBZT_SAME_VALUE

#define LIBZT_SAME_LAYOUT(zts, lwip, first, last)                                                     \
    static_assert(sizeof(zts) == sizeof(lwip) && offsetof(zts, first) == offsetof(lwip, first) &&    \
                      offsetof(zts, last) == offsetof(lwip, last),                                    \
                  #zts " differs from lwIP's " #lwip)
LIBZT_SAME_LAYOUT(struct zts_sockaddr, struct sockaddr, sa_len, sa_data);
LIBZT_SAME_LAYOUT(struct zts_sockaddr_in, struct sockaddr_in, sin_family, sin_zero);
LIBZT_SAME_LAYOUT(struct zts_sockaddr_in6, struct sockaddr_in6, sin6_port, sin6_scope_id);
LIBZT_SAME_LAYOUT(struct zts_sockaddr_storage, struct sockaddr_storage, ss_family, s2_data3);
LIBZT_SAME_LAYOUT(struct zts_iovec, struct iovec, iov_base, iov_len);
LIBZT_SAME_LAYOUT(struct zts_msghdr, struct msghdr, msg_namelen, msg_flags);
LIBZT_SAME_LAYOUT(struct zts_pollfd, struct pollfd, events, revents);
LIBZT_SAME_LAYOUT(struct zts_linger, struct linger, l_onoff, l_linger);
LIBZT_SAME_LAYOUT(struct zts_ip_mreq, struct ip_mreq, imr_multiaddr, imr_interface);
LIBZT_SAME_LAYOUT(struct zts_ipv6_mreq, struct ipv6_mreq, ipv6mr_multiaddr, ipv6mr_interface);
#undef LIBZT_SAME_LAYOUT
static_assert(sizeof(zts_socklen_t) == sizeof(socklen_t), "zts_socklen_t differs from lwIP's socklen_t");
static_assert(sizeof(zts_nfds_t) == sizeof(nfds_t), "zts_nfds_t differs from lwIP's nfds_t");

// The header numbers zt/ip_numbers.hpp names for code without lwIP are the ones lwIP reads.
#define LIBZT_SAME_NUMBER(ours, lwips) static_assert(zt::ours == lwips, #ours " differs from lwIP's " #lwips)
LIBZT_SAME_NUMBER(kEthertypeIpv4, ETHTYPE_IP);
LIBZT_SAME_NUMBER(kEthertypeArp, ETHTYPE_ARP);
LIBZT_SAME_NUMBER(kEthertypeIpv6, ETHTYPE_IPV6);
LIBZT_SAME_NUMBER(kIpProtoIcmp, IP_PROTO_ICMP);
LIBZT_SAME_NUMBER(kIpProtoTcp, IP_PROTO_TCP);
LIBZT_SAME_NUMBER(kIpProtoUdp, IP_PROTO_UDP);
LIBZT_SAME_NUMBER(kIpProtoIcmpv6, IP6_NEXTH_ICMP6);
LIBZT_SAME_NUMBER(kIpv4HeaderMin, IP_HLEN);
LIBZT_SAME_NUMBER(kIpv6HeaderLen, IP6_HLEN);
LIBZT_SAME_NUMBER(kIcmpv6RouterSolicitation, ICMP6_TYPE_RS);
LIBZT_SAME_NUMBER(kIcmpv6RouterAdvertisement, ICMP6_TYPE_RA);
LIBZT_SAME_NUMBER(kIcmpv6NeighborSolicitation, ICMP6_TYPE_NS);
LIBZT_SAME_NUMBER(kIcmpv6NeighborAdvertisement, ICMP6_TYPE_NA);
LIBZT_SAME_NUMBER(kIcmpv6Redirect, ICMP6_TYPE_RD);
#undef LIBZT_SAME_NUMBER

}  // namespace zt::net::lwip_abi
