// SPDX-License-Identifier: Apache-2.0
#include "osdep/udp_socket.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "zt/constants.hpp"

namespace zt::osdep {

namespace {

constexpr int kSocketBufferBytes = 4 * 1024 * 1024;
// Control data of one message: the larger of the two packet-info records, and the segment size
// (UDP_SEGMENT's is a uint16_t, UDP_GRO's an int).
constexpr std::size_t kControlLen = CMSG_SPACE(sizeof(in6_pktinfo)) + CMSG_SPACE(sizeof(int));
// One segmented send: at most 64 segments (the kernel's limit before Linux 6.x raised it to 128)
// and what one UDP datagram can carry over IPv4.
constexpr std::size_t kMaxSegments = 64;
constexpr std::size_t kMaxSegmentedBytes = 65000;
// A receive buffer: one datagram, or with UDP_GRO a coalesced run of them (at most 64 KiB).
constexpr std::size_t kCoalescedLen = 65536;

bool offload_wanted() {
    const char* v = std::getenv("LIBZT_UDP_OFFLOAD");
    return v == nullptr || std::strcmp(v, "0") != 0;
}

int open_socket(int family, std::uint16_t port) {
    const int fd = ::socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    const int one = 1;
    if (family == AF_INET6) ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    // Each datagram's destination address and interface, so replies can leave from them.
    if (family == AF_INET) {
        ::setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof one);
    } else {
        ::setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof one);
    }
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

// Fills `control` with the packet-info record that makes the kernel send from `addr` through
// `ifindex`; returns its length.
std::size_t write_pktinfo(bool v6, const std::uint8_t* addr, int ifindex, std::uint8_t* control) {
    std::memset(control, 0, CMSG_SPACE(sizeof(in6_pktinfo)));
    msghdr m{};
    m.msg_control = control;
    m.msg_controllen = CMSG_SPACE(sizeof(in6_pktinfo));
    cmsghdr* c = CMSG_FIRSTHDR(&m);
    if (v6) {
        in6_pktinfo info{};
        std::memcpy(&info.ipi6_addr, addr, 16);
        info.ipi6_ifindex = static_cast<unsigned>(ifindex);
        c->cmsg_level = IPPROTO_IPV6;
        c->cmsg_type = IPV6_PKTINFO;
        c->cmsg_len = CMSG_LEN(sizeof info);
        std::memcpy(CMSG_DATA(c), &info, sizeof info);
        return CMSG_SPACE(sizeof info);
    }
    in_pktinfo info{};
    std::memcpy(&info.ipi_spec_dst, addr, 4);
    info.ipi_ifindex = ifindex;
    c->cmsg_level = IPPROTO_IP;
    c->cmsg_type = IP_PKTINFO;
    c->cmsg_len = CMSG_LEN(sizeof info);
    std::memcpy(CMSG_DATA(c), &info, sizeof info);
    return CMSG_SPACE(sizeof info);
}

// Appends the segment size of a segmented send at `control + used`; returns the new length.
std::size_t write_segment_size(std::uint8_t* control, std::size_t used, std::uint16_t segment) {
    auto* c = reinterpret_cast<cmsghdr*>(control + used);
    std::memset(c, 0, CMSG_SPACE(sizeof segment));
    c->cmsg_level = SOL_UDP;
    c->cmsg_type = UDP_SEGMENT;
    c->cmsg_len = CMSG_LEN(sizeof segment);
    std::memcpy(CMSG_DATA(c), &segment, sizeof segment);
    return used + CMSG_SPACE(sizeof segment);
}

// The size of the datagrams the kernel coalesced into this one (UDP_GRO), or 0.
std::size_t read_segment_size(msghdr* m) {
    for (cmsghdr* c = CMSG_FIRSTHDR(m); c != nullptr; c = CMSG_NXTHDR(m, c)) {
        if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO) {
            int size = 0;
            std::memcpy(&size, CMSG_DATA(c), sizeof size);
            return size > 0 ? static_cast<std::size_t>(size) : 0;
        }
    }
    return 0;
}

// The destination address and interface of a received datagram, from its control data.
bool read_pktinfo(msghdr* m, std::uint8_t addr[16], int* ifindex) {
    for (cmsghdr* c = CMSG_FIRSTHDR(m); c != nullptr; c = CMSG_NXTHDR(m, c)) {
        if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
            in_pktinfo info{};
            std::memcpy(&info, CMSG_DATA(c), sizeof info);
            std::memset(addr, 0, 16);
            std::memcpy(addr, &info.ipi_addr, 4);
            *ifindex = info.ipi_ifindex;
            return true;
        }
        if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
            in6_pktinfo info{};
            std::memcpy(&info, CMSG_DATA(c), sizeof info);
            std::memcpy(addr, &info.ipi6_addr, 16);
            *ifindex = static_cast<int>(info.ipi6_ifindex);
            return true;
        }
    }
    return false;
}

}  // namespace

