// SPDX-License-Identifier: Apache-2.0
// fuzz-link: net
// fuzz-options: -detect_leaks=0
//
// libFuzzer target: Ethernet frames from the network into lwIP, through the interface a joined
// network gets (zt::net::VirtualNetif), with lwIP running (its tcpip thread and timers). What a
// member of a network can send reaches exactly this path once the node has checked the frame's
// origin and the network's rules. Each input is a sequence of records:
//
//   byte 0:   flags  bit 0: set the destination MAC to ours (else the frame's own)
//                    bit 1: recompute the IPv4 header checksum and the TCP/UDP/ICMP checksum, so
//                           that mutated packets get past lwIP's checksum checks
//   byte 1-2: frame length (big-endian), then the frame: dst MAC, src MAC, ethertype, payload.
//
// The interface has an IPv4 address (28.51.68.85/8) and a 6PLANE IPv6 address; a TCP listener on
// port 80 and a UDP socket on port 53 are open, so segments and datagrams reach sockets too. Their
// connections and datagrams are taken and dropped after every input. Two UDP sockets connected to
// the peer of the seeds (port 9, from 5353 over IPv4 and 5354 over IPv6) are there for the ICMP port
// unreachable that names them (net/port_unreachable.hpp). Frames lwIP sends (ARP and
// neighbor answers, SYN-ACKs, resets, ICMP errors) are checked for sane lengths and dropped.
//
// No leak checks: lwIP keeps frames from one input for later ones (waiting for an ARP answer, for
// the other IP fragments, in TIME_WAIT), and its thread and timers are still at work when the run
// ends, so neither the check after each input nor the one at exit can tell held state from a leak
// (both reported a few lwIP buffers that no replay reproduced). What this target checks is that no
// frame crashes lwIP or our interface, reads or writes out of bounds, or hits undefined behaviour.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "net/lwip.hpp"
#include "net/netif.hpp"
#include "net/stack.hpp"
#include "zt/bytes.hpp"
#include "zt/vl2_address.hpp"

