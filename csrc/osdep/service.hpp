// SPDX-License-Identifier: Apache-2.0
// The service runs one node: it binds the UDP sockets, owns the core thread (socket I/O and timers
// driving zt::Node), loads and stores state, and hands events to a listener. Locking: `lock()`
// guards the node; the core thread holds it while it processes a batch of datagrams.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "net/receive_assist.hpp"
#include "net/stack_bridge.hpp"
#include "net/tap.hpp"
#include "osdep/port_mapper.hpp"
#include "osdep/state_dir.hpp"
#include "osdep/state_writer.hpp"
#include "osdep/tcp_relay.hpp"
#include "osdep/udp_socket.hpp"
#include "zt/node.hpp"

struct epoll_event;

namespace zt::osdep {

struct ServiceConfig {
    std::string storage_path;             // empty: nothing is written to disk
    std::string identity_secret;          // zts_init_from_memory: used instead of identity.secret
    std::vector<std::uint8_t> roots;      // a serialized world; empty: storage `roots`, else Earth
    std::uint16_t port = 0;               // 0: random within [random_port_min, random_port_max]
    std::uint16_t random_port_min = 20000;
    std::uint16_t random_port_max = 45500;
    bool cache_identity = true;
    bool cache_roots = true;
    bool cache_peers = false;
    bool cache_networks = true;
    bool controller = false;  // hand config requests for our networks to the listener
    // A second random port, bound as well (zts_init_allow_secondary_port; on by default as in libzt):
    // some NATs and middleboxes stop passing one port, and the node is reachable on the other.
    bool allow_secondary_port = true;
    // Offline this long with a secondary port: bind a fresh one in its place, as ZeroTier One does (some
    // NATs stop passing a port after a while). Twice ZeroTier's peer ping period.
    std::int64_t secondary_port_rebind_after_ms = 120000;
    // Map a third port on the LAN's router with NAT-PMP or UPnP and advertise the router's external
    // address for it (zts_init_allow_port_mapping; on by default as in libzt).
    bool allow_port_mapping = true;
    std::int64_t port_mapping_refresh_ms = 0;  // 0: ZeroTier One's period (5 minutes)
    // ZeroTier's TCP fallback relay (zts_init_allow_tcp_relay / _force_tcp_relay / _set_tcp_relay):
    // used for IPv4 datagrams to global addresses once nothing came in over UDP from a global
    // address for tcp_relay_after_ms, or always when forced (then no UDP is sent at all).
    bool allow_tcp_relay = true;
    bool force_tcp_relay = false;
    std::string tcp_relay_address = "204.80.128.1/443";  // ZeroTier One's default relay
    std::int64_t tcp_relay_after_ms = 60000;
    // Interfaces whose names start with these are never used for paths (zts_init_blacklist_if).
    std::vector<std::string> interface_blacklist;
    NodeConfig node;
};

// What the service reports beyond node events: why it failed, and what to persist when the
// application keeps state itself (no storage directory).
class ServiceListener {
  public:
    virtual ~ServiceListener() = default;
    virtual void on_node_event(const NodeEvent& e) = 0;
    virtual void on_store(const char* what, const std::vector<std::uint8_t>& data) = 0;  // "identity.secret", ...
    virtual void on_config_request(const ConfigRequest& request) {}
    virtual void on_netif(const net::NetifChange& change) {}
};

// NodeHost: the node's way out; ReceiveAssist: a blocked receive may do the receive work itself
// (net/receive_assist.hpp).
class Service final : public NodeHost, public net::ReceiveAssist {
  public:
    enum class StartError { kNone, kIdentity, kRoots, kStorage, kBind, kThread };

    Service(ServiceConfig config, ServiceListener& listener);
    ~Service() override;

    // Loads or creates the identity, reads the world, binds sockets, starts the core thread.
    StartError start();
    const char* start_error_text() const { return error_text_.c_str(); }
    void stop();
    bool running() const { return running_.load(); }

