// SPDX-License-Identifier: Apache-2.0
// NetworkController (network_controller.hpp): config requests in, signed configs, refusals and
// revocations out.
#include "zt/network_controller.hpp"

#include <algorithm>

#include "zt/credentials.hpp"
#include "zt/crypto.hpp"

namespace zt {

namespace {
constexpr std::int64_t kRequestRateLimit = 1000;  // per (network, member), as ZeroTier's controller
constexpr std::int64_t kPendingRequestTimeout = 10000;  // the application's time to decide
// Requests waiting for the application at once. The rate limit is per (network, member), and any
// member may name up to 2^24 networks under our address: without a bound, one peer's packet rate
// times the timeout. The Python controller queues no more than 4096 itself.
constexpr std::size_t kMaxPendingRequests = 8192;
constexpr std::size_t kMaxConfigRequestMetadata = 1024;  // ZT_NETWORKCONFIG_METADATA_DICT_CAPACITY
}  // namespace

void NetworkController::on_packet(Peer& peer, std::int64_t local_socket, const InetAddress& from, const Packet& p) {
    wire::NetworkConfigRequest r;
    const char* why = nullptr;
    if (!wire::parse_network_config_request(p, &r, &why)) {
        ++link_.counters().drop_malformed;
        return;
    }
    if ((r.network_id >> 24) != self().address() || !enabled_) {
        Packet err(peer.address(), self().address(), Verb::kError);
        wire::build_error(err, wire::Error{{Verb::kNetworkConfigRequest, p.packet_id()},
                                            ErrorCode::kUnsupportedOperation, r.network_id});
        link_.reply(peer, err);
        return;
    }
    if (pending_requests_.size() >= kMaxPendingRequests) {
        ++link_.counters().drop_rate_limited;
        return;
    }
    auto& last = last_request_[{r.network_id, peer.address()}];
    if (link_.now() - last < kRequestRateLimit) {
        ++link_.counters().drop_rate_limited;
        return;
    }
    last = link_.now();
    if (last_request_.size() > 65536) last_request_.clear();  // bounded; the worst case is one extra answer

    ConfigRequest req;
    crypto::random_bytes(&req.request_id, sizeof req.request_id);
    req.network_id = r.network_id;
    req.member = peer.identity();
    if (p.hops() == 0) req.from = from;
    // At most what ZeroTier One's controller reads of it (its metadata dictionary holds 1024 bytes):
    // members send a few hundred, and each request waits with its copy until it is decided.
    req.metadata.assign(reinterpret_cast<const char*>(p.data() + r.metadata_offset),
                        std::min<std::size_t>(r.metadata_len, kMaxConfigRequestMetadata));
    req.have_revision = r.revision;
    req.have_timestamp = r.timestamp;
    pending_requests_[req.request_id] = PendingRequest{peer.address(), r.network_id, p.packet_id(), link_.now()};
    (void)local_socket;
    host_.on_config_request(req);
}

void NetworkController::request_from_self(std::uint64_t network_id, const std::string& metadata) {
    if (!enabled_) return;
    ConfigRequest req;
    crypto::random_bytes(&req.request_id, sizeof req.request_id);
    req.network_id = network_id;
    req.member = self().public_only();
    req.metadata = metadata;
    pending_requests_[req.request_id] = PendingRequest{self().address(), network_id, 0, link_.now()};
    host_.on_config_request(req);
}

void NetworkController::background() {
    for (auto it = pending_requests_.begin(); it != pending_requests_.end();) {
        it = link_.now() - it->second.created >= kPendingRequestTimeout ? pending_requests_.erase(it) : std::next(it);
    }
}

bool NetworkController::respond(std::uint64_t request_id, const NetconfSpec& spec, const char** why) {
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
    const Identity* member = req.member == self().address() ? &self() : nullptr;
    if (member == nullptr) {
        Peer* peer = link_.peer(req.member);
        if (peer == nullptr) {
            *why = "the member is no longer known";
            return false;
        }
        member = &peer->identity();
    }
    NetworkConfig config;
    if (!build_network_config(spec, self(), *member, &config, why)) return false;
    const std::string dictionary = config.to_dictionary().serialize();
    if (req.member == self().address()) {
        // We are a member of our own network: our VL2 installs it directly.
        if (local_ != nullptr) local_->apply_own_config(req.network_id, std::move(config), dictionary);
        return true;
    }
    std::uint64_t update_id = 0;
    while (update_id == 0) crypto::random_bytes(&update_id, sizeof update_id);
    for (const std::vector<std::uint8_t>& chunk : sign_config_chunks(dictionary, req.network_id, update_id, self())) {
        Packet ok(req.member, self().address(), Verb::kOk);
        wire::build_reply_header(ok, {Verb::kNetworkConfigRequest, req.packet_id});
        ok.append(chunk.data(), chunk.size());
        if (!ok.ok()) {
            *why = "a config chunk does not fit a packet";
            return false;
        }
        ok.compress();
        link_.send(ok, true);
    }
    return true;
}

bool NetworkController::respond_error(std::uint64_t request_id, ErrorCode code) {
    auto it = pending_requests_.find(request_id);
    if (it == pending_requests_.end()) return false;
    const PendingRequest req = it->second;
    pending_requests_.erase(it);
    if (req.member == self().address()) {
        if (local_ != nullptr) local_->own_config_refused(req.network_id, code);
        return true;
    }
    Packet err(req.member, self().address(), Verb::kError);
    wire::build_error(err, wire::Error{{Verb::kNetworkConfigRequest, req.packet_id}, code, req.network_id});
    link_.send(err, true);
    return true;
}

bool NetworkController::push(const NetconfSpec& spec, const char** why) {
    const std::uint64_t member_address = spec.base.issued_to;
    if ((spec.base.network_id >> 24) != self().address()) {
        *why = "this node does not control that network";
        return false;
    }
    Peer* peer = link_.peer(member_address);
    if (peer == nullptr) {
        *why = "the member is not known (it has never asked for a config)";
        return false;
    }
    NetworkConfig config;
    if (!build_network_config(spec, self(), peer->identity(), &config, why)) return false;
    const std::string dictionary = config.to_dictionary().serialize();
    std::uint64_t update_id = 0;
    while (update_id == 0) crypto::random_bytes(&update_id, sizeof update_id);
    for (const std::vector<std::uint8_t>& chunk : sign_config_chunks(dictionary, spec.base.network_id, update_id, self())) {
        Packet p(member_address, self().address(), Verb::kNetworkConfig);
        p.append(chunk.data(), chunk.size());
        if (!p.ok()) {
            *why = "a config chunk does not fit a packet";
            return false;
        }
        p.compress();
        link_.send(p, true);
    }
    return true;
}

bool NetworkController::revoke(std::uint64_t network_id, std::uint64_t member, const std::vector<std::uint64_t>& notify) {
    if ((network_id >> 24) != self().address()) return false;
    Revocation rev;
    crypto::random_bytes(&rev.id, sizeof rev.id);
    rev.network_id = network_id;
    rev.credential_id = 0;
    rev.threshold = static_cast<std::uint64_t>(link_.now());
    rev.flags = Revocation::kFlagFastPropagate;
    rev.target = member;
    rev.credential_type = Revocation::CredentialType::kCom;
    if (!rev.sign(self())) return false;
    CredentialBundle bundle;
    bundle.revocations.push_back(rev);
    std::vector<std::uint8_t> body;
    Writer w(body);
    bundle.serialize(w);
    // The revoked member hears of it too: ours then ask again at once and learn ACCESS_DENIED.
    for (std::uint64_t to : notify) {
        if (to == self().address()) continue;
        Packet p(to, self().address(), Verb::kNetworkCredentials);
        p.append(body.data(), body.size());
        link_.send(p, true);
    }
    // As a member of our own network we revoke locally too.
    if (local_ != nullptr) local_->revoke_locally(network_id, member, rev.threshold);
    return true;
}

}  // namespace zt
