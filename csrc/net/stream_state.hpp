// SPDX-License-Identifier: Apache-2.0
// What a send or a receive on a TCP socket says when it cannot go on: send(2)'s and recv(2)'s words
// rather than lwIP's.
//
// lwIP 2.1.3 says ENOTCONN (ERR_CONN, ERR_CLSD) both for a socket that never had a connection and for
// one whose connection is over or shut down. send(2) says EPIPE for the second (Python:
// BrokenPipeError), and recv(2) returns 0, the end of the stream, for as long as it is asked (lwIP
// returns it once, then ENOTCONN: a buffered reader's second read raised). lwIP says EINPROGRESS to a
// send while a connect is under way, where Linux waits for the connection (EAGAIN when
// non-blocking). And it takes a send of nothing as done without looking at the connection
// (netconn_write_partly returns at once), where Linux fails it as it would fail a send of data: the
// stdlib's sendall(b"") on a shut-down socket raises.
#pragma once

extern "C" {
struct netconn;
}

namespace zt::net {

// The netconn of an lwIP socket if it is TCP, else nullptr. Core lock held.
const struct netconn* tcp_netconn_locked(int lwip_fd);

// For a TCP socket of lwIP: 0 when it can send (connected, or closed by the peer only); EAGAIN while
// it connects; the error lwIP holds for its connection (ECONNRESET, ECONNABORTED) until a call
// reports it; ENOTCONN when it never had a connection (new, bound or listening); EPIPE when its
// connection is over, failed, or shut down for writing. Takes the core lock.
int stream_send_refusal(int lwip_fd);

// Whether a TCP socket of lwIP never had a connection: new, bound or listening (a receive on it is
// ENOTCONN; on any other, lwIP's ENOTCONN is the end of the stream). Takes the core lock.
bool stream_never_connected(int lwip_fd);

// What Linux's poll reports for a TCP socket without a connection (new, bound, or its connection or
// attempt over) beyond what lwIP's poll does: POLLHUP and POLLOUT (a send fails at once rather than
// block), and POLLIN once a connection or an attempt was there (the end of the stream, or the error,
// reads at once). 0 for one listening, connecting or connected, and for other sockets. lwIP reports
// nothing for a new one: a poll or select on it waited for its whole time limit. Core lock held.
short stream_hangup_events_locked(int lwip_fd);

// What shutdown() meets on a TCP socket of lwIP, as Linux tells them apart: a connection (under way,
// or half over: the shutdown is done), none (new, bound, or its connection over: ENOTCONN), or a
// socket listening or connecting (left to lwIP's shutdown: SHUT_RDWR wakes a listener's accept, the
// rest it refuses, where Linux closes the listener or ends the connect). Takes the core lock.
enum class StreamShutdown { kConnection, kNoConnection, kListeningOrConnecting };
StreamShutdown stream_shutdown_meets(int lwip_fd);

// Whether lwIP freed a TCP socket's PCB: its connection, or its attempt at one, is over. Takes the
// core lock.
bool stream_spent(int lwip_fd);

}  // namespace zt::net
