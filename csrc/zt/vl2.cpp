// SPDX-License-Identifier: Apache-2.0
// Vl2 (vl2.hpp): what VL1 hands it (its verbs and the OKs answering them), peer lifetime, and the
// VL2 timers: config refreshes, announcements, expiry of subscriptions and waiting multicasts.
#include <algorithm>

#include "zt/vl2.hpp"

namespace zt {

void Vl2::append_mac(Packet& p, std::uint64_t mac) {
    std::uint8_t b[6];
    store_be(b, mac, 6);
    p.append(b, 6);
}

// ---- what VL1 hands us ------------------------------------------------------------------------------

bool Vl2::handles(Verb verb) const {
    switch (verb) {
        case Verb::kFrame:
        case Verb::kExtFrame:
        case Verb::kMulticastLike:
        case Verb::kMulticastGather:
        case Verb::kMulticastFrame:
        case Verb::kNetworkCredentials:
        case Verb::kNetworkConfig: return true;
        default: return false;
    }
}

void Vl2::on_packet(Peer& from, std::int64_t local_socket, const InetAddress& source, const Packet& p) {
    switch (p.verb()) {
        case Verb::kFrame: on_frame(from, p, false); break;
        case Verb::kExtFrame: on_frame(from, p, true); break;
        case Verb::kMulticastLike: on_multicast_like(from, p); break;
        case Verb::kMulticastGather: on_multicast_gather(from, p); break;
        case Verb::kMulticastFrame: on_multicast_frame(from, p); break;
        case Verb::kNetworkCredentials: on_network_credentials(from, p); break;
        case Verb::kNetworkConfig: on_network_config(from, p); break;
        default: break;
    }
}

bool Vl2::on_ok(Verb in_re, Peer& from, const Packet& p) {
    switch (in_re) {
        case Verb::kNetworkConfigRequest: on_ok_network_config(from, p); return true;
        case Verb::kMulticastGather: on_ok_multicast_gather(from, p); return true;
        default: return false;
    }
}

bool Vl2::keeps_peer(std::uint64_t address) const {
    return std::any_of(networks_.begin(), networks_.end(),
                       [address](const auto& kv) { return kv.second->controller() == address; });
}

void Vl2::forget_peer(std::uint64_t address) {
    // Its membership records on our networks and its multicast subscriptions.
    for (auto& kv : networks_) kv.second->forget_member(address);
    subscribers_.remove_member(address);
}

// ---- timers -------------------------------------------------------------------------------------------

void Vl2::background() {
    for (auto& kv : networks_) {
        Network& net = *kv.second;
        if (is_adhoc_network(net.id())) {
            announce_groups(net, false);
            continue;
        }
        const std::int64_t due = net.has_config() && net.status() == Network::Status::kOk ? kNetworkAutoconfDelay
                                                                                          : kNetworkRequestRetry;
        const bool asked_for = net.config_request_due != 0 && now() >= net.config_request_due;
        if (now() - net.last_config_request >= due || asked_for) request_config(net);
        if (net.has_config()) announce_groups(net, false);
    }
    subscribers_.expire(now());
    // A gather older than the delay gates nothing: forgotten, or every group an address of the
    // network's was ever resolved in would stay (a member can make us resolve any number of them).
    for (auto it = last_gather_.begin(); it != last_gather_.end();) {
        it = now() - it->second >= kMulticastGatherDelay ? last_gather_.erase(it) : std::next(it);
    }
    while (!pending_multicasts_.empty() && now() - pending_multicasts_.front().created >= kMulticastTransmitTimeout) {
        pending_multicasts_.pop_front();
    }
}

}  // namespace zt
