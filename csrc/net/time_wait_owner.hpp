// SPDX-License-Identifier: Apache-2.0
// A connection in TIME_WAIT that its socket still holds, let go of before lwIP frees it.
//
// lwIP 2.1.3 moves a connection to TIME_WAIT without telling its netconn when the socket shut down
// its sending side first (shutdown(SHUT_WR)) and the peer's FIN came after (FIN_WAIT_1 or _2, or
// CLOSING and then the ACK). Reading the end of the stream afterwards only shuts the receive side
// (do_close_internal closes PCBs in FIN_WAIT_1/_2 and CLOSING, not TIME_WAIT), so the netconn keeps
// pointing at the PCB, and 2*MSL later tcp_slowtmr frees it without a callback, as tcp_abort does
// (ours included: net/ephemeral_port, net/time_wait_reopen). A send, poll, getpeername or close on
// the socket then reads and writes freed memory. The TIME_WAIT counterpart of the LAST_ACK case in
// lwip_port/tcp_hooks.cpp.
//
// Such a PCB is let go once its socket has read the end of the stream (before, the netconn needs it
// to read the peer's FIN as an end and not a reset: handle_fin): its callbacks cleared, the netconn
// told with its error callback (ERR_CLSD: it forgets the PCB; a send then says EPIPE, getpeername
// ENOTCONN, as Linux says once the connection is in TIME_WAIT), the error it stores for that cleared
// (nothing broke: SO_ERROR stays 0). The PCB finishes its TIME_WAIT alone, as after close(). Until
// then its TIME_WAIT starts again at every look, so that lwIP does not free it: a socket that never
// reads the end holds it, as it holds the rest of its state.
#pragma once

extern "C" {
struct tcp_pcb;
}

namespace zt::net {

// Core lock held, `pcb` in TIME_WAIT: whether lwIP may free it now, no socket holding it (any longer:
// a socket that has read the end of the stream is let go of here). false while its socket has not,
// its TIME_WAIT started again.
bool release_time_wait_owner(struct tcp_pcb* pcb);

// Does so for every TIME_WAIT PCB every kTimeWaitOwnerCheckMs (far within 2*MSL), from lwIP's timer.
// Call once, core lock held.
void start_time_wait_owner_timer_locked();

}  // namespace zt::net
