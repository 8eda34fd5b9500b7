// SPDX-License-Identifier: Apache-2.0
#include "net/time_wait_owner.hpp"

#include "net/lwip.hpp"

extern "C" {
#include <lwip/api.h>
#include <lwip/priv/tcp_priv.h>  // tcp_tw_pcbs, tcp_ticks
#include <lwip/timeouts.h>
}

namespace zt::net {

namespace {

// A second: the socket learns that its connection is over about when Linux's would, and 2*MSL
// (lwipopts.h: TCP_MSL) is a minute away. The walk is shorter than tcp_slowtmr's (every 500 ms, the
// same list and more).
constexpr u32_t kTimeWaitOwnerCheckMs = 1000;

void on_timer(void*) {
    for (struct tcp_pcb* pcb = tcp_tw_pcbs; pcb != nullptr; pcb = pcb->next) release_time_wait_owner(pcb);
    sys_timeout(kTimeWaitOwnerCheckMs, on_timer, nullptr);
}

}  // namespace

bool release_time_wait_owner(struct tcp_pcb* pcb) {
    // close() clears the argument (do_close_internal): a PCB with one still belongs to a netconn,
    // the only user of lwIP's TCP callbacks here.
    auto* const conn = static_cast<struct netconn*>(pcb->callback_arg);
    if (conn == nullptr) return true;
    // The receive mailbox lives until the end of the stream is read (LWIP_NETCONN_FULLDUPLEX 0).
    if (sys_mbox_valid(&conn->recvmbox)) {
        pcb->tmr = tcp_ticks;  // what lwIP does when a FIN comes again: the TIME_WAIT starts over
        return false;
    }
    const tcp_err_fn tell = pcb->errf;
    tcp_arg(pcb, nullptr);
    tcp_recv(pcb, nullptr);
    tcp_sent(pcb, nullptr);
    tcp_poll(pcb, nullptr, 0);
    tcp_err(pcb, nullptr);
    if (tell != nullptr) tell(conn, ERR_CLSD);
    SYS_ARCH_DECL_PROTECT(lev);  // pending_err is read and cleared under it (netconn_err)
    SYS_ARCH_PROTECT(lev);
    conn->pending_err = ERR_OK;
    SYS_ARCH_UNPROTECT(lev);
    return true;
}

void start_time_wait_owner_timer_locked() { sys_timeout(kTimeWaitOwnerCheckMs, on_timer, nullptr); }

}  // namespace zt::net
