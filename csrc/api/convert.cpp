// SPDX-License-Identifier: Apache-2.0
#include "api/convert.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

namespace zt::api {

void to_zts_sockaddr(const InetAddress& a, zts_sockaddr_storage* out) {
    std::memset(out, 0, sizeof *out);
    if (a.family == InetAddress::Family::kV4) {
        auto* sin = reinterpret_cast<zts_sockaddr_in*>(out);
        sin->sin_len = sizeof(zts_sockaddr_in);
        sin->sin_family = ZTS_AF_INET;
        sin->sin_port = htons(a.port);
        std::memcpy(&sin->sin_addr, a.ip, 4);
    } else if (a.family == InetAddress::Family::kV6) {
        auto* sin6 = reinterpret_cast<zts_sockaddr_in6*>(out);
        sin6->sin6_len = sizeof(zts_sockaddr_in6);
        sin6->sin6_family = ZTS_AF_INET6;
        sin6->sin6_port = htons(a.port);
        std::memcpy(&sin6->sin6_addr, a.ip, 16);
    }
}

void fill_peer_info(Peer& peer, const Topology& topology, std::int64_t now, zts_peer_info_t* out) {
    std::memset(out, 0, sizeof *out);
    out->peer_id = peer.address();
    out->ver_major = peer.major();
    out->ver_minor = peer.minor();
    out->ver_rev = peer.revision();
    out->latency = peer.latency();
    out->role = topology.is_moon_root(peer.address()) ? ZTS_PEER_ROLE_MOON
                : topology.is_root(peer.address())    ? ZTS_PEER_ROLE_PLANET
                                                      : ZTS_PEER_ROLE_LEAF;
    // zts_peer_info_t has room for ZTS_MAX_PEER_NETWORK_PATHS (16, libzt's layout) while a peer
    // may know more: the first ones are reported, and the preferred path always among them.
    const std::vector<Path>& paths = peer.paths();
    const Path* best = peer.best_path(now);
    const std::size_t room = ZTS_MAX_PEER_NETWORK_PATHS;
    const std::size_t n = std::min(paths.size(), room);
    for (std::size_t i = 0; i < n; ++i) {
        const bool best_left_out = best != nullptr && i == n - 1 && best >= paths.data() + n;
        const Path& p = best_left_out ? *best : paths[i];
        zts_path_t& z = out->paths[i];
        to_zts_sockaddr(p.address, &z.address);
        z.last_tx = static_cast<uint64_t>(p.last_out);
        z.last_rx = static_cast<uint64_t>(p.last_in);
        z.latency = static_cast<float>(p.latency);
        z.expired = p.alive(now) ? 0 : 1;
        z.preferred = &p == best ? 1 : 0;
    }
    out->path_count = static_cast<unsigned>(n);
}

void to_zts_sockaddr_with_bits(const InetAddress& a, unsigned bits, zts_sockaddr_storage* out) {
    InetAddress copy = a;
    copy.port = static_cast<std::uint16_t>(bits);
    to_zts_sockaddr(copy, out);
}

void fill_net_info(const Network& net, std::uint64_t my_address, zts_net_info_t* out) {
    std::memset(out, 0, sizeof *out);
    out->net_id = net.id();
    out->mac = net.mac();
    out->status = static_cast<zts_network_status_t>(net.status());
    out->type = ZTS_NETWORK_TYPE_PRIVATE;
    if (!net.has_config()) return;
    const NetworkConfig& c = net.config();
    std::strncpy(out->name, c.name.c_str(), ZTS_MAX_NETWORK_SHORT_NAME_LENGTH);
    out->type = c.is_public() ? ZTS_NETWORK_TYPE_PUBLIC : ZTS_NETWORK_TYPE_PRIVATE;
    out->mtu = c.mtu;
    out->bridge = c.permits_bridging(my_address) ? 1 : 0;
    out->broadcast_enabled = c.broadcast_enabled() ? 1 : 0;
    out->netconf_rev = static_cast<unsigned long>(c.revision);
    for (const ManagedIp& ip : c.static_ips) {
        if (out->assigned_addr_count >= ZTS_MAX_ASSIGNED_ADDRESSES) break;
        to_zts_sockaddr_with_bits(ip.ip, ip.bits, &out->assigned_addrs[out->assigned_addr_count++]);
    }
    for (const ManagedRoute& r : c.routes) {
        if (out->route_count >= ZTS_MAX_NETWORK_ROUTES) break;
        zts_route_info_t& z = out->routes[out->route_count++];
        to_zts_sockaddr_with_bits(r.target, r.bits, &z.target);
        if (!r.via.is_nil()) to_zts_sockaddr(r.via, &z.via);
        z.flags = r.flags;
        z.metric = r.metric;
    }
    for (const MulticastGroup& g : net.groups()) {
        if (out->multicast_sub_count >= ZTS_MAX_MULTICAST_SUBSCRIPTIONS) break;
        out->multicast_subs[out->multicast_sub_count].mac = g.mac;
        out->multicast_subs[out->multicast_sub_count].adi = g.adi;
        ++out->multicast_sub_count;
    }
}

}  // namespace zt::api