struct UdpSockets::ReceiveHeaders {
    mmsghdr msgs[kBatch];
    iovec iov[kBatch];
    sockaddr_storage from[kBatch];
    alignas(cmsghdr) std::uint8_t control[kBatch][kControlLen];
    std::size_t used = kBatch;  // headers the last recvmmsg may have written to

    explicit ReceiveHeaders(std::vector<std::uint8_t>& buffers) {
        const std::size_t slot = buffers.size() / kBatch;
        std::memset(msgs, 0, sizeof msgs);
        for (std::size_t i = 0; i < kBatch; ++i) {
            iov[i].iov_base = buffers.data() + i * slot;
            iov[i].iov_len = slot;
            msgs[i].msg_hdr.msg_iov = &iov[i];
            msgs[i].msg_hdr.msg_iovlen = 1;
            msgs[i].msg_hdr.msg_name = &from[i];
            msgs[i].msg_hdr.msg_control = control[i];
        }
    }

    // The kernel writes back the address and control lengths (and flags) of the messages it fills.
    void reset() {
        for (std::size_t i = 0; i < used; ++i) {
            msgs[i].msg_hdr.msg_namelen = sizeof from[i];
            msgs[i].msg_hdr.msg_controllen = kControlLen;
            msgs[i].msg_hdr.msg_flags = 0;
        }
    }
};

UdpSockets::UdpSockets() = default;
UdpSockets::~UdpSockets() { close(); }

namespace {

// Asks for coalesced receives and checks that segmented sends are known to the kernel (Linux 4.18
// and 5.0); true if both are. Either missing leaves the socket as it was: one datagram per call.
bool enable_offload(int fd) {
    const int one = 1;
    const int zero = 0;
    if (::setsockopt(fd, SOL_UDP, UDP_SEGMENT, &zero, sizeof zero) != 0) return false;
    if (::setsockopt(fd, SOL_UDP, UDP_GRO, &one, sizeof one) != 0) return false;
    return true;
}

}  // namespace

bool UdpSockets::bind_pair(std::uint16_t port, std::uint16_t* bound) {
    const int fd4 = open_socket(AF_INET, port);
    if (fd4 < 0) return false;
    *bound = bound_port(fd4);
    bound_.push_back(Bound{fd4, false, *bound, offload_ && enable_offload(fd4)});
    const int fd6 = open_socket(AF_INET6, *bound);
    if (fd6 >= 0) bound_.push_back(Bound{fd6, true, *bound, offload_ && enable_offload(fd6)});
    return true;
}

bool UdpSockets::open(std::uint16_t port) {
    close();
    offload_ = offload_wanted();
    if (!bind_pair(port, &port_)) return false;
    queue_.resize(kBatch);
    // Pages are only touched when a datagram is written into them: 4 MiB of address space.
    rx_buffers_.resize(kBatch * (offload_ ? kCoalescedLen : kMaxDatagramLen));
    rx_headers_ = std::make_unique<ReceiveHeaders>(rx_buffers_);
    return true;
}

bool UdpSockets::add_port(std::uint16_t port) {
    if (port == 0 || std::any_of(bound_.begin(), bound_.end(), [&](const Bound& b) { return b.port == port; })) {
        return false;
    }
    std::uint16_t bound = 0;
    return bind_pair(port, &bound);
}

void UdpSockets::remove_port(std::uint16_t port) {
    if (port == port_) return;
    flush();
    for (auto it = bound_.begin(); it != bound_.end();) {
        if (it->port != port) {
            ++it;
            continue;
        }
        const int fd = it->fd;
        ::close(fd);
        // Its local endpoints stay in the table (IDs are indices) but can no longer match a socket.
        for (LocalEnd& l : locals_) {
            if (l.fd == fd) l.fd = -1;
        }
        it = bound_.erase(it);
    }
}

void UdpSockets::close() {
    flush();
    for (const Bound& b : bound_) ::close(b.fd);
    bound_.clear();
    locals_.clear();
    last_local_ = -1;
}

std::vector<std::uint16_t> UdpSockets::ports() const {
    std::vector<std::uint16_t> out;
    for (const Bound& b : bound_) {
        if (std::find(out.begin(), out.end(), b.port) == out.end()) out.push_back(b.port);
    }
    return out;
}

