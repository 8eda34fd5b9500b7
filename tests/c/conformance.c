/* SPDX-License-Identifier: Apache-2.0 */
/*
 * C API conformance: every zts_bsd_* call and the simplified zts_* calls, checked against libzt's
 * documented return values and zts_errno, from a C program linked with the plain C build of our
 * library (ext/build_clib.py).
 *
 *   conformance PLANET NETWORK_ID PEER_IP PEER_PORT
 *
 * NETWORK_ID is an IPv4 ad-hoc network (ffAA000000000001: every member gets AA.x.y.z, and a 6PLANE
 * IPv6 address). At PEER_IP, PEER_PORT another node runs examples/c/echo as a server; nothing
 * listens on PEER_PORT + 1. Traffic to ourselves goes through our own stack (lwIP loops back
 * packets for its own addresses). Prints PASS or FAIL and a description per check, then a
 * summary; exits 1 if any check failed.
 *
 * Where we differ from libzt 1.8.4 on purpose, the check says what libzt does.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ZeroTierSockets.h"
#include "libzt_ext.h"

#define ANY_ERRNO (-1)
#define NO_FD 1000000 /* never a descriptor: far beyond ZTS_FD_SETSIZE */

static int checks, failures;

static void report(int ok, const char* fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("%s ", ok ? "PASS" : "FAIL");
    vprintf(fmt, ap);
    printf("\n");
    fflush(stdout);
    va_end(ap);
    checks++;
    failures += ! ok;
}

static void expect_call(const char* call, long got, int got_errno, long want, int want_errno)
{
    int ok = got == want && (want_errno == ANY_ERRNO || got_errno == want_errno);
    if (want_errno == ANY_ERRNO) {
        report(ok, "%s -> %ld (want %ld, zts_errno %d)", call, got, want, got_errno);
    }
    else {
        report(ok, "%s -> %ld zts_errno %d (want %ld zts_errno %d)", call, got, got_errno, want, want_errno);
    }
}

