// SPDX-License-Identifier: Apache-2.0
#include "osdep/udp_socket.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "zt/constants.hpp"

namespace zt::osdep {

namespace {

constexpr int kSocketBufferBytes = 4 * 1024 * 1024;

int open_socket(int family, std::uint16_t port) {
    const int fd = ::socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    const int one = 1;
    if (family == AF_INET6) ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    // Large buffers absorb bursts while the core thread is busy with a batch.
    const int bytes = kSocketBufferBytes;
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bytes, sizeof bytes);
    // ZeroTier fragments itself; the kernel must not (and must not refuse large datagrams either).
    if (family == AF_INET) {
        const int pmtu = IP_PMTUDISC_DONT;
        ::setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &pmtu, sizeof pmtu);
    }
    sockaddr_storage ss{};
    socklen_t len = 0;
    if (family == AF_INET) {
        auto* sin = reinterpret_cast<sockaddr_in*>(&ss);
        sin->sin_family = AF_INET;
        sin->sin_port = htons(port);
        len = sizeof(sockaddr_in);
    } else {
        auto* sin6 = reinterpret_cast<sockaddr_in6*>(&ss);
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons(port);
        len = sizeof(sockaddr_in6);
    }
    if (::bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
        const int saved = errno;
        ::close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

std::uint16_t bound_port(int fd) {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return 0;
    if (ss.ss_family == AF_INET) return ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
    return ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
}

}  // namespace

UdpSockets::~UdpSockets() { close(); }

bool UdpSockets::open(std::uint16_t port) {
    close();
    fd4_ = open_socket(AF_INET, port);
    if (fd4_ < 0) return false;
    port_ = bound_port(fd4_);
    fd6_ = open_socket(AF_INET6, port_);
    queue_.resize(kBatch);
    rx_buffers_.resize(kBatch * kMaxDatagramLen);
    return true;
}

void UdpSockets::close() {
    flush();
    if (fd4_ >= 0) ::close(fd4_);
    if (fd6_ >= 0) ::close(fd6_);
    fd4_ = fd6_ = -1;
}

std::int64_t UdpSockets::id_for(const InetAddress& to) const {
    return to.family == InetAddress::Family::kV6 ? fd6_ : fd4_;
}

std::size_t UdpSockets::receive_batch(int fd, const Sink& sink) {
    if (fd < 0) return 0;
    mmsghdr msgs[kBatch];
    iovec iov[kBatch];
    sockaddr_storage from[kBatch];
    for (std::size_t i = 0; i < kBatch; ++i) {
        iov[i].iov_base = rx_buffers_.data() + i * kMaxDatagramLen;
        iov[i].iov_len = kMaxDatagramLen;
        std::memset(&msgs[i], 0, sizeof msgs[i]);
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
        msgs[i].msg_hdr.msg_name = &from[i];
        msgs[i].msg_hdr.msg_namelen = sizeof from[i];
    }
    const int n = ::recvmmsg(fd, msgs, kBatch, MSG_DONTWAIT, nullptr);
    if (n <= 0) return 0;
    for (int i = 0; i < n; ++i) {
        InetAddress src;
        if (!InetAddress::from_sockaddr(reinterpret_cast<sockaddr*>(&from[i]), &src)) continue;
        if (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) {
            sink(fd, src, nullptr, msgs[i].msg_len);  // larger than any ZeroTier datagram
            continue;
        }
        sink(fd, src, static_cast<const std::uint8_t*>(iov[i].iov_base), msgs[i].msg_len);
    }
    return static_cast<std::size_t>(n);
}

void UdpSockets::send_now(int fd, const InetAddress& to, const std::uint8_t* data, std::size_t len, unsigned ttl) {
    sockaddr_storage ss{};
    unsigned ss_len = 0;
    if (fd < 0 || !to.to_sockaddr(&ss, &ss_len)) {
        ++send_errors_;
        return;
    }
    const bool v6 = to.family == InetAddress::Family::kV6;
    int old_ttl = 0;
    socklen_t ol = sizeof old_ttl;
    if (ttl != 0) {
        const int level = v6 ? IPPROTO_IPV6 : IPPROTO_IP;
        const int opt = v6 ? IPV6_UNICAST_HOPS : IP_TTL;
        ::getsockopt(fd, level, opt, &old_ttl, &ol);
        const int t = static_cast<int>(ttl);
        ::setsockopt(fd, level, opt, &t, sizeof t);
    }
    if (::sendto(fd, data, len, MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&ss), ss_len) < 0) ++send_errors_;
    if (ttl != 0) ::setsockopt(fd, v6 ? IPPROTO_IPV6 : IPPROTO_IP, v6 ? IPV6_UNICAST_HOPS : IP_TTL, &old_ttl, ol);
}

void UdpSockets::send(std::int64_t local_socket, const InetAddress& to, const std::uint8_t* data, std::size_t len,
                      unsigned ttl) {
    // The node names a socket only to reply on the one a packet came in on; the family decides.
    const int fd = (local_socket == fd4_ || local_socket == fd6_) && id_for(to) == local_socket
                       ? static_cast<int>(local_socket)
                       : static_cast<int>(id_for(to));
    if (ttl != 0 || len > sizeof(Outgoing::data)) {
        send_now(fd, to, data, len, ttl);
        return;
    }
    if (queued_ == queue_.size()) flush();
    Outgoing& o = queue_[queued_++];
    o.fd = fd;
    o.to = to;
    o.len = static_cast<std::uint16_t>(len);
    std::memcpy(o.data, data, len);
}

void UdpSockets::flush() {
    std::size_t start = 0;
    while (start < queued_) {
        // sendmmsg takes one socket: send runs of the same fd together.
        const int fd = queue_[start].fd;
        std::size_t end = start;
        mmsghdr msgs[kBatch];
        iovec iov[kBatch];
        sockaddr_storage to[kBatch];
        std::size_t n = 0;
        while (end < queued_ && queue_[end].fd == fd) {
            Outgoing& o = queue_[end];
            unsigned to_len = 0;
            if (o.to.to_sockaddr(&to[n], &to_len)) {
                iov[n].iov_base = o.data;
                iov[n].iov_len = o.len;
                std::memset(&msgs[n], 0, sizeof msgs[n]);
                msgs[n].msg_hdr.msg_iov = &iov[n];
                msgs[n].msg_hdr.msg_iovlen = 1;
                msgs[n].msg_hdr.msg_name = &to[n];
                msgs[n].msg_hdr.msg_namelen = to_len;
                ++n;
            } else {
                ++send_errors_;
            }
            ++end;
        }
        std::size_t sent = 0;
        while (fd >= 0 && sent < n) {
            const int r = ::sendmmsg(fd, msgs + sent, static_cast<unsigned>(n - sent), MSG_DONTWAIT);
            if (r < 0) {
                // The first remaining datagram failed (unreachable, or a full buffer): drop it, as
                // UDP would on the wire, and carry on with the rest.
                ++send_errors_;
                ++sent;
                continue;
            }
            if (r == 0) break;
            sent += static_cast<std::size_t>(r);
        }
        if (fd < 0) send_errors_ += n;
        start = end;
    }
    queued_ = 0;
}

}  // namespace zt::osdep