namespace {

constexpr std::uint64_t kNetworkId = 0xff1c000000000001ULL;
constexpr std::uint64_t kAddress = 0x1122334455ULL;  // ours: IPv4 28.51.68.85
constexpr std::size_t kMaxFrame = 14 + 10000;      // ZeroTier's largest MTU

struct Harness {
    zt::net::VirtualNetif* netif = nullptr;
    std::uint64_t mac = 0;
    int tcp_listener = -1;
    int udp_socket = -1;
    int udp_connected[2] = {-1, -1};
};

// A UDP socket on local_port connected to port 9 of the seeds' peer (tests/fuzz/make_frame_seeds.py).
int connected_udp(int family, std::uint16_t local_port) {
    const int fd = lwip_socket(family, SOCK_DGRAM, 0);
    if (family == AF_INET) {
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = lwip_htons(local_port);
        lwip_bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
        a.sin_port = lwip_htons(9);
        a.sin_addr.s_addr = PP_HTONL(LWIP_MAKEU32(28, 136, 153, 170));
        lwip_connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    } else {
        sockaddr_in6 a{};
        a.sin6_family = AF_INET6;
        a.sin6_port = lwip_htons(local_port);
        lwip_bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
        const zt::InetAddress peer = zt::sixplane_address(kNetworkId, 0x66778899aaULL);
        std::memcpy(a.sin6_addr.s6_addr, peer.ip, 16);
        a.sin6_port = lwip_htons(9);
        lwip_connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    }
    lwip_fcntl(fd, F_SETFL, O_NONBLOCK);
    return fd;
}

Harness* harness() {
    static Harness* h = [] {
        auto* made = new Harness();  // lives as long as lwIP: the whole process
        zt::net::ensure_stack();
        made->mac = zt::mac_from_address(kAddress, kNetworkId);
        zt::NetworkConfig config;
        config.network_id = kNetworkId;
        config.mtu = 2800;
        const std::uint8_t ip4[4] = {28, 0x33, 0x44, 0x55};
        config.static_ips.push_back({zt::InetAddress::v4(ip4, 0), 8});
        const zt::InetAddress sixplane = zt::sixplane_address(kNetworkId, kAddress);
        config.static_ips.push_back({zt::InetAddress::v6(sixplane.ip, 0), sixplane.port});
        {
            zt::net::CoreLock lock;
            made->netif = new zt::net::VirtualNetif(
                kNetworkId, made->mac,
                [](std::uint64_t, std::uint64_t, std::uint64_t, std::uint16_t, const std::uint8_t*, std::size_t len) {
                    if (len > 0xffff) std::abort();  // lwIP never sends more than a pbuf holds
                },
                [](std::uint64_t, std::uint64_t, bool) {});
            made->netif->apply(config);
        }
        made->tcp_listener = lwip_socket(AF_INET6, SOCK_STREAM, 0);  // dual stack: IPv4 and IPv6
        made->udp_socket = lwip_socket(AF_INET6, SOCK_DGRAM, 0);
        sockaddr_in6 any{};
        any.sin6_family = AF_INET6;
        any.sin6_port = lwip_htons(80);
        lwip_bind(made->tcp_listener, reinterpret_cast<sockaddr*>(&any), sizeof any);
        lwip_listen(made->tcp_listener, 16);
        any.sin6_port = lwip_htons(53);
        lwip_bind(made->udp_socket, reinterpret_cast<sockaddr*>(&any), sizeof any);
        for (int fd : {made->tcp_listener, made->udp_socket}) lwip_fcntl(fd, F_SETFL, O_NONBLOCK);
        made->udp_connected[0] = connected_udp(AF_INET, 5353);
        made->udp_connected[1] = connected_udp(AF_INET6, 5354);
        return made;
    }();
    return h;
}

std::uint16_t get16(const std::uint8_t* p) { return static_cast<std::uint16_t>((p[0] << 8) | p[1]); }

void put16(std::uint8_t* p, std::uint32_t v) {
    p[0] = static_cast<std::uint8_t>(v >> 8);
    p[1] = static_cast<std::uint8_t>(v);
}

std::uint32_t sum16(const std::uint8_t* p, std::size_t len, std::uint32_t acc) {
    for (std::size_t i = 0; i + 1 < len; i += 2) acc += get16(p + i);
    if (len & 1) acc += static_cast<std::uint32_t>(p[len - 1]) << 8;
    return acc;
}

std::uint16_t fold(std::uint32_t acc) {
    while (acc >> 16) acc = (acc & 0xffff) + (acc >> 16);
    return static_cast<std::uint16_t>(~acc);
}

// Offset of the checksum field in a transport header, or 0 if none is fixed up.
std::size_t checksum_offset(std::uint8_t protocol) {
    switch (protocol) {
        case 6: return 16;   // TCP
        case 17: return 6;   // UDP
        case 1: return 2;    // ICMP
        case 58: return 2;   // ICMPv6
        default: return 0;
    }
}

void fix_transport(std::uint8_t* l4, std::size_t len, std::uint8_t protocol, std::uint32_t pseudo) {
    const std::size_t at = checksum_offset(protocol);
    if (at == 0 || len < at + 2) return;
    put16(l4 + at, 0);
    put16(l4 + at, fold(sum16(l4, len, protocol == 1 ? 0 : pseudo + protocol + static_cast<std::uint32_t>(len))));
}

// Makes the checksums of an IPv4 or IPv6 packet right, where its lengths allow.
void fix_checksums(std::uint16_t ethertype, std::uint8_t* ip, std::size_t len) {
    if (ethertype == 0x0800 && len >= 20) {
        const std::size_t header = static_cast<std::size_t>(ip[0] & 0x0f) * 4;
        const std::size_t total = get16(ip + 2);
        if (header < 20 || header > len || total < header || total > len) return;
        put16(ip + 10, 0);
        put16(ip + 10, fold(sum16(ip, header, 0)));
        if ((get16(ip + 6) & 0x3fff) != 0) return;  // a fragment: the checksum covers the whole
        fix_transport(ip + header, total - header, ip[9], sum16(ip + 12, 8, 0));
    } else if (ethertype == 0x86dd && len >= 40) {
        const std::size_t payload = get16(ip + 4);
        if (40 + payload > len) return;
        fix_transport(ip + 40, payload, ip[6], sum16(ip + 8, 32, 0));
    }
}

void drain_sockets(const Harness& h) {
    for (;;) {
        const int fd = lwip_accept(h.tcp_listener, nullptr, nullptr);
        if (fd < 0) break;
        lwip_close(fd);
    }
    std::uint8_t buf[2048];
    for (int fd : {h.udp_socket, h.udp_connected[0], h.udp_connected[1]}) {
        while (lwip_recv(fd, buf, sizeof buf, 0) >= 0) {
        }
    }
}

}  // namespace

// Defaults that ASAN_OPTIONS can still override (see above for why).
extern "C" const char* __asan_default_options() { return "leak_check_at_exit=0"; }

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    Harness& h = *harness();
    std::vector<std::uint8_t> frame;
    std::size_t at = 0;
    while (at + 3 <= size) {
        const std::uint8_t flags = data[at];
        const std::size_t len = get16(data + at + 1);
        at += 3;
        if (len > size - at) break;
        if (len >= 14 && len <= kMaxFrame) {
            frame.assign(data + at, data + at + len);
            if (flags & 1) zt::store_be(frame.data(), h.mac, 6);
            const std::uint16_t ethertype = get16(frame.data() + 12);
            if (flags & 2) fix_checksums(ethertype, frame.data() + 14, frame.size() - 14);
            zt::net::CoreLock lock;
            h.netif->input(zt::load_be(frame.data() + 6, 6), zt::load_be(frame.data(), 6), ethertype,
                           frame.data() + 14, frame.size() - 14);
        }
        at += len;
    }
    drain_sockets(h);
    return 0;
}
