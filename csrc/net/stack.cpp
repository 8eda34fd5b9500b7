// SPDX-License-Identifier: Apache-2.0
#include "net/stack.hpp"

#include "net/lwip.hpp"
#include "net/port_unreachable.hpp"
#include "net/tcp_acks.hpp"
#include "net/time_wait_owner.hpp"

#include <atomic>
#include <condition_variable>
#include <mutex>

extern "C" void lwip_port_after_core_unlock(void (*fn)(void*), void* arg);  // lwip_port/sys_arch.cpp

namespace zt::net {

void after_core_unlock(void (*fn)(void*), void* arg) { lwip_port_after_core_unlock(fn, arg); }

namespace {

std::once_flag g_started;
std::atomic<bool> g_running{false};
std::mutex g_ready_mutex;
std::condition_variable g_ready;

void on_tcpip_ready(void*) {
    std::lock_guard<std::mutex> g(g_ready_mutex);
    g_running = true;
    g_ready.notify_all();
}

}  // namespace

void ensure_stack() {
    std::call_once(g_started, [] {
        tcpip_init(on_tcpip_ready, nullptr);
        {
            std::unique_lock<std::mutex> lock(g_ready_mutex);
            g_ready.wait(lock, [] { return g_running.load(); });
        }
        CoreLock core;
        start_withheld_ack_timer_locked();
        start_time_wait_owner_timer_locked();
        watch_port_unreachable_locked();
    });
}

bool stack_running() { return g_running.load(); }

CoreLock::CoreLock() { LOCK_TCPIP_CORE(); }
CoreLock::~CoreLock() { UNLOCK_TCPIP_CORE(); }

}  // namespace zt::net
