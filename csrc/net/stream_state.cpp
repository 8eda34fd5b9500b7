// SPDX-License-Identifier: Apache-2.0
#include "net/stream_state.hpp"

#include <cerrno>

#include "net/lwip.hpp"
#include "net/stack.hpp"

extern "C" {
#include <lwip/api.h>
#include <lwip/priv/sockets_priv.h>  // struct lwip_sock: the netconn of a socket
#include <lwip/tcp.h>
}

namespace zt::net {

const struct netconn* tcp_netconn_locked(int lwip_fd) {
    const struct lwip_sock* sock = lwip_socket_dbg_get_socket(lwip_fd);
    if (sock == nullptr || sock->conn == nullptr) return nullptr;
    return NETCONNTYPE_GROUP(netconn_type(sock->conn)) == NETCONN_TCP ? sock->conn : nullptr;
}

bool stream_never_connected(int lwip_fd) {
    CoreLock lock;
    const struct netconn* conn = tcp_netconn_locked(lwip_fd);
    if (conn == nullptr) return false;
    if (conn->state == NETCONN_LISTEN) return true;
    // A socket that never connected keeps the PCB it was created with, CLOSED, and no connect runs;
    // lwIP frees the PCB of a connection that ended.
    return conn->state == NETCONN_NONE && conn->pcb.tcp != nullptr && conn->pcb.tcp->state == CLOSED;
}

bool stream_spent(int lwip_fd) {
    CoreLock lock;
    const struct netconn* conn = tcp_netconn_locked(lwip_fd);
    return conn != nullptr && conn->pcb.tcp == nullptr;
}

StreamShutdown stream_shutdown_meets(int lwip_fd) {
    CoreLock lock;
    const struct netconn* conn = tcp_netconn_locked(lwip_fd);
    if (conn == nullptr) return StreamShutdown::kNoConnection;
    if (conn->state == NETCONN_LISTEN || conn->state == NETCONN_CONNECT) return StreamShutdown::kListeningOrConnecting;
    const struct tcp_pcb* pcb = conn->pcb.tcp;
    // TIME_WAIT: Linux's socket is closed once its connection is (the TIME_WAIT lives on apart).
    if (pcb == nullptr || pcb->state == CLOSED || pcb->state == TIME_WAIT) return StreamShutdown::kNoConnection;
    return StreamShutdown::kConnection;
}

short stream_hangup_events_locked(int lwip_fd) {
    const struct netconn* conn = tcp_netconn_locked(lwip_fd);
    if (conn == nullptr || conn->state == NETCONN_LISTEN || conn->state == NETCONN_CONNECT) return 0;
    if (conn->pcb.tcp == nullptr) return POLLHUP | POLLOUT | POLLIN;  // over: lwIP freed the PCB
    return conn->pcb.tcp->state == CLOSED ? POLLHUP | POLLOUT : 0;  // CLOSED: never connected
}

int stream_send_refusal(int lwip_fd) {
    CoreLock lock;
    const struct netconn* conn = tcp_netconn_locked(lwip_fd);
    if (conn == nullptr) return EBADF;
    // Held once the connection broke, until a call reports it (netconn_err and lwIP's send read and
    // clear it, on the application's threads under SYS_ARCH_PROTECT, not the core lock). ERR_CLSD,
    // the other error lwIP stores, comes with the PCB gone: EPIPE below.
    SYS_ARCH_DECL_PROTECT(lev);
    SYS_ARCH_PROTECT(lev);
    const err_t pending = conn->pending_err;
    SYS_ARCH_UNPROTECT(lev);
    if (pending == ERR_RST) return ECONNRESET;
    if (pending == ERR_ABRT) return ECONNABORTED;
    switch (conn->state) {  // lwIP refuses data in these before it looks at the PCB (do_write)
        case NETCONN_CONNECT:
            return EAGAIN;  // sendable once connected
        case NETCONN_LISTEN:
            return ENOTCONN;
        case NETCONN_CLOSE:
            return EPIPE;  // being shut down
        default:
            break;
    }
    // lwIP frees the PCB when a connection ends (closed both ways, reset, or its connect failed); a
    // socket that never connected keeps the one it was created with, CLOSED.
    const struct tcp_pcb* pcb = conn->pcb.tcp;
    if (pcb == nullptr) return EPIPE;
    switch (pcb->state) {
        case CLOSED:
            return ENOTCONN;
        case ESTABLISHED:
        case CLOSE_WAIT:
            return 0;  // with SYN_SENT and SYN_RCVD (seen as NETCONN_CONNECT above), what tcp_write takes
        default:
            return EPIPE;  // FIN_WAIT_1 and later: shut down for writing
    }
}

}  // namespace zt::net
