// SPDX-License-Identifier: Apache-2.0
// The simplified socket API: addresses as text plus a port, over the zts_bsd_* calls. Checks,
// return values and zts_errno as libzt's, in libzt's order (ZTS_ERR_SERVICE first, then the
// arguments), where libzt 1.8.4 works; where it does not, it is repaired:
//  - zts_connect retries for real. libzt calls a blocking connect again on the socket it failed
//    on, which lwIP refuses once the attempt has freed its PCB, and never connects a non-blocking
//    socket at all. Here attempts continue on a fresh lwIP socket (net/connect).
//  - zts_tcp_client, zts_tcp_server and zts_udp_server return the descriptor (libzt returns what
//    connect/bind/listen returned, 0, as the descriptor) and close what they opened when they fail,
//    keeping the zts_errno of the failure.
//  - zts_accept checks its buffer before accepting (libzt accepts first, then drops the
//    connection, still open, on a bad buffer), and does not format an address that a failed
//    accept never wrote.
//  - The port out-parameters may be NULL.
#include "ZeroTierSockets.h"
#include "api/arg_error.hpp"
#include "api/ip_text.hpp"
#include "api/socket_call.hpp"
#include "net/broadcast.hpp"
#include "net/connect.hpp"
#include "net/destination.hpp"

namespace {

using zt::api::arg_error;
using zt::api::fail;
using zt::api::fail_errno;
using zt::api::node_running;

// zts_connect's timeout_ms of 0.
constexpr int kDefaultConnectTimeoutMs = 30000;

// Closes what a helper opened, keeping the zts_errno of the failure it reports.
void close_keeping_errno(int fd) {
    const int err = zts_errno;
    zts_bsd_close(fd);
    zt::api::set_zts_errno(err);
}

// getpeername/getsockname as text: the buffer must be ZTS_INET6_ADDRSTRLEN bytes, as in libzt.
int name_as_text(const char* bad_buffer, int (*get)(int, zts_sockaddr*, zts_socklen_t*), int fd, char* dst, int len,
                 unsigned short* port) {
    if (!node_running()) return ZTS_ERR_SERVICE;
    if (dst == nullptr || len != ZTS_INET6_ADDRSTRLEN) return arg_error(bad_buffer);
    zts_sockaddr_storage ss;
    zts_socklen_t addrlen = sizeof ss;
    const int r = get(fd, reinterpret_cast<zts_sockaddr*>(&ss), &addrlen);
    if (r < 0) return r;
    return zt::api::sockaddr_to_text(reinterpret_cast<zts_sockaddr*>(&ss), addrlen, dst, port) ? ZTS_ERR_OK
                                                                                                : fail(ZTS_EAFNOSUPPORT);
}

}  // namespace

