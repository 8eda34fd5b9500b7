// SPDX-License-Identifier: Apache-2.0
#include "api/runtime.hpp"

#include <algorithm>
#include <cstring>

#include "api/convert.hpp"

namespace zt::api {

Runtime& runtime() {
    static Runtime* r = new Runtime();  // never destroyed: threads may outlive static destruction
    return *r;
}

void Runtime::post_node_event(int code) {
    auto e = std::make_unique<OwnedEvent>();
    e->msg.event_code = static_cast<int16_t>(code);
    e->node = std::make_unique<zts_node_info_t>();
    std::memset(e->node.get(), 0, sizeof(zts_node_info_t));
    if (service) {
        e->node->node_id = service->identity().address();
        e->node->port_primary = service->port();
    }
    e->node->ver_major = kSoftwareMajor;
    e->node->ver_minor = kSoftwareMinor;
    e->node->ver_rev = static_cast<uint8_t>(kSoftwareRevision);
    e->msg.node = e->node.get();
    events.post(std::move(e));
}

void Runtime::post_stack_event(int code) {
    auto e = std::make_unique<OwnedEvent>();
    e->msg.event_code = static_cast<int16_t>(code);
    events.post(std::move(e));
}

void Runtime::on_netif(const net::NetifChange& change) {
    const int up[] = {ZTS_EVENT_NETIF_UP, ZTS_EVENT_NETIF_LINK_UP};
    const int down[] = {ZTS_EVENT_NETIF_LINK_DOWN, ZTS_EVENT_NETIF_DOWN, ZTS_EVENT_NETIF_REMOVED};
    auto post = [&](int code) {
        auto e = std::make_unique<OwnedEvent>();
        e->msg.event_code = static_cast<int16_t>(code);
        e->netif = std::make_unique<zts_netif_info_t>();
        e->netif->net_id = change.network_id;
        e->netif->mac = change.mac;
        e->netif->mtu = change.mtu;
        e->msg.netif = e->netif.get();
        events.post(std::move(e));
    };
    if (change.up) {
        for (int code : up) post(code);
    } else {
        for (int code : down) post(code);
    }
}

void Runtime::on_store(const char* what, const std::vector<std::uint8_t>& data) {
    int code = 0;
    if (std::strcmp(what, "identity.secret") == 0) code = ZTS_EVENT_STORE_IDENTITY_SECRET;
    else if (std::strcmp(what, "identity.public") == 0) code = ZTS_EVENT_STORE_IDENTITY_PUBLIC;
    else if (std::strcmp(what, "roots") == 0) code = ZTS_EVENT_STORE_PLANET;
    else if (std::strcmp(what, "peer") == 0) code = ZTS_EVENT_STORE_PEER;
    else if (std::strcmp(what, "network") == 0) code = ZTS_EVENT_STORE_NETWORK;
    else return;
    auto e = std::make_unique<OwnedEvent>();
    e->msg.event_code = static_cast<int16_t>(code);
    e->bytes = data;
    e->msg.cache = e->bytes.data();
    e->msg.len = static_cast<int>(e->bytes.size());
    events.post(std::move(e));
}

void Runtime::post_network_event(int code, const Network& net) {
    auto e = std::make_unique<OwnedEvent>();
    e->msg.event_code = static_cast<int16_t>(code);
    e->network = std::make_unique<zts_net_info_t>();
    fill_net_info(net, service ? service->identity().address() : 0, e->network.get());
    e->msg.network = e->network.get();
    events.post(std::move(e));
}

void Runtime::post_address_events(const Network& net) {
    std::vector<ManagedIp>& before = reported_addresses_[net.id()];
    const std::vector<ManagedIp> now = net.has_config() ? net.config().static_ips : std::vector<ManagedIp>{};
    auto same = [](const ManagedIp& a, const ManagedIp& b) { return a.ip.same_ip(b.ip) && a.bits == b.bits; };
    auto post_addr = [&](int code, const ManagedIp& ip) {
        auto e = std::make_unique<OwnedEvent>();
        e->msg.event_code = static_cast<int16_t>(code);
        e->addr = std::make_unique<zts_addr_info_t>();
        e->addr->net_id = net.id();
        to_zts_sockaddr_with_bits(ip.ip, ip.bits, &e->addr->addr);
        e->msg.addr = e->addr.get();
        events.post(std::move(e));
    };
    bool new_v4 = false;
    bool new_v6 = false;
    for (const ManagedIp& old : before) {
        if (std::none_of(now.begin(), now.end(), [&](const ManagedIp& x) { return same(x, old); })) {
            const bool v4 = old.ip.family == InetAddress::Family::kV4;
            post_addr(v4 ? ZTS_EVENT_ADDR_REMOVED_IP4 : ZTS_EVENT_ADDR_REMOVED_IP6, old);
        }
    }
    for (const ManagedIp& ip : now) {
        if (std::none_of(before.begin(), before.end(), [&](const ManagedIp& x) { return same(x, ip); })) {
            const bool v4 = ip.ip.family == InetAddress::Family::kV4;
            post_addr(v4 ? ZTS_EVENT_ADDR_ADDED_IP4 : ZTS_EVENT_ADDR_ADDED_IP6, ip);
            (v4 ? new_v4 : new_v6) = true;
        }
    }
    before = now;
    // As in libzt: a network is ready for traffic of a family once it has an address of it.
    if (new_v4) post_network_event(ZTS_EVENT_NETWORK_READY_IP4, net);
    if (new_v6) post_network_event(ZTS_EVENT_NETWORK_READY_IP6, net);
}

void Runtime::on_config_request(const ConfigRequest& request) {
    auto req = std::make_shared<ztx_config_request_t>();
    std::memset(req.get(), 0, sizeof *req);
    req->request_id = request.request_id;
    req->network_id = request.network_id;
    req->member_id = request.member.address();
    const std::string id = request.member.to_string(false);
    std::strncpy(req->identity, id.c_str(), sizeof req->identity - 1);
    const std::string from = request.from.to_string();
    std::strncpy(req->from, from.c_str(), sizeof req->from - 1);
    auto metadata = std::make_shared<std::string>(request.metadata);
    req->have_revision = request.have_revision;
    req->have_timestamp = request.have_timestamp;
    events.post_task([this, req, metadata] {
        ztx_controller_handler_t handler = nullptr;
        {
            std::lock_guard<std::mutex> g(mutex);
            handler = controller_handler;
        }
        if (handler == nullptr) return;
        req->metadata = reinterpret_cast<const uint8_t*>(metadata->data());
        req->metadata_len = metadata->size();
        handler(req.get());
    });
}

void Runtime::on_node_event(const NodeEvent& ne) {
    // Called by the core under the node lock: the peer can be described now, consistently.
    auto e = std::make_unique<OwnedEvent>();
    Node* node = service ? service->node() : nullptr;
    auto describe_peer = [&]() {
        if (node == nullptr) return;
        Peer* p = node->topology().get(ne.peer);
        e->peer = std::make_unique<zts_peer_info_t>();
        if (p != nullptr) {
            fill_peer_info(*p, node->topology(), node->now(), e->peer.get());
        } else {
            std::memset(e->peer.get(), 0, sizeof(zts_peer_info_t));
            e->peer->peer_id = ne.peer;
            e->peer->ver_major = e->peer->ver_minor = e->peer->ver_rev = e->peer->latency = -1;
        }
        e->msg.peer = e->peer.get();
    };
    switch (ne.type) {
        case NodeEvent::Type::kOnline: post_node_event(ZTS_EVENT_NODE_ONLINE); return;
        case NodeEvent::Type::kOffline: post_node_event(ZTS_EVENT_NODE_OFFLINE); return;
        case NodeEvent::Type::kIdentityCollision: post_node_event(ZTS_EVENT_NODE_FATAL_ERROR); return;
        case NodeEvent::Type::kPlanetUpdated: return;  // reported as ZTS_EVENT_STORE_PLANET by on_store
        case NodeEvent::Type::kMoonUpdated: return;    // libzt has no event for moons
        case NodeEvent::Type::kMoonRemoved: return;
        case NodeEvent::Type::kPeerDirect: e->msg.event_code = ZTS_EVENT_PEER_DIRECT; break;
        case NodeEvent::Type::kPeerRelay: e->msg.event_code = ZTS_EVENT_PEER_RELAY; break;
        case NodeEvent::Type::kPeerUnreachable: e->msg.event_code = ZTS_EVENT_PEER_UNREACHABLE; break;
        case NodeEvent::Type::kPathDiscovered: e->msg.event_code = ZTS_EVENT_PEER_PATH_DISCOVERED; break;
        case NodeEvent::Type::kPathDead: e->msg.event_code = ZTS_EVENT_PEER_PATH_DEAD; break;
        case NodeEvent::Type::kUserMessage:
            e->msg.event_code = ZTX_EVENT_USER_MESSAGE;
            e->bytes = ne.data;
            e->user_message = {ne.peer, ne.message_type, e->bytes.data(), e->bytes.size()};
            e->msg.cache = &e->user_message;
            e->msg.len = sizeof e->user_message;
            break;
        case NodeEvent::Type::kNetworkRequestingConfig:
        case NodeEvent::Type::kNetworkOk:
        case NodeEvent::Type::kNetworkConfig:
        case NodeEvent::Type::kNetworkAccessDenied:
        case NodeEvent::Type::kNetworkNotFound:
        case NodeEvent::Type::kNetworkClientTooOld:
        case NodeEvent::Type::kNetworkLeft: {
            Network* net = node != nullptr ? node->network(ne.network) : nullptr;
            if (ne.type == NodeEvent::Type::kNetworkLeft) {
                Network gone(ne.network, service ? service->identity().address() : 0);
                reported_addresses_.erase(ne.network);
                post_network_event(ZTS_EVENT_NETWORK_DOWN, gone);
                return;
            }
            if (net == nullptr) return;
            switch (ne.type) {
                case NodeEvent::Type::kNetworkRequestingConfig: post_network_event(ZTS_EVENT_NETWORK_REQ_CONFIG, *net); break;
                case NodeEvent::Type::kNetworkOk: post_network_event(ZTS_EVENT_NETWORK_OK, *net); break;
                case NodeEvent::Type::kNetworkAccessDenied:
                    post_network_event(ZTS_EVENT_NETWORK_ACCESS_DENIED, *net);
                    break;
                case NodeEvent::Type::kNetworkNotFound: post_network_event(ZTS_EVENT_NETWORK_NOT_FOUND, *net); break;
                case NodeEvent::Type::kNetworkClientTooOld:
                    post_network_event(ZTS_EVENT_NETWORK_CLIENT_TOO_OLD, *net);
                    break;
                default:  // a config was applied
                    if (reported_addresses_.count(net->id()) != 0) post_network_event(ZTS_EVENT_NETWORK_UPDATE, *net);
                    post_address_events(*net);
                    break;
            }
            return;
        }
        case NodeEvent::Type::kEchoReply:
            e->msg.event_code = ZTX_EVENT_ECHO_REPLY;
            e->bytes = ne.data;
            e->echo = {ne.peer, ne.rtt_ms, e->bytes.data(), e->bytes.size()};
            e->msg.cache = &e->echo;
            e->msg.len = sizeof e->echo;
            break;
    }
    // Messages and ping replies name their sender in their payload; describing the peer (about 8 KB)
    // for each of them would cost more than the message itself.
    if (ne.type != NodeEvent::Type::kUserMessage && ne.type != NodeEvent::Type::kEchoReply) describe_peer();
    events.post(std::move(e));
}

}  // namespace zt::api
