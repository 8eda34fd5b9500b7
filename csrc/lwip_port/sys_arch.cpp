// SPDX-License-Identifier: Apache-2.0
// lwIP's operating system layer (NO_SYS=0) on the C++ standard library: threads, mutexes,
// counting semaphores with timeouts, bounded mailboxes, the millisecond clock, the lock behind
// SYS_ARCH_PROTECT, and the tcpip core lock with its owner tracked for LWIP_ASSERT_CORE_LOCKED.
// Objects are heap-allocated; sys_arch.h's handle types point at them.
#include <sys/random.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <new>
#include <thread>

extern "C" {
#include "lwip/err.h"
#include "lwip/sys.h"
}

#include "osdep/quiet_thread.hpp"

struct lwip_port_sem {
    std::mutex mutex;
    std::condition_variable posted;
    unsigned count = 0;
};

struct lwip_port_mutex {
    std::mutex mutex;
};

struct lwip_port_mbox {
    std::mutex mutex;
    std::condition_variable not_empty;
    std::condition_variable not_full;
    std::deque<void*> messages;
    std::size_t capacity = 0;
};

struct lwip_port_thread {
    std::thread thread;
};

namespace {

using Clock = std::chrono::steady_clock;

// Waits on `cv` until `ready` or `timeout_ms` (0: forever) passes. Returns the milliseconds waited,
// or SYS_ARCH_TIMEOUT: lwIP's convention for sys_arch_sem_wait and sys_arch_mbox_fetch.
template <typename Ready>
u32_t wait_for(std::unique_lock<std::mutex>& lock, std::condition_variable& cv, u32_t timeout_ms, Ready ready) {
    const auto started = Clock::now();
    if (timeout_ms == 0) {
        cv.wait(lock, ready);
    } else if (!cv.wait_for(lock, std::chrono::milliseconds(timeout_ms), ready)) {
        return SYS_ARCH_TIMEOUT;
    }
    const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count();
    // A successful wait never reports SYS_ARCH_TIMEOUT itself.
    return static_cast<u32_t>(waited >= SYS_ARCH_TIMEOUT ? SYS_ARCH_TIMEOUT - 1 : waited);
}

// SYS_ARCH_PROTECT: short critical sections inside lwIP (and the glue's reads of socket state);
// recursive, as lwIP allows nesting them.
std::recursive_mutex g_protect;

// The tcpip core lock, and who holds it (checked by LWIP_ASSERT_CORE_LOCKED).
std::mutex g_core;
std::atomic<std::thread::id> g_core_owner{};
std::atomic<bool> g_tcpip_thread_started{false};

// Threads in sys_arch_sem_wait, and what each calls before it sleeps there.
std::atomic<int> g_sem_sleepers{0};
std::atomic<void (*)()> g_before_sem_sleep{nullptr};

// lwip_port_after_core_unlock's call, per thread.
struct AfterUnlock {
    void (*fn)(void*) = nullptr;
    void* arg = nullptr;
};
thread_local AfterUnlock t_after_unlock;

}  // namespace

extern "C" {

void sys_init(void) {}

u32_t sys_now(void) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch()).count();
    return static_cast<u32_t>(ms);  // wraps, as lwIP expects of a u32_t clock
}

// ---- semaphores ----

err_t sys_sem_new(sys_sem_t* sem, u8_t count) {
    auto* s = new (std::nothrow) lwip_port_sem();
    if (s == nullptr) return ERR_MEM;
    s->count = count;
    *sem = s;
    return ERR_OK;
}

void sys_sem_free(sys_sem_t* sem) {
    delete *sem;
    *sem = nullptr;
}

void sys_sem_signal(sys_sem_t* sem) {
    lwip_port_sem* s = *sem;
    {
        std::lock_guard<std::mutex> g(s->mutex);
        ++s->count;
    }
    s->posted.notify_one();
}

u32_t sys_arch_sem_wait(sys_sem_t* sem, u32_t timeout_ms) {
    // A thread about to sleep here (lwip_poll, lwip_select) waits for what the node's receive work
    // feeds lwIP: counted, and the glue told first (lwip_port_before_sem_sleep).
    g_sem_sleepers.fetch_add(1);
    if (void (*before)() = g_before_sem_sleep.load(std::memory_order_acquire)) before();
    lwip_port_sem* s = *sem;
    std::unique_lock<std::mutex> lock(s->mutex);
    const u32_t waited = wait_for(lock, s->posted, timeout_ms, [s] { return s->count > 0; });
    if (waited != SYS_ARCH_TIMEOUT) --s->count;
    lock.unlock();
    g_sem_sleepers.fetch_sub(1);
    return waited;
}

void lwip_port_before_sem_sleep(void (*fn)(void)) { g_before_sem_sleep.store(fn, std::memory_order_release); }

int lwip_port_sem_sleepers(void) { return g_sem_sleepers.load(); }

// ---- mutexes ----

err_t sys_mutex_new(sys_mutex_t* mutex) {
    auto* m = new (std::nothrow) lwip_port_mutex();
    if (m == nullptr) return ERR_MEM;
    *mutex = m;
    return ERR_OK;
}

void sys_mutex_free(sys_mutex_t* mutex) {
    delete *mutex;
    *mutex = nullptr;
}

