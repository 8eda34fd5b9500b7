// SPDX-License-Identifier: Apache-2.0
// zts_init_*, zts_node_*, zts_moon_*, zts_core_query_path* and the ztx_node_* extensions.
// libzt's rules: init calls only while the node is stopped (else ZTS_ERR_SERVICE); one node per
// process; after zts_node_free nothing starts again.
#include <cstring>
#include <string_view>

#include "ZeroTierSockets.h"
#include "api/arg_error.hpp"
#include "api/convert.hpp"
#include "api/node_access.hpp"
#include "api/runtime.hpp"
#include "libzt_ext.h"
#include "net/socket_table.hpp"
#include "net/stack_stats.hpp"
#include "osdep/clock.hpp"

namespace {

using zt::api::arg_error;
using zt::api::configure;
using zt::api::node_running;
using zt::api::with_node;
using zt::api::Runtime;
using zt::api::runtime;

}  // namespace

extern "C" {

// ---- configuration ------------------------------------------------------------------------------

int zts_init_from_storage(const char* path) {
    if (path == nullptr || *path == '\0') return arg_error("zts_init_from_storage: path must not be empty");
    if (std::strlen(path) >= 4096) return arg_error("zts_init_from_storage: path too long");
    return configure([&](zt::osdep::ServiceConfig& c) -> int {
        c.storage_path = path;
        return ZTS_ERR_OK;
    });
}

int zts_init_from_memory(const char* key, unsigned int len) {
    if (key == nullptr || len == 0 || len > ZTS_ID_STR_BUF_LEN) {
        return arg_error("zts_init_from_memory: key must be an identity string of at most 384 bytes");
    }
    const std::string_view text(key, strnlen(key, len));
    zt::Identity id;
    const char* why = nullptr;
    if (!zt::Identity::from_string(text, &id, &why)) return arg_error(why);
    if (!id.has_private()) return arg_error("zts_init_from_memory: the identity has no private key");
    return configure([&](zt::osdep::ServiceConfig& c) -> int {
        c.identity_secret = std::string(text);
        return ZTS_ERR_OK;
    });
}

int zts_init_set_event_handler(void (*callback)(void*)) {
    if (callback == nullptr) return arg_error("zts_init_set_event_handler: callback must not be NULL");
    return configure([&](zt::osdep::ServiceConfig&) -> int {
        runtime().events.set_handler(callback);
        return ZTS_ERR_OK;
    });
}

int zts_init_set_roots(const void* roots_data, unsigned int len) {
    if (roots_data == nullptr || len == 0) return arg_error("zts_init_set_roots: roots must not be empty");
    zt::World w;
    const char* why = nullptr;
    if (!zt::World::parse_exact(static_cast<const uint8_t*>(roots_data), len, &w, &why)) return arg_error(why);
    if (w.type != zt::World::Type::kPlanet) return arg_error("zts_init_set_roots: the world must be a planet");
    return configure([&](zt::osdep::ServiceConfig& c) -> int {
        const auto* b = static_cast<const uint8_t*>(roots_data);
        c.roots.assign(b, b + len);
        return ZTS_ERR_OK;
    });
}

int zts_init_set_port(unsigned short port) {
    return configure([&](zt::osdep::ServiceConfig& c) -> int {
        c.port = port;
        return ZTS_ERR_OK;
    });
}

int zts_init_set_random_port_range(unsigned short start_port, unsigned short end_port) {
    if (start_port == 0 || end_port < start_port) {
        return arg_error("zts_init_set_random_port_range: need 0 < start_port <= end_port");
    }
    return configure([&](zt::osdep::ServiceConfig& c) -> int {
        c.random_port_min = start_port;
        c.random_port_max = end_port;
        return ZTS_ERR_OK;
    });
}

int zts_init_allow_net_cache(unsigned int allowed) {
    return configure([&](zt::osdep::ServiceConfig& c) -> int {
        c.cache_networks = allowed != 0;
        return ZTS_ERR_OK;
    });
}

int zts_init_allow_peer_cache(unsigned int allowed) {
    return configure([&](zt::osdep::ServiceConfig& c) -> int {
        c.cache_peers = allowed != 0;
        return ZTS_ERR_OK;
    });
}

int zts_init_allow_roots_cache(unsigned int allowed) {
    return configure([&](zt::osdep::ServiceConfig& c) -> int {
        c.cache_roots = allowed != 0;
        return ZTS_ERR_OK;
    });
}

int zts_init_allow_id_cache(unsigned int allowed) {
    return configure([&](zt::osdep::ServiceConfig& c) -> int {
        c.cache_identity = allowed != 0;
        return ZTS_ERR_OK;
    });
}

int ztx_init_reset(void) {
    return configure([&](zt::osdep::ServiceConfig& c) -> int {
        c = zt::osdep::ServiceConfig{};
        runtime().events.set_handler(nullptr);
        runtime().controller_handler = nullptr;
        return ZTS_ERR_OK;
    });
}

int ztx_init_set_protocol_version(int version) {
    if (version < zt::kProtocolVersionMin || version > zt::kProtocolVersion) {
        return arg_error("ztx_init_set_protocol_version: version must be 4..12");
    }
    return configure([&](zt::osdep::ServiceConfig& c) -> int {
        c.node.protocol_version = static_cast<uint8_t>(version);
        return ZTS_ERR_OK;
    });
}

int ztx_init_allow_loopback_paths(int allowed) {
    return configure([&](zt::osdep::ServiceConfig& c) -> int {
        c.node.allow_loopback_paths = allowed != 0;
        return ZTS_ERR_OK;
    });
}

int ztx_init_set_peer_limits(int64_t idle_timeout_ms, uint64_t max_peers) {
    if (idle_timeout_ms < 0) return arg_error("ztx_init_set_peer_limits: idle_timeout_ms must be >= 0 (0: default)");
    return configure([&](zt::osdep::ServiceConfig& c) -> int {
        c.node.peer_idle_timeout = idle_timeout_ms > 0 ? idle_timeout_ms : zt::kPeerIdleTimeout;
        c.node.max_peers = max_peers > 0 ? static_cast<std::size_t>(max_peers) : zt::kMaxPeers;
        return ZTS_ERR_OK;
    });
}

// ---- lifecycle ------------------------------------------------------------------------------------

int zts_node_start(void) {
    Runtime& rt = runtime();
    std::lock_guard<std::mutex> g(rt.mutex);
    if (rt.freed || rt.running()) return ZTS_ERR_SERVICE;
    rt.events.start();
    rt.forget_reported_addresses();
    rt.service = std::make_unique<zt::osdep::Service>(rt.config, rt);
    if (rt.service->start() != zt::osdep::Service::StartError::kNone) {
        arg_error(rt.service->start_error_text());
        rt.service.reset();
        return ZTS_ERR_GENERAL;
    }
    zt::net::SocketTable::instance().clear_interrupt();
    rt.started = true;
    rt.post_node_event(ZTS_EVENT_NODE_UP);
    rt.post_stack_event(ZTS_EVENT_STACK_UP);  // lwIP runs (Service::start made sure) and sockets work
    return ZTS_ERR_OK;
}

int zts_node_stop(void) {
    Runtime& rt = runtime();
    std::lock_guard<std::mutex> g(rt.mutex);
    if (!rt.running()) return ZTS_ERR_SERVICE;
    zt::net::SocketTable::instance().interrupt_all();  // blocked socket calls return (ENETDOWN)
    rt.service->stop();
    rt.post_stack_event(ZTS_EVENT_STACK_DOWN);
    rt.post_node_event(ZTS_EVENT_NODE_DOWN);
    rt.service.reset();
    return ZTS_ERR_OK;
}

int ztx_events_wait_idle(int timeout_ms) {
    if (timeout_ms < 0) return arg_error("ztx_events_wait_idle: timeout_ms must not be negative");
    return runtime().events.wait_idle(timeout_ms) ? ZTS_ERR_OK : ZTS_ERR_GENERAL;
}

int zts_node_free(void) {
    Runtime& rt = runtime();
    {
        std::lock_guard<std::mutex> g(rt.mutex);
        // Before any start there is nothing to free: answer as libzt does and keep the library
        // usable (a node can still be configured and started).
        if (rt.freed || !rt.started) return ZTS_ERR_SERVICE;
        if (rt.running()) {
            zt::net::SocketTable::instance().interrupt_all();
            rt.service->stop();
            rt.post_stack_event(ZTS_EVENT_STACK_DOWN);
            rt.post_node_event(ZTS_EVENT_NODE_DOWN);
        }
        rt.service.reset();
        rt.freed = true;
    }
    rt.events.stop();  // delivers what is queued, then ends the event thread
    return ZTS_ERR_OK;
}

int zts_node_is_online(void) {
    const int r = with_node([](zt::osdep::Service&, zt::Node& n) -> int { return n.online() ? 1 : 0; });
    return r < 0 ? 0 : r;
}

uint64_t zts_node_get_id(void) {
    uint64_t id = 0;
    const int r = with_node([&](zt::osdep::Service& s, zt::Node&) -> int {
        id = s.identity().address();
        return ZTS_ERR_OK;
    });
    return r == ZTS_ERR_OK ? id : static_cast<uint64_t>(r);  // as libzt: (uint64_t)-2 with no node
}

int zts_node_get_id_pair(char* key, unsigned int* key_buf_len) {
    if (!node_running()) return ZTS_ERR_SERVICE;
    if (key == nullptr || key_buf_len == nullptr) return arg_error("zts_node_get_id_pair: arguments must not be NULL");
    return with_node([&](zt::osdep::Service& s, zt::Node&) -> int {
        const std::string text = s.identity().to_string(true);
        if (*key_buf_len < text.size() + 1) return arg_error("zts_node_get_id_pair: buffer too small (use 384)");
        std::memcpy(key, text.c_str(), text.size() + 1);
        *key_buf_len = static_cast<unsigned int>(text.size());
        return ZTS_ERR_OK;
    });
}

int zts_node_get_port(void) {
    return with_node([](zt::osdep::Service& s, zt::Node&) -> int { return static_cast<int>(s.port()); });
}

// ---- moons --------------------------------------------------------------------------------------

int zts_moon_orbit(uint64_t moon_roots_id, uint64_t moon_seed) {
    if (!node_running()) return ZTS_ERR_SERVICE;
    if (moon_roots_id == 0) return arg_error("zts_moon_orbit: the moon's world ID must not be 0");
    if (moon_seed >> 40 != 0) return arg_error("zts_moon_orbit: the seed must be a 40-bit node address (or 0)");
    return with_node([&](zt::osdep::Service& s, zt::Node&) -> int {
        s.orbit(moon_roots_id, moon_seed);
        return ZTS_ERR_OK;
    });
}

int zts_moon_deorbit(uint64_t moon_roots_id) {
    return with_node([&](zt::osdep::Service&, zt::Node& n) -> int {
        n.deorbit(zt::osdep::now_ms(), moon_roots_id);  // not orbiting it is not an error, as in libzt
        return ZTS_ERR_OK;
    });
}

// ---- queries ------------------------------------------------------------------------------------

int zts_core_lock_obtain(void) { return runtime().running() ? ZTS_ERR_OK : ZTS_ERR_SERVICE; }
int zts_core_lock_release(void) { return runtime().running() ? ZTS_ERR_OK : ZTS_ERR_SERVICE; }

int zts_core_query_path_count(uint64_t peer_id) {
    if (!node_running()) return ZTS_ERR_SERVICE;
    return with_node([&](zt::osdep::Service&, zt::Node& n) -> int {
        zt::Peer* p = n.topology().get(peer_id);
        return p == nullptr ? ZTS_ERR_NO_RESULT : static_cast<int>(p->paths().size());
    });
}

int zts_core_query_path(uint64_t peer_id, unsigned int idx, char* path, unsigned int len) {
    if (!node_running()) return ZTS_ERR_SERVICE;
    if (path == nullptr || len == 0) return arg_error("zts_core_query_path: buffer must not be empty");
    return with_node([&](zt::osdep::Service&, zt::Node& n) -> int {
        zt::Peer* p = n.topology().get(peer_id);
        if (p == nullptr || idx >= p->paths().size()) return ZTS_ERR_NO_RESULT;
        const std::string ip = p->paths()[idx].address.ip_string();
        if (ip.size() + 1 > len) return arg_error("zts_core_query_path: buffer too small");
        std::memcpy(path, ip.c_str(), ip.size() + 1);
        return ZTS_ERR_OK;
    });
}

// ---- extensions -----------------------------------------------------------------------------------

int ztx_node_send_user_message(uint64_t peer_id, uint64_t type, const void* data, size_t len) {
    if (data == nullptr && len > 0) return arg_error("ztx_node_send_user_message: data must not be NULL");
    if (len > zt::kMaxUserMessageLen) return arg_error("ztx_node_send_user_message: message larger than 16384 bytes");
    return with_node([&](zt::osdep::Service&, zt::Node& n) -> int {
        if (!n.send_user_message(zt::osdep::now_ms(), peer_id, type, static_cast<const uint8_t*>(data), len)) {
            return arg_error("ztx_node_send_user_message: not a peer address (ourselves, reserved or 0?)");
        }
        return ZTS_ERR_OK;
    });
}

int ztx_node_ping(uint64_t peer_id, const void* data, size_t len) {
    if (data == nullptr && len > 0) return arg_error("ztx_node_ping: data must not be NULL");
    if (len > 1024) return arg_error("ztx_node_ping: payload larger than 1024 bytes");
    return with_node([&](zt::osdep::Service&, zt::Node& n) -> int {
        if (!n.send_echo(zt::osdep::now_ms(), peer_id, static_cast<const uint8_t*>(data), len)) {
            return arg_error("ztx_node_ping: not a peer address (ourselves, reserved or 0?)");
        }
        return ZTS_ERR_OK;
    });
}

int ztx_node_get_peers(zts_peer_info_t* out, unsigned* count) {
    if (count == nullptr || (out == nullptr && *count > 0)) return arg_error("ztx_node_get_peers: bad arguments");
    return with_node([&](zt::osdep::Service&, zt::Node& n) -> int {
        unsigned written = 0;
        int total = 0;
        n.topology().for_each([&](zt::Peer& p) {
            if (written < *count) zt::api::fill_peer_info(p, n.topology(), n.now(), &out[written++]);
            ++total;
        });
        *count = written;
        return total;
    });
}

int ztx_node_get_stats(ztx_node_stats_t* out) {
    if (out == nullptr) return arg_error("ztx_node_get_stats: out must not be NULL");
    return with_node([&](zt::osdep::Service& svc, zt::Node& n) -> int {
        const zt::NodeStats& s = n.stats();
        *out = ztx_node_stats_t{s.rx_datagrams,      s.rx_packets,      s.tx_datagrams, s.tx_packets,
                                s.relayed,           s.junk,            s.drop_malformed, s.drop_auth,
                                s.drop_unknown_peer, s.drop_rate_limited, s.drop_unexpected, s.drop_path,
                                s.drop_relay,        s.drop_fragment,   s.drop_queue_full, s.drop_oversized,
                                svc.send_errors(),
                                {},                  {},
                                s.frames_in,         s.frames_out,      s.frames_dropped,
                                n.topology().size(), 0,                 s.peers_expired,
                                s.peers_refused,     s.whois_sent,      s.rendezvous_sent,
                                svc.udp_offload_sent(), svc.udp_offload_received()};
        if (out->peers > 0) out->peer_bytes = n.peer_memory_estimate() / out->peers;
        for (int i = 0; i < 4; ++i) {
            out->rx_suite[i] = s.rx_by_suite[i];
            out->tx_suite[i] = s.tx_by_suite[i];
        }
        return ZTS_ERR_OK;
    });
}

}  // extern "C"
