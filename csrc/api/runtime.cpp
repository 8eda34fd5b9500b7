// SPDX-License-Identifier: Apache-2.0
#include "api/runtime.hpp"

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

void Runtime::on_store(const char* what, const std::vector<std::uint8_t>& data) {
    int code = 0;
    if (std::strcmp(what, "identity.secret") == 0) code = ZTS_EVENT_STORE_IDENTITY_SECRET;
    else if (std::strcmp(what, "identity.public") == 0) code = ZTS_EVENT_STORE_IDENTITY_PUBLIC;
    else if (std::strcmp(what, "roots") == 0) code = ZTS_EVENT_STORE_PLANET;
    else if (std::strcmp(what, "peer") == 0) code = ZTS_EVENT_STORE_PEER;
    else return;
    auto e = std::make_unique<OwnedEvent>();
    e->msg.event_code = static_cast<int16_t>(code);
    e->bytes = data;
    e->msg.cache = e->bytes.data();
    e->msg.len = static_cast<int>(e->bytes.size());
    events.post(std::move(e));
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
        case NodeEvent::Type::kEchoReply:
            e->msg.event_code = ZTX_EVENT_ECHO_REPLY;
            e->bytes = ne.data;
            e->echo = {ne.peer, ne.rtt_ms, e->bytes.data(), e->bytes.size()};
            e->msg.cache = &e->echo;
            e->msg.len = sizeof e->echo;
            break;
    }
    describe_peer();
    events.post(std::move(e));
}

}  // namespace zt::api