    // Guarded access for API calls: the node must only be touched under this lock.
    // The core thread steps aside while an API call waits (see run()), so a node kept busy by traffic
    // (a root proving strangers' identities, say) still answers its application.
    std::unique_lock<std::mutex> lock() {
        api_waiting_.fetch_add(1);
        std::unique_lock<std::mutex> g(mutex_);
        api_waiting_.fetch_sub(1);
        return g;
    }
    Node* node() { return node_.get(); }  // call with lock() held
    // After an API call queued sends or changed timers, with lock() held: send now and re-plan.
    void after_api_call();
    // After the node lock was released (API calls, the core thread): hand what the node produced
    // for the TCP/IP stack (frames, interface changes) to lwIP.
    void drain_stack();
    bool interface_up(std::uint64_t network_id) const { return stack_ && stack_->interface_up(network_id); }

    std::uint16_t port() const { return port_; }
    std::uint16_t secondary_port() const { return secondary_port_; }  // 0: none
    std::uint16_t mapping_port() const { return mapping_port_; }      // 0: no port mapping
    // The router's external address(es) for mapping_port() (empty until mapped); method: "NAT-PMP", "UPnP", "".
    std::vector<InetAddress> mapped_addresses() const { return mapper_ ? mapper_->external() : std::vector<InetAddress>{}; }
    std::string mapping_method() const { return mapper_ ? mapper_->method() : std::string(); }
    bool tcp_relay_active() const { return relay_.is_open(); }  // call with lock() held
    const Identity& identity() const { return identity_; }
    std::uint64_t send_errors() const { return udp_.send_errors(); }
    std::uint64_t udp_offload_sent() const { return udp_.offload_sent(); }
    std::uint64_t udp_offload_received() const { return udp_.offload_received(); }

    // Networks: join (restoring a cached config when allowed) and leave; call with lock() held.
    bool join(std::uint64_t network_id);
    // Moons (call with lock() held). A seed of 0 fetches nothing: as in zerotier-one, only the
    // moon's file already in moons.d/ is taken then.
    void orbit(std::uint64_t world_id, std::uint64_t seed);
    bool leave(std::uint64_t network_id);
    // The raw Ethernet tap of a network (created on first use; safe without the node lock).
    std::shared_ptr<net::TapQueue> tap(std::uint64_t network_id);
    // While a raw tap is enabled the application owns the network's Ethernet: frames go to the tap
    // instead of lwIP, and lwIP's own frames are not sent.
    bool tap_enabled(std::uint64_t network_id);

    // NodeHost
    void send_datagram(std::int64_t local_socket, const InetAddress& to, const std::uint8_t* data, std::size_t len,
                       unsigned ttl) override;
    void on_event(const NodeEvent& e) override;
    void on_frame(std::uint64_t network_id, std::uint64_t src_mac, std::uint64_t dst_mac, std::uint16_t ethertype,
                  const std::uint8_t* data, std::size_t len) override;
    void on_config_request(const ConfigRequest& request) override { listener_.on_config_request(request); }

    // net::ReceiveAssist: the calling thread takes the UDP sockets from the core thread for up to
    // `us` microseconds (one thread at a time) and processes what arrives until ready().
    bool assist(int us, net::AssistWait how, const std::function<bool()>& ready) override;
    // An assist leaves the sockets untaken when it ends, for the next one (a thread that receives
    // again moments later, as a request-answer exchange does): the core thread takes them back
    // when a thread starts an ordinary wait, or when no thread assisted for kUntakenUs.
    void ordinary_wait_begins() override;

