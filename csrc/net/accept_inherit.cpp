// SPDX-License-Identifier: Apache-2.0
#include "net/accept_inherit.hpp"

#include <atomic>
#include <cerrno>
#include <cstring>
#include <memory>
#include <mutex>

#include "net/ephemeral_port.hpp"
#include "net/lwip.hpp"
#include "net/socket_setup.hpp"

namespace zt::net {

namespace {

// Serialises the options of TCP sockets against listen(): a listener's kept options are read, changed
// and put back under it, and an option set while another thread starts listening is either read by
// that listen() or kept after it. For all sockets: setting options is rare.
std::mutex g_update;

// The options of a fresh TCP socket of each family (AF_INET, AF_INET6): an accepted socket already has
// them, so only the others are given to it. Learned once, under g_update, at the first listen of the
// family.
struct Defaults {
    std::atomic<bool> known{false};  // setup is written before, and never after
    SocketSetup setup;
};
Defaults g_defaults[2];

Defaults& defaults_of(int family) { return g_defaults[family == AF_INET6 ? 1 : 0]; }

void learn_defaults(int family) {
    Defaults& d = defaults_of(family);
    if (d.known.load(std::memory_order_relaxed)) return;  // under g_update, the only writer's lock
    const int fresh = lwip_socket(family, SOCK_STREAM, 0);
    if (fresh < 0) return;  // every option is given to accepted sockets until a later listen learns them
    d.setup = read_options(fresh);
    lwip_close(fresh);
    d.known.store(true, std::memory_order_release);
}

bool is_default(int family, const SocketSetup::Option& o) {
    const Defaults& d = defaults_of(family);
    if (!d.known.load(std::memory_order_acquire)) return false;  // read by accepts, without g_update
    const SocketSetup::Option* fresh = d.setup.find(o.level, o.name);
    return fresh != nullptr && fresh->len == o.len && std::memcmp(fresh->value, o.value, o.len) == 0;
}

// A copy of setup with the option's value replaced (or added).
std::shared_ptr<const SocketSetup> with_option(const SocketSetup& setup, int level, int name, const void* value,
                                               socklen_t len) {
    auto changed = std::make_shared<SocketSetup>(setup);
    SocketSetup::Option* slot = changed->find(level, name);
    if (slot == nullptr) {
        changed->options.push_back(SocketSetup::Option{level, name, 0, {}});
        slot = &changed->options.back();
    }
    slot->len = len < sizeof slot->value ? len : static_cast<socklen_t>(sizeof slot->value);
    std::memcpy(slot->value, value, slot->len);
    return changed;
}

// Linux's limits (lwIP takes any value, and multiplies the times by 1000 in 32 bits).
bool in_linux_range(int level, int name, int v) {
    if (level != IPPROTO_TCP) return true;
    switch (name) {
        case TCP_KEEPIDLE:
        case TCP_KEEPINTVL:
            return v >= 1 && v <= 32767;
        case TCP_KEEPCNT:
            return v >= 1 && v <= 127;
        default:
            return true;
    }
}

int refuse(int err) {
    errno = err;
    return -1;
}

}  // namespace

int listen_keeping_options(SocketTable& table, SocketTable::Use& use, int backlog) {
    std::lock_guard<std::mutex> g(g_update);
    const bool first = use.state().type == SOCK_STREAM && !table.accept_setup(use);
    if (first) learn_defaults(use.state().family);
    // Read before lwip_listen: the listening PCB no longer has most of them.
    std::shared_ptr<const SocketSetup> options = first ? std::make_shared<const SocketSetup>(read_options(use.lwip())) : nullptr;
    const int err = bind_ephemeral_if_unbound(use.lwip());  // nothing to do but for TCP
    if (err != 0) return refuse(err == EADDRNOTAVAIL ? EADDRINUSE : err);  // listen(2)'s word for it
    const int r = lwip_listen(use.lwip(), backlog);
    if (r == 0 && first) table.set_accept_setup(use, std::move(options));
    return r;
}

int set_stream_option(SocketTable& table, SocketTable::Use& use, int level, int name, const void* value,
                      socklen_t len) {
    if (value == nullptr || len < setup_option_size(level, name)) return refuse(EINVAL);
    int v = level == SOL_SOCKET && name == SO_LINGER ? 0 : *static_cast<const int*>(value);
    if (!in_linux_range(level, name, v)) return refuse(EINVAL);
    std::lock_guard<std::mutex> g(g_update);
    const std::shared_ptr<const SocketSetup> kept = table.accept_setup(use);
    if (!kept) return lwip_setsockopt(use.lwip(), level, name, value, len);
    if (level == IPPROTO_TCP) {  // lwIP refuses these on a listener; they are the accepted sockets'
        if (name == TCP_NODELAY) v = v != 0;
        table.set_accept_setup(use, with_option(*kept, level, name, &v, sizeof v));
        return 0;
    }
    const int r = lwip_setsockopt(use.lwip(), level, name, value, len);
    if (r != 0) return r;
    // Kept as lwIP reads it back (a flag's bit, a clamped time), as read_options reads them.
    unsigned char stored[sizeof(SocketSetup::Option::value)];
    socklen_t stored_len = sizeof stored;
    if (lwip_getsockopt(use.lwip(), level, name, stored, &stored_len) == 0) {
        table.set_accept_setup(use, with_option(*kept, level, name, stored, setup_option_size(level, name)));
    }
    return 0;
}

bool get_listener_option(SocketTable& table, SocketTable::Use& use, int level, int name, void* value,
                         socklen_t* len, int* result) {
    if (level != IPPROTO_TCP || !is_setup_option(level, name)) return false;  // lwIP answers the others
    const std::shared_ptr<const SocketSetup> kept = table.accept_setup(use);
    if (!kept) return false;
    const SocketSetup::Option* o = kept->find(level, name);
    if (o == nullptr) return false;
    if (*len < o->len) {
        *result = refuse(EINVAL);
        return true;
    }
    std::memcpy(value, o->value, o->len);
    *len = o->len;
    *result = 0;
    return true;
}

void inherit_options(SocketTable& table, SocketTable::Use& listener, int accepted_lwip_fd) {
    const std::shared_ptr<const SocketSetup> kept = table.accept_setup(listener);
    if (!kept) return;
    for (const SocketSetup::Option& o : kept->options) {
        if (!is_default(listener.state().family, o)) lwip_setsockopt(accepted_lwip_fd, o.level, o.name, o.value, o.len);
    }
}

}  // namespace zt::net
