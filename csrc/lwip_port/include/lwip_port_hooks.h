/* SPDX-License-Identifier: Apache-2.0 */
/* lwIP's hooks in our build (LWIP_HOOK_FILENAME): included by lwIP's sources after their own headers.
 * The functions are in csrc/lwip_port/tcp_hooks.cpp (the IPv4 route hook: lwipopts.h). */
#ifndef LIBZT_LWIP_PORT_HOOKS_H
#define LIBZT_LWIP_PORT_HOOKS_H

#include "lwip/arch.h"
#include "lwip/err.h"
#include "lwip/ip_addr.h"

#ifdef __cplusplus
extern "C" {
#endif
struct tcp_pcb;

/* Initial sequence numbers as RFC 6528 asks (lwIP's default only adds its tick counter, so a peer
 * could predict them). */
u32_t lwip_port_tcp_isn(const ip_addr_t* local_ip, u16_t local_port, const ip_addr_t* remote_ip,
                        u16_t remote_port);
/* Looks at a pcb before lwIP processes a segment for it; never drops the segment. */
err_t lwip_port_tcp_segment_arrives(struct tcp_pcb* pcb);
#ifdef __cplusplus
}
#endif

#define LWIP_HOOK_TCP_ISN(local_ip, local_port, remote_ip, remote_port) \
    lwip_port_tcp_isn(local_ip, local_port, remote_ip, remote_port)
#define LWIP_HOOK_TCP_INPACKET_PCB(pcb, hdr, optlen, opt1len, opt2, p) \
    lwip_port_tcp_segment_arrives((struct tcp_pcb*)(pcb))

#endif