  private:
    bool load_identity();
    bool load_stored_identity();  // identity.secret from storage, if there is one
    bool load_world(World* out);
    bool bind_port();
    std::uint16_t bind_random_extra_port();  // 0 if none could be bound
    // A port drawn at random from the configured range that `bind` accepts (a few tries); 0 if none.
    std::uint16_t bind_random_port(const std::function<bool(std::uint16_t)>& bind);
    void load_peer_cache();
    void store_peer(std::uint64_t address);
    // Moons we orbit live in moons.d/<16 hex digits of the world ID>.moon, as zerotier-one keeps them.
    void load_moons();
    void run();
    void refresh_local_addresses(std::int64_t now);
    void rebind_secondary_port_if_offline(std::int64_t now);  // core thread, node lock held
    // The TCP relay (node lock held): true if the datagram went to the relay and must not go by UDP.
    bool relay_datagram(const InetAddress& to, const std::uint8_t* data, std::size_t len);
    void relay_ready(std::uint32_t events);
    void watch_relay();
    void close_relay();
    void process_ready(const ::epoll_event* events, int n);  // one loop pass, node lock held
    // Reads and processes the UDP sockets that are ready (node lock held; any thread).
    void receive_udp();
    // The same for sockets an epoll_wait without the lock reported ready: those still ours.
    void receive_udp_from(const int* fds, int n);
    void watch_udp_socket(int fd);  // in the core thread's and the assist's sets
    // Whether the core thread's loop watches the UDP sockets (not while a thread assists).
    void core_watches_udp(bool watch);
    // The core thread's look, each kUntakenUs while it does not watch them (see run()).
    void take_back_untaken_sockets();
    // An assisting thread's sleep, at most `ms`: true if datagrams wait (net/receive_assist.hpp).
    // Which sockets they wait on goes to ready_fds when the sleep saw them (*n_ready; -1: ask).
    bool sleep_until_datagrams(int ms, net::AssistWait how, int* ready_fds, int* n_ready);
    void wake();
    void flush_output();  // sends the queued datagrams (node lock not held)

    ServiceConfig config_;
    ServiceListener& listener_;
    std::optional<StateDir> state_;            // read and written directly only while starting
    std::unique_ptr<StateWriter> state_writer_;  // writes once running (see state_writer.hpp)
    Identity identity_;
    std::unique_ptr<Node> node_;
    UdpSockets udp_;
    std::uint16_t port_ = 0;
    std::uint16_t secondary_port_ = 0;
    std::int64_t last_online_ = 0;  // when the node was last seen online (or the secondary port last changed)
    std::uint16_t mapping_port_ = 0;
    std::unique_ptr<PortMapper> mapper_;
    std::int64_t last_address_scan_ = 0;
    std::vector<InetAddress> interface_addresses_;
    TcpRelayClient relay_;
    InetAddress relay_address_;
    bool relay_watching_out_ = false;
    std::int64_t started_at_ = 0;
    std::int64_t last_global_rx_ = 0;      // a datagram from a global address came in over UDP
    std::int64_t last_global_v4_tx_ = 0;   // we sent to a global IPv4 address
    std::mutex mutex_;
    std::atomic<int> api_waiting_{0};
    // Heap trims after forgetting peers: at once when the peer count fell by a crowd since the
    // previous background step, else once expiries (evictions included) add up.
    static constexpr std::size_t kPeersGoneInOneStepForTrim = 16;
    static constexpr std::uint64_t kPeersExpiredPerTrim = 256;
    std::uint64_t peers_expired_at_trim_ = 0;
    std::size_t peers_at_previous_step_ = 0;
    void return_freed_peer_memory();  // core thread, node lock held
    std::thread core_;
    std::atomic<bool> running_{false};
    std::atomic<bool> stopping_{false};
    int wake_fd_ = -1;
    int epoll_fd_ = -1;      // the core thread's: udp_epoll_fd_, wake_fd_, the relay
    int udp_epoll_fd_ = -1;  // the UDP sockets, so that one epoll_ctl takes them from the core thread
    std::atomic<bool> assisting_{false};
    // Whether the core thread watches the UDP sockets (changed under watch_mutex_), and when the
    // last assist ended (steady clock, microseconds).
    static constexpr std::int64_t kUntakenUs = 1000;
    std::mutex watch_mutex_;
    std::atomic<bool> core_watching_{true};
    std::atomic<std::int64_t> assist_ended_us_{0};
    int assist_wake_fd_ = -1;  // wakes an assisting thread when another thread fed lwIP
    int assist_epoll_fd_ = -1;  // the UDP sockets and assist_wake_fd_, for an assist awaiting an answer
    std::atomic<std::int64_t> next_background_{0};
    std::string error_text_;
    std::unique_ptr<net::StackBridge> stack_;
    std::int64_t last_stack_refresh_ = 0;
    std::mutex taps_mutex_;
    std::map<std::uint64_t, std::shared_ptr<net::TapQueue>> taps_;
};

}  // namespace zt::osdep