std::vector<int> UdpSockets::fds() const {
    std::vector<int> out;
    for (const Bound& b : bound_) out.push_back(b.fd);
    return out;
}

const UdpSockets::Bound* UdpSockets::bound_socket(int fd) const {
    const auto it = std::find_if(bound_.begin(), bound_.end(), [&](const Bound& b) { return b.fd == fd; });
    return it == bound_.end() ? nullptr : &*it;
}

bool UdpSockets::is_ours(int fd) const { return bound_socket(fd) != nullptr; }

void UdpSockets::set_interface_blacklist(std::vector<std::string> prefixes) {
    blacklist_ = std::move(prefixes);
    for (LocalEnd& l : locals_) l.blacklisted = interface_blacklisted(l.ifindex);
}

bool UdpSockets::interface_blacklisted(int ifindex) const {
    if (blacklist_.empty() || ifindex <= 0) return false;
    char name[IF_NAMESIZE] = {};
    if (::if_indextoname(static_cast<unsigned>(ifindex), name) == nullptr) return false;
    const std::string_view n(name);
    return std::any_of(blacklist_.begin(), blacklist_.end(),
                       [&](const std::string& p) { return !p.empty() && n.substr(0, p.size()) == p; });
}

int UdpSockets::find_local(int fd, bool v6, const std::uint8_t* addr, int ifindex) {
    const auto same = [&](const LocalEnd& l) {
        return l.fd == fd && l.v6 == v6 && l.ifindex == ifindex && std::memcmp(l.addr, addr, v6 ? 16 : 4) == 0;
    };
    if (last_local_ >= 0 && same(locals_[last_local_])) return last_local_;
    for (std::size_t i = 0; i < locals_.size(); ++i) {
        if (same(locals_[i])) return last_local_ = static_cast<int>(i);
    }
    if (locals_.size() >= kMaxLocalEnds) return -1;  // absurdly many addresses: the kernel picks
    LocalEnd l{};
    l.fd = fd;
    l.v6 = v6;
    std::memcpy(l.addr, addr, 16);
    l.ifindex = ifindex;
    l.blacklisted = interface_blacklisted(ifindex);
    locals_.push_back(l);
    return last_local_ = static_cast<int>(locals_.size() - 1);
}

void UdpSockets::deliver(std::int64_t local_socket, const InetAddress& src, const std::uint8_t* data,
                         std::size_t len, std::size_t segment, const Sink& sink) {
    // The buffers are large enough for a coalesced run; a single datagram larger than any ZeroTier
    // datagram is still reported as one, as a cut-short read would be.
    const auto one = [&](const std::uint8_t* d, std::size_t n) {
        sink(local_socket, src, n > kMaxDatagramLen ? nullptr : d, n);
    };
    if (segment == 0 || len <= segment) {
        one(data, len);
        return;
    }
    // Coalesced by the kernel: datagrams of `segment` bytes back to back, the last possibly shorter.
    for (std::size_t at = 0; at < len; at += segment) {
        ++offload_received_;
        one(data + at, std::min(segment, len - at));
    }
}

std::size_t UdpSockets::receive_batch(int fd, const Sink& sink) {
    if (fd < 0 || !rx_headers_) return 0;
    ReceiveHeaders& h = *rx_headers_;
    h.reset();
    const int n = ::recvmmsg(fd, h.msgs, kBatch, MSG_DONTWAIT, nullptr);
    h.used = n > 0 ? static_cast<std::size_t>(n) : 1;
    if (n <= 0) return 0;
    mmsghdr* const msgs = h.msgs;
    const iovec* const iov = h.iov;
    sockaddr_storage* const from = h.from;
    for (int i = 0; i < n; ++i) {
        InetAddress src;
        if (!InetAddress::from_sockaddr(reinterpret_cast<sockaddr*>(&from[i]), &src)) continue;
        std::int64_t local_socket = fd;
        std::uint8_t dst[16];
        int ifindex = 0;
        if (read_pktinfo(&msgs[i].msg_hdr, dst, &ifindex)) {
            const int local = find_local(fd, src.family == InetAddress::Family::kV6, dst, ifindex);
            if (local >= 0) {
                if (locals_[local].blacklisted) {
                    ++ignored_blacklisted_;
                    continue;
                }
                local_socket = (static_cast<std::int64_t>(local) + 1) << 32 | static_cast<std::uint32_t>(fd);
            }
        }
        if (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) {
            sink(local_socket, src, nullptr, msgs[i].msg_len);  // larger than any ZeroTier datagram
            continue;
        }
        deliver(local_socket, src, static_cast<const std::uint8_t*>(iov[i].iov_base), msgs[i].msg_len,
                read_segment_size(&msgs[i].msg_hdr), sink);
    }
    return static_cast<std::size_t>(n);
}

