// SPDX-License-Identifier: Apache-2.0
#include "osdep/tcp_relay.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace zt::osdep {

namespace {
// ZeroTier One stops queueing at 64 KiB; so do we.
constexpr std::size_t kMaxQueued = 64 * 1024;
}  // namespace

TcpRelayClient::~TcpRelayClient() { close(); }

bool TcpRelayClient::open(const InetAddress& relay) {
    close();
    sockaddr_storage ss{};
    unsigned len = 0;
    if (!relay.to_sockaddr(&ss, &len)) return false;
    fd_ = ::socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return false;
    const int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);  // datagrams, not a byte stream
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&ss), len) != 0 && errno != EINPROGRESS) {
        close();
        return false;
    }
    append_relay_hello(out_);  // tells the relay our records carry addresses
    return true;
}

void TcpRelayClient::close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    out_.clear();
    in_.clear();
}

bool TcpRelayClient::send(const InetAddress& to, const std::uint8_t* data, std::size_t len) {
    if (fd_ < 0) return false;
    if (out_.size() + kTcpRelayHeaderLen + kTcpRelayAddressLen + len > kMaxQueued) return false;
    if (!append_relay_datagram(out_, to, data, len)) return false;
    ++records_out_;
    return true;
}

bool TcpRelayClient::flush_out() {
    while (!out_.empty()) {
        const ssize_t n = ::send(fd_, out_.data(), out_.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOTCONN || errno == EINPROGRESS;
        out_.erase(out_.begin(), out_.begin() + n);
    }
    return true;
}

bool TcpRelayClient::on_ready(bool readable, bool writable, const Sink& sink) {
    if (fd_ < 0) return false;
    if (writable) {
        int err = 0;
        socklen_t el = sizeof err;
        if (::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &el) == 0 && err != 0) return false;  // refused
        if (!flush_out()) return false;
    }
    if (!readable) return true;
    std::uint8_t buf[16384];
    // At most four reads per readiness: a relay (or anyone on the way to it) that keeps sending must
    // not hold the core thread here or grow in_ without end; epoll reports the socket again.
    for (int reads = 0; reads < 4; ++reads) {
        const ssize_t n = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
        if (n == 0) return false;
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) break;
            return false;
        }
        in_.insert(in_.end(), buf, buf + n);
    }
    const RelayRecordsRead read = read_relay_records(in_.data(), in_.size(), sink);
    records_in_ += read.datagrams;
    if (read.broken) return false;  // not a relay: stop listening to it
    in_.erase(in_.begin(), in_.begin() + static_cast<std::ptrdiff_t>(read.consumed));
    return true;
}

}  // namespace zt::osdep
