// SPDX-License-Identifier: Apache-2.0
#include "net/tcp_acks.hpp"

#include "net/lwip.hpp"

extern "C" {
#include <lwip/priv/tcp_priv.h>  // tcp_active_pcbs, tcp_send_empty_ack
#include <lwip/timeouts.h>
}

namespace zt::net {

namespace {

constexpr u32_t kWithheldAckCheckMs = 100;

void on_timer(void*) {
    send_withheld_acks_locked();
    sys_timeout(kWithheldAckCheckMs, on_timer, nullptr);
}

}  // namespace

void send_withheld_acks_locked() {
    for (struct tcp_pcb* pcb = tcp_active_pcbs; pcb != nullptr; pcb = pcb->next) {
        if ((pcb->flags & TF_ACK_NOW) != 0) tcp_send_empty_ack(pcb);  // clears the flag once sent
    }
}

void start_withheld_ack_timer_locked() { sys_timeout(kWithheldAckCheckMs, on_timer, nullptr); }

}  // namespace zt::net
