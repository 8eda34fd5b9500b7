// SPDX-License-Identifier: Apache-2.0
#include "zt/network.hpp"

#include <algorithm>

namespace zt {

Network::Network(std::uint64_t id, std::uint64_t my_address) : id_(id), mac_(mac_from_address(my_address, id)) {}

Network::Apply Network::apply_config(NetworkConfig config, std::string dictionary, std::uint64_t my_address) {
    if (config.network_id != id_ || config.issued_to != my_address) return Apply::kRefused;
    if (config_ && dictionary == config_dictionary_) return Apply::kSame;
    // Configs only move forward: one that is newer in neither revision nor timestamp is a delayed or
    // replayed copy. (A controller that lost its database restarts revisions but signs with a newer
    // timestamp, so it is still heard.)
    if (config_ && config.revision <= config_->revision && config.timestamp <= config_->timestamp) {
        return Apply::kRefused;
    }
    config_ = std::move(config);
    config_dictionary_ = std::move(dictionary);
    status_ = Status::kOk;
    return Apply::kApplied;
}

std::set<MulticastGroup> Network::groups() const {
    std::set<MulticastGroup> out = explicit_groups_;
    if (!config_) return out;
    if (config_->multicast_limit == 0) return out;  // multicast disabled: nothing to announce
    if (config_->broadcast_enabled()) out.insert(MulticastGroup{kBroadcastMac, 0});
    for (const ManagedIp& ip : config_->static_ips) out.insert(address_resolution_group(ip.ip));
    return out;
}

const Network::Member* Network::find_member(std::uint64_t address) const {
    auto it = members_.find(address);
    return it == members_.end() ? nullptr : &it->second;
}

bool Network::gate(std::uint64_t address, const Identity& identity) const {
    if (!config_) return false;
    if (config_->is_public()) return true;
    const Member* m = find_member(address);
    if (m == nullptr || !m->com || !config_->com) return false;
    if (m->com->issued_to() != address) return false;  // filed by issued_to: a cheap second look
    if (m->com->timestamp() <= m->com_revocation_threshold) return false;
    return config_->com->agrees_with(*m->com, identity);
}

bool Network::add_com(std::uint64_t address, const CertificateOfMembership& com) {
    if (com.issued_to() != address) return false;
    Member& m = members_[address];
    if (com.timestamp() <= m.com_revocation_threshold) return false;
    if (m.com && m.com->timestamp() > com.timestamp()) return false;  // never go back in time
    m.com = com;
    return true;
}

void Network::revoke_com(std::uint64_t address, std::uint64_t threshold) {
    Member& m = members_[address];
    m.com_revocation_threshold = std::max(m.com_revocation_threshold, threshold);
}

void Network::forget_member(std::uint64_t address) {
    auto it = members_.find(address);
    if (it == members_.end()) return;
    if (it->second.com_revocation_threshold == 0) {
        members_.erase(it);
        return;
    }
    Member kept;
    kept.com_revocation_threshold = it->second.com_revocation_threshold;
    it->second = kept;
}

bool Network::needs_credential_push(std::uint64_t address, std::int64_t now) const {
    if (!config_ || !config_->com) return false;
    const Member* m = find_member(address);
    if (m == nullptr) return true;
    return m->pushed_config_timestamp != config_->timestamp || now - m->last_pushed_credentials >= kCredentialPushInterval;
}

// ---- multicast subscribers -------------------------------------------------------------------------

void MulticastSubscribers::add(std::uint64_t network_id, const MulticastGroup& g, std::uint64_t address,
                               std::int64_t now) {
    auto it = subscribers_.find(Key{network_id, g});
    if (it != subscribers_.end()) {
        auto known = it->second.find(address);
        if (known != it->second.end()) {
            known->second = now;
            return;
        }
    }
    // Bounded per group and in all: what peers announce (and roots keep for everyone) is theirs to
    // grow, up to here.
    if (total_ >= kMaxMulticastSubscriptions) return;
    if (it == subscribers_.end()) it = subscribers_.emplace(Key{network_id, g}, Subscribers{}).first;
    if (it->second.size() >= kMaxMulticastGroupMembers) return;
    it->second.emplace(address, now);
    ++total_;
}

void MulticastSubscribers::remove(std::uint64_t network_id, const MulticastGroup& g, std::uint64_t address) {
    auto it = subscribers_.find(Key{network_id, g});
    if (it == subscribers_.end()) return;
    total_ -= it->second.erase(address);
    if (it->second.empty()) subscribers_.erase(it);
}

void MulticastSubscribers::remove_member(std::uint64_t address) {
    for (auto it = subscribers_.begin(); it != subscribers_.end();) {
        total_ -= it->second.erase(address);
        it = it->second.empty() ? subscribers_.erase(it) : std::next(it);
    }
}

std::vector<std::uint64_t> MulticastSubscribers::get(std::uint64_t network_id, const MulticastGroup& g,
                                                     std::size_t limit, std::uint64_t except) const {
    std::vector<std::pair<std::int64_t, std::uint64_t>> by_age;
    auto it = subscribers_.find(Key{network_id, g});
    if (it != subscribers_.end()) {
        for (const auto& kv : it->second) {
            if (kv.first != except) by_age.emplace_back(kv.second, kv.first);
        }
    }
    std::sort(by_age.begin(), by_age.end(), std::greater<>());
    std::vector<std::uint64_t> out;
    for (const auto& a : by_age) {
        if (out.size() >= limit) break;
        out.push_back(a.second);
    }
    return out;
}

std::size_t MulticastSubscribers::count(std::uint64_t network_id, const MulticastGroup& g) const {
    auto it = subscribers_.find(Key{network_id, g});
    return it == subscribers_.end() ? 0 : it->second.size();
}

void MulticastSubscribers::expire(std::int64_t now) {
    for (auto it = subscribers_.begin(); it != subscribers_.end();) {
        auto& subs = it->second;
        for (auto s = subs.begin(); s != subs.end();) {
            if (now - s->second < kMulticastLikeExpire) {
                ++s;
                continue;
            }
            s = subs.erase(s);
            --total_;
        }
        it = subs.empty() ? subscribers_.erase(it) : std::next(it);
    }
}

}  // namespace zt
