// SPDX-License-Identifier: Apache-2.0
#include "net/readiness_fd.hpp"

#include <atomic>
#include <cerrno>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "net/lwip.hpp"
#include "net/readiness_pair.hpp"
#include "net/stack.hpp"
#include "net/stream_state.hpp"

extern "C" {
#include <lwip/priv/sockets_priv.h>  // struct lwip_sock: the event counters lwip_poll reads
}

namespace zt::net::readiness {

namespace {

struct Entry {
    net::ReadinessPair pair;
    int lwip_fd = -1;
    // A TCP socket without a connection (new, bound, or its connection over): readable and writable,
    // as Linux's poll reports it (net/stream_state.hpp). lwIP's counters do not say it, and the PCB
    // that does is read under the core lock, which is taken before the registry's mutex, never under
    // it: so it is looked at where that lock is held or can be taken first (open, rebind, lwIP's
    // events that come with it, after each call while the socket is hung up, and once a connect is
    // under way).
    bool hung_up = false;
    bool read_shut = false;  // shutdown(SHUT_RD) (of ours, not lwIP's): readable for good
};

struct Registry {
    std::mutex mutex;
    std::unordered_map<int, Entry> by_fd;       // application descriptor -> entry
    std::unordered_map<int, int> fd_of_lwip;    // lwIP socket -> application descriptor
    bool interrupted = false;
};

Registry& registry() {
    static Registry* r = new Registry();  // used from lwIP's thread until the process ends
    return *r;
}

std::atomic<int> g_count{0};  // entries: most sockets have none, and then syncing costs nothing

struct Want {
    bool readable;
    bool writable;
};

// What lwip_poll would report for the socket (error or gone: both, so a waiter wakes and sees it).
Want lwip_state(int lwip_fd) {
    SYS_ARCH_DECL_PROTECT(lev);
    SYS_ARCH_PROTECT(lev);
    const struct lwip_sock* sock = lwip_socket_dbg_get_socket(lwip_fd);
    Want w{true, true};
    if (sock != nullptr && sock->errevent == 0) {
        w.readable = sock->lastdata.pbuf != nullptr || sock->rcvevent > 0;
        w.writable = sock->sendevent != 0;
    }
    SYS_ARCH_UNPROTECT(lev);
    return w;
}

// With the core lock held.
bool hung_up_locked(int lwip_fd) { return stream_hangup_events_locked(lwip_fd) != 0; }

// The core lock, unless this thread holds it already: taken before the registry's mutex and held
// while an entry's hung_up is looked at and written (a value read first and written later could
// undo what another thread's connect wrote meanwhile).
class CoreLockUnlessHeld {
  public:
    CoreLockUnlessHeld() {
        if (!lwip_port_core_held()) lock_.emplace();
    }

  private:
    std::optional<CoreLock> lock_;
};

void sync_locked(Registry& r, Entry& e) {
    Want want = r.interrupted || e.hung_up ? Want{true, true} : lwip_state(e.lwip_fd);
    want.readable = want.readable || e.read_shut;
    net::set_readiness(e.pair, want.readable, want.writable);
}

// The entry of application descriptor fd, or null (registry's mutex held).
Entry* find_locked(Registry& r, int fd) {
    auto it = r.by_fd.find(fd);
    return it == r.by_fd.end() ? nullptr : &it->second;
}

}  // namespace

int open(int fd, int lwip_fd) {
    const CoreLockUnlessHeld core;
    Registry& r = registry();
    std::lock_guard<std::mutex> g(r.mutex);
    auto it = r.by_fd.find(fd);
    if (it != r.by_fd.end()) return it->second.pair.exposed;
    net::ReadinessPair pair;
    if (!net::open_readiness_pair(&pair)) return -1;
    Entry& e = r.by_fd[fd];
    e.pair = pair;
    e.lwip_fd = lwip_fd;
    e.hung_up = hung_up_locked(lwip_fd);
    r.fd_of_lwip[lwip_fd] = fd;
    g_count.fetch_add(1);  // sequentially consistent: see shut_read
    sync_locked(r, e);
    return e.pair.exposed;
}

void sync(int fd) {
    if (g_count.load(std::memory_order_relaxed) == 0) return;
    Registry& r = registry();
    {
        std::lock_guard<std::mutex> g(r.mutex);
        Entry* e = find_locked(r, fd);
        if (e == nullptr) return;
        if (!e->hung_up) {
            sync_locked(r, *e);
            return;
        }
    }
    // Hung up until a call (connect, listen) says otherwise: looked at again after each call, with
    // the core lock taken first. Sockets with a connection never come here.
    const CoreLockUnlessHeld core;
    std::lock_guard<std::mutex> g(r.mutex);
    Entry* e = find_locked(r, fd);
    if (e == nullptr) return;  // closed meanwhile
    e->hung_up = hung_up_locked(e->lwip_fd);
    sync_locked(r, *e);
}

void shut_read(int fd) {
    // Sequentially consistent, with open's count and the shutdown's mark (api/zts_bsd.cpp): either
    // this sees the entry an open() is making, or that open's caller sees the shutdown.
    if (g_count.load() == 0) return;
    Registry& r = registry();
    std::lock_guard<std::mutex> g(r.mutex);
    Entry* e = find_locked(r, fd);
    if (e == nullptr) return;
    e->read_shut = true;
    sync_locked(r, *e);
}

void sync_lwip(int lwip_fd) {
    if (g_count.load(std::memory_order_relaxed) == 0) return;
    Registry& r = registry();
    std::lock_guard<std::mutex> g(r.mutex);
    auto owner = r.fd_of_lwip.find(lwip_fd);
    if (owner == r.fd_of_lwip.end()) return;
    Entry* e = find_locked(r, owner->second);
    if (e == nullptr) return;
    // Events under the core lock may come with the connection's end (lwIP freed the PCB); those on
    // an application's thread without it (data taken, room made) do not change it.
    if (lwip_port_core_held()) e->hung_up = hung_up_locked(lwip_fd);
    sync_locked(r, *e);
}

void rebind(int fd, int lwip_fd) {
    if (g_count.load(std::memory_order_relaxed) == 0) return;
    const CoreLockUnlessHeld core;
    Registry& r = registry();
    std::lock_guard<std::mutex> g(r.mutex);
    Entry* e = find_locked(r, fd);
    if (e == nullptr) return;
    r.fd_of_lwip.erase(e->lwip_fd);
    e->lwip_fd = lwip_fd;
    e->hung_up = hung_up_locked(lwip_fd);
    e->read_shut = false;  // the old socket's shutdown (SocketTable::replace forgets it too)
    r.fd_of_lwip[lwip_fd] = fd;
    sync_locked(r, *e);
}

void close(int fd) {
    if (g_count.load(std::memory_order_relaxed) == 0) return;
    Registry& r = registry();
    std::lock_guard<std::mutex> g(r.mutex);
    auto it = r.by_fd.find(fd);
    if (it == r.by_fd.end()) return;
    auto owner = r.fd_of_lwip.find(it->second.lwip_fd);
    if (owner != r.fd_of_lwip.end() && owner->second == fd) r.fd_of_lwip.erase(owner);
    net::close_readiness_pair(it->second.pair);
    r.by_fd.erase(it);
    g_count.fetch_sub(1, std::memory_order_relaxed);
}

void set_interrupted(bool interrupted) {
    Registry& r = registry();
    std::lock_guard<std::mutex> g(r.mutex);
    r.interrupted = interrupted;
    for (auto& [fd, e] : r.by_fd) sync_locked(r, e);
}

}  // namespace zt::net::readiness
