// SPDX-License-Identifier: Apache-2.0
// Vl2 (vl2.hpp): joining and leaving networks, asking the controller for configs and taking its
// signed config chunks (or, for our own networks, its answers directly), and network-scoped errors.
#include <string>

#include "zt/vl2.hpp"

#include "zt/crypto.hpp"

namespace zt {

namespace {

constexpr std::int64_t kCredentialRequestRateLimit = 1000;

// The metadata a config request carries (ZeroTier's keys; the controller mostly ignores them).
std::string config_request_metadata(std::uint8_t protocol) {
    Dictionary d;
    d.set_u64("v", kNetconfVersion);
    d.set_u64("vend", 1);
    d.set_u64("pv", protocol);
    d.set_u64("majv", kSoftwareMajor);
    d.set_u64("minv", kSoftwareMinor);
    d.set_u64("revv", kSoftwareRevision);
    d.set_u64("mr", kMaxNetworkRules);
    d.set_u64("mc", kMaxCapabilities);
    d.set_u64("mcr", kMaxCapabilityRules);
    d.set_u64("mt", kMaxTags);
    d.set_u64("f", 0);
    d.set_u64("revr", 1);
    return d.serialize();
}

}  // namespace

// ---- membership of networks -------------------------------------------------------------------------

bool Vl2::join(std::uint64_t network_id) {
    if (network_id == 0) return false;
    if (networks_.count(network_id) != 0) return true;
    auto net = std::make_unique<Network>(network_id, self().address());
    Network& n = *net;
    networks_.emplace(network_id, std::move(net));
    NetworkConfig adhoc;
    if (is_adhoc_network(network_id)) {
        // No controller: the ID itself says what the network is.
        if (!adhoc_network_config(network_id, self().address(), static_cast<std::uint64_t>(now()), &adhoc)) {
            n.set_status(Network::Status::kNotFound);
            emit_network(NodeEvent::Type::kNetworkNotFound, network_id);
            return true;
        }
        const std::string dict = adhoc.to_dictionary().serialize();
        n.apply_config(std::move(adhoc), dict, self().address());
        emit_network(NodeEvent::Type::kNetworkOk, network_id);
        NodeEvent e{NodeEvent::Type::kNetworkConfig};
        e.network = network_id;
        link_.emit(e);
        announce_groups(n, true);
        return true;
    }
    emit_network(NodeEvent::Type::kNetworkRequestingConfig, network_id);
    request_config(n);
    link_.want_background_at(now() + kNetworkRequestRetry);
    return true;
}

bool Vl2::leave(std::uint64_t network_id) {
    auto it = networks_.find(network_id);
    if (it == networks_.end()) return false;
    networks_.erase(it);
    pending_multicasts_.erase(std::remove_if(pending_multicasts_.begin(), pending_multicasts_.end(),
                                             [&](const PendingMulticast& m) { return m.network_id == network_id; }),
                              pending_multicasts_.end());
    for (auto g = last_gather_.lower_bound({network_id, MulticastGroup{}});
         g != last_gather_.end() && g->first.first == network_id;) {
        g = last_gather_.erase(g);
    }
    emit_network(NodeEvent::Type::kNetworkLeft, network_id);
    return true;
}

Network* Vl2::network(std::uint64_t network_id) {
    auto it = networks_.find(network_id);
    return it == networks_.end() ? nullptr : it->second.get();
}

std::vector<std::uint64_t> Vl2::network_ids() const {
    std::vector<std::uint64_t> ids;
    for (const auto& kv : networks_) ids.push_back(kv.first);
    return ids;
}

bool Vl2::restore_network_config(std::uint64_t network_id, const std::string& dictionary) {
    Network* net = network(network_id);
    if (net == nullptr) return false;
    Dictionary d;
    NetworkConfig config;
    if (!Dictionary::parse(reinterpret_cast<const std::uint8_t*>(dictionary.data()), dictionary.size(), &d, nullptr) ||
        !NetworkConfig::from_dictionary(d, &config, nullptr)) {
        return false;
    }
    if (net->apply_config(std::move(config), dictionary, self().address()) != Network::Apply::kApplied) return false;
    emit_network(NodeEvent::Type::kNetworkOk, network_id);
    emit_network(NodeEvent::Type::kNetworkConfig, network_id);  // no data: it came from the cache
    return true;
}

void Vl2::emit_network(NodeEvent::Type type, std::uint64_t network_id) {
    NodeEvent e{type};
    e.network = network_id;
    link_.emit(e);
}

void Vl2::request_config(Network& net) {
    net.last_config_request = now();
    net.config_request_due = 0;
    Packet p(net.controller(), self().address(), Verb::kNetworkConfigRequest);
    p.append_u64(net.id());
    const std::string meta = config_request_metadata(protocol_version_);
    p.append_u16(static_cast<std::uint16_t>(meta.size()));
    p.append(meta.data(), meta.size());
    p.append_u64(net.has_config() ? net.config().revision : 0);
    p.append_u64(net.has_config() ? net.config().timestamp : 0);
    p.compress();
    if (net.controller() == self().address()) {
        // Our own network: hand the request to our controller directly.
        controller_.request_from_self(net.id(), meta);
        return;
    }
    link_.send(p, true);
}

// ---- config from our own controller (LocalMember) ----------------------------------------------------

void Vl2::apply_own_config(std::uint64_t network_id, NetworkConfig config, const std::string& dictionary) {
    Network* net = network(network_id);
    if (net == nullptr ||
        net->apply_config(std::move(config), dictionary, self().address()) != Network::Apply::kApplied) {
        return;
    }
    const bool first = net->last_config_update < 0;
    net->last_config_update = now();
    if (first) emit_network(NodeEvent::Type::kNetworkOk, network_id);
    NodeEvent e{NodeEvent::Type::kNetworkConfig};
    e.network = network_id;
    e.data.assign(dictionary.begin(), dictionary.end());
    link_.emit(e);
    announce_groups(*net, true);
}

void Vl2::own_config_refused(std::uint64_t network_id, ErrorCode code) {
    Network* net = network(network_id);
    if (net == nullptr) return;
    const bool denied = code == ErrorCode::kNetworkAccessDenied;
    net->set_status(denied ? Network::Status::kAccessDenied : Network::Status::kNotFound);
    emit_network(denied ? NodeEvent::Type::kNetworkAccessDenied : NodeEvent::Type::kNetworkNotFound, network_id);
}

void Vl2::revoke_locally(std::uint64_t network_id, std::uint64_t member, std::uint64_t threshold) {
    if (Network* net = network(network_id)) net->revoke_com(member, threshold);
}

// ---- config from the controller ---------------------------------------------------------------------

void Vl2::accept_config_chunk(Network& net, Peer& from, const std::uint8_t* chunk, std::size_t len,
                               std::uint64_t packet_id, bool pushed, std::uint64_t in_re_packet) {
    Peer* controller = from.address() == net.controller() ? &from : link_.peer(net.controller());
    if (controller == nullptr) {
        link_.request_whois(net.controller());  // its signature cannot be checked yet; it will be re-sent
        return;
    }
    std::string dictionary;
    std::uint64_t update_id = 0;
    const ConfigAssembler::Result r = net.assembler().add(chunk, len, controller->identity(),
                                                          from.address() == net.controller(), packet_id, &dictionary,
                                                          &update_id);
    if (r == ConfigAssembler::Result::kRejected) {
        ++stats().drop_auth;
        return;
    }
    if (r != ConfigAssembler::Result::kComplete) return;
    Dictionary d;
    NetworkConfig config;
    const char* why = nullptr;
    if (!Dictionary::parse(reinterpret_cast<const std::uint8_t*>(dictionary.data()), dictionary.size(), &d, &why) ||
        !NetworkConfig::from_dictionary(d, &config, &why)) {
        ++stats().drop_malformed;
        return;
    }
    const bool first = !net.has_config();
    const std::uint64_t nwid = net.id();
    const Network::Apply applied = net.apply_config(std::move(config), std::move(dictionary), self().address());
    if (applied == Network::Apply::kApplied) {
        net.last_config_update = now();
        if (first) emit_network(NodeEvent::Type::kNetworkOk, nwid);
        NodeEvent e{NodeEvent::Type::kNetworkConfig};
        e.network = nwid;
        e.data.assign(net.config_dictionary().begin(), net.config_dictionary().end());
        link_.emit(e);
        announce_groups(net, true);
    } else if (applied == Network::Apply::kSame) {
        net.last_config_update = now();  // the same config again: still fresh
    } else {
        ++stats().drop_unexpected;  // older than the one we hold, or not ours
    }
    if (pushed) {
        // A pushed config is acknowledged with an OK whose in-re verb is ECHO, as ZeroTier does.
        Packet ok(from.address(), self().address(), Verb::kOk);
        wire::build_reply_header(ok, {Verb::kEcho, in_re_packet});
        ok.append_u64(nwid);
        ok.append_u64(update_id);
        link_.send(ok, true);
    }
}

void Vl2::on_ok_network_config(Peer& peer, const Packet& p) {
    wire::NetworkConfigChunk chunk;
    const char* why = nullptr;
    const std::size_t at = kIdxPayload + wire::kReplyBodyOffset;
    if (!wire::parse_network_config_chunk(p, at, &chunk, &why)) {
        ++stats().drop_malformed;
        return;
    }
    Network* net = network(chunk.network_id);
    if (net == nullptr || peer.address() != net->controller()) {
        ++stats().drop_unexpected;
        return;
    }
    accept_config_chunk(*net, peer, p.data() + at, p.size() - at, p.packet_id(), false, 0);
}

void Vl2::on_network_config(Peer& peer, const Packet& p) {
    wire::NetworkConfigChunk chunk;
    const char* why = nullptr;
    if (!wire::parse_network_config_chunk(p, kIdxPayload, &chunk, &why)) {
        ++stats().drop_malformed;
        return;
    }
    Network* net = network(chunk.network_id);
    if (net == nullptr) {
        ++stats().drop_unexpected;
        return;
    }
    accept_config_chunk(*net, peer, p.data() + kIdxPayload, p.payload_size(), p.packet_id(), true, p.packet_id());
}

void Vl2::on_network_error(Peer& peer, const wire::Error& e) {
    Network* net = network(e.network_id);
    if (net == nullptr) return;
    switch (e.code) {
        case ErrorCode::kObjectNotFound:
        case ErrorCode::kUnsupportedOperation:
            if (peer.address() != net->controller()) return;  // only the controller speaks for the network
            net->set_status(Network::Status::kNotFound);
            emit_network(NodeEvent::Type::kNetworkNotFound, net->id());
            break;
        case ErrorCode::kNetworkAccessDenied:
            if (peer.address() != net->controller()) return;
            net->set_status(Network::Status::kAccessDenied);
            emit_network(NodeEvent::Type::kNetworkAccessDenied, net->id());
            break;
        case ErrorCode::kNeedMembershipCertificate: {
            Network::Member& m = net->member(peer.address());
            if (now() - m.last_credential_request < kCredentialRequestRateLimit) return;
            m.last_credential_request = now();
            push_credentials(*net, peer, true);
            break;
        }
        default: break;
    }
}

}  // namespace zt
