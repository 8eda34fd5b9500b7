// SPDX-License-Identifier: Apache-2.0
// What a TCP socket's application set up (options, a local address it bound), read from lwIP's socket
// so that another lwIP socket can be given the same: a fresh one taking the place of a socket whose
// connection attempt failed (lwIP frees the PCB, and all of that with it: net/connect.hpp), and the
// connections a listening socket accepts (net/accept_inherit.hpp).
#pragma once

#include <vector>

#include "net/lwip.hpp"
#include "net/socket_table.hpp"

namespace zt::net {

struct SocketSetup {
    struct Option {
        int level;
        int name;
        socklen_t len;
        unsigned char value[16];  // an int or a struct linger
    };
    std::vector<Option> options;
    // The kept option (level, name), or nullptr.
    const Option* find(int level, int name) const;
    Option* find(int level, int name);
    sockaddr_storage local{};
    socklen_t local_len = 0;  // 0: not bound by the application
};

SocketSetup read_setup(int lwip_fd);

// The options of kInheritedOptions (socket_setup.cpp) that lwip_fd answers; no local address.
SocketSetup read_options(int lwip_fd);

// Whether the option is one a SocketSetup keeps; its value's size (an int, or a struct linger).
bool is_setup_option(int level, int name);
socklen_t setup_option_size(int level, int name);

// Sets each option of setup on lwip_fd (as given to lwIP: one it refuses is left as it was).
void apply_options(int lwip_fd, const SocketSetup& setup);

// Whether an lwIP socket has a local port: bound, listening or connected. A TCP socket is bound once:
// lwIP's tcp_bind would put a bound PCB on its bound list a second time, making the list a loop that
// every later walk of it never leaves.
bool has_local_port(int lwip_fd);

// Replaces use's spent lwIP socket with a fresh one set up like the first. 0 or an errno.
int renew(SocketTable& table, SocketTable::Use& use, const SocketSetup& setup);

}  // namespace zt::net
