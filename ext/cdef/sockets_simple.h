/* SPDX-License-Identifier: Apache-2.0 */
/* cffi declarations: simplified socket API (text addresses plus ports) and
 * the socket option shortcuts. */

int zts_socket(int family, int type, int protocol);
int zts_connect(int fd, const char* ipstr, unsigned short port, int timeout_ms);
int zts_bind(int fd, const char* ipstr, unsigned short port);
int zts_listen(int fd, int backlog);
int zts_accept(int fd, char* remote_addr, int len, unsigned short* port);
ssize_t zts_send(int fd, const void* buf, size_t len, int flags);
ssize_t zts_recv(int fd, void* buf, size_t len, int flags);
ssize_t zts_read(int fd, void* buf, size_t len);
ssize_t zts_write(int fd, const void* buf, size_t len);
int zts_shutdown_rd(int fd);
int zts_shutdown_wr(int fd);
int zts_shutdown_rdwr(int fd);
int zts_close(int fd);
int zts_getpeername(int fd, char* remote_addr_str, int len, unsigned short* port);
int zts_getsockname(int fd, char* local_addr_str, int len, unsigned short* port);
int zts_tcp_client(const char* remote_ipstr, unsigned short remote_port);
int zts_tcp_server(const char* local_ipstr, unsigned short local_port, char* remote_ipstr, int len,
                   unsigned short* remote_port);
int zts_udp_server(const char* local_ipstr, unsigned short local_port);
int zts_udp_client(const char* remote_ipstr);

int zts_set_no_delay(int fd, int enabled);
int zts_get_no_delay(int fd);
int zts_get_last_socket_error(int fd);
size_t zts_get_data_available(int fd);
int zts_get_pending_data_size(int fd);
int zts_set_linger(int fd, int enabled, int value);
int zts_get_linger_enabled(int fd);
int zts_get_linger_value(int fd);
int zts_set_reuse_addr(int fd, int enabled);
int zts_get_reuse_addr(int fd);
int zts_set_recv_timeout(int fd, int seconds, int microseconds);
int zts_get_recv_timeout(int fd);
int zts_set_send_timeout(int fd, int seconds, int microseconds);
int zts_get_send_timeout(int fd);
int zts_set_send_buf_size(int fd, int size);
int zts_get_send_buf_size(int fd);
int zts_set_recv_buf_size(int fd, int size);
int zts_get_recv_buf_size(int fd);
int zts_set_ttl(int fd, int ttl);
int zts_get_ttl(int fd);
int zts_set_blocking(int fd, int enabled);
int zts_get_blocking(int fd);
int zts_set_keepalive(int fd, int enabled);
int zts_get_keepalive(int fd);
