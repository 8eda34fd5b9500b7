// SPDX-License-Identifier: Apache-2.0
// Between the node and lwIP. The node works under its own lock and lwIP under its core lock, and the
// rule is "core lock before node lock" (lwIP calls out to the node while holding its lock). So what
// the node produces for lwIP - frames, new configs, removed networks - is queued here under the node
// lock, and drained into lwIP afterwards under the core lock, a whole batch per acquisition.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "net/netif.hpp"

namespace zt::net {

// An interface that came up (a network's first config) or went away (left, or the node stopped).
struct NetifChange {
    std::uint64_t network_id;
    std::uint64_t mac;
    int mtu;
    bool up;
};

class StackBridge {
  public:
    StackBridge(FrameSink frames, GroupSink groups) : frames_(std::move(frames)), groups_(std::move(groups)) {}
    ~StackBridge();

    // Producer side (node lock held): cheap, no lwIP call.
    void queue_frame(std::uint64_t network_id, std::uint64_t src_mac, std::uint64_t dst_mac, std::uint16_t ethertype,
                     const std::uint8_t* data, std::size_t len);
    void queue_config(std::uint64_t network_id, std::uint64_t mac, const NetworkConfig& config);
    void queue_remove(std::uint64_t network_id);
    bool has_work() const;

    // Consumer side (node lock NOT held): takes the core lock once and applies everything queued.
    // Returns the interfaces that came up or went away (for NETIF events); *fed says whether
    // anything reached lwIP.
    std::vector<NetifChange> drain(bool* fed = nullptr);
    // Periodic upkeep (node lock not held): keeps the virtual IPv6 routers announced.
    void refresh();
    bool interface_up(std::uint64_t network_id) const;
    std::vector<NetifChange> remove_all();

  private:
    struct Frame {
        std::uint64_t network_id;
        std::uint64_t src_mac;
        std::uint64_t dst_mac;
        std::uint16_t ethertype;
        std::vector<std::uint8_t> data;
    };
    struct ConfigUpdate {
        std::uint64_t network_id;
        std::uint64_t mac;
        std::optional<NetworkConfig> config;  // none: remove the interface
    };

    FrameSink frames_;
    GroupSink groups_;
    mutable std::mutex queue_mutex_;  // the queues (producers and the drainer are different threads)
    std::vector<Frame> frames_in_;
    std::vector<ConfigUpdate> configs_in_;
    // Interfaces: only touched under the lwIP core lock.
    std::map<std::uint64_t, std::unique_ptr<VirtualNetif>> netifs_;
    mutable std::mutex up_mutex_;
    std::map<std::uint64_t, bool> up_;  // readable without the core lock
};

}  // namespace zt::net
