/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cffi declarations: BSD socket API. Blocking calls: cffi releases the GIL
 * around every C call, so other Python threads keep running.
 */

int zts_bsd_socket(int family, int type, int protocol);
int zts_bsd_connect(int fd, const struct zts_sockaddr* addr, zts_socklen_t addrlen);
int zts_bsd_bind(int fd, const struct zts_sockaddr* addr, zts_socklen_t addrlen);
int zts_bsd_listen(int fd, int backlog);
int zts_bsd_accept(int fd, struct zts_sockaddr* addr, zts_socklen_t* addrlen);
int zts_bsd_setsockopt(int fd, int level, int optname, const void* optval, zts_socklen_t optlen);
int zts_bsd_getsockopt(int fd, int level, int optname, void* optval, zts_socklen_t* optlen);
int zts_bsd_getsockname(int fd, struct zts_sockaddr* addr, zts_socklen_t* addrlen);
int zts_bsd_getpeername(int fd, struct zts_sockaddr* addr, zts_socklen_t* addrlen);
int zts_bsd_close(int fd);
int zts_bsd_select(int nfds, zts_fd_set* readfds, zts_fd_set* writefds, zts_fd_set* exceptfds,
                   struct zts_timeval* timeout);
int zts_bsd_fcntl(int fd, int cmd, int flags);
int zts_bsd_poll(struct zts_pollfd* fds, zts_nfds_t nfds, int timeout);
int zts_bsd_ioctl(int fd, unsigned long request, void* argp);
ssize_t zts_bsd_send(int fd, const void* buf, size_t len, int flags);
ssize_t zts_bsd_sendto(int fd, const void* buf, size_t len, int flags, const struct zts_sockaddr* addr,
                       zts_socklen_t addrlen);
ssize_t zts_bsd_sendmsg(int fd, const struct zts_msghdr* msg, int flags);
ssize_t zts_bsd_recv(int fd, void* buf, size_t len, int flags);
ssize_t zts_bsd_recvfrom(int fd, void* buf, size_t len, int flags, struct zts_sockaddr* addr,
                         zts_socklen_t* addrlen);
ssize_t zts_bsd_recvmsg(int fd, struct zts_msghdr* msg, int flags);
ssize_t zts_bsd_read(int fd, void* buf, size_t len);
ssize_t zts_bsd_readv(int fd, const struct zts_iovec* iov, int iovcnt);
ssize_t zts_bsd_write(int fd, const void* buf, size_t len);
ssize_t zts_bsd_writev(int fd, const struct zts_iovec* iov, int iovcnt);
int zts_bsd_shutdown(int fd, int how);