bool UdpSockets::resolve(std::int64_t local_socket, int* fd, int* local) const {
    if (local_socket < 0) return false;
    *fd = static_cast<int>(local_socket & 0xffffffff);
    const std::int64_t n = local_socket >> 32;
    *local = -1;
    if (n > 0 && static_cast<std::size_t>(n) <= locals_.size() && locals_[n - 1].fd == *fd) {
        *local = static_cast<int>(n - 1);
    }
    return true;
}

InetAddress UdpSockets::local_address(std::int64_t local_socket) const {
    int fd = -1;
    int local = -1;
    if (!resolve(local_socket, &fd, &local) || local < 0) return InetAddress();
    const LocalEnd& l = locals_[local];
    const std::uint16_t port =
        [&] {
            for (const Bound& b : bound_) {
                if (b.fd == l.fd) return b.port;
            }
            return std::uint16_t{0};
        }();
    return l.v6 ? InetAddress::v6(l.addr, port) : InetAddress::v4(l.addr, port);
}

void UdpSockets::send_now(int fd, int local, const InetAddress& to, const std::uint8_t* data, std::size_t len,
                          unsigned ttl) {
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
    iovec iov{const_cast<std::uint8_t*>(data), len};
    alignas(cmsghdr) std::uint8_t control[kControlLen];
    msghdr m{};
    m.msg_name = &ss;
    m.msg_namelen = ss_len;
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    if (local >= 0) {
        m.msg_control = control;
        m.msg_controllen = write_pktinfo(locals_[local].v6, locals_[local].addr, locals_[local].ifindex, control);
    }
    bool sent = ::sendmsg(fd, &m, MSG_DONTWAIT) >= 0;
    if (!sent && local >= 0) {
        // The address it arrived on is gone (renumbered, interface down): let the kernel pick.
        m.msg_control = nullptr;
        m.msg_controllen = 0;
        sent = ::sendmsg(fd, &m, MSG_DONTWAIT) >= 0;
    }
    if (!sent) ++send_errors_;
    if (ttl != 0) ::setsockopt(fd, v6 ? IPPROTO_IPV6 : IPPROTO_IP, v6 ? IPV6_UNICAST_HOPS : IP_TTL, &old_ttl, ol);
}

void UdpSockets::queue(int fd, int local, const InetAddress& to, const std::uint8_t* data, std::size_t len) {
    if (queued_ == queue_.size()) flush();
    Outgoing& o = queue_[queued_++];
    o.fd = fd;
    o.local = local;
    o.to = to;
    o.len = static_cast<std::uint16_t>(len);
    std::memcpy(o.data, data, len);
}

void UdpSockets::send(std::int64_t local_socket, const InetAddress& to, const std::uint8_t* data, std::size_t len,
                      unsigned ttl) {
    const bool v6 = to.family == InetAddress::Family::kV6;
    int fd = -1;
    int local = -1;
    const Bound* const named_socket = resolve(local_socket, &fd, &local) ? bound_socket(fd) : nullptr;
    const bool named = named_socket != nullptr && named_socket->v6 == v6;
    const bool at_once = ttl != 0 || len > sizeof(Outgoing::data) || queue_.empty();
    bool any = false;
    for (const Bound& b : bound_) {
        if (b.v6 != v6 || (named && b.fd != fd)) continue;
        any = true;
        const int l = named ? local : -1;
        if (at_once) {
            send_now(b.fd, l, to, data, len, ttl);
        } else {
            queue(b.fd, l, to, data, len);
        }
    }
    if (!any) ++send_errors_;  // no socket of that family (a host without IPv6)
}

bool UdpSockets::may_segment(int fd) const {
    return std::any_of(bound_.begin(), bound_.end(), [&](const Bound& b) { return b.fd == fd && b.segment; });
}

void UdpSockets::stop_segmenting(int fd) {
    for (Bound& b : bound_) {
        if (b.fd == fd) b.segment = false;
    }
}