extern "C" {

int zts_socket(int family, int type, int protocol) { return zts_bsd_socket(family, type, protocol); }

int zts_connect(int fd, const char* ipstr, unsigned short port, int timeout_ms) {
    if (!node_running()) return ZTS_ERR_SERVICE;
    if (timeout_ms < 0) return arg_error("zts_connect: timeout_ms must not be negative (0 means 30 s)");
    zts_sockaddr_storage ss;
    zts_socklen_t len = 0;
    if (!zt::api::literal_to_sockaddr(ipstr, port, &ss, &len)) {
        return arg_error("zts_connect: ipstr is not an IPv4 or IPv6 address");
    }
    auto use = zt::api::sockets().acquire(fd);
    if (!use) return fail_errno();
    if (use->state().nonblocking) {
        use.reset();
        return zts_bsd_connect(fd, reinterpret_cast<zts_sockaddr*>(&ss), len);
    }
    // ZTS_ and lwIP's socket addresses are the same (net/lwip_options_check.hpp).
    sockaddr_in6 scratch{};
    const sockaddr* to = zt::net::destination(use->lwip(), reinterpret_cast<const sockaddr*>(&ss), &scratch,
                                              zt::net::DestinationUse::kConnect);
    const int refused = zt::net::broadcast_refusal(*use, to, zt::net::BroadcastUse::kConnect);
    if (refused != 0) return fail(refused);
    const int err = zt::net::connect_until(zt::api::sockets(), *use, to, len,
                                           zt::api::deadline_after(timeout_ms == 0 ? kDefaultConnectTimeoutMs
                                                                                   : timeout_ms));
    return err == 0 ? ZTS_ERR_OK : fail(err);
}

int zts_bind(int fd, const char* ipstr, unsigned short port) {
    if (!node_running()) return ZTS_ERR_SERVICE;
    zts_sockaddr_storage ss;
    zts_socklen_t len = 0;
    if (!zt::api::literal_to_sockaddr(ipstr, port, &ss, &len)) {
        return arg_error("zts_bind: ipstr is not an IPv4 or IPv6 address");
    }
    return zts_bsd_bind(fd, reinterpret_cast<zts_sockaddr*>(&ss), len);
}

int zts_listen(int fd, int backlog) { return zts_bsd_listen(fd, backlog); }

int zts_accept(int fd, char* remote_addr, int len, unsigned short* port) {
    if (!node_running()) return ZTS_ERR_SERVICE;
    if (remote_addr == nullptr || len != ZTS_INET6_ADDRSTRLEN) {
        return arg_error("zts_accept: remote_addr must be a buffer of ZTS_INET6_ADDRSTRLEN bytes");
    }
    zts_sockaddr_storage ss;
    zts_socklen_t addrlen = sizeof ss;
    const int child = zts_bsd_accept(fd, reinterpret_cast<zts_sockaddr*>(&ss), &addrlen);
    if (child < 0) return child;
    zt::api::sockaddr_to_text(reinterpret_cast<zts_sockaddr*>(&ss), addrlen, remote_addr, port);
    return child;
}

ssize_t zts_send(int fd, const void* buf, size_t len, int flags) { return zts_bsd_send(fd, buf, len, flags); }
ssize_t zts_recv(int fd, void* buf, size_t len, int flags) { return zts_bsd_recv(fd, buf, len, flags); }
ssize_t zts_read(int fd, void* buf, size_t len) { return zts_bsd_read(fd, buf, len); }
ssize_t zts_write(int fd, const void* buf, size_t len) { return zts_bsd_write(fd, buf, len); }

int zts_shutdown_rd(int fd) { return zts_bsd_shutdown(fd, ZTS_SHUT_RD); }
int zts_shutdown_wr(int fd) { return zts_bsd_shutdown(fd, ZTS_SHUT_WR); }
int zts_shutdown_rdwr(int fd) { return zts_bsd_shutdown(fd, ZTS_SHUT_RDWR); }

int zts_close(int fd) { return zts_bsd_close(fd); }

int zts_getpeername(int fd, char* remote_addr_str, int len, unsigned short* port) {
    return name_as_text("zts_getpeername: remote_addr_str must be a buffer of ZTS_INET6_ADDRSTRLEN bytes",
                        zts_bsd_getpeername, fd, remote_addr_str, len, port);
}

int zts_getsockname(int fd, char* local_addr_str, int len, unsigned short* port) {
    return name_as_text("zts_getsockname: local_addr_str must be a buffer of ZTS_INET6_ADDRSTRLEN bytes",
                        zts_bsd_getsockname, fd, local_addr_str, len, port);
}

int zts_tcp_client(const char* remote_ipstr, unsigned short remote_port) {
    if (!node_running()) return ZTS_ERR_SERVICE;
    const int family = zt::api::literal_family(remote_ipstr);
    if (family == 0) return arg_error("zts_tcp_client: remote_ipstr is not an IPv4 or IPv6 address");
    const int fd = zts_bsd_socket(family, ZTS_SOCK_STREAM, 0);
    if (fd < 0) return fd;
    const int r = zts_connect(fd, remote_ipstr, remote_port, 0);
    if (r < 0) close_keeping_errno(fd);
    return r < 0 ? r : fd;
}

int zts_tcp_server(const char* local_ipstr, unsigned short local_port, char* remote_ipstr, int len,
                   unsigned short* remote_port) {
    if (!node_running()) return ZTS_ERR_SERVICE;
    const int family = zt::api::literal_family(local_ipstr);
    if (family == 0) return arg_error("zts_tcp_server: local_ipstr is not an IPv4 or IPv6 address");
    if (remote_ipstr == nullptr || len != ZTS_INET6_ADDRSTRLEN) {
        return arg_error("zts_tcp_server: remote_ipstr must be a buffer of ZTS_INET6_ADDRSTRLEN bytes");
    }
    const int listen_fd = zts_bsd_socket(family, ZTS_SOCK_STREAM, 0);
    if (listen_fd < 0) return listen_fd;
    int r = zts_bind(listen_fd, local_ipstr, local_port);
    if (r == ZTS_ERR_OK) r = zts_bsd_listen(listen_fd, 1);
    if (r == ZTS_ERR_OK) r = zts_accept(listen_fd, remote_ipstr, len, remote_port);
    close_keeping_errno(listen_fd);  // it served its one client, or failed
    return r;
}

int zts_udp_server(const char* local_ipstr, unsigned short local_port) {
    if (!node_running()) return ZTS_ERR_SERVICE;
    const int family = zt::api::literal_family(local_ipstr);
    if (family == 0) return arg_error("zts_udp_server: local_ipstr is not an IPv4 or IPv6 address");
    const int fd = zts_bsd_socket(family, ZTS_SOCK_DGRAM, 0);
    if (fd < 0) return fd;
    const int r = zts_bind(fd, local_ipstr, local_port);
    if (r < 0) close_keeping_errno(fd);
    return r < 0 ? r : fd;
}

int zts_udp_client(const char* remote_ipstr) {
    if (!node_running()) return ZTS_ERR_SERVICE;
    const int family = zt::api::literal_family(remote_ipstr);
    if (family == 0) return arg_error("zts_udp_client: remote_ipstr is not an IPv4 or IPv6 address");
    return zts_bsd_socket(family, ZTS_SOCK_DGRAM, 0);
}

}  // extern "C"
