// SPDX-License-Identifier: Apache-2.0
#include "net/stack_bridge.hpp"

#include "net/dns_servers.hpp"
#include "net/multicast_interface.hpp"
#include "net/stack.hpp"
#include "net/tcp_acks.hpp"

namespace zt::net {

namespace {
constexpr std::size_t kMaxQueuedFrames = 8192;  // a stalled stack drops frames, it does not grow
}

StackBridge::~StackBridge() { (void)remove_all(); }

void StackBridge::queue_frame(std::uint64_t network_id, std::uint64_t src_mac, std::uint64_t dst_mac,
                              std::uint16_t ethertype, const std::uint8_t* data, std::size_t len) {
    std::lock_guard<std::mutex> g(queue_mutex_);
    if (frames_in_.size() >= kMaxQueuedFrames) return;
    frames_in_.push_back(Frame{network_id, src_mac, dst_mac, ethertype, std::vector<std::uint8_t>(data, data + len)});
}

void StackBridge::queue_config(std::uint64_t network_id, std::uint64_t mac, const NetworkConfig& config) {
    std::lock_guard<std::mutex> g(queue_mutex_);
    configs_in_.push_back(ConfigUpdate{network_id, mac, config});
}

void StackBridge::queue_remove(std::uint64_t network_id) {
    std::lock_guard<std::mutex> g(queue_mutex_);
    configs_in_.push_back(ConfigUpdate{network_id, 0, std::nullopt});
}

bool StackBridge::has_work() const {
    std::lock_guard<std::mutex> g(queue_mutex_);
    return !frames_in_.empty() || !configs_in_.empty();
}

std::vector<NetifChange> StackBridge::drain(bool* fed) {
    std::vector<NetifChange> changes;
    if (fed != nullptr) *fed = false;
    if (!has_work()) return changes;
    std::vector<Frame> frames;
    std::vector<ConfigUpdate> configs;
    ensure_stack();
    CoreLock core;
    {
        // Taken under the core lock: two threads draining (the core thread, a receive assist)
        // hand lwIP their batches in the order they were queued.
        std::lock_guard<std::mutex> g(queue_mutex_);
        frames.swap(frames_in_);
        configs.swap(configs_in_);
    }
    if (fed != nullptr) *fed = !frames.empty() || !configs.empty();
    for (ConfigUpdate& u : configs) {
        auto it = netifs_.find(u.network_id);
        if (!u.config) {
            if (it != netifs_.end()) {
                changes.push_back(NetifChange{u.network_id, it->second->mac(), it->second->mtu(), false});
                netifs_.erase(it);
            }
            dns_forget_network(u.network_id);
            std::lock_guard<std::mutex> g(up_mutex_);
            up_.erase(u.network_id);
            continue;
        }
        if (it == netifs_.end()) {
            it = netifs_.emplace(u.network_id, std::make_unique<VirtualNetif>(u.network_id, u.mac, frames_, groups_)).first;
            it->second->apply(*u.config);
            changes.push_back(NetifChange{u.network_id, u.mac, it->second->mtu(), true});
        } else {
            it->second->apply(*u.config);
        }
        choose_multicast_interface(nullptr);  // the addresses may have changed which one has IPv4
        dns_set_network_servers(u.network_id, u.config->dns.servers);
        std::lock_guard<std::mutex> g(up_mutex_);
        up_[u.network_id] = it->second->up();
    }
    if (frames.empty()) return changes;
    for (auto& kv : netifs_) kv.second->begin_batch();
    for (const Frame& f : frames) {
        auto it = netifs_.find(f.network_id);
        if (it != netifs_.end()) it->second->input(f.src_mac, f.dst_mac, f.ethertype, f.data.data(), f.data.size());
    }
    send_withheld_acks_locked();
    for (auto& kv : netifs_) kv.second->end_batch();
    return changes;
}

void StackBridge::refresh() {
    if (!stack_running()) return;
    CoreLock core;
    for (auto& kv : netifs_) kv.second->refresh_router();
}

bool StackBridge::interface_up(std::uint64_t network_id) const {
    std::lock_guard<std::mutex> g(up_mutex_);
    auto it = up_.find(network_id);
    return it != up_.end() && it->second;
}

std::vector<NetifChange> StackBridge::remove_all() {
    std::vector<NetifChange> gone;
    if (netifs_.empty()) return gone;
    CoreLock core;
    for (const auto& kv : netifs_) gone.push_back(NetifChange{kv.first, kv.second->mac(), kv.second->mtu(), false});
    netifs_.clear();
    dns_forget_all_networks();  // the stack (and its resolver) outlives the node
    std::lock_guard<std::mutex> g(up_mutex_);
    up_.clear();
    return gone;
}

}  // namespace zt::net