std::size_t UdpSockets::send_one_by_one(int fd, const msghdr& m) {
    std::size_t sent = 0;
    for (std::size_t i = 0; i < m.msg_iovlen; ++i) {
        msghdr one = m;
        one.msg_iov = &m.msg_iov[i];
        one.msg_iovlen = 1;
        if (::sendmsg(fd, &one, MSG_DONTWAIT) < 0 && one.msg_control != nullptr) {
            one.msg_control = nullptr;  // the address it arrived on is gone: let the kernel pick
            one.msg_controllen = 0;
            if (::sendmsg(fd, &one, MSG_DONTWAIT) < 0) continue;
        }
        ++sent;
    }
    return sent;
}

void UdpSockets::flush() {
    std::size_t start = 0;
    while (start < queued_) {
        // sendmmsg takes one socket: send runs of the same fd together.
        const int fd = queue_[start].fd;
        const bool segmenting = may_segment(fd);
        std::size_t end = start;
        mmsghdr msgs[kBatch];
        iovec iov[kBatch];
        sockaddr_storage to[kBatch];
        alignas(cmsghdr) std::uint8_t control[kBatch][kControlLen];
        std::size_t pktinfo_len[kBatch];
        std::size_t segments[kBatch];
        std::size_t n = 0;
        std::size_t datagrams = 0;
        while (end < queued_ && queue_[end].fd == fd) {
            const Outgoing& first = queue_[end++];
            unsigned to_len = 0;
            if (!first.to.to_sockaddr(&to[n], &to_len)) {
                ++send_errors_;
                continue;
            }
            // With offload, the datagrams that follow to the same place with the same length go in
            // the same message (the last of them may be shorter).
            iovec* const run = &iov[datagrams];
            run[0] = iovec{const_cast<std::uint8_t*>(first.data), first.len};
            std::size_t count = 1;
            std::size_t bytes = first.len;
            while (segmenting && end < queued_ && count < kMaxSegments) {
                const Outgoing& o = queue_[end];
                if (o.fd != fd || o.local != first.local || o.len > first.len ||
                    bytes + o.len > kMaxSegmentedBytes || !(o.to == first.to)) {
                    break;
                }
                run[count++] = iovec{const_cast<std::uint8_t*>(o.data), o.len};
                bytes += o.len;
                ++end;
                if (o.len < first.len) break;
            }
            std::memset(&msgs[n], 0, sizeof msgs[n]);
            msghdr& h = msgs[n].msg_hdr;
            h.msg_iov = run;
            h.msg_iovlen = count;
            h.msg_name = &to[n];
            h.msg_namelen = to_len;
            std::size_t used = 0;
            if (first.local >= 0) {
                const LocalEnd& l = locals_[first.local];
                used = write_pktinfo(l.v6, l.addr, l.ifindex, control[n]);
            }
            pktinfo_len[n] = used;
            if (count > 1) used = write_segment_size(control[n], used, first.len);
            if (used > 0) {
                h.msg_control = control[n];
                h.msg_controllen = used;
            }
            segments[n] = count;
            datagrams += count;
            ++n;
        }
        std::size_t sent = 0;
        while (fd >= 0 && sent < n) {
            const int r = ::sendmmsg(fd, msgs + sent, static_cast<unsigned>(n - sent), MSG_DONTWAIT);
            if (r < 0) {
                msghdr& h = msgs[sent].msg_hdr;
                if (segments[sent] > 1) {
                    // Not segmented after all: an old kernel, a device that cannot (EIO), or a path
                    // whose MTU is below the segment size. One by one, as without offload.
                    if (errno == EIO || errno == ENOPROTOOPT || errno == EOPNOTSUPP) stop_segmenting(fd);
                    h.msg_controllen = pktinfo_len[sent];
                    if (h.msg_controllen == 0) h.msg_control = nullptr;
                    send_errors_ += segments[sent] - send_one_by_one(fd, h);
                    ++sent;
                    continue;
                }
                if (h.msg_control != nullptr) {
                    // The address it arrived on is gone (renumbered, interface down): retry once
                    // with the source left to the kernel.
                    h.msg_control = nullptr;
                    h.msg_controllen = 0;
                    continue;
                }
                // The first remaining datagram failed (unreachable, or a full buffer): drop it, as
                // UDP would on the wire, and carry on with the rest.
                ++send_errors_;
                ++sent;
                continue;
            }
            if (r == 0) break;
            for (std::size_t i = sent; i < sent + static_cast<std::size_t>(r); ++i) {
                if (segments[i] > 1) offload_sent_ += segments[i];
            }
            sent += static_cast<std::size_t>(r);
        }
        if (fd < 0) send_errors_ += datagrams;
        start = end;
    }
    queued_ = 0;
}

}  // namespace zt::osdep
