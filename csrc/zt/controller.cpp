// SPDX-License-Identifier: Apache-2.0
// The controller side of virtual networks: config requests for networks whose ID starts with our
// address go to the application (which decides), and its decisions come back here to be built into
// signed configs, sent in chunks, pushed, or revoked.
#include "zt/node.hpp"

namespace zt {

namespace {
constexpr std::int64_t kRequestRateLimit = 1000;  // per (network, member), as ZeroTier's controller
}

void Node::on_network_config_request(Peer& peer, std::int64_t local_socket, const InetAddress& from,
                                     const Packet& p) {
    wire::NetworkConfigRequest r;
    const char* why = nullptr;
    if (!wire::parse_network_config_request(p, &r, &why)) {
        ++stats_.drop_malformed;
        return;
    }
    if ((r.network_id >> 24) != self_.address() || !controller_enabled_) {
        Packet err(peer.address(), self_.address(), Verb::kError);
        wire::build_error(err, wire::Error{{Verb::kNetworkConfigRequest, p.packet_id()},
                                            ErrorCode::kUnsupportedOperation, r.network_id});
        reply(peer, err);
        return;
    }
    auto& last = last_request_[{r.network_id, peer.address()}];
    if (now_ - last < kRequestRateLimit) {
        ++stats_.drop_rate_limited;
        return;
    }
    last = now_;
    if (last_request_.size() > 65536) last_request_.clear();  // bounded; the worst case is one extra answer

    ConfigRequest req;
    crypto::random_bytes(&req.request_id, sizeof req.request_id);
    req.network_id = r.network_id;
    req.member = peer.identity();
    if (p.hops() == 0) req.from = from;
    req.metadata.assign(reinterpret_cast<const char*>(p.data() + r.metadata_offset), r.metadata_len);
    req.have_revision = r.revision;
    req.have_timestamp = r.timestamp;
    pending_requests_[req.request_id] = PendingRequest{peer.address(), r.network_id, p.packet_id(), now_};
    (void)local_socket;
    host_.on_config_request(req);
}

bool Node::controller_respond(std::int64_t now, std::uint64_t request_id, const NetconfSpec& spec, const char** why) {
    now_ = now;
    auto it = pending_requests_.find(request_id);
    if (it == pending_requests_.end()) {
        *why = "no such pending request (answered already, or older than 10 s)";
        return false;
    }
    const PendingRequest req = it->second;
    pending_requests_.erase(it);
    if (spec.base.network_id != req.network_id || spec.base.issued_to != req.member) {
        *why = "the config is not for the network and member of that request";
        return false;
    }
    const Identity* member = req.member == self_.address() ? &self_ : nullptr;
    if (member == nullptr) {
        Peer* peer = topology_.get(req.member);
        if (peer == nullptr) {
            *why = "the member is no longer known";
            return false;
        }
        member = &peer->identity();
    }
    NetworkConfig config;
    if (!build_network_config(spec, self_, *member, &config, why)) return false;
    const std::string dictionary = config.to_dictionary().serialize();
    if (req.member == self_.address()) {
        // We are a member of our own network: install it directly.
        Network* net = network(req.network_id);
        if (net != nullptr &&
            net->apply_config(std::move(config), dictionary, self_.address()) == Network::Apply::kApplied) {
            const bool first = net->last_config_update < 0;
            net->last_config_update = now_;
            if (first) emit_network(NodeEvent::Type::kNetworkOk, req.network_id);
            NodeEvent e{NodeEvent::Type::kNetworkConfig};
            e.network = req.network_id;
            e.data.assign(dictionary.begin(), dictionary.end());
            emit(e);
            announce_groups(*net, true);
        }
        return true;
    }
    std::uint64_t update_id = 0;
    while (update_id == 0) crypto::random_bytes(&update_id, sizeof update_id);
    for (const std::vector<std::uint8_t>& chunk : sign_config_chunks(dictionary, req.network_id, update_id, self_)) {
        Packet ok(req.member, self_.address(), Verb::kOk);
        wire::build_reply_header(ok, {Verb::kNetworkConfigRequest, req.packet_id});
        ok.append(chunk.data(), chunk.size());
        if (!ok.ok()) {
            *why = "a config chunk does not fit a packet";
            return false;
        }
        ok.compress();
        send(ok, true);
    }
    return true;
}

bool Node::controller_respond_error(std::int64_t now, std::uint64_t request_id, ErrorCode code) {
    now_ = now;
    auto it = pending_requests_.find(request_id);
    if (it == pending_requests_.end()) return false;
    const PendingRequest req = it->second;
    pending_requests_.erase(it);
    if (req.member == self_.address()) {
        if (Network* net = network(req.network_id)) {
            const bool denied = code == ErrorCode::kNetworkAccessDenied;
            net->set_status(denied ? Network::Status::kAccessDenied : Network::Status::kNotFound);
            emit_network(denied ? NodeEvent::Type::kNetworkAccessDenied : NodeEvent::Type::kNetworkNotFound,
                         req.network_id);
        }
        return true;
    }
    Packet err(req.member, self_.address(), Verb::kError);
    wire::build_error(err, wire::Error{{Verb::kNetworkConfigRequest, req.packet_id}, code, req.network_id});
    send(err, true);
    return true;
}

bool Node::controller_push(std::int64_t now, const NetconfSpec& spec, const char** why) {
    now_ = now;
    const std::uint64_t member_address = spec.base.issued_to;
    if ((spec.base.network_id >> 24) != self_.address()) {
        *why = "this node does not control that network";
        return false;
    }
    Peer* peer = topology_.get(member_address);
    if (peer == nullptr) {
        *why = "the member is not known (it has never asked for a config)";
        return false;
    }
    NetworkConfig config;
    if (!build_network_config(spec, self_, peer->identity(), &config, why)) return false;
    const std::string dictionary = config.to_dictionary().serialize();
    std::uint64_t update_id = 0;
    while (update_id == 0) crypto::random_bytes(&update_id, sizeof update_id);
    for (const std::vector<std::uint8_t>& chunk : sign_config_chunks(dictionary, spec.base.network_id, update_id, self_)) {
        Packet p(member_address, self_.address(), Verb::kNetworkConfig);
        p.append(chunk.data(), chunk.size());
        if (!p.ok()) {
            *why = "a config chunk does not fit a packet";
            return false;
        }
        p.compress();
        send(p, true);
    }
    return true;
}

bool Node::controller_revoke(std::int64_t now, std::uint64_t network_id, std::uint64_t member,
                             const std::vector<std::uint64_t>& notify) {
    now_ = now;
    if ((network_id >> 24) != self_.address()) return false;
    Revocation rev;
    crypto::random_bytes(&rev.id, sizeof rev.id);
    rev.network_id = network_id;
    rev.credential_id = 0;
    rev.threshold = static_cast<std::uint64_t>(now);
    rev.flags = Revocation::kFlagFastPropagate;
    rev.target = member;
    rev.credential_type = Revocation::CredentialType::kCom;
    if (!rev.sign(self_)) return false;
    CredentialBundle bundle;
    bundle.revocations.push_back(rev);
    std::vector<std::uint8_t> body;
    Writer w(body);
    bundle.serialize(w);
    // The revoked member hears of it too: ours then ask again at once and learn ACCESS_DENIED.
    for (std::uint64_t to : notify) {
        if (to == self_.address()) continue;
        Packet p(to, self_.address(), Verb::kNetworkCredentials);
        p.append(body.data(), body.size());
        send(p, true);
    }
    // As a member of our own network we revoke locally too.
    if (Network* net = network(network_id)) net->revoke_com(member, rev.threshold);
    return true;
}

}  // namespace zt