/* zts_errno is read right after the call, before anything else can change it. */
#define EXPECT(call, want, want_errno)                                                                               \
    do {                                                                                                             \
        zts_errno = 0;                                                                                               \
        long got_ = (long)(call);                                                                                    \
        int errno_ = zts_errno;                                                                                      \
        expect_call(#call, got_, errno_, (long)(want), (want_errno));                                                \
    } while (0)
#define EXPECT_OK(call)              EXPECT(call, ZTS_ERR_OK, ANY_ERRNO)
#define EXPECT_ARG(call)             EXPECT(call, ZTS_ERR_ARG, ANY_ERRNO)
#define EXPECT_SERVICE(call)         EXPECT(call, ZTS_ERR_SERVICE, ANY_ERRNO)
#define EXPECT_SOCKET(call, errnum)  EXPECT(call, ZTS_ERR_SOCKET, errnum)
#define CHECK(cond, ...)             report((cond) != 0, __VA_ARGS__)

/* A call that must succeed with a descriptor or count; returns it (or -1 after a FAIL line). */
static long must(const char* call, long got)
{
    if (got < 0) {
        report(0, "%s -> %ld zts_errno %d (want >= 0)", call, got, zts_errno);
        return -1;
    }
    return got;
}
#define MUST(call) must(#call, (long)(call))

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/*------------------------------------------------------------------------------------------------
 * The node: started from the planet file, events awaited on a condition variable
 *----------------------------------------------------------------------------------------------*/

static pthread_mutex_t event_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t event_seen = PTHREAD_COND_INITIALIZER;
static int online, ready4;

static void on_event(void* msg_ptr)
{
    const zts_event_msg_t* msg = msg_ptr;
    pthread_mutex_lock(&event_lock);
    online |= msg->event_code == ZTS_EVENT_NODE_ONLINE;
    ready4 |= msg->event_code == ZTS_EVENT_NETWORK_READY_IP4;
    pthread_cond_broadcast(&event_seen);
    pthread_mutex_unlock(&event_lock);
}

static int wait_flag(const int* flag, int seconds)
{
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += seconds;
    pthread_mutex_lock(&event_lock);
    int timed_out = 0;
    while (! *flag && ! timed_out) {
        timed_out = pthread_cond_timedwait(&event_seen, &event_lock, &deadline) != 0;
    }
    int set = *flag;
    pthread_mutex_unlock(&event_lock);
    return set;
}

static char planet[ZTS_STORE_DATA_LEN];
static unsigned int planet_len;
static uint64_t net_id;
static char my_ip4[ZTS_IP_MAX_STR_LEN], my_ip6[ZTS_IP_MAX_STR_LEN], nobody_ip4[ZTS_IP_MAX_STR_LEN];
static const char* peer_ip;
static unsigned short peer_port;

static int start_node(void)
{
    EXPECT_OK(zts_init_set_roots(planet, planet_len));
    EXPECT_OK(zts_init_set_event_handler(on_event));
    EXPECT_OK(zts_node_start());
    CHECK(wait_flag(&online, 30), "node online (ZTS_EVENT_NODE_ONLINE)");
    EXPECT_OK(zts_net_join(net_id));
    if (! wait_flag(&ready4, 30)) {
        report(0, "network ready (ZTS_EVENT_NETWORK_READY_IP4)");
        return 0;
    }
    EXPECT_OK(zts_addr_get_str(net_id, ZTS_AF_INET, my_ip4, sizeof my_ip4));
    EXPECT_OK(zts_addr_get_str(net_id, ZTS_AF_INET6, my_ip6, sizeof my_ip6));
    /* An address on the network that no member holds: ours with the last byte changed. */
    unsigned char ip[4];
    zts_inet_pton(ZTS_AF_INET, my_ip4, ip);
    ip[3] ^= 0x5a;
    zts_inet_ntop(ZTS_AF_INET, ip, nobody_ip4, sizeof nobody_ip4);
    printf("INFO node %010" PRIx64 ": %s and %s; peer %s port %u; nobody at %s\n", zts_node_get_id(), my_ip4,
           my_ip6, peer_ip, peer_port, nobody_ip4);
    return 1;
}

/*------------------------------------------------------------------------------------------------
 * Utilities: no node needed
 *----------------------------------------------------------------------------------------------*/

static void test_utilities(void)
{
    EXPECT(zts_util_get_ip_family("10.1.2.3"), ZTS_AF_INET, ANY_ERRNO);
    EXPECT(zts_util_get_ip_family("fd00::1"), ZTS_AF_INET6, ANY_ERRNO);
    EXPECT_ARG(zts_util_get_ip_family("not an address")); /* libzt: -1 */
    EXPECT_ARG(zts_util_get_ip_family(NULL));

    unsigned char b4[4], b6[16];
    EXPECT(zts_inet_pton(ZTS_AF_INET, "10.1.2.3", b4), 1, ANY_ERRNO);
    CHECK(memcmp(b4, "\x0a\x01\x02\x03", 4) == 0, "zts_inet_pton(AF_INET, \"10.1.2.3\") bytes");
    EXPECT(zts_inet_pton(ZTS_AF_INET, "10.1", b4), 1, ANY_ERRNO); /* inet_aton's forms, as lwIP */
    CHECK(memcmp(b4, "\x0a\x00\x00\x01", 4) == 0, "zts_inet_pton(AF_INET, \"10.1\") is 10.0.0.1");
    EXPECT(zts_inet_pton(ZTS_AF_INET, "1.2.3.256", b4), 0, ANY_ERRNO);
    EXPECT(zts_inet_pton(ZTS_AF_INET6, "fd00::1", b6), 1, ANY_ERRNO);
    EXPECT(zts_inet_pton(ZTS_AF_INET6, "fd00:::1", b6), 0, ANY_ERRNO);
    EXPECT(zts_inet_pton(99, "10.1.2.3", b4), -1, ZTS_EAFNOSUPPORT);

    char text[ZTS_INET6_ADDRSTRLEN];
    zts_inet_pton(ZTS_AF_INET6, "fd00:0:0:1::abcd", b6);
    const char* t = zts_inet_ntop(ZTS_AF_INET6, b6, text, sizeof text);
    /* lwIP's spelling, as libzt's: upper case, "::" for the FIRST run of zero groups (not the longest). */
    CHECK(t == text && strcmp(text, "FD00::1:0:0:0:ABCD") == 0, "zts_inet_ntop(AF_INET6) -> \"%s\"", t ? t : "NULL");
    CHECK(zts_inet_ntop(ZTS_AF_INET6, b6, text, 8) == NULL, "zts_inet_ntop into a short buffer -> NULL");
    CHECK(zts_inet_ntop(99, b6, text, sizeof text) == NULL, "zts_inet_ntop(99, ...) -> NULL");

    struct zts_sockaddr_storage ss;
    zts_socklen_t len = sizeof ss;
    EXPECT_OK(zts_util_ipstr_to_saddr("10.1.2.3", 8080, (struct zts_sockaddr*)&ss, &len));
    struct zts_sockaddr_in* in4 = (struct zts_sockaddr_in*)&ss;
    CHECK(len == sizeof(struct zts_sockaddr_in) && in4->sin_family == ZTS_AF_INET && in4->sin_len == len
              && in4->sin_port == (unsigned short)((8080 >> 8) | ((8080 & 0xff) << 8))
              && memcmp(&in4->sin_addr, "\x0a\x01\x02\x03", 4) == 0,
          "zts_util_ipstr_to_saddr(\"10.1.2.3\", 8080) fills a zts_sockaddr_in");
    len = sizeof ss;
    EXPECT_OK(zts_util_ipstr_to_saddr("::1", 9, (struct zts_sockaddr*)&ss, &len));
    struct zts_sockaddr_in6* in6 = (struct zts_sockaddr_in6*)&ss;
    CHECK(len == sizeof(struct zts_sockaddr_in6) && in6->sin6_family == ZTS_AF_INET6
              && ((unsigned char*)&in6->sin6_addr)[15] == 1,
          "zts_util_ipstr_to_saddr(\"::1\") is ::1 (libzt 1.8.4 makes it ::)");
    len = sizeof(struct zts_sockaddr_in6) - 1;
    EXPECT_ARG(zts_util_ipstr_to_saddr("::1", 9, (struct zts_sockaddr*)&ss, &len));
    len = sizeof ss;
    EXPECT_ARG(zts_util_ipstr_to_saddr("nonsense", 9, (struct zts_sockaddr*)&ss, &len));
    EXPECT_ARG(zts_util_ipstr_to_saddr("10.1.2.3", 9, NULL, &len));

    unsigned short port = 0;
    len = sizeof ss;
    zts_util_ipstr_to_saddr("fd00::1:2", 443, (struct zts_sockaddr*)&ss, &len);
    EXPECT_OK(zts_util_ntop((struct zts_sockaddr*)&ss, len, text, ZTS_INET6_ADDRSTRLEN, &port));
    CHECK(strcmp(text, "FD00::1:2") == 0 && port == 443, "zts_util_ntop -> %s port %u", text, port);
    EXPECT_ARG(zts_util_ntop((struct zts_sockaddr*)&ss, len, text, ZTS_INET6_ADDRSTRLEN - 1, &port));
    EXPECT_ARG(zts_util_ntop((struct zts_sockaddr*)&ss, 8, text, ZTS_INET6_ADDRSTRLEN, &port));
    EXPECT_ARG(zts_util_ntop(NULL, len, text, ZTS_INET6_ADDRSTRLEN, &port));

    zts_ip_addr ip;
    EXPECT(zts_ipaddr_aton("192.168.7.9", &ip), 1, ANY_ERRNO);
    const char* s = zts_ipaddr_ntoa(&ip);
    CHECK(ip.type == 0 && s && strcmp(s, "192.168.7.9") == 0, "zts_ipaddr_ntoa(zts_ipaddr_aton(\"192.168.7.9\"))");
    EXPECT(zts_ipaddr_aton("fc00::7", &ip), 1, ANY_ERRNO);
    s = zts_ipaddr_ntoa(&ip);
    CHECK(ip.type == 6 && s && strcmp(s, "FC00::7") == 0, "zts_ipaddr_ntoa(zts_ipaddr_aton(\"fc00::7\")) -> %s",
          s ? s : "NULL");
    EXPECT(zts_ipaddr_aton("nonsense", &ip), 0, ANY_ERRNO);

    long t0 = now_ms();
    zts_util_delay(60);
    CHECK(now_ms() - t0 >= 60, "zts_util_delay(60) waits 60 ms");
}

/*------------------------------------------------------------------------------------------------
 * Before zts_node_start and after zts_node_stop: ZTS_ERR_SERVICE from every socket call
 *----------------------------------------------------------------------------------------------*/

static void test_without_node(int fd, const char* when)
{
    printf("INFO socket calls %s\n", when);
    char buf[8];
    struct zts_sockaddr_storage ss;
    zts_socklen_t len = sizeof ss;
    zts_util_ipstr_to_saddr("10.1.2.3", 80, (struct zts_sockaddr*)&ss, &len);
    struct zts_sockaddr* sa = (struct zts_sockaddr*)&ss;
    int optval = 1;
    zts_socklen_t optlen = sizeof optval;
    struct zts_pollfd pfd = { fd, ZTS_POLLIN, 0 };
    struct zts_iovec iov = { buf, sizeof buf };
    struct zts_msghdr msg = { NULL, 0, &iov, 1, NULL, 0, 0 };
    struct zts_timeval tv = { 0, 0 };
    char addr[ZTS_INET6_ADDRSTRLEN];
    unsigned short port;
    zts_ip_addr dns;
    zts_ipaddr_aton("10.0.0.53", &dns);

    EXPECT_SERVICE(zts_bsd_socket(ZTS_AF_INET, ZTS_SOCK_STREAM, 0));
    EXPECT_SERVICE(zts_bsd_connect(fd, sa, len));
    EXPECT_SERVICE(zts_bsd_bind(fd, sa, len));
    EXPECT_SERVICE(zts_bsd_listen(fd, 1));
    EXPECT_SERVICE(zts_bsd_accept(fd, NULL, NULL));
    EXPECT_SERVICE(zts_bsd_setsockopt(fd, ZTS_SOL_SOCKET, ZTS_SO_KEEPALIVE, &optval, sizeof optval));
    EXPECT_SERVICE(zts_bsd_getsockopt(fd, ZTS_SOL_SOCKET, ZTS_SO_KEEPALIVE, &optval, &optlen));
    EXPECT_SERVICE(zts_bsd_getsockname(fd, sa, &len));
    EXPECT_SERVICE(zts_bsd_getpeername(fd, sa, &len));
    EXPECT_SERVICE(zts_bsd_select(0, NULL, NULL, NULL, &tv));
    EXPECT_SERVICE(zts_bsd_fcntl(fd, ZTS_F_GETFL, 0));
    EXPECT_SERVICE(zts_bsd_poll(&pfd, 1, 0));
    EXPECT_SERVICE(zts_bsd_ioctl(fd, ZTS_FIONREAD, &optval));
    EXPECT_SERVICE(zts_bsd_send(fd, buf, 1, 0));
    EXPECT_SERVICE(zts_bsd_sendto(fd, buf, 1, 0, sa, len));
    EXPECT_SERVICE(zts_bsd_sendmsg(fd, &msg, 0));
    EXPECT_SERVICE(zts_bsd_recv(fd, buf, 1, 0));
    EXPECT_SERVICE(zts_bsd_recvfrom(fd, buf, 1, 0, NULL, NULL));
    EXPECT_SERVICE(zts_bsd_recvmsg(fd, &msg, 0));
    EXPECT_SERVICE(zts_bsd_read(fd, buf, 1));
    EXPECT_SERVICE(zts_bsd_readv(fd, &iov, 1));
    EXPECT_SERVICE(zts_bsd_write(fd, buf, 1));
    EXPECT_SERVICE(zts_bsd_writev(fd, &iov, 1));
    EXPECT_SERVICE(zts_bsd_shutdown(fd, ZTS_SHUT_RDWR));
    EXPECT_SERVICE(zts_socket(ZTS_AF_INET, ZTS_SOCK_STREAM, 0));
    EXPECT_SERVICE(zts_connect(fd, "10.1.2.3", 80, 0));
    EXPECT_SERVICE(zts_connect(fd, "10.1.2.3", 80, -1)); /* the node first, then the arguments */
    EXPECT_SERVICE(zts_bind(fd, "10.1.2.3", 80));
    EXPECT_SERVICE(zts_listen(fd, 1));
    EXPECT_SERVICE(zts_accept(fd, addr, sizeof addr, &port));
    EXPECT_SERVICE(zts_send(fd, buf, 1, 0));
    EXPECT_SERVICE(zts_recv(fd, buf, 1, 0));
    EXPECT_SERVICE(zts_read(fd, buf, 1));
    EXPECT_SERVICE(zts_write(fd, buf, 1));
    EXPECT_SERVICE(zts_shutdown_rd(fd));
    EXPECT_SERVICE(zts_shutdown_wr(fd));
    EXPECT_SERVICE(zts_shutdown_rdwr(fd));
    EXPECT_SERVICE(zts_getpeername(fd, addr, sizeof addr, &port));
    EXPECT_SERVICE(zts_getsockname(fd, addr, sizeof addr, &port));
    EXPECT_SERVICE(zts_tcp_client("10.1.2.3", 80));
    EXPECT_SERVICE(zts_tcp_server("10.1.2.3", 80, addr, sizeof addr, &port));
    EXPECT_SERVICE(zts_udp_server("10.1.2.3", 80));
    EXPECT_SERVICE(zts_udp_client("10.1.2.3"));
    EXPECT_SERVICE(zts_set_no_delay(fd, 1));
    EXPECT_SERVICE(zts_get_no_delay(fd));
    EXPECT_SERVICE(zts_get_last_socket_error(fd));
    EXPECT_SERVICE((ssize_t)zts_get_data_available(fd));
    EXPECT_SERVICE(zts_get_pending_data_size(fd));
    EXPECT_SERVICE(zts_set_linger(fd, 1, 1));
    EXPECT_SERVICE(zts_get_linger_enabled(fd));
    EXPECT_SERVICE(zts_get_linger_value(fd));
    EXPECT_SERVICE(zts_set_reuse_addr(fd, 1));
    EXPECT_SERVICE(zts_get_reuse_addr(fd));
    EXPECT_SERVICE(zts_set_recv_timeout(fd, 1, 0));
    EXPECT_SERVICE(zts_get_recv_timeout(fd));
    EXPECT_SERVICE(zts_set_send_timeout(fd, 1, 0));
    EXPECT_SERVICE(zts_get_send_timeout(fd));
    EXPECT_SERVICE(zts_set_send_buf_size(fd, 1024));
    EXPECT_SERVICE(zts_get_send_buf_size(fd));
    EXPECT_SERVICE(zts_set_recv_buf_size(fd, 1024));
    EXPECT_SERVICE(zts_get_recv_buf_size(fd));
    EXPECT_SERVICE(zts_set_ttl(fd, 1));
    EXPECT_SERVICE(zts_get_ttl(fd));
    EXPECT_SERVICE(zts_set_blocking(fd, 1));
    EXPECT_SERVICE(zts_get_blocking(fd));
    EXPECT_SERVICE(zts_set_keepalive(fd, 1));
    EXPECT_SERVICE(zts_get_keepalive(fd));
    EXPECT_SERVICE(zts_dns_set_server(0, &dns));
}

/*------------------------------------------------------------------------------------------------
 * Descriptors that are not sockets: ZTS_ERR_SOCKET with ZTS_EBADF
 *----------------------------------------------------------------------------------------------*/

static void test_bad_descriptor(int fd)
{
    printf("INFO descriptor %d\n", fd);
    char buf[8];
    struct zts_sockaddr_storage ss;
    zts_socklen_t len = sizeof ss;
    zts_util_ipstr_to_saddr(my_ip4, 9, (struct zts_sockaddr*)&ss, &len);
    struct zts_sockaddr* sa = (struct zts_sockaddr*)&ss;
    int optval = 1;
    zts_socklen_t optlen = sizeof optval;
    struct zts_iovec iov = { buf, sizeof buf };
    struct zts_msghdr msg = { NULL, 0, &iov, 1, NULL, 0, 0 };
    char addr[ZTS_INET6_ADDRSTRLEN];
    unsigned short port;

    EXPECT_SOCKET(zts_bsd_connect(fd, sa, len), ZTS_EBADF);
    EXPECT_SOCKET(zts_bsd_bind(fd, sa, len), ZTS_EBADF);
    EXPECT_SOCKET(zts_bsd_listen(fd, 1), ZTS_EBADF);
    EXPECT_SOCKET(zts_bsd_accept(fd, NULL, NULL), ZTS_EBADF);
    EXPECT_SOCKET(zts_bsd_setsockopt(fd, ZTS_SOL_SOCKET, ZTS_SO_KEEPALIVE, &optval, sizeof optval), ZTS_EBADF);
    EXPECT_SOCKET(zts_bsd_getsockopt(fd, ZTS_SOL_SOCKET, ZTS_SO_KEEPALIVE, &optval, &optlen), ZTS_EBADF);
    len = sizeof ss;
    EXPECT_SOCKET(zts_bsd_getsockname(fd, sa, &len), ZTS_EBADF);
    len = sizeof ss;
    EXPECT_SOCKET(zts_bsd_getpeername(fd, sa, &len), ZTS_EBADF);
    EXPECT_SOCKET(zts_bsd_close(fd), ZTS_EBADF);
    EXPECT_SOCKET(zts_bsd_fcntl(fd, ZTS_F_GETFL, 0), ZTS_EBADF);
    EXPECT_SOCKET(zts_bsd_ioctl(fd, ZTS_FIONREAD, &optval), ZTS_EBADF);
    EXPECT_SOCKET(zts_bsd_send(fd, buf, 1, 0), ZTS_EBADF);
    len = sizeof ss;
    zts_util_ipstr_to_saddr(my_ip4, 9, sa, &len);
    EXPECT_SOCKET(zts_bsd_sendto(fd, buf, 1, 0, sa, len), ZTS_EBADF);
    EXPECT_SOCKET(zts_bsd_sendmsg(fd, &msg, 0), ZTS_EBADF);
    EXPECT_SOCKET(zts_bsd_recv(fd, buf, 1, 0), ZTS_EBADF);
    EXPECT_SOCKET(zts_bsd_recvfrom(fd, buf, 1, 0, NULL, NULL), ZTS_EBADF);
    EXPECT_SOCKET(zts_bsd_recvmsg(fd, &msg, 0), ZTS_EBADF);
    EXPECT_SOCKET(zts_bsd_read(fd, buf, 1), ZTS_EBADF);
    EXPECT_SOCKET(zts_bsd_readv(fd, &iov, 1), ZTS_EBADF);
    EXPECT_SOCKET(zts_bsd_write(fd, buf, 1), ZTS_EBADF);
    EXPECT_SOCKET(zts_bsd_writev(fd, &iov, 1), ZTS_EBADF);
    EXPECT_SOCKET(zts_bsd_shutdown(fd, ZTS_SHUT_RDWR), ZTS_EBADF);
    EXPECT_SOCKET(zts_connect(fd, my_ip4, 9, 100), ZTS_EBADF);
    EXPECT_SOCKET(zts_bind(fd, my_ip4, 9), ZTS_EBADF);
    EXPECT_SOCKET(zts_listen(fd, 1), ZTS_EBADF);
    EXPECT_SOCKET(zts_accept(fd, addr, sizeof addr, &port), ZTS_EBADF);
    EXPECT_SOCKET(zts_send(fd, buf, 1, 0), ZTS_EBADF);
    EXPECT_SOCKET(zts_recv(fd, buf, 1, 0), ZTS_EBADF);
    EXPECT_SOCKET(zts_read(fd, buf, 1), ZTS_EBADF);
    EXPECT_SOCKET(zts_write(fd, buf, 1), ZTS_EBADF);
    EXPECT_SOCKET(zts_shutdown_rd(fd), ZTS_EBADF);
    EXPECT_SOCKET(zts_shutdown_wr(fd), ZTS_EBADF);
    EXPECT_SOCKET(zts_shutdown_rdwr(fd), ZTS_EBADF);
    EXPECT_SOCKET(zts_close(fd), ZTS_EBADF);
    EXPECT_SOCKET(zts_getpeername(fd, addr, sizeof addr, &port), ZTS_EBADF);
    EXPECT_SOCKET(zts_getsockname(fd, addr, sizeof addr, &port), ZTS_EBADF);
    EXPECT_SOCKET(zts_set_no_delay(fd, 1), ZTS_EBADF);
    EXPECT_SOCKET(zts_get_no_delay(fd), ZTS_EBADF);
    EXPECT_SOCKET(zts_get_last_socket_error(fd), ZTS_EBADF);
    EXPECT_SOCKET((ssize_t)zts_get_data_available(fd), ZTS_EBADF);
    EXPECT_SOCKET(zts_get_pending_data_size(fd), ZTS_EBADF);
    EXPECT_SOCKET(zts_set_linger(fd, 1, 1), ZTS_EBADF);
    EXPECT_SOCKET(zts_get_linger_enabled(fd), ZTS_EBADF);
    EXPECT_SOCKET(zts_get_linger_value(fd), ZTS_EBADF);
    EXPECT_SOCKET(zts_set_reuse_addr(fd, 1), ZTS_EBADF);
    EXPECT_SOCKET(zts_get_reuse_addr(fd), ZTS_EBADF);
    EXPECT_SOCKET(zts_set_recv_timeout(fd, 1, 0), ZTS_EBADF);
    EXPECT_SOCKET(zts_get_recv_timeout(fd), ZTS_EBADF);
    EXPECT_SOCKET(zts_set_send_timeout(fd, 1, 0), ZTS_EBADF);
    EXPECT_SOCKET(zts_get_send_timeout(fd), ZTS_EBADF);
    EXPECT_SOCKET(zts_set_recv_buf_size(fd, 1024), ZTS_EBADF);
    EXPECT_SOCKET(zts_get_recv_buf_size(fd), ZTS_EBADF);
    EXPECT_SOCKET(zts_set_ttl(fd, 1), ZTS_EBADF);
    EXPECT_SOCKET(zts_get_ttl(fd), ZTS_EBADF);
    EXPECT_SOCKET(zts_set_blocking(fd, 1), ZTS_EBADF);
    EXPECT_SOCKET(zts_get_blocking(fd), ZTS_EBADF);
    EXPECT_SOCKET(zts_set_keepalive(fd, 1), ZTS_EBADF);
    EXPECT_SOCKET(zts_get_keepalive(fd), ZTS_EBADF);

    /* poll: a negative descriptor is skipped (as POSIX has it), another one that is no socket is POLLNVAL. */
    struct zts_pollfd pfd = { fd, ZTS_POLLIN, 0 };
    EXPECT(zts_bsd_poll(&pfd, 1, 0), fd < 0 ? 0 : 1, ANY_ERRNO);
    CHECK(pfd.revents == (fd < 0 ? 0 : ZTS_POLLNVAL), "zts_bsd_poll on descriptor %d: revents 0x%x", fd, pfd.revents);
    if (fd >= 0 && fd < ZTS_FD_SETSIZE) {
        zts_fd_set r;
        ZTS_FD_ZERO(&r);
        ZTS_FD_SET(fd, &r);
        struct zts_timeval tv = { 0, 0 };
        EXPECT_SOCKET(zts_bsd_select(fd + 1, &r, NULL, NULL, &tv), ZTS_EBADF);
    }
}

/*------------------------------------------------------------------------------------------------
 * Bad arguments on a good socket: ZTS_ERR_ARG (or ZTS_ERR_SOCKET where lwIP decides)
 *----------------------------------------------------------------------------------------------*/

static void test_bad_arguments(void)
{
    int fd = (int)MUST(zts_socket(ZTS_AF_INET, ZTS_SOCK_STREAM, 0));
    char buf[8];
    struct zts_sockaddr_storage ss;
    zts_socklen_t len = sizeof ss;
    zts_util_ipstr_to_saddr(my_ip4, 9, (struct zts_sockaddr*)&ss, &len);
    struct zts_sockaddr* sa = (struct zts_sockaddr*)&ss;
    char addr[ZTS_INET6_ADDRSTRLEN];
    unsigned short port;

    EXPECT_SOCKET(zts_bsd_socket(99, ZTS_SOCK_STREAM, 0), ZTS_EAFNOSUPPORT);
    EXPECT(zts_bsd_socket(ZTS_AF_INET, 99, 0), ZTS_ERR_SOCKET, ANY_ERRNO);

    /* Address lengths: at least a zts_sockaddr_in, at most a zts_sockaddr_storage. */
    EXPECT_ARG(zts_bsd_bind(fd, NULL, len));
    EXPECT_ARG(zts_bsd_bind(fd, sa, 0));
    EXPECT_ARG(zts_bsd_bind(fd, sa, sizeof(struct zts_sockaddr_in) - 1));
    EXPECT_ARG(zts_bsd_bind(fd, sa, sizeof(struct zts_sockaddr_storage) + 1));
    EXPECT_ARG(zts_bsd_connect(fd, NULL, len));
    EXPECT_ARG(zts_bsd_connect(fd, sa, sizeof(struct zts_sockaddr_in) - 1));
    EXPECT_ARG(zts_bsd_connect(fd, sa, sizeof(struct zts_sockaddr_storage) + 1));
    EXPECT_ARG(zts_bsd_sendto(fd, buf, 1, 0, NULL, len));
    EXPECT_ARG(zts_bsd_sendto(fd, buf, 1, 0, sa, 2));
    zts_socklen_t small = 4;
    EXPECT_ARG(zts_bsd_getsockname(fd, sa, &small));
    EXPECT_ARG(zts_bsd_getsockname(fd, NULL, &len));
    small = 4;
    EXPECT_ARG(zts_bsd_getpeername(fd, sa, &small));

    /* NULL buffers. */
    EXPECT_ARG(zts_bsd_send(fd, NULL, 1, 0));
    EXPECT_ARG(zts_bsd_sendto(fd, NULL, 1, 0, sa, len));
    EXPECT_ARG(zts_bsd_recv(fd, NULL, 1, 0));
    EXPECT_ARG(zts_bsd_recvfrom(fd, NULL, 1, 0, NULL, NULL));
    EXPECT_ARG(zts_bsd_read(fd, NULL, 1));
    EXPECT_ARG(zts_bsd_write(fd, NULL, 1));
    EXPECT_ARG(zts_bsd_sendmsg(fd, NULL, 0));
    EXPECT_ARG(zts_bsd_recvmsg(fd, NULL, 0));
    EXPECT_ARG(zts_bsd_ioctl(fd, ZTS_FIONREAD, NULL));
    EXPECT_ARG(zts_send(fd, NULL, 1, 0));
    EXPECT_ARG(zts_recv(fd, NULL, 1, 0));
    EXPECT_ARG(zts_read(fd, NULL, 1));
    EXPECT_ARG(zts_write(fd, NULL, 1));

    /* What lwIP refuses. */
    EXPECT_SOCKET(zts_bsd_fcntl(fd, 99, 0), ZTS_EINVAL);
    EXPECT_SOCKET(zts_bsd_shutdown(fd, 7), ZTS_EINVAL);
    int one = 1;
    EXPECT_SOCKET(zts_bsd_setsockopt(fd, ZTS_SOL_SOCKET, 0x7777, &one, sizeof one), ZTS_ENOPROTOOPT);
    EXPECT_SOCKET(zts_bsd_select(ZTS_FD_SETSIZE + 1, NULL, NULL, NULL, NULL), ZTS_EINVAL);

    /* Simplified calls. */
    EXPECT_ARG(zts_connect(fd, my_ip4, 9, -1));
    EXPECT_ARG(zts_connect(fd, "999.1.1.1", 9, 0));
    EXPECT_ARG(zts_connect(fd, NULL, 9, 0));
    EXPECT_ARG(zts_bind(fd, "no.such.address", 9));
    EXPECT_ARG(zts_accept(fd, addr, ZTS_INET6_ADDRSTRLEN - 1, &port)); /* exactly 46, as libzt */
    EXPECT_ARG(zts_accept(fd, addr, ZTS_INET_ADDRSTRLEN, &port));
    EXPECT_ARG(zts_accept(fd, NULL, ZTS_INET6_ADDRSTRLEN, &port));
    EXPECT_ARG(zts_getpeername(fd, addr, 16, &port));
    EXPECT_ARG(zts_getsockname(fd, addr, 100, &port));
    EXPECT_ARG(zts_tcp_client("nonsense", 80));
    EXPECT_ARG(zts_tcp_server("nonsense", 80, addr, sizeof addr, &port));
    EXPECT_ARG(zts_tcp_server(my_ip4, 80, addr, 10, &port));
    EXPECT_ARG(zts_udp_server("nonsense", 80));
    EXPECT_ARG(zts_udp_client(NULL));
    EXPECT_ARG(zts_set_no_delay(fd, 2));
    EXPECT_ARG(zts_set_linger(fd, 2, 1));
    EXPECT_ARG(zts_set_linger(fd, 1, -1));
    EXPECT_ARG(zts_set_reuse_addr(fd, -1));
    EXPECT_ARG(zts_set_recv_timeout(fd, -1, 0));
    EXPECT_ARG(zts_set_recv_timeout(fd, 0, -1));
    EXPECT_ARG(zts_set_send_timeout(fd, -1, 0));
    EXPECT_ARG(zts_set_send_buf_size(fd, -1));
    EXPECT_ARG(zts_set_recv_buf_size(fd, -1));
    EXPECT_ARG(zts_set_ttl(fd, 256));
    EXPECT_ARG(zts_set_ttl(fd, -1));
    EXPECT_ARG(zts_set_blocking(fd, 2));
    EXPECT_ARG(zts_set_keepalive(fd, 3));

    /* Name resolution: servers are kept as given; numeric names resolve without asking one. */
    zts_ip_addr dns;
    zts_ipaddr_aton("10.0.0.53", &dns);
    EXPECT_ARG(zts_dns_set_server(2, &dns));
    EXPECT_ARG(zts_dns_set_server(0, NULL));
    EXPECT_OK(zts_dns_set_server(1, &dns));
    const zts_ip_addr* got = zts_dns_get_server(1);
    CHECK(got != NULL && got->type == dns.type && got->u_addr.ip4.addr == dns.u_addr.ip4.addr,
          "zts_dns_get_server(1) -> the server set");
    zts_errno = 0;
    CHECK(zts_bsd_gethostbyname(NULL) == NULL && zts_errno == ZTS_EINVAL, "zts_bsd_gethostbyname(NULL) -> ZTS_EINVAL");
    struct zts_hostent* h = zts_bsd_gethostbyname("10.1.2.3");
    CHECK(h != NULL && h->h_addrtype == ZTS_AF_INET && h->h_length == 4 &&
              memcmp(h->h_addr_list[0], "\x0a\x01\x02\x03", 4) == 0 && h->h_addr_list[1] == NULL,
          "zts_bsd_gethostbyname(\"10.1.2.3\") -> 10.1.2.3");

    EXPECT_OK(zts_close(fd));
    test_bad_descriptor(fd); /* closed now */
}

/*------------------------------------------------------------------------------------------------
 * Options through the shortcuts and the BSD calls
 *----------------------------------------------------------------------------------------------*/

static void test_options(void)
{
    int fd = (int)MUST(zts_socket(ZTS_AF_INET, ZTS_SOCK_STREAM, 0));
    EXPECT(zts_get_blocking(fd), 1, ANY_ERRNO);
    EXPECT(zts_get_no_delay(fd), 0, ANY_ERRNO);
    EXPECT_OK(zts_set_no_delay(fd, 1));
    EXPECT(zts_get_no_delay(fd), 1, ANY_ERRNO);
    EXPECT_OK(zts_set_keepalive(fd, 1));
    EXPECT(zts_get_keepalive(fd), 1, ANY_ERRNO);
    EXPECT_OK(zts_set_keepalive(fd, 0));
    EXPECT(zts_get_keepalive(fd), 0, ANY_ERRNO);
    EXPECT_OK(zts_set_reuse_addr(fd, 1));
    EXPECT(zts_get_reuse_addr(fd), 1, ANY_ERRNO);
    EXPECT_OK(zts_set_linger(fd, 1, 7));
    EXPECT(zts_get_linger_enabled(fd), 1, ANY_ERRNO);
    EXPECT(zts_get_linger_value(fd), 7, ANY_ERRNO);
    EXPECT_OK(zts_set_linger(fd, 0, 0));
    EXPECT(zts_get_linger_enabled(fd), 0, ANY_ERRNO);
    EXPECT_OK(zts_set_recv_timeout(fd, 2, 500000));
    EXPECT(zts_get_recv_timeout(fd), 2, ANY_ERRNO); /* whole seconds, as libzt */
    EXPECT_OK(zts_set_recv_timeout(fd, 0, 1500000)); /* lwIP's (libzt's) reading: 1.5 s */
    EXPECT(zts_get_recv_timeout(fd), 1, ANY_ERRNO);
    EXPECT_OK(zts_set_send_timeout(fd, 3, 0));
    EXPECT(zts_get_send_timeout(fd), 3, ANY_ERRNO);
    EXPECT_OK(zts_set_ttl(fd, 77));
    EXPECT(zts_get_ttl(fd), 77, ANY_ERRNO);
    /* Linux's checks (libzt's lwIP kept 0, and an int 256 as 0) */
    EXPECT_SOCKET(zts_set_ttl(fd, 0), ZTS_EINVAL);
    int ttl = 256;
    EXPECT_SOCKET(zts_bsd_setsockopt(fd, ZTS_IPPROTO_IP, ZTS_IP_TTL, &ttl, sizeof ttl), ZTS_EINVAL);
    EXPECT(zts_get_ttl(fd), 77, ANY_ERRNO);
    unsigned char ttl_byte = 0;
    zts_socklen_t ttl_len = sizeof ttl_byte;
    EXPECT_OK(zts_bsd_getsockopt(fd, ZTS_IPPROTO_IP, ZTS_IP_TTL, &ttl_byte, &ttl_len));
    CHECK(ttl_byte == 77 && ttl_len == 1, "zts_bsd_getsockopt(IP_TTL) given one byte -> the TTL in one byte, as Linux");
    EXPECT_OK(zts_set_recv_buf_size(fd, 32768));
    EXPECT(zts_get_recv_buf_size(fd), 32768, ANY_ERRNO);
    EXPECT_SOCKET(zts_set_send_buf_size(fd, 4096), ZTS_ENOPROTOOPT); /* lwIP has none, as in libzt */
    EXPECT_SOCKET(zts_get_send_buf_size(fd), ZTS_ENOPROTOOPT);
    EXPECT_OK(zts_set_blocking(fd, 0));
    EXPECT(zts_get_blocking(fd), 0, ANY_ERRNO);
    EXPECT(zts_bsd_fcntl(fd, ZTS_F_GETFL, 0) & ZTS_O_NONBLOCK, ZTS_O_NONBLOCK, ANY_ERRNO);
    EXPECT_OK(zts_set_blocking(fd, 1));
    EXPECT(zts_get_blocking(fd), 1, ANY_ERRNO);
    int on = 1;
    EXPECT_OK(zts_bsd_ioctl(fd, ZTS_FIONBIO, &on));
    EXPECT(zts_get_blocking(fd), 0, ANY_ERRNO);
    EXPECT(zts_get_last_socket_error(fd), 0, ANY_ERRNO);
    EXPECT(zts_get_pending_data_size(fd), 0, ANY_ERRNO);
    EXPECT((ssize_t)zts_get_data_available(fd), 0, ANY_ERRNO);

    int type = 0;
    zts_socklen_t len = sizeof type;
    EXPECT_OK(zts_bsd_getsockopt(fd, ZTS_SOL_SOCKET, ZTS_SO_TYPE, &type, &len));
    CHECK(type == ZTS_SOCK_STREAM && len == sizeof type, "ZTS_SO_TYPE of a TCP socket is ZTS_SOCK_STREAM");
    struct zts_timeval tv = { 1, 250000 };
    EXPECT_OK(zts_bsd_setsockopt(fd, ZTS_SOL_SOCKET, ZTS_SO_RCVTIMEO, &tv, sizeof tv));
    memset(&tv, 0, sizeof tv);
    len = sizeof tv;
    EXPECT_OK(zts_bsd_getsockopt(fd, ZTS_SOL_SOCKET, ZTS_SO_RCVTIMEO, &tv, &len));
    CHECK(tv.tv_sec == 1 && tv.tv_usec == 250000, "ZTS_SO_RCVTIMEO reads back 1.25 s");
    EXPECT_OK(zts_close(fd));
}

/*------------------------------------------------------------------------------------------------
 * TCP through our own stack: readiness, timeouts, non-blocking calls, vectors, shutdown
 *----------------------------------------------------------------------------------------------*/

/* A zts_recv in another thread, started once start_blocked_recv() returns: only "about to call",
 * since nothing can tell from outside that a call is blocked inside. */
struct blocked_call {
    int fd;
    long result;
    int err;
    int started;
    pthread_t thread;
};

static void* blocked_recv(void* arg)
{
    struct blocked_call* call = arg;
    char buf[16];
    pthread_mutex_lock(&event_lock);
    call->started = 1;
    pthread_cond_broadcast(&event_seen);
    pthread_mutex_unlock(&event_lock);
    zts_errno = 0;
    call->result = zts_recv(call->fd, buf, sizeof buf, 0);
    call->err = zts_errno;
    return NULL;
}

static void start_blocked_recv(struct blocked_call* call, int fd)
{
    memset(call, 0, sizeof *call);
    call->fd = fd;
    pthread_create(&call->thread, NULL, blocked_recv, call);
    wait_flag(&call->started, 10);
}

static void test_tcp_local(const char* ip, int family)
{
    printf("INFO TCP to ourselves at %s\n", ip);
    const unsigned short port = 7101;
    int listener = (int)MUST(zts_socket(family, ZTS_SOCK_STREAM, 0));
    EXPECT_OK(zts_bind(listener, ip, port));
    EXPECT_SOCKET(zts_bind(listener, ip, port + 1), ZTS_EINVAL); /* bound once, as on Linux */
    EXPECT_OK(zts_listen(listener, 4));

    struct zts_pollfd pl = { listener, ZTS_POLLIN, 0 };
    EXPECT(zts_bsd_poll(&pl, 1, 0), 0, ANY_ERRNO); /* nobody connecting yet */
    zts_fd_set readable;
    ZTS_FD_ZERO(&readable);
    ZTS_FD_SET(listener, &readable);
    struct zts_timeval tv = { 0, 100000 };
    long t0 = now_ms();
    EXPECT(zts_bsd_select(listener + 1, &readable, NULL, NULL, &tv), 0, ANY_ERRNO);
    CHECK(now_ms() - t0 >= 90, "zts_bsd_select with nothing ready waits its timeout (%ld ms)", now_ms() - t0);
    EXPECT_OK(zts_set_blocking(listener, 0));
    char addr[ZTS_INET6_ADDRSTRLEN];
    unsigned short peer_port = 0;
    EXPECT_SOCKET(zts_accept(listener, addr, sizeof addr, &peer_port), ZTS_EAGAIN);

    /* A non-blocking connect: in progress, then writable. */
    int client = (int)MUST(zts_socket(family, ZTS_SOCK_STREAM, 0));
    /* Before it connects, it answers a poll at once, as Linux's does: writable (a send fails rather
       than waits) and hung up. */
    struct zts_pollfd pn = { client, ZTS_POLLIN | ZTS_POLLOUT, 0 };
    EXPECT(zts_bsd_poll(&pn, 1, 5000), 1, ANY_ERRNO);
    CHECK(pn.revents == (ZTS_POLLOUT | ZTS_POLLHUP), "a new TCP socket polls ZTS_POLLOUT|ZTS_POLLHUP (revents 0x%x)",
          pn.revents);
    zts_fd_set both_r, both_w;
    ZTS_FD_ZERO(&both_r);
    ZTS_FD_ZERO(&both_w);
    ZTS_FD_SET(client, &both_r);
    ZTS_FD_SET(client, &both_w);
    tv.tv_sec = 5;
    tv.tv_usec = 0;
    EXPECT(zts_bsd_select(client + 1, &both_r, &both_w, NULL, &tv), 2, ANY_ERRNO); /* readable (the hang-up) and writable */
    zts_fd_set except_only;
    ZTS_FD_ZERO(&except_only);
    ZTS_FD_SET(client, &except_only);
    tv.tv_sec = 0;
    tv.tv_usec = 100000;
    t0 = now_ms();
    EXPECT(zts_bsd_select(client + 1, NULL, NULL, &except_only, &tv), 0, ANY_ERRNO);
    CHECK(now_ms() - t0 >= 90, "a hang-up is not exceptional: zts_bsd_select waits its timeout (%ld ms)", now_ms() - t0);
    EXPECT_OK(zts_set_blocking(client, 0));
    EXPECT_SOCKET(zts_connect(client, ip, port, 0), ZTS_EINPROGRESS);
    struct zts_pollfd pc = { client, ZTS_POLLOUT, 0 };
    EXPECT(zts_bsd_poll(&pc, 1, 5000), 1, ANY_ERRNO);
    CHECK(pc.revents & ZTS_POLLOUT, "a connecting socket polls ZTS_POLLOUT once connected (revents 0x%x)", pc.revents);
    EXPECT(zts_get_last_socket_error(client), 0, ANY_ERRNO);
    EXPECT_OK(zts_set_blocking(client, 1));

    pl.revents = 0;
    EXPECT(zts_bsd_poll(&pl, 1, 5000), 1, ANY_ERRNO);
    CHECK(pl.revents & ZTS_POLLIN, "the listener polls ZTS_POLLIN with a connection waiting");
    ZTS_FD_ZERO(&readable);
    ZTS_FD_SET(listener, &readable);
    tv.tv_sec = 5;
    EXPECT(zts_bsd_select(listener + 1, &readable, NULL, NULL, &tv), 1, ANY_ERRNO);
    CHECK(ZTS_FD_ISSET(listener, &readable), "zts_bsd_select marks the listener readable");
    int server = (int)MUST(zts_accept(listener, addr, sizeof addr, &peer_port));
    char client_ip[ZTS_INET6_ADDRSTRLEN];
    unsigned short client_port = 0;
    EXPECT_OK(zts_getsockname(client, client_ip, sizeof client_ip, &client_port));
    CHECK(strcmp(addr, client_ip) == 0 && peer_port == client_port,
          "zts_accept names the client: %s port %u (the client says %s port %u)", addr, peer_port, client_ip,
          client_port);
    EXPECT_OK(zts_getpeername(client, addr, sizeof addr, &peer_port));
    CHECK(peer_port == port, "zts_getpeername of the client: %s port %u", addr, peer_port);
    EXPECT_SOCKET(zts_connect(client, ip, port, 100), ZTS_EISCONN);

    /* Nothing to read: EAGAIN without waiting, SO_RCVTIMEO expiry when waiting. */
    char buf[64];
    EXPECT_SOCKET(zts_recv(server, buf, sizeof buf, ZTS_MSG_DONTWAIT), ZTS_EAGAIN);
    EXPECT_OK(zts_set_blocking(server, 0));
    EXPECT_SOCKET(zts_recv(server, buf, sizeof buf, 0), ZTS_EAGAIN);
    EXPECT_SOCKET(zts_bsd_recvfrom(server, buf, sizeof buf, 0, NULL, NULL), ZTS_EAGAIN);
    EXPECT_OK(zts_set_blocking(server, 1));
    EXPECT_OK(zts_set_recv_timeout(server, 0, 300000));
    t0 = now_ms();
    EXPECT_SOCKET(zts_recv(server, buf, sizeof buf, 0), ZTS_EAGAIN);
    long waited = now_ms() - t0;
    CHECK(waited >= 280 && waited < 3000, "recv gives up when SO_RCVTIMEO (300 ms) expires: after %ld ms", waited);
    EXPECT_OK(zts_set_recv_timeout(server, 0, 0));

    /* The caller's time limit (ztx_wait_t) instead of SO_RCVTIMEO: one deadline, fixed by the first
     * call, across the calls made again after each wake (ZTS_EINTR); never ended early. */
    ztx_wait_t wait = { 300, 50, 0 };
    int wakes = 0;
    ssize_t got;
    t0 = now_ms();
    while ((got = ztx_recv(server, buf, sizeof buf, 0, &wait)) == ZTS_ERR_SOCKET && zts_errno == ZTS_EINTR) ++wakes;
    waited = now_ms() - t0;
    CHECK(got == ZTS_ERR_SOCKET && zts_errno == ZTS_EAGAIN, "ztx_recv gives up with ZTS_EAGAIN at its deadline "
          "(%ld, zts_errno %d)", (long)got, zts_errno);
    CHECK(waited >= 300 && wakes >= 1, "ztx_recv waits its 300 ms across %d wakes every 50 ms: %ld ms", wakes, waited);
    wait.deadline_ms = 0;
    wait.wake_ms = 0;
    EXPECT(ztx_socket_wait(server, ZTS_POLLIN, &wait), 0, ANY_ERRNO); /* nothing came within 300 ms */
    EXPECT_SOCKET(ztx_socket_wait(NO_FD, ZTS_POLLIN, &wait), ZTS_EBADF);

    /* Data: readiness, FIONREAD, peek, vectors. */
    EXPECT(zts_send(client, "ping", 4, 0), 4, ANY_ERRNO);
    struct zts_pollfd ps = { server, ZTS_POLLIN, 0 };
    EXPECT(zts_bsd_poll(&ps, 1, 5000), 1, ANY_ERRNO);
    EXPECT(zts_get_pending_data_size(server), 4, ANY_ERRNO);
    EXPECT((ssize_t)zts_get_data_available(server), 4, ANY_ERRNO);
    /* No urgent byte waits, ever (libzt's lwIP took ordinary bytes for one) */
    EXPECT_SOCKET(zts_recv(server, buf, sizeof buf, ZTS_MSG_OOB), ZTS_EINVAL);
    EXPECT(zts_recv(server, buf, sizeof buf, ZTS_MSG_PEEK), 4, ANY_ERRNO);
    EXPECT(zts_recv(server, buf, sizeof buf, 0), 4, ANY_ERRNO);
    CHECK(memcmp(buf, "ping", 4) == 0, "recv after MSG_PEEK returns the same bytes");
    struct zts_iovec out[2] = { { "ab", 2 }, { "cde", 3 } };
    EXPECT(zts_bsd_writev(client, out, 2), 5, ANY_ERRNO);
    char in_a[2], in_b[3];
    struct zts_iovec in[2] = { { in_a, 2 }, { in_b, 3 } };
    EXPECT(zts_bsd_poll(&ps, 1, 5000), 1, ANY_ERRNO);
    EXPECT(zts_bsd_readv(server, in, 2), 5, ANY_ERRNO); /* one segment through our own stack */
    CHECK(memcmp(in_a, "ab", 2) == 0 && memcmp(in_b, "cde", 3) == 0, "writev/readv carry \"abcde\"");
    struct zts_iovec one = { "xyz", 3 };
    struct zts_msghdr msg = { NULL, 0, &one, 1, NULL, 0, 0 };
    EXPECT(zts_bsd_sendmsg(client, &msg, 0), 3, ANY_ERRNO);
    struct zts_iovec back = { buf, sizeof buf };
    struct zts_msghdr rmsg = { NULL, 0, &back, 1, NULL, 0, 0 };
    EXPECT(zts_bsd_recvmsg(server, &rmsg, 0), 3, ANY_ERRNO);
    CHECK(memcmp(buf, "xyz", 3) == 0, "sendmsg/recvmsg carry \"xyz\"");
    EXPECT(zts_write(server, "pong", 4), 4, ANY_ERRNO);
    EXPECT(zts_read(client, buf, sizeof buf), 4, ANY_ERRNO);

    /* Half close: the other side reads the end, and a send after shutdown fails. */
    EXPECT_OK(zts_shutdown_wr(client));
    EXPECT(zts_recv(server, buf, sizeof buf, 0), 0, ANY_ERRNO);
    /* The end again, as POSIX has it (lwIP, and libzt 1.8.4 with it, say ENOTCONN from then on). */
    EXPECT(zts_recv(server, buf, sizeof buf, 0), 0, ANY_ERRNO);
    EXPECT_SOCKET(zts_send(client, "late", 4, 0), ZTS_EPIPE); /* lwIP says ENOTCONN */
    EXPECT_SOCKET(zts_send(client, "", 0, 0), ZTS_EPIPE);    /* lwIP takes nothing as sent */
    EXPECT(zts_write(server, "still", 5), 5, ANY_ERRNO); /* the other direction stays open */
    EXPECT(zts_recv(client, buf, sizeof buf, 0), 5, ANY_ERRNO);

    /* A call blocked in another thread ends when the socket is closed. */
    struct blocked_call call;
    start_blocked_recv(&call, client);
    EXPECT_OK(zts_close(client));
    pthread_join(call.thread, NULL);
    CHECK(call.result == ZTS_ERR_SOCKET && call.err == ZTS_EBADF,
          "a recv blocked in another thread fails with ZTS_EBADF when the socket is closed (%ld, zts_errno %d)",
          call.result, call.err);
    EXPECT_OK(zts_shutdown_rdwr(server));
    EXPECT_OK(zts_close(server));
    EXPECT_OK(zts_close(listener));
    EXPECT_SOCKET(zts_close(listener), ZTS_EBADF);
}

/*------------------------------------------------------------------------------------------------
 * zts_connect: retries until the listener appears; options and local address survive
 *----------------------------------------------------------------------------------------------*/

struct connect_call {
    int fd;
    const char* ip;
    unsigned short port;
    int timeout_ms;
    long result;
    int err;
    long took_ms;
    pthread_t thread;
};

static void* run_connect(void* arg)
{
    struct connect_call* c = arg;
    long t0 = now_ms();
    zts_errno = 0;
    c->result = zts_connect(c->fd, c->ip, c->port, c->timeout_ms);
    c->err = zts_errno;
    c->took_ms = now_ms() - t0;
    return NULL;
}

static void test_connect_retries(void)
{
    const unsigned short port = 7102, local_port = 7103;
    int client = (int)MUST(zts_socket(ZTS_AF_INET, ZTS_SOCK_STREAM, 0));
    EXPECT_OK(zts_set_no_delay(client, 1));
    EXPECT_OK(zts_bind(client, my_ip4, local_port));
    struct connect_call c = { client, my_ip4, port, 10000, 0, 0, 0, 0 };
    pthread_create(&c.thread, NULL, run_connect, &c);
    zts_util_delay(700); /* the first attempts are refused: nobody listens yet */
    int listener = (int)MUST(zts_socket(ZTS_AF_INET, ZTS_SOCK_STREAM, 0));
    EXPECT_OK(zts_bind(listener, my_ip4, port));
    EXPECT_OK(zts_listen(listener, 1));
    pthread_join(c.thread, NULL);
    CHECK(c.result == ZTS_ERR_OK && c.took_ms >= 600,
          "zts_connect retried until the listener came up: %ld after %ld ms (zts_errno %d)", c.result, c.took_ms,
          c.err);
    char addr[ZTS_INET6_ADDRSTRLEN];
    unsigned short p = 0;
    int server = (int)MUST(zts_accept(listener, addr, sizeof addr, &p));
    CHECK(p == local_port, "the bound local port survived the retries (peer port %u)", p);
    EXPECT(zts_get_no_delay(client), 1, ANY_ERRNO);
    EXPECT(zts_send(client, "retried", 7, 0), 7, ANY_ERRNO);
    char buf[16];
    EXPECT(zts_recv(server, buf, sizeof buf, 0), 7, ANY_ERRNO);
    zts_close(server);
    zts_close(client);
    zts_close(listener);
}

/*------------------------------------------------------------------------------------------------
 * The one-call helpers: descriptors back (libzt 1.8.4 returns 0)
 *----------------------------------------------------------------------------------------------*/

struct server_call {
    const char* ip;
    unsigned short port;
    char remote[ZTS_INET6_ADDRSTRLEN];
    unsigned short remote_port;
    long result;
    pthread_t thread;
};

static void* run_tcp_server(void* arg)
{
    struct server_call* s = arg;
    s->result = zts_tcp_server(s->ip, s->port, s->remote, sizeof s->remote, &s->remote_port);
    return NULL;
}

/*
 * The per-process socket limit: socket() fails with EMFILE (the process's limit, not ENFILE, the
 * system's) once the table is full, and a closed descriptor is the next one given out.
 */
static void test_socket_limit(void)
{
    enum { MOST = 1 << 20 }; /* far above any limit: the loop ends at the limit or reports */
    static int fds[MOST];
    int n = 0;
    int fd = 0;
    while (n < MOST && (fd = zts_bsd_socket(ZTS_AF_INET, ZTS_SOCK_DGRAM, 0)) >= 0) {
        fds[n++] = fd;
    }
    int err = zts_errno;
    CHECK(fd == ZTS_ERR_SOCKET && err == ZTS_EMFILE, "socket() at the limit -> %d zts_errno %d (want %d, EMFILE %d)",
          fd, err, ZTS_ERR_SOCKET, ZTS_EMFILE);
    CHECK(n >= 16000, "%d sockets open at once (want the limit, 16,384 less the few already open)", n);
    EXPECT_SOCKET(zts_bsd_socket(ZTS_AF_INET, ZTS_SOCK_STREAM, 0), ZTS_EMFILE);
    if (n > 0) {
        const int freed = fds[n / 2];
        EXPECT_OK(zts_bsd_close(freed));
        fd = zts_bsd_socket(ZTS_AF_INET, ZTS_SOCK_STREAM, 0);
        CHECK(fd == freed, "socket() after a close at the limit -> %d (want the freed descriptor %d)", fd, freed);
        fds[n / 2] = fd;
    }
    for (int i = 0; i < n; ++i) {
        if (fds[i] >= 0) {
            zts_bsd_close(fds[i]);
        }
    }
    fd = zts_bsd_socket(ZTS_AF_INET, ZTS_SOCK_DGRAM, 0);
    CHECK(fd >= 0, "socket() after closing them all -> %d zts_errno %d", fd, zts_errno);
    if (fd >= 0) {
        zts_bsd_close(fd);
    }
}

static void test_helpers(void)
{
    struct server_call s = { my_ip4, 7104, "", 0, 0, 0 };
    pthread_create(&s.thread, NULL, run_tcp_server, &s);
    int client = (int)MUST(zts_tcp_client(my_ip4, 7104)); /* retries until the server listens */
    pthread_join(s.thread, NULL);
    int server = (int)s.result;
    CHECK(server >= 0 && server != client, "zts_tcp_server returned the client's descriptor %d", server);
    char addr[ZTS_INET6_ADDRSTRLEN];
    unsigned short port = 0;
    EXPECT_OK(zts_getsockname(client, addr, sizeof addr, &port));
    CHECK(strcmp(s.remote, addr) == 0 && s.remote_port == port, "zts_tcp_server named the client %s port %u",
          s.remote, s.remote_port);
    EXPECT(zts_send(client, "helper", 6, 0), 6, ANY_ERRNO);
    char buf[16];
    EXPECT(zts_recv(server, buf, sizeof buf, 0), 6, ANY_ERRNO);
    EXPECT_OK(zts_shutdown_rd(server));
    EXPECT_OK(zts_close(server));
    EXPECT_OK(zts_close(client));

    /* UDP: a server socket bound to our address, a client socket of the right family. */
    int userver = (int)MUST(zts_udp_server(my_ip4, 7105));
    int uclient = (int)MUST(zts_udp_client(my_ip4));
    struct zts_sockaddr_storage ss;
    zts_socklen_t len = sizeof ss;
    zts_util_ipstr_to_saddr(my_ip4, 7105, (struct zts_sockaddr*)&ss, &len);
    EXPECT(zts_bsd_sendto(uclient, "datagram", 8, 0, (struct zts_sockaddr*)&ss, len), 8, ANY_ERRNO);
    struct zts_sockaddr_storage from;
    zts_socklen_t from_len = sizeof from;
    EXPECT(zts_bsd_recvfrom(userver, buf, sizeof buf, 0, (struct zts_sockaddr*)&from, &from_len), 8, ANY_ERRNO);
    EXPECT_OK(zts_util_ntop((struct zts_sockaddr*)&from, from_len, addr, sizeof addr, &port));
    CHECK(strcmp(addr, my_ip4) == 0 && memcmp(buf, "datagram", 8) == 0, "the datagram came from %s", addr);
    EXPECT_OK(zts_connect(uclient, my_ip4, 7105, 0));
    EXPECT(zts_send(uclient, "connected", 9, 0), 9, ANY_ERRNO);
    EXPECT_SOCKET(zts_send(uclient, "oob", 3, ZTS_MSG_OOB), ZTS_EOPNOTSUPP); /* as Linux (libzt: sent) */
    EXPECT(zts_recv(userver, buf, sizeof buf, 0), 9, ANY_ERRNO);
    static char big[70000];
    EXPECT_SOCKET(zts_send(uclient, big, sizeof big, 0), ZTS_EMSGSIZE); /* more than an IP datagram holds */
    EXPECT_SOCKET(zts_send(uclient, big, 65508, 0), ZTS_EMSGSIZE); /* a byte more than UDP over IPv4 carries */
    EXPECT_SOCKET(zts_recv(userver, buf, sizeof buf, ZTS_MSG_DONTWAIT), ZTS_EAGAIN);
    /* Bound already, by its first send: EINVAL, as Linux says (lwIP would move it to the new port).
     * A socket not bound yet meets the server's port in use. */
    EXPECT_SOCKET(zts_bind(uclient, my_ip4, 7105), ZTS_EINVAL);
    int ufresh = (int)MUST(zts_udp_client(my_ip4));
    EXPECT_SOCKET(zts_bind(ufresh, my_ip4, 7105), ZTS_EADDRINUSE);
    EXPECT_OK(zts_close(ufresh));
    EXPECT_OK(zts_close(uclient));
    EXPECT_OK(zts_close(userver));
}

/*------------------------------------------------------------------------------------------------
 * Another node: a big echo, refused and unanswered connections
 *----------------------------------------------------------------------------------------------*/

#define ECHO_BYTES (1024 * 1024)

struct sender {
    int fd;
    const unsigned char* data;
    long sent;
    pthread_t thread;
};

static void* send_all(void* arg)
{
    struct sender* s = arg;
    while (s->sent < ECHO_BYTES) {
        ssize_t n = zts_send(s->fd, s->data + s->sent, (size_t)(ECHO_BYTES - s->sent), 0);
        if (n <= 0) {
            break;
        }
        s->sent += n;
    }
    zts_shutdown_wr(s->fd);
    return NULL;
}

static void test_peer(void)
{
    printf("INFO TCP to the echo server at %s port %u\n", peer_ip, peer_port);
    int fd = (int)MUST(zts_socket(ZTS_AF_INET, ZTS_SOCK_STREAM, 0));
    EXPECT_OK(zts_connect(fd, peer_ip, peer_port, 0));
    unsigned char* data = malloc(ECHO_BYTES);
    unsigned char* back = malloc(8 * ECHO_BYTES); /* a huge receive buffer is fine */
    for (long i = 0; i < ECHO_BYTES; i++) {
        data[i] = (unsigned char)(i * 7 + (i >> 11));
    }
    struct sender s = { fd, data, 0, 0 };
    pthread_create(&s.thread, NULL, send_all, &s);
    long got = 0;
    ssize_t n;
    while ((n = zts_recv(fd, back + got, (size_t)(8 * ECHO_BYTES - got), 0)) > 0) {
        got += n;
    }
    pthread_join(s.thread, NULL);
    CHECK(s.sent == ECHO_BYTES && got == ECHO_BYTES && memcmp(data, back, ECHO_BYTES) == 0,
          "1 MiB echoed by the other node intact (sent %ld, received %ld)", s.sent, got);
    EXPECT_OK(zts_close(fd));
    free(data);
    free(back);

    /* Refused: ECONNREFUSED, from zts_connect only once its time is up (it retries meanwhile). */
    const unsigned short closed_port = (unsigned short)(peer_port + 1);
    fd = (int)MUST(zts_socket(ZTS_AF_INET, ZTS_SOCK_STREAM, 0));
    long t0 = now_ms();
    EXPECT_SOCKET(zts_connect(fd, peer_ip, closed_port, 1500), ZTS_ECONNREFUSED);
    long took = now_ms() - t0;
    CHECK(took >= 1400 && took < 6000, "zts_connect kept trying for its 1500 ms (%ld ms)", took);
    zts_close(fd);
    struct zts_sockaddr_storage ss;
    zts_socklen_t len = sizeof ss;
    zts_util_ipstr_to_saddr(peer_ip, closed_port, (struct zts_sockaddr*)&ss, &len);
    fd = (int)MUST(zts_socket(ZTS_AF_INET, ZTS_SOCK_STREAM, 0));
    t0 = now_ms();
    EXPECT_SOCKET(zts_bsd_connect(fd, (struct zts_sockaddr*)&ss, len), ZTS_ECONNREFUSED);
    CHECK(now_ms() - t0 < 1400, "zts_bsd_connect tries once (%ld ms)", now_ms() - t0);
    /* As on Linux, the socket is then as it was before: unconnected, and ready for a new attempt
       (lwIP's had lost its PCB, and said ENOTCONN to every later connect). */
    char byte = 0;
    EXPECT_SOCKET(zts_bsd_recv(fd, &byte, 1, 0), ZTS_ENOTCONN);
    EXPECT_SOCKET(zts_bsd_connect(fd, (struct zts_sockaddr*)&ss, len), ZTS_ECONNREFUSED);
    zts_close(fd);

    /* Unanswered (nobody holds the address): ETIMEDOUT when the time is up. */
    fd = (int)MUST(zts_socket(ZTS_AF_INET, ZTS_SOCK_STREAM, 0));
    t0 = now_ms();
    EXPECT_SOCKET(zts_connect(fd, nobody_ip4, 80, 1200), ZTS_ETIMEDOUT);
    took = now_ms() - t0;
    CHECK(took >= 1150 && took < 6000, "zts_connect to nobody gave up after its 1200 ms (%ld ms)", took);
    zts_close(fd);
    fd = (int)MUST(zts_socket(ZTS_AF_INET, ZTS_SOCK_STREAM, 0));
    EXPECT_OK(zts_set_send_timeout(fd, 1, 0));
    len = sizeof ss;
    zts_util_ipstr_to_saddr(nobody_ip4, 80, (struct zts_sockaddr*)&ss, &len);
    EXPECT_SOCKET(zts_bsd_connect(fd, (struct zts_sockaddr*)&ss, len), ZTS_ETIMEDOUT); /* SO_SNDTIMEO bounds it */
    zts_close(fd);
}

/*------------------------------------------------------------------------------------------------
 * Node stop: blocked calls end, everything answers ZTS_ERR_SERVICE, descriptors can be closed
 *----------------------------------------------------------------------------------------------*/

static void test_stop(void)
{
    int listener = (int)MUST(zts_socket(ZTS_AF_INET, ZTS_SOCK_STREAM, 0));
    EXPECT_OK(zts_bind(listener, my_ip4, 7106));
    EXPECT_OK(zts_listen(listener, 1));
    int client = (int)MUST(zts_tcp_client(my_ip4, 7106));
    struct blocked_call call;
    start_blocked_recv(&call, client);
    EXPECT_OK(zts_node_stop());
    pthread_join(call.thread, NULL);
    /* ZTS_ERR_SERVICE only if the other thread lost the race and called after the stop. */
    CHECK((call.result == ZTS_ERR_SOCKET && call.err == ZTS_ENETDOWN) || call.result == ZTS_ERR_SERVICE,
          "a recv blocked in another thread fails with ZTS_ENETDOWN when the node stops (%ld, zts_errno %d)",
          call.result, call.err);
    test_without_node(client, "after zts_node_stop");
    /* Unlike libzt (ZTS_ERR_SERVICE), sockets can still be closed, so none is stranded. */
    EXPECT_OK(zts_close(client));
    EXPECT_OK(zts_close(listener));
    EXPECT_OK(zts_node_free());
    EXPECT_SERVICE(zts_node_free());
}

int main(int argc, char** argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: %s PLANET NETWORK_ID PEER_IP PEER_PORT\n", argv[0]);
        return 2;
    }
    FILE* f = fopen(argv[1], "rb");
    if (! f) {
        perror(argv[1]);
        return 2;
    }
    planet_len = (unsigned int)fread(planet, 1, sizeof planet, f);
    fclose(f);
    net_id = strtoull(argv[2], NULL, 16);
    peer_ip = argv[3];
    peer_port = (unsigned short)atoi(argv[4]);

    test_utilities();
    test_without_node(0, "before zts_node_start");
    EXPECT_SERVICE(zts_bsd_close(0));
    if (start_node()) {
        test_bad_descriptor(-1);
        test_bad_descriptor(NO_FD);
        test_bad_descriptor(ZTS_FD_SETSIZE - 1);
        test_bad_arguments();
        test_options();
        test_tcp_local(my_ip4, ZTS_AF_INET);
        test_tcp_local(my_ip6, ZTS_AF_INET6);
        test_connect_retries();
        test_helpers();
        test_socket_limit();
        test_peer();
        test_stop();
    }
    printf("%s: %d checks, %d failed\n", failures ? "FAILED" : "PASSED", checks, failures);
    return failures ? 1 : 0;
}