void sys_mutex_lock(sys_mutex_t* mutex) { (*mutex)->mutex.lock(); }
void sys_mutex_unlock(sys_mutex_t* mutex) { (*mutex)->mutex.unlock(); }

// ---- mailboxes: bounded queues of pointers ----

err_t sys_mbox_new(sys_mbox_t* mbox, int size) {
    auto* b = new (std::nothrow) lwip_port_mbox();
    if (b == nullptr) return ERR_MEM;
    b->capacity = size > 0 ? static_cast<std::size_t>(size) : 1;
    *mbox = b;
    return ERR_OK;
}

void sys_mbox_free(sys_mbox_t* mbox) {
    delete *mbox;
    *mbox = nullptr;
}

void sys_mbox_post(sys_mbox_t* mbox, void* msg) {
    lwip_port_mbox* b = *mbox;
    {
        std::unique_lock<std::mutex> lock(b->mutex);
        b->not_full.wait(lock, [b] { return b->messages.size() < b->capacity; });
        b->messages.push_back(msg);
    }
    b->not_empty.notify_one();
}

err_t sys_mbox_trypost(sys_mbox_t* mbox, void* msg) {
    lwip_port_mbox* b = *mbox;
    {
        std::lock_guard<std::mutex> g(b->mutex);
        if (b->messages.size() >= b->capacity) return ERR_MEM;
        b->messages.push_back(msg);
    }
    b->not_empty.notify_one();
    return ERR_OK;
}

err_t sys_mbox_trypost_fromisr(sys_mbox_t* mbox, void* msg) { return sys_mbox_trypost(mbox, msg); }

u32_t sys_arch_mbox_fetch(sys_mbox_t* mbox, void** msg, u32_t timeout_ms) {
    lwip_port_mbox* b = *mbox;
    std::unique_lock<std::mutex> lock(b->mutex);
    const u32_t waited = wait_for(lock, b->not_empty, timeout_ms, [b] { return !b->messages.empty(); });
    if (waited == SYS_ARCH_TIMEOUT) return SYS_ARCH_TIMEOUT;
    void* m = b->messages.front();
    b->messages.pop_front();
    if (msg != nullptr) *msg = m;
    lock.unlock();
    b->not_full.notify_one();
    return waited;
}

u32_t sys_arch_mbox_tryfetch(sys_mbox_t* mbox, void** msg) {
    lwip_port_mbox* b = *mbox;
    {
        std::lock_guard<std::mutex> g(b->mutex);
        if (b->messages.empty()) return SYS_MBOX_EMPTY;
        void* m = b->messages.front();
        b->messages.pop_front();
        if (msg != nullptr) *msg = m;
    }
    b->not_full.notify_one();
    return 0;
}

// ---- threads: lwIP starts one (tcpip), which lives as long as the process ----

sys_thread_t sys_thread_new(const char* name, lwip_thread_fn function, void* arg, int stacksize, int prio) {
    (void)stacksize;
    (void)prio;
    static std::mutex threads_mutex;
    static std::deque<lwip_port_thread> threads;  // stable addresses; never freed, like the threads
    std::lock_guard<std::mutex> g(threads_mutex);
    lwip_port_thread& t = threads.emplace_back();
    t.thread = zt::osdep::start_quiet_thread(name, [function, arg] { function(arg); });
    t.thread.detach();
    return &t;
}

// ---- SYS_ARCH_PROTECT ----

sys_prot_t sys_arch_protect(void) {
    g_protect.lock();
    return 0;
}

void sys_arch_unprotect(sys_prot_t) { g_protect.unlock(); }

// ---- the core lock ----

void lwip_port_lock_core(void) {
    g_core.lock();
    g_core_owner.store(std::this_thread::get_id(), std::memory_order_relaxed);
}

void lwip_port_unlock_core(void) {
    g_core_owner.store(std::thread::id(), std::memory_order_relaxed);
    g_core.unlock();
    if (t_after_unlock.fn != nullptr) {
        const AfterUnlock call = t_after_unlock;
        t_after_unlock = AfterUnlock{};
        call.fn(call.arg);
    }
}

void lwip_port_after_core_unlock(void (*fn)(void*), void* arg) { t_after_unlock = AfterUnlock{fn, arg}; }

void lwip_port_mark_tcpip_thread(void) { g_tcpip_thread_started.store(true); }

int lwip_port_core_held(void) { return g_core_owner.load(std::memory_order_relaxed) == std::this_thread::get_id(); }

void lwip_port_check_core_locked(void) {
    // Before the tcpip thread runs, lwip_init is single-threaded: nothing to check.
    if (!g_tcpip_thread_started.load(std::memory_order_relaxed)) return;
    if (g_core_owner.load(std::memory_order_relaxed) != std::this_thread::get_id()) {
        lwip_port_assert_failed("lwIP called without the tcpip core lock", __FILE__, __LINE__);
    }
}

// ---- platform ----

unsigned int lwip_port_rand(void) {
    unsigned int value = 0;
    while (getrandom(&value, sizeof value, 0) != static_cast<ssize_t>(sizeof value)) {
    }
    return value;
}

void lwip_port_assert_failed(const char* message, const char* file, int line) {
    std::fprintf(stderr, "libzt: lwIP assertion failed: %s (%s:%d)\n", message, file, line);
    std::fflush(stderr);
    std::abort();
}

}  // extern "C"
