// SPDX-License-Identifier: Apache-2.0
#include "net/readiness_fd.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <mutex>
#include <unordered_map>

#include "net/lwip.hpp"

extern "C" {
#include <lwip/priv/sockets_priv.h>  // struct lwip_sock: the event counters lwip_poll reads
}

namespace zt::net::readiness {

namespace {

// A datagram this large charges the exposed end's send buffer (set to the kernel's minimum) past a
// quarter, the point where AF_UNIX stops polling writable.
constexpr int kBlockingDatagram = 1024;

struct Entry {
    int exposed = -1;  // the application's descriptor
    int control = -1;  // ours: its peer
    int lwip_fd = -1;
    bool readable = false;  // what `exposed` polls as now
    bool writable = true;
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

// Moves `e`'s exposed descriptor to `want`. Non-blocking calls on a private pair: they cannot wait.
void apply(Entry& e, Want want) {
    char buf[kBlockingDatagram] = {};
    if (want.readable != e.readable) {
        if (want.readable) {
            if (::send(e.control, buf, 1, MSG_DONTWAIT) == 1) e.readable = true;
        } else {
            while (::recv(e.exposed, buf, sizeof buf, MSG_DONTWAIT) > 0) {
            }
            e.readable = false;
        }
    }
    if (want.writable != e.writable) {
        if (!want.writable) {
            if (::send(e.exposed, buf, sizeof buf, MSG_DONTWAIT) == static_cast<ssize_t>(sizeof buf)) {
                e.writable = false;
            }
        } else {
            while (::recv(e.control, buf, sizeof buf, MSG_DONTWAIT) > 0) {
            }
            e.writable = true;
        }
    }
}

void sync_locked(Registry& r, Entry& e) {
    apply(e, r.interrupted ? Want{true, true} : lwip_state(e.lwip_fd));
}

}  // namespace

int open(int fd, int lwip_fd) {
    Registry& r = registry();
    std::lock_guard<std::mutex> g(r.mutex);
    auto it = r.by_fd.find(fd);
    if (it != r.by_fd.end()) return it->second.exposed;
    int pair[2];
    if (::socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, pair) != 0) return -1;
    const int smallest = 1;  // the kernel raises it to its minimum
    ::setsockopt(pair[0], SOL_SOCKET, SO_SNDBUF, &smallest, sizeof smallest);
    Entry& e = r.by_fd[fd];
    e.exposed = pair[0];
    e.control = pair[1];
    e.lwip_fd = lwip_fd;
    r.fd_of_lwip[lwip_fd] = fd;
    g_count.fetch_add(1, std::memory_order_relaxed);
    sync_locked(r, e);
    return e.exposed;
}

void sync(int fd) {
    if (g_count.load(std::memory_order_relaxed) == 0) return;
    Registry& r = registry();
    std::lock_guard<std::mutex> g(r.mutex);
    auto it = r.by_fd.find(fd);
    if (it != r.by_fd.end()) sync_locked(r, it->second);
}

void sync_lwip(int lwip_fd) {
    if (g_count.load(std::memory_order_relaxed) == 0) return;
    Registry& r = registry();
    std::lock_guard<std::mutex> g(r.mutex);
    auto owner = r.fd_of_lwip.find(lwip_fd);
    if (owner == r.fd_of_lwip.end()) return;
    auto it = r.by_fd.find(owner->second);
    if (it != r.by_fd.end()) sync_locked(r, it->second);
}

void rebind(int fd, int lwip_fd) {
    if (g_count.load(std::memory_order_relaxed) == 0) return;
    Registry& r = registry();
    std::lock_guard<std::mutex> g(r.mutex);
    auto it = r.by_fd.find(fd);
    if (it == r.by_fd.end()) return;
    r.fd_of_lwip.erase(it->second.lwip_fd);
    it->second.lwip_fd = lwip_fd;
    r.fd_of_lwip[lwip_fd] = fd;
    sync_locked(r, it->second);
}

void close(int fd) {
    if (g_count.load(std::memory_order_relaxed) == 0) return;
    Registry& r = registry();
    std::lock_guard<std::mutex> g(r.mutex);
    auto it = r.by_fd.find(fd);
    if (it == r.by_fd.end()) return;
    auto owner = r.fd_of_lwip.find(it->second.lwip_fd);
    if (owner != r.fd_of_lwip.end() && owner->second == fd) r.fd_of_lwip.erase(owner);
    ::close(it->second.exposed);
    ::close(it->second.control);
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
