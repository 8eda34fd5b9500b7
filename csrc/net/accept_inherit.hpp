// SPDX-License-Identifier: Apache-2.0
// What the connections a listening TCP socket accepts inherit from it, as on Linux: the options set on
// the listener before or after listen() (TCP_NODELAY, keepalive and its timings, SO_LINGER, buffer
// size, TOS, TTL) and its SO_RCVTIMEO/SO_SNDTIMEO. A server that sets TCP_NODELAY on its listening
// socket gets it on every connection.
//
// lwIP's listening PCB is a cut-down one: it keeps the socket-level flags (SO_KEEPALIVE, SO_REUSEADDR)
// and passes only those on, it loses TCP_NODELAY and the keepalive timings set before listen(), and it
// refuses every IPPROTO_TCP option after (EINVAL, where Linux takes and reports them). So listen()
// reads the options first and keeps them in the socket's state; a setsockopt on the listener updates
// the kept ones, a getsockopt of an IPPROTO_TCP option answers from them, and each accepted socket is
// given them.
#pragma once

#include "net/lwip.hpp"
#include "net/socket_table.hpp"

namespace zt::net {

// lwip_listen (after binding an unbound socket as Linux does: net/ephemeral_port.hpp), keeping the
// options the socket had for the connections it will accept. lwIP's result.
int listen_keeping_options(SocketTable& table, SocketTable::Use& use, int backlog);

// setsockopt of an option a SocketSetup keeps (net/socket_setup.hpp), on a TCP socket: a listener's is
// kept for the connections it accepts (and set on lwIP's listener where it takes it), another's set on
// lwIP's socket. Refuses what Linux refuses (keepalive times out of range).
// lwIP's convention: 0, or -1 with errno set.
int set_stream_option(SocketTable& table, SocketTable::Use& use, int level, int name, const void* value,
                      socklen_t len);

// getsockopt of an IPPROTO_TCP option on a listener, which lwIP refuses: whether it answered; then
// *result as set_stream_option's.
bool get_listener_option(SocketTable& table, SocketTable::Use& use, int level, int name, void* value,
                         socklen_t* len, int* result);

// Gives a socket lwip_accept returned the listener's options (before it is in the table).
void inherit_options(SocketTable& table, SocketTable::Use& listener, int accepted_lwip_fd);

}  // namespace zt::net
