// SPDX-License-Identifier: Apache-2.0
// Vl2 (vl2.hpp): membership credentials (certificates of membership, tags, ownership, revocations)
// pushed to and accepted from members, and the flow rules that filter frames both ways.
#include <algorithm>

#include "zt/vl2.hpp"

#include "zt/credentials.hpp"

namespace zt {

// ---- credentials ------------------------------------------------------------------------------------

void Vl2::push_credentials(Network& net, Peer& peer, bool force) {
    if (!net.has_config() || !net.config().com) return;
    if (!force && !net.needs_credential_push(peer.address(), now())) return;
    const NetworkConfig& c = net.config();
    Packet p(peer.address(), self().address(), Verb::kNetworkCredentials);
    std::vector<std::uint8_t> body;
    Writer w(body);
    CredentialBundle bundle;
    bundle.coms.push_back(*c.com);
    bundle.capabilities = c.capabilities;
    bundle.tags = c.tags;
    bundle.coos = c.coos;
    bundle.serialize(w);
    p.append(body.data(), body.size());
    if (!p.ok()) return;
    p.compress();
    link_.send(p, true);
    Network::Member& m = net.member(peer.address());
    m.last_pushed_credentials = now();
    m.pushed_config_timestamp = c.timestamp;
}

void Vl2::on_network_credentials(Peer& peer, const Packet& p) {
    if (!peer.credentials_bucket.take(now(), kPeerCredentialsBurst, kPeerCredentialsRefill)) {
        ++stats().drop_rate_limited;
        return;
    }
    CredentialBundle bundle;
    const char* why = nullptr;
    if (!CredentialBundle::parse(p.payload(), p.payload_size(), &bundle, &why)) {
        ++stats().drop_malformed;
        return;
    }
    auto controller_of = [&](std::uint64_t nwid) -> const Identity* {
        if ((nwid >> 24) == self().address()) return &self();
        Peer* c = link_.peer(nwid >> 24);
        if (c == nullptr) link_.request_whois(nwid >> 24);
        return c == nullptr ? nullptr : &c->identity();
    };
    for (const CertificateOfMembership& com : bundle.coms) {
        // Filed under the member it was issued to, whoever relays it (as ZeroTier does): a member
        // presenting someone else's certificate only updates that someone's record, never its own.
        // Ours comes from the controller with our config, not from peers.
        const std::uint64_t owner = com.issued_to();
        if (owner == self().address() || owner == 0 || address_is_reserved(owner)) {
            ++stats().drop_unexpected;
            continue;
        }
        Network* net = network(com.network_id());
        if (net == nullptr) continue;  // before controller_of: its WHOIS is for networks we are in
        const Identity* controller = controller_of(com.network_id());
        if (controller == nullptr) continue;
        if (!com.verify(*controller)) {
            ++stats().drop_auth;
            continue;
        }
        if (net->add_com(owner, com) && owner == peer.address() && net->gate(owner, peer.identity())) {
            peer.last_trust = now();
        }
    }
    for (const Revocation& rev : bundle.revocations) {
        Network* net = network(rev.network_id);
        if (net == nullptr) continue;
        const Identity* controller = controller_of(rev.network_id);
        if (controller == nullptr || !rev.verify(*controller)) continue;
        if (rev.credential_type != Revocation::CredentialType::kCom) continue;
        net->revoke_com(rev.target, rev.threshold);
        // Our own membership revoked: ask again as soon as the controller accepts a repeat, rather
        // than at the next refresh, so the application hears ACCESS_DENIED now.
        if (rev.target == self().address()) {
            net->config_request_due = std::max(now(), net->last_config_request + kConfigRequestMinInterval);
            link_.want_background_at(net->config_request_due);
        }
    }
    for (const Tag& tag : bundle.tags) {
        Network* net = network(tag.network_id);
        if (net == nullptr) continue;
        const Identity* controller = controller_of(tag.network_id);
        if (controller == nullptr || tag.issued_to != peer.address() || !tag.verify(*controller)) continue;
        auto& tags = net->member(peer.address()).tags;
        tags.erase(std::remove_if(tags.begin(), tags.end(), [&](const Tag& t) { return t.id == tag.id; }), tags.end());
        if (tags.size() < kMaxTags) tags.push_back(tag);
    }
    for (const CertificateOfOwnership& coo : bundle.coos) {
        Network* net = network(coo.network_id);
        if (net == nullptr) continue;
        const Identity* controller = controller_of(coo.network_id);
        if (controller == nullptr || coo.issued_to != peer.address() || !coo.verify(*controller)) continue;
        auto& coos = net->member(peer.address()).coos;
        if (coos.size() >= kMaxCoos) coos.erase(coos.begin());
        coos.push_back(coo);
    }
}

// ---- rules --------------------------------------------------------------------------------------------

bool Vl2::filter(const Network& net, FrameInfo& frame) const {
    const NetworkConfig& c = net.config();
    if (rules_are_accept_all(c.rules)) return true;  // the default rule set: no work per frame
    const bool unsupported = (c.flags & kNetconfFlagUnsupportedMatchResult) != 0;
    const FilterResult r = evaluate_rules(c.rules, frame, unsupported);
    switch (r.verdict) {
        case FilterResult::Verdict::kAccept:
        case FilterResult::Verdict::kSuperAccept: return true;
        case FilterResult::Verdict::kDrop: return false;
        case FilterResult::Verdict::kNoMatch: break;
    }
    // Nothing decided in the base table: any capability of ours (outbound) may still accept.
    for (const Capability& cap : c.capabilities) {
        const FilterResult cr = evaluate_rules(cap.rules, frame, unsupported);
        if (cr.verdict == FilterResult::Verdict::kAccept || cr.verdict == FilterResult::Verdict::kSuperAccept) return true;
    }
    return false;
}

}  // namespace zt
