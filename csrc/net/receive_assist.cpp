// SPDX-License-Identifier: Apache-2.0
#include "net/receive_assist.hpp"

#include <cstdlib>
#include <cstring>
#include <mutex>
#include <shared_mutex>

#include "net/lwip.hpp"

extern "C" {
#include <lwip/priv/sockets_priv.h>  // struct lwip_sock, lwip_socket_dbg_get_socket
}

extern "C" void lwip_port_before_sem_sleep(void (*fn)(void));  // lwip_port/sys_arch.cpp
extern "C" int lwip_port_sem_sleepers(void);

namespace zt::net {

namespace {

std::shared_mutex g_mutex;  // shared: an assist in progress; exclusive: (un)registering
ReceiveAssist* g_assist = nullptr;

// lwIP's own readiness counters, read without its lock: a stale value only ends the assist early
// or late, and lwip_poll has the last word.
bool looks_ready(const volatile struct lwip_sock* sock, short events) {
    if ((events & POLLIN) != 0 && (sock->rcvevent > 0 || sock->lastdata.pbuf != nullptr)) return true;
    if ((events & POLLOUT) != 0 && sock->sendevent != 0) return true;
    return sock->errevent > 0;
}

// Every sleep in lwIP's semaphores passes here first (lwip_port_before_sem_sleep).
void before_ordinary_wait() {
    std::shared_lock<std::shared_mutex> g(g_mutex, std::try_to_lock);
    if (g.owns_lock() && g_assist != nullptr) g_assist->ordinary_wait_begins();
}

}  // namespace

void offer_receive_assist(ReceiveAssist* assist) {
    std::unique_lock<std::shared_mutex> g(g_mutex);
    g_assist = assist;
    lwip_port_before_sem_sleep(before_ordinary_wait);
}

int threads_waiting_ordinarily() { return lwip_port_sem_sleepers(); }

void withdraw_receive_assist(ReceiveAssist* assist) {
    std::unique_lock<std::shared_mutex> g(g_mutex);
    if (g_assist == assist) g_assist = nullptr;
}

bool receive_assist_enabled() {
    static const bool on = [] {
        const char* text = std::getenv("LIBZT_RECEIVE_ASSIST");
        return text == nullptr || std::strcmp(text, "0") != 0;
    }();
    return on;
}

bool assist_receive(int lwip_fd, short events, int us, AssistWait how) {
    const struct lwip_sock* sock = lwip_socket_dbg_get_socket(lwip_fd);
    if (sock == nullptr) return false;
    std::shared_lock<std::shared_mutex> g(g_mutex, std::try_to_lock);
    if (!g.owns_lock() || g_assist == nullptr) return false;  // no node, or it is being stopped
    return g_assist->assist(us, how, [&] { return looks_ready(sock, events); });
}

}  // namespace zt::net
