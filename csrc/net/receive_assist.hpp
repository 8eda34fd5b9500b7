// SPDX-License-Identifier: Apache-2.0
// Receive assist: a thread blocked in a socket call does the node's receive work itself.
//
// Why: a datagram normally reaches the application through two thread wake-ups: the core thread
// wakes on it (decrypts it, feeds lwIP), then lwIP's event wakes the thread blocked in the call. On
// a small exchange those wake-ups are most of the round trip; in a stream they put two busy
// threads in each process, which the scheduler then spreads over the CPUs, so both peers' threads
// fight over the same cores. Here the waiting thread takes the node's UDP sockets from the core
// thread for a short while and sleeps in the kernel on them itself: the datagram wakes it
// directly, and it decrypts, feeds lwIP and finds what it waits for without a hand-off. It sleeps,
// it does not spin, so it takes no CPU from other processes (an earlier fixed busy-poll budget
// made round trips 20-60x longer on a loaded machine).
//
// The sockets stay with no thread between two assists (the core thread would otherwise be given
// them back and take them away again, two system calls per exchange) unless a thread sleeps the
// ordinary way; the core thread takes them back after a millisecond without an assist.
//
// Any blocking wait may assist: to receive (an answer, the next part of a stream) or to send (the
// ACKs that open the window), while the socket's waits end quickly (the previous one within
// kAssistUs); a socket left idle waits the ordinary way. One thread at a time: the others wait
// the ordinary way meanwhile. LIBZT_RECEIVE_ASSIST=0 turns it off.
//
// How it sleeps depends on what it waits for. For the answer to what its socket sent, on the
// sockets directly: the datagram's wake-up then tells the scheduler that the sender hands over
// (WF_SYNC), which may run this thread on the sender's CPU as soon as the sender sleeps, the way
// kernel TCP's request and answer go (on a busy machine, the difference between waiting for the
// running process to be preempted and not). For the rest of a stream, or a window to open, through
// a set that drops that hint: a receiver pulled onto its busy sender's CPU would wait for it there
// instead of working beside it.
#pragma once

#include <cstdint>
#include <functional>

namespace zt::net {

// A socket whose last wait took longer than this waits the ordinary way next time; also the most
// one assist lasts before the core thread gets its sockets back.
constexpr std::int64_t kAssistUs = 2000;

// How an assisting thread sleeps (see above).
enum class AssistWait {
    kAnswer,  // on the sockets: the sender's wake-up may hand its CPU over
    kStream,  // through a set that keeps the waiting thread on its own CPU
};

// What the node's service offers: waits up to `us` microseconds on its UDP sockets, processing what
// arrives (into lwIP too), until `ready()`. False at once if another thread is assisting.
// A thread about to wait the ordinary way (asleep in lwIP until an event) calls
// ordinary_wait_begins() first: the core thread must then be watching the sockets.
class ReceiveAssist {
  public:
    virtual ~ReceiveAssist() = default;
    virtual bool assist(int us, AssistWait how, const std::function<bool()>& ready) = 0;
    virtual void ordinary_wait_begins() = 0;
};

// The running node's assist. Withdrawing it (if it is still the one registered) waits for an assist
// in progress to end.
void offer_receive_assist(ReceiveAssist* assist);
void withdraw_receive_assist(ReceiveAssist* assist);
bool receive_assist_enabled();  // LIBZT_RECEIVE_ASSIST, read once: anything but "0" is on

// Called by a wait for `events` (readable, writable) on lwIP socket lwip_fd, for at most `us`
// microseconds: true if it assisted (then lwIP says whether the socket is ready), false if there was
// nothing to do it with (the caller waits as usual).
bool assist_receive(int lwip_fd, short events, int us, AssistWait how);

// Threads asleep the ordinary way in lwIP right now (lwip_poll, lwip_select).
int threads_waiting_ordinarily();

}  // namespace zt::net
