// SPDX-License-Identifier: Apache-2.0
#include "osdep/tcp_relay.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "zt/constants.hpp"

namespace zt::osdep {

namespace {
// ZeroTier One stops queueing at 64 KiB; so do we.
constexpr std::size_t kMaxQueued = 64 * 1024;
// A record's length field is 16 bits; ZeroTier datagrams are far smaller.
constexpr std::size_t kMaxRecord = 0xffff;

void put_header(std::vector<std::uint8_t>& out, std::size_t len) {
    out.push_back(kTcpRelayRecordType);
    out.push_back(0x03);  // TLS 1.2, as far as a middlebox can tell
    out.push_back(0x03);
    out.push_back(static_cast<std::uint8_t>(len >> 8));
    out.push_back(static_cast<std::uint8_t>(len & 0xff));
}
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
    // The opening record: our version, which tells the relay our records carry addresses.
    put_header(out_, 4);
    out_.push_back(kSoftwareMajor);
    out_.push_back(kSoftwareMinor);
    out_.push_back(static_cast<std::uint8_t>(kSoftwareRevision >> 8));
    out_.push_back(static_cast<std::uint8_t>(kSoftwareRevision & 0xff));
    return true;
}

void TcpRelayClient::close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    out_.clear();
    in_.clear();
}

bool TcpRelayClient::send(const InetAddress& to, const std::uint8_t* data, std::size_t len) {
    if (fd_ < 0 || to.family != InetAddress::Family::kV4 || len + kTcpRelayAddressLen > kMaxRecord) return false;
    if (out_.size() + kTcpRelayHeaderLen + kTcpRelayAddressLen + len > kMaxQueued) return false;
    put_header(out_, kTcpRelayAddressLen + len);
    out_.push_back(4);
    out_.insert(out_.end(), to.ip, to.ip + 4);
    out_.push_back(static_cast<std::uint8_t>(to.port >> 8));
    out_.push_back(static_cast<std::uint8_t>(to.port & 0xff));
    out_.insert(out_.end(), data, data + len);
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
    std::size_t at = 0;
    while (in_.size() - at >= kTcpRelayHeaderLen) {
        const std::uint8_t* h = in_.data() + at;
        if (h[0] != kTcpRelayRecordType) return false;  // not a relay: stop listening to it
        const std::size_t len = (static_cast<std::size_t>(h[3]) << 8) | h[4];
        if (in_.size() - at < kTcpRelayHeaderLen + len) break;
        const std::uint8_t* body = h + kTcpRelayHeaderLen;
        at += kTcpRelayHeaderLen + len;
        if (len == 4) continue;  // a version record: nothing to deliver
        if (len == 0) continue;
        if (body[0] == 4 && len >= kTcpRelayAddressLen) {
            const InetAddress from = InetAddress::v4(body + 1, static_cast<std::uint16_t>((body[5] << 8) | body[6]));
            ++records_in_;
            sink(from, body + kTcpRelayAddressLen, len - kTcpRelayAddressLen);
        } else if (body[0] == 6 && len >= 19) {
            const InetAddress from = InetAddress::v6(body + 1, static_cast<std::uint16_t>((body[17] << 8) | body[18]));
            ++records_in_;
            sink(from, body + 19, len - 19);
        } else if (body[0] != 0) {
            return false;  // unknown address type: the stream cannot be trusted any further
        }
    }
    in_.erase(in_.begin(), in_.begin() + at);
    return true;
}

}  // namespace zt::osdep
