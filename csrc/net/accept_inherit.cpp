// SPDX-License-Identifier: Apache-2.0
#include "net/accept_inherit.hpp"

#include <cerrno>
#include <cstring>
#include <memory>
#include <mutex>

#include "net/lwip.hpp"
#include "net/socket_setup.hpp"

namespace zt::net {

namespace {

// Serialises changes to a listener's kept options (read, changed, put back), for all listeners: they
// are rare.
std::mutex g_update;

// A copy of setup with the option's value replaced (or added).
std::shared_ptr<const SocketSetup> with_option(const SocketSetup& setup, int level, int name, const void* value,
                                               socklen_t len) {
    auto changed = std::make_shared<SocketSetup>(setup);
    SocketSetup::Option* slot = nullptr;
    for (SocketSetup::Option& o : changed->options) {
        if (o.level == level && o.name == name) slot = &o;
    }
    if (slot == nullptr) {
        changed->options.push_back(SocketSetup::Option{level, name, 0, {}});
        slot = &changed->options.back();
    }
    slot->len = len < sizeof slot->value ? len : static_cast<socklen_t>(sizeof slot->value);
    std::memcpy(slot->value, value, slot->len);
    return changed;
}

}  // namespace

int listen_keeping_options(SocketTable& table, SocketTable::Use& use, int backlog) {
    std::lock_guard<std::mutex> g(g_update);
    const bool first = use.state().type == SOCK_STREAM && !table.accept_setup(use);
    // Read before lwip_listen: the listening PCB no longer has most of them.
    std::shared_ptr<const SocketSetup> options = first ? std::make_shared<const SocketSetup>(read_options(use.lwip())) : nullptr;
    const int r = lwip_listen(use.lwip(), backlog);
    if (r == 0 && first) table.set_accept_setup(use, std::move(options));
    return r;
}

bool set_listener_option(SocketTable& table, SocketTable::Use& use, int level, int name, const void* value,
                         socklen_t len, int* result) {
    if (!is_setup_option(level, name)) return false;
    std::lock_guard<std::mutex> g(g_update);
    const std::shared_ptr<const SocketSetup> kept = table.accept_setup(use);
    if (!kept) return false;
    if (level == IPPROTO_TCP) {  // lwIP refuses these on a listener; they are the accepted sockets'
        if (value == nullptr || len < sizeof(int)) {
            errno = EINVAL;
            *result = -1;
            return true;
        }
        int v = *static_cast<const int*>(value);
        if (name == TCP_NODELAY) v = v != 0;
        table.set_accept_setup(use, with_option(*kept, level, name, &v, sizeof v));
        *result = 0;
        return true;
    }
    *result = lwip_setsockopt(use.lwip(), level, name, value, len);
    if (*result == 0) {  // kept as lwIP reads it back (a flag's bit, a clamped time), as read_options does
        unsigned char stored[sizeof(SocketSetup::Option::value)];
        socklen_t stored_len = sizeof stored;
        if (lwip_getsockopt(use.lwip(), level, name, stored, &stored_len) == 0) {
            table.set_accept_setup(use, with_option(*kept, level, name, stored, setup_option_size(level, name)));
        }
    }
    return true;
}

bool get_listener_option(SocketTable& table, SocketTable::Use& use, int level, int name, void* value,
                         socklen_t* len, int* result) {
    if (level != IPPROTO_TCP || !is_setup_option(level, name)) return false;  // lwIP answers the others
    const std::shared_ptr<const SocketSetup> kept = table.accept_setup(use);
    if (!kept) return false;
    for (const SocketSetup::Option& o : kept->options) {
        if (o.level != level || o.name != name) continue;
        if (*len < o.len) {
            errno = EINVAL;
            *result = -1;
            return true;
        }
        std::memcpy(value, o.value, o.len);
        *len = o.len;
        *result = 0;
        return true;
    }
    return false;
}

void inherit_options(SocketTable& table, SocketTable::Use& listener, int accepted_lwip_fd) {
    if (const std::shared_ptr<const SocketSetup> kept = table.accept_setup(listener)) {
        apply_options(accepted_lwip_fd, *kept);
    }
}

}  // namespace zt::net
