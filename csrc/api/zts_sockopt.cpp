// SPDX-License-Identifier: Apache-2.0
// The option shortcuts of the simplified API (zts_set_* / zts_get_*), over zts_bsd_setsockopt,
// getsockopt, fcntl and ioctl. As in libzt: ZTS_ERR_SERVICE first, then ZTS_ERR_ARG for an on/off
// flag other than 0 or 1 and for negative sizes and times; getters return the value (1/0 for
// on/off) or the failing call's code, zts_errno set. Two things are libzt's too, on purpose:
// zts_get_recv_timeout/zts_get_send_timeout return whole seconds, and zts_set_send_buf_size fails
// (ZTS_ENOPROTOOPT): lwIP has no send buffer size to set. One thing is not: zts_set_ttl takes libzt's
// 0..255, then 0 fails with ZTS_EINVAL, Linux's rule for IP_TTL (libzt's lwIP stored it; net/hop_options).
#include "ZeroTierSockets.h"
#include "api/arg_error.hpp"
#include "api/socket_call.hpp"

namespace {

using zt::api::arg_error;
using zt::api::node_running;

int set_int(int fd, int level, int name, int value) { return zts_bsd_setsockopt(fd, level, name, &value, sizeof value); }

int get_int(int fd, int level, int name) {
    int value = 0;
    zts_socklen_t len = sizeof value;
    const int r = zts_bsd_getsockopt(fd, level, name, &value, &len);
    return r < 0 ? r : value;
}

int get_flag(int fd, int level, int name) {
    const int r = get_int(fd, level, name);
    return r < 0 ? r : (r != 0 ? 1 : 0);
}

// A setter's checks: the node, then an on/off value.
int check_flag(const char* who, int enabled) {
    if (!node_running()) return ZTS_ERR_SERVICE;
    if (enabled != 0 && enabled != 1) return arg_error(who);
    return ZTS_ERR_OK;
}

int check_not_negative(const char* who, int value) {
    if (!node_running()) return ZTS_ERR_SERVICE;
    if (value < 0) return arg_error(who);
    return ZTS_ERR_OK;
}

int set_timeout(const char* who, int fd, int name, int seconds, int microseconds) {
    if (!node_running()) return ZTS_ERR_SERVICE;
    if (seconds < 0 || microseconds < 0) return arg_error(who);
    // lwIP (libzt's) takes any number of microseconds; a timeval wants them below a second.
    zts_timeval tv{seconds + microseconds / 1000000L, microseconds % 1000000L};
    return zts_bsd_setsockopt(fd, ZTS_SOL_SOCKET, name, &tv, sizeof tv);
}

int get_timeout_seconds(int fd, int name) {
    zts_timeval tv{0, 0};
    zts_socklen_t len = sizeof tv;
    const int r = zts_bsd_getsockopt(fd, ZTS_SOL_SOCKET, name, &tv, &len);
    return r < 0 ? r : static_cast<int>(tv.tv_sec);
}

int get_linger(int fd, zts_linger* out) {
    zts_socklen_t len = sizeof *out;
    return zts_bsd_getsockopt(fd, ZTS_SOL_SOCKET, ZTS_SO_LINGER, out, &len);
}

}  // namespace

