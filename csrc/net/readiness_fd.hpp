// SPDX-License-Identifier: Apache-2.0
// An OS file descriptor per socket that mirrors the socket's readiness, for event loops and
// selectors (select, epoll, asyncio's add_reader/add_writer, trio's wait_readable) that can only
// watch OS descriptors. Readiness only: the descriptor carries no data; I/O goes through our socket.
//
// The descriptor is level-triggered like a real socket's: it polls readable while the lwIP socket has
// data queued (or a pending connection, or an error, or end of stream) and writable while it has room
// to send, both while a TCP socket has no connection (new, bound, or its connection over: Linux's
// poll says POLLOUT|POLLHUP, which select counts as both), and neither while (say) a TCP connect is
// in progress or the send buffer is full.
//
// Why not an eventfd: an eventfd polls writable unless its counter is at its maximum, and readable
// unless it is zero, so it has three states (R, W, RW) and cannot say "neither". A selector watching
// for EVENT_WRITE on a connecting socket, or on one whose send buffer is full, would then spin. One
// AF_UNIX datagram socket pair per socket (net/readiness_pair.hpp) has all four: the exposed end is readable while a byte
// sent from the control end waits in its queue, and unwritable while a datagram it sent (larger
// than a quarter of its minimal send buffer) waits unread in the control end's queue. Why one per
// socket and not one per node: selectors key registrations by descriptor, so each socket needs a
// descriptor of its own. Pairs are made on first use (libzt.socket.fileno()), so sockets nobody
// watches cost no OS descriptors.
//
// The mirror is kept in sync from two places: lwIP's event callback (data arrived, buffer space
// freed, errors; on lwIP's thread) and the end of every call on the socket (a recv that drained the
// queue, a send that filled the buffer). Only transitions cost system calls.
#pragma once

namespace zt::net::readiness {

// The exposed descriptor for application socket `fd` (lwIP socket `lwip_fd` underneath), created on
// first use. -1 with errno set (EMFILE, ...) when the pair cannot be made.
int open(int fd, int lwip_fd);
// fd was shut for reading (SocketTable::State::shut): readable from now on, as Linux's poll says.
void shut_read(int fd);
// Brings fd's descriptor (if any) in line with the lwIP socket's state now.
void sync(int fd);
// The same, from lwIP's event callback, which knows the lwIP socket.
void sync_lwip(int lwip_fd);
// fd now sits on another lwIP socket (a connect that started over).
void rebind(int fd, int lwip_fd);
// fd is closing: its descriptors are closed (the exposed one stops being valid, as a closed socket's).
void close(int fd);
// Node stop (true): every descriptor polls readable and writable, so waiters wake and find the error;
// node start (false): back to the sockets' state.
void set_interrupted(bool interrupted);

}  // namespace zt::net::readiness
