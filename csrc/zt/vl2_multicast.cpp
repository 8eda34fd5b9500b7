// SPDX-License-Identifier: Apache-2.0
// Vl2 (vl2.hpp): multicast. Our subscriptions announced (MULTICAST_LIKE), members found by asking
// (MULTICAST_GATHER) and remembered, frames to them (MULTICAST_FRAME), and frames kept a few
// seconds for members a gather answer names later.
#include <algorithm>
#include <set>

#include "zt/vl2.hpp"

namespace zt {

namespace {

constexpr std::uint32_t kGatherLimit = 64;

}  // namespace

bool Vl2::multicast_subscribe(std::uint64_t network_id, const MulticastGroup& g) {
    Network* net = network(network_id);
    if (net == nullptr || !net->subscribe(g)) return false;
    if (net->has_config()) announce_groups(*net, true);  // a new group is announced at once
    return true;
}

bool Vl2::multicast_unsubscribe(std::uint64_t network_id, const MulticastGroup& g) {
    Network* net = network(network_id);
    return net != nullptr && net->unsubscribe(g);  // subscriptions elsewhere simply expire
}

// ---- multicast ----------------------------------------------------------------------------------------

void Vl2::announce_groups(Network& net, bool force) {
    if (!force && now() - net.last_announce < kMulticastAnnouncePeriod) return;
    net.last_announce = now();
    const std::set<MulticastGroup> groups = net.groups();
    if (groups.empty()) return;
    // To the controller, the roots, and the members we are talking to. (An ad-hoc network has no
    // controller: the top 40 bits of its ID are a reserved address nobody can be asked about.)
    std::vector<std::uint64_t> targets;
    if (!address_is_reserved(net.controller())) targets.push_back(net.controller());
    for (const World::Root& r : link_.roots()) targets.push_back(r.identity.address());
    link_.for_each_peer([&](Peer& p) {
        if (now() - p.last_receive() < kPeerActivityTimeout && net.find_member(p.address()) != nullptr) {
            targets.push_back(p.address());
        }
    });
    std::sort(targets.begin(), targets.end());
    targets.erase(std::unique(targets.begin(), targets.end()), targets.end());
    for (std::uint64_t to : targets) {
        if (to == self().address()) continue;
        Packet p(to, self().address(), Verb::kMulticastLike);
        for (const MulticastGroup& g : groups) {
            if (p.size() + 18 > kMaxPacketLen - 64) {
                p.compress();
                link_.send(p, true);
                p = Packet(to, self().address(), Verb::kMulticastLike);
            }
            p.append_u64(net.id());
            append_mac(p, g.mac);
            p.append_u32(g.adi);
        }
        p.compress();
        link_.send(p, true);
        net.member(to).last_like_sent = now();
    }
}

void Vl2::on_multicast_like(Peer& peer, const Packet& p) {
    std::vector<wire::MulticastSubscription> subs;
    const char* why = nullptr;
    if (!wire::parse_multicast_like(p, &subs, &why)) {
        ++stats().drop_malformed;
        return;
    }
    for (const wire::MulticastSubscription& s : subs) {
        Network* net = network(s.network_id);
        const bool allowed = link_.am_root() || (s.network_id >> 24) == self().address() ||
                             (net != nullptr && net->gate(peer.address(), peer.identity()));
        if (allowed) member_learned(s.network_id, MulticastGroup{s.mac, s.adi}, peer.address());
    }
}

void Vl2::gather(Network& net, const MulticastGroup& g, bool force) {
    auto& last = last_gather_[{net.id(), g}];
    if (!force && now() - last < kMulticastGatherDelay) return;
    last = now();
    std::vector<std::uint64_t> ask;
    if (Peer* root = link_.best_root()) ask.push_back(root->address());
    if (net.controller() != self().address() && !address_is_reserved(net.controller())) ask.push_back(net.controller());
    for (std::uint64_t to : ask) {
        Packet p(to, self().address(), Verb::kMulticastGather);
        p.append_u64(net.id());
        p.append_u8(0);
        append_mac(p, g.mac);
        p.append_u32(g.adi);
        p.append_u32(kGatherLimit);
        link_.send(p, true);
    }
}

void Vl2::send_multicast_to(Network& net, std::uint64_t to, const MulticastGroup& g, std::uint64_t src_mac,
                             std::uint16_t ethertype, const std::uint8_t* data, std::size_t len) {
    Peer* peer = link_.peer(to);
    if (peer != nullptr && !net.config().is_public()) push_credentials(net, *peer, false);
    Packet p(to, self().address(), Verb::kMulticastFrame);
    p.append_u64(net.id());
    const bool explicit_source = src_mac != net.mac();
    p.append_u8(explicit_source ? 0x04 : 0x00);
    if (explicit_source) append_mac(p, src_mac);
    append_mac(p, g.mac);
    p.append_u32(g.adi);
    p.append_u16(ethertype);
    p.append(data, len);
    if (!p.ok()) return;
    link_.send(p, true);
    ++stats().frames_out;
}

void Vl2::send_multicast(Network& net, const MulticastGroup& g, std::uint64_t src_mac, std::uint16_t ethertype,
                          const std::uint8_t* data, std::size_t len) {
    const std::size_t limit = net.config().multicast_limit;
    const std::vector<std::uint64_t> known = subscribers_.get(net.id(), g, limit, self().address());
    for (std::uint64_t to : known) send_multicast_to(net, to, g, src_mac, ethertype, data, len);
    if (known.size() >= limit) return;
    // Too few known members: ask, and keep the frame a few seconds for those the answer names.
    gather(net, g, known.empty());
    if (pending_multicasts_.size() >= 256) pending_multicasts_.pop_front();
    pending_multicasts_.push_back(
        PendingMulticast{net.id(), g, src_mac, ethertype, std::vector<std::uint8_t>(data, data + len), now(), known, limit});
}

void Vl2::on_multicast_gather(Peer& peer, const Packet& p) {
    wire::MulticastGather g;
    const char* why = nullptr;
    if (!wire::parse_multicast_gather(p, &g, &why)) {
        ++stats().drop_malformed;
        return;
    }
    Network* net = network(g.network_id);
    const bool allowed = link_.am_root() || (g.network_id >> 24) == self().address() ||
                         (net != nullptr && net->gate(peer.address(), peer.identity()));
    if (!allowed || g.limit == 0) return;
    const MulticastGroup group{g.mac, g.adi};
    std::vector<std::uint64_t> members =
        subscribers_.get(g.network_id, group, std::min<std::uint32_t>(g.limit, 200), peer.address());
    if (net != nullptr && net->groups().count(group) != 0) members.insert(members.begin(), self().address());
    if (members.empty()) return;
    Packet ok(peer.address(), self().address(), Verb::kOk);
    wire::build_reply_header(ok, {Verb::kMulticastGather, p.packet_id()});
    ok.append_u64(g.network_id);
    append_mac(ok, g.mac);
    ok.append_u32(g.adi);
    ok.append_u32(static_cast<std::uint32_t>(subscribers_.count(g.network_id, group) + 1));
    ok.append_u16(static_cast<std::uint16_t>(members.size()));
    for (std::uint64_t m : members) ok.append_u40(m);
    ok.compress();
    link_.reply(peer, ok);
}

void Vl2::on_ok_multicast_gather(Peer& peer, const Packet& p) {
    wire::OkMulticastGather g;
    const char* why = nullptr;
    if (!wire::parse_ok_multicast_gather(p, &g, &why)) {
        ++stats().drop_malformed;
        return;
    }
    // We gather only for networks we are in, and only from roots and the network's controller
    // (gather): an answer from anyone else answers nothing of ours, however it names our request
    // (any peer learns the ID of a HELLO we send it), and its members would crowd out the real ones.
    const Network* net = network(g.network_id);
    const bool asked = net != nullptr && (peer.address() == net->controller() ||
                                          std::any_of(link_.roots().begin(), link_.roots().end(), [&](const World::Root& r) {
                                              return r.identity.address() == peer.address();
                                          }));
    if (!asked) {
        ++stats().drop_unexpected;
        return;
    }
    const MulticastGroup group{g.mac, g.adi};
    for (std::uint64_t m : g.members) member_learned(g.network_id, group, m);
}

void Vl2::member_learned(std::uint64_t network_id, const MulticastGroup& g, std::uint64_t member) {
    if (member == self().address()) return;
    subscribers_.add(network_id, g, member, now());
    // What is waiting for members of this group goes to this one too, whether a gather's answer or
    // the member's own MULTICAST_LIKE named it (as ZeroTier does), once and within each frame's limit.
    for (PendingMulticast& pm : pending_multicasts_) {
        if (pm.network_id != network_id || !(pm.group == g) || pm.sent_to.size() >= pm.limit ||
            std::find(pm.sent_to.begin(), pm.sent_to.end(), member) != pm.sent_to.end()) {
            continue;
        }
        Network* net = network(network_id);
        if (net == nullptr || !net->has_config()) return;
        pm.sent_to.push_back(member);
        send_multicast_to(*net, member, g, pm.src_mac, pm.ethertype, pm.data.data(), pm.data.size());
    }
}

void Vl2::on_multicast_frame(Peer& peer, const Packet& p) {
    wire::MulticastFrame f;
    const char* why = nullptr;
    if (!wire::parse_multicast_frame(p, &f, &why)) {
        ++stats().drop_malformed;
        return;
    }
    Network* net = network(f.network_id);
    if (net == nullptr || !net->has_config()) {
        ++stats().frames_dropped;
        return;
    }
    if (!net->gate(peer.address(), peer.identity())) {
        Packet err(peer.address(), self().address(), Verb::kError);
        wire::build_error(err, wire::Error{{Verb::kMulticastFrame, p.packet_id()},
                                            ErrorCode::kNeedMembershipCertificate, f.network_id});
        link_.reply(peer, err);
        ++stats().frames_dropped;
        return;
    }
    peer.last_trust = now();
    const std::uint64_t src = (f.flags & 0x04) != 0 ? f.source_mac : mac_from_address(peer.address(), f.network_id);
    if (net->config().multicast_limit == 0 || !mac_is_multicast(f.dest_mac) || src == 0 || mac_is_multicast(src) ||
        src == net->mac() ||
        (src != mac_from_address(peer.address(), f.network_id) && !net->config().permits_bridging(peer.address()))) {
        ++stats().frames_dropped;
        return;
    }
    deliver_frame(*net, peer, src, f.dest_mac, f.ethertype, p.data() + f.payload_offset, f.payload_len);
}

}  // namespace zt