extern "C" {

int zts_set_no_delay(int fd, int enabled) {
    const int r = check_flag("zts_set_no_delay: enabled must be 0 or 1", enabled);
    return r < 0 ? r : set_int(fd, ZTS_IPPROTO_TCP, ZTS_TCP_NODELAY, enabled);
}

int zts_get_no_delay(int fd) { return get_flag(fd, ZTS_IPPROTO_TCP, ZTS_TCP_NODELAY); }

int zts_get_last_socket_error(int fd) { return get_int(fd, ZTS_SOL_SOCKET, ZTS_SO_ERROR); }

size_t zts_get_data_available(int fd) {
    // A failure, as in libzt, is the negative code converted to size_t.
    return static_cast<size_t>(static_cast<ssize_t>(zts_get_pending_data_size(fd)));
}

int zts_get_pending_data_size(int fd) {
    int available = 0;
    const int r = zts_bsd_ioctl(fd, ZTS_FIONREAD, &available);
    return r < 0 ? r : available;
}

int zts_set_linger(int fd, int enabled, int value) {
    int r = check_flag("zts_set_linger: enabled must be 0 or 1", enabled);
    if (r == ZTS_ERR_OK) r = check_not_negative("zts_set_linger: value must not be negative", value);
    if (r < 0) return r;
    const zts_linger linger{enabled, value};
    return zts_bsd_setsockopt(fd, ZTS_SOL_SOCKET, ZTS_SO_LINGER, &linger, sizeof linger);
}

int zts_get_linger_enabled(int fd) {
    zts_linger linger{0, 0};
    const int r = get_linger(fd, &linger);
    return r < 0 ? r : linger.l_onoff;
}

int zts_get_linger_value(int fd) {
    zts_linger linger{0, 0};
    const int r = get_linger(fd, &linger);
    return r < 0 ? r : linger.l_linger;
}

int zts_set_reuse_addr(int fd, int enabled) {
    const int r = check_flag("zts_set_reuse_addr: enabled must be 0 or 1", enabled);
    return r < 0 ? r : set_int(fd, ZTS_SOL_SOCKET, ZTS_SO_REUSEADDR, enabled);
}

int zts_get_reuse_addr(int fd) { return get_flag(fd, ZTS_SOL_SOCKET, ZTS_SO_REUSEADDR); }

int zts_set_recv_timeout(int fd, int seconds, int microseconds) {
    return set_timeout("zts_set_recv_timeout: times must not be negative", fd, ZTS_SO_RCVTIMEO, seconds,
                       microseconds);
}

int zts_get_recv_timeout(int fd) { return get_timeout_seconds(fd, ZTS_SO_RCVTIMEO); }

int zts_set_send_timeout(int fd, int seconds, int microseconds) {
    return set_timeout("zts_set_send_timeout: times must not be negative", fd, ZTS_SO_SNDTIMEO, seconds,
                       microseconds);
}

int zts_get_send_timeout(int fd) { return get_timeout_seconds(fd, ZTS_SO_SNDTIMEO); }

int zts_set_send_buf_size(int fd, int size) {
    const int r = check_not_negative("zts_set_send_buf_size: size must not be negative", size);
    return r < 0 ? r : set_int(fd, ZTS_SOL_SOCKET, ZTS_SO_SNDBUF, size);
}

int zts_get_send_buf_size(int fd) { return get_int(fd, ZTS_SOL_SOCKET, ZTS_SO_SNDBUF); }

int zts_set_recv_buf_size(int fd, int size) {
    const int r = check_not_negative("zts_set_recv_buf_size: size must not be negative", size);
    return r < 0 ? r : set_int(fd, ZTS_SOL_SOCKET, ZTS_SO_RCVBUF, size);
}

int zts_get_recv_buf_size(int fd) { return get_int(fd, ZTS_SOL_SOCKET, ZTS_SO_RCVBUF); }

int zts_set_ttl(int fd, int ttl) {
    if (!node_running()) return ZTS_ERR_SERVICE;
    if (ttl < 0 || ttl > 255) return arg_error("zts_set_ttl: ttl must be 0..255");
    return set_int(fd, ZTS_IPPROTO_IP, ZTS_IP_TTL, ttl);
}

int zts_get_ttl(int fd) { return get_int(fd, ZTS_IPPROTO_IP, ZTS_IP_TTL); }

int zts_set_blocking(int fd, int enabled) {
    const int r = check_flag("zts_set_blocking: enabled must be 0 or 1", enabled);
    if (r < 0) return r;
    const int flags = zts_bsd_fcntl(fd, ZTS_F_GETFL, 0);
    if (flags < 0) return flags;
    return zts_bsd_fcntl(fd, ZTS_F_SETFL, enabled ? (flags & ~ZTS_O_NONBLOCK) : (flags | ZTS_O_NONBLOCK));
}

int zts_get_blocking(int fd) {
    const int flags = zts_bsd_fcntl(fd, ZTS_F_GETFL, 0);
    return flags < 0 ? flags : ((flags & ZTS_O_NONBLOCK) == 0 ? 1 : 0);
}

int zts_set_keepalive(int fd, int enabled) {
    const int r = check_flag("zts_set_keepalive: enabled must be 0 or 1", enabled);
    return r < 0 ? r : set_int(fd, ZTS_SOL_SOCKET, ZTS_SO_KEEPALIVE, enabled);
}

int zts_get_keepalive(int fd) { return get_flag(fd, ZTS_SOL_SOCKET, ZTS_SO_KEEPALIVE); }

}  // extern "C"
