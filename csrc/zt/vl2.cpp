// SPDX-License-Identifier: Apache-2.0
// Virtual networks on top of VL1: joining (config requests and signed config chunks), membership
// credentials, unicast frames, and multicast (LIKE announcements, GATHER, MULTICAST_FRAME).
#include <algorithm>
#include <cstring>

#include "zt/vl2.hpp"

#include "zt/credentials.hpp"
#include "zt/crypto.hpp"

namespace zt {

namespace {

constexpr std::uint16_t kEthertypeArp = 0x0806;
constexpr std::size_t kFrameOverhead = 8 + 2;  // FRAME: network ID, ethertype
constexpr std::size_t kMaxFramePayload = kMaxPacketLen - kIdxPayload - 64;  // room for any verb's header
constexpr std::uint32_t kGatherLimit = 64;
constexpr std::int64_t kConfigRequestRateLimit = 1000;  // a controller answers one request per second per member
constexpr std::int64_t kCredentialRequestRateLimit = 1000;

void append_mac(Packet& p, std::uint64_t mac) {
    std::uint8_t b[6];
    store_be(b, mac, 6);
    p.append(b, 6);
}

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
        const Identity* controller = controller_of(com.network_id());
        if (net == nullptr || controller == nullptr) continue;
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
        const Identity* controller = controller_of(rev.network_id);
        if (net == nullptr || controller == nullptr || !rev.verify(*controller)) continue;
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
        const Identity* controller = controller_of(tag.network_id);
        if (net == nullptr || controller == nullptr || tag.issued_to != peer.address() || !tag.verify(*controller)) continue;
        auto& tags = net->member(peer.address()).tags;
        tags.erase(std::remove_if(tags.begin(), tags.end(), [&](const Tag& t) { return t.id == tag.id; }), tags.end());
        if (tags.size() < kMaxTags) tags.push_back(tag);
    }
    for (const CertificateOfOwnership& coo : bundle.coos) {
        Network* net = network(coo.network_id);
        const Identity* controller = controller_of(coo.network_id);
        if (net == nullptr || controller == nullptr || coo.issued_to != peer.address() || !coo.verify(*controller)) continue;
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

// ---- frames -----------------------------------------------------------------------------------------

bool Vl2::send_frame(std::uint64_t network_id, std::uint64_t src_mac, std::uint64_t dst_mac, std::uint16_t ethertype,
                     const std::uint8_t* data, std::size_t len) {
    Network* net = network(network_id);
    if (net == nullptr || !net->has_config() || len > kMaxFramePayload) {
        ++stats().frames_dropped;
        return false;
    }
    const NetworkConfig& c = net->config();
    if (src_mac != net->mac() && !c.permits_bridging(self().address())) {
        ++stats().frames_dropped;  // only active bridges may send for other MACs
        return false;
    }
    FrameInfo frame;
    frame.network_id = network_id;
    frame.zt_source = self().address();
    frame.mac_source = src_mac;
    frame.mac_dest = dst_mac;
    frame.ethertype = ethertype;
    frame.payload = data;
    frame.payload_len = len;
    if (mac_is_multicast(dst_mac)) {
        if (emulate_ndp(*net, src_mac, ethertype, data, len)) return true;
        if (c.multicast_limit == 0) {
            ++stats().frames_dropped;
            return false;
        }
        MulticastGroup g{dst_mac, 0};
        if (dst_mac == kBroadcastMac && ethertype == kEthertypeArp && len >= 28 && data[7] == 1) {
            // ARP who-has: a selective multicast to whoever holds the target IPv4 (even when
            // broadcast is off).
            g.adi = static_cast<std::uint32_t>(load_be(data + 24, 4));
        } else if (dst_mac == kBroadcastMac && !c.broadcast_enabled()) {
            ++stats().frames_dropped;
            return false;
        }
        if (!filter(*net, frame)) {
            ++stats().frames_dropped;
            return false;
        }
        send_multicast(*net, g, src_mac, ethertype, data, len);
        return true;
    }
    if ((dst_mac >> 40) != mac_first_octet(network_id)) {
        ++stats().frames_dropped;  // not a ZeroTier MAC on this network, and we do not bridge
        return false;
    }
    const std::uint64_t dest = address_from_mac(dst_mac, network_id);
    if (dest == self().address() || address_is_reserved(dest)) {
        ++stats().frames_dropped;
        return false;
    }
    frame.zt_dest = dest;
    if (!filter(*net, frame)) {
        ++stats().frames_dropped;
        return false;
    }
    if (Peer* peer = link_.peer(dest)) {
        if (!c.is_public()) push_credentials(*net, *peer, false);
    }
    const bool bridged = src_mac != net->mac();
    Packet p(dest, self().address(), bridged ? Verb::kExtFrame : Verb::kFrame);
    p.append_u64(network_id);
    if (bridged) {
        p.append_u8(0);
        append_mac(p, dst_mac);
        append_mac(p, src_mac);
    }
    p.append_u16(ethertype);
    p.append(data, len);
    if (!p.ok()) {
        ++stats().frames_dropped;
        return false;
    }
    link_.send(p, true);
    ++stats().frames_out;
    return true;
}

bool Vl2::emulate_ndp(Network& net, std::uint64_t src_mac, std::uint16_t ethertype, const std::uint8_t* data,
                       std::size_t len) {
    // On networks with NDP emulation (6PLANE, RFC4193), a neighbor solicitation for a member's
    // address needs no answer from the network: the address names the member, hence its MAC.
    constexpr std::size_t kIpv6Header = 40;
    if (ethertype != 0x86dd || len < kIpv6Header + 8 + 16 || !net.config().ndp_emulation()) return false;
    if (data[6] != 58 /* ICMPv6 */ || data[kIpv6Header] != 135 /* neighbor solicitation */) return false;
    const std::uint8_t* target = data + kIpv6Header + 8;
    std::uint64_t member = 0;
    const std::uint8_t* mine = nullptr;
    for (const ManagedIp& ip : net.config().static_ips) {
        if (ip.ip.family != InetAddress::Family::kV6) continue;
        const std::uint8_t* my = ip.ip.ip;
        if (ip.bits == 88 && my[0] == 0xfd && my[9] == 0x99 && my[10] == 0x93 && std::memcmp(target, my, 11) == 0) {
            member = load_be(target + 11, 5);  // RFC4193: fd, network ID, 99 93, address
        } else if (ip.bits == 40 && my[0] == 0xfc && std::memcmp(target, my, 5) == 0) {
            member = load_be(target + 5, 5);  // 6PLANE: fc, folded network ID, address
        } else {
            continue;
        }
        mine = my;
        break;
    }
    if (member == 0 || member == self().address() || mine == nullptr) return false;
    const std::uint64_t member_mac = mac_from_address(member, net.id());
    // A solicited, overriding neighbor advertisement from the target to us, with its MAC.
    std::uint8_t adv[72] = {};
    adv[0] = 0x60;
    adv[5] = 32;   // payload length
    adv[6] = 58;   // ICMPv6
    adv[7] = 255;  // hop limit
    std::memcpy(adv + 8, target, 16);
    std::memcpy(adv + 24, mine, 16);
    adv[40] = 136;   // neighbor advertisement
    adv[44] = 0x60;  // solicited | override
    std::memcpy(adv + 48, target, 16);
    adv[64] = 2;  // target link-layer address option
    adv[65] = 1;
    store_be(adv + 66, member_mac, 6);
    std::uint32_t sum = 0;
    for (std::size_t i = 8; i < 40; i += 2) sum += load_be(adv + i, 2);  // pseudo-header addresses
    sum += 32 + 58;                                                          // length, next header
    for (std::size_t i = 40; i < 72; i += 2) sum += load_be(adv + i, 2);
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    store_be(adv + 42, static_cast<std::uint16_t>(~sum), 2);
    ++stats().frames_in;
    host_.on_frame(net.id(), member_mac, src_mac, 0x86dd, adv, sizeof adv);
    return true;
}

void Vl2::deliver_frame(Network& net, Peer& peer, std::uint64_t src_mac, std::uint64_t dst_mac,
                         std::uint16_t ethertype, const std::uint8_t* data, std::size_t len) {
    FrameInfo frame;
    frame.network_id = net.id();
    frame.zt_source = peer.address();
    frame.zt_dest = self().address();
    frame.mac_source = src_mac;
    frame.mac_dest = dst_mac;
    frame.ethertype = ethertype;
    frame.payload = data;
    frame.payload_len = len;
    frame.inbound = true;
    if (!filter(net, frame)) {
        ++stats().frames_dropped;
        return;
    }
    ++stats().frames_in;
    host_.on_frame(net.id(), src_mac, dst_mac, ethertype, data, len);
}

void Vl2::on_frame(Peer& peer, const Packet& p, bool ext) {
    std::uint64_t nwid = 0;
    std::uint64_t src = 0;
    std::uint64_t dst = 0;
    std::uint16_t ethertype = 0;
    std::size_t off = 0;
    std::size_t len = 0;
    const char* why = nullptr;
    bool want_ack = false;
    if (ext) {
        wire::ExtFrame f;
        if (!wire::parse_ext_frame(p, &f, &why)) {
            ++stats().drop_malformed;
            return;
        }
        nwid = f.network_id;
        src = f.from_mac;
        dst = f.to_mac;
        ethertype = f.ethertype;
        off = f.payload_offset;
        len = f.payload_len;
        want_ack = (f.flags & 0x10) != 0;
    } else {
        wire::Frame f;
        if (!wire::parse_frame(p, &f, &why)) {
            ++stats().drop_malformed;
            return;
        }
        nwid = f.network_id;
        ethertype = f.ethertype;
        off = f.payload_offset;
        len = f.payload_len;
    }
    Network* net = network(nwid);
    if (net == nullptr || !net->has_config()) {
        ++stats().frames_dropped;
        return;
    }
    if (!net->gate(peer.address(), peer.identity())) {
        // Tell the sender to prove its membership; its frames are dropped until it does.
        Packet err(peer.address(), self().address(), Verb::kError);
        wire::build_error(err, wire::Error{{ext ? Verb::kExtFrame : Verb::kFrame, p.packet_id()},
                                            ErrorCode::kNeedMembershipCertificate, nwid});
        link_.reply(peer, err);
        ++stats().frames_dropped;
        return;
    }
    peer.last_trust = now();
    if (!ext) {
        src = mac_from_address(peer.address(), nwid);
        dst = net->mac();
    } else if (src == 0 || src == net->mac() ||
               (src != mac_from_address(peer.address(), nwid) && !net->config().permits_bridging(peer.address())) ||
               (dst != net->mac() && !mac_is_multicast(dst))) {
        ++stats().frames_dropped;  // bridged traffic from a non-bridge, or not for us
        return;
    }
    deliver_frame(*net, peer, src, dst, ethertype, p.data() + off, len);
    if (want_ack) {
        Packet ok(peer.address(), self().address(), Verb::kOk);
        wire::build_reply_header(ok, {Verb::kExtFrame, p.packet_id()});
        ok.append_u64(nwid);
        link_.reply(peer, ok);
    }
}

// ---- multicast ----------------------------------------------------------------------------------------

void Vl2::announce_groups(Network& net, bool force) {
    if (!force && now() - net.last_announce < kMulticastAnnouncePeriod) return;
    net.last_announce = now();
    const std::set<MulticastGroup> groups = net.groups();
    if (groups.empty()) return;
    // To the controller, the roots, and the members we are talking to.
    std::vector<std::uint64_t> targets;
    targets.push_back(net.controller());
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
        if (allowed) subscribers_.add(s.network_id, MulticastGroup{s.mac, s.adi}, peer.address(), now());
    }
}

void Vl2::gather(Network& net, const MulticastGroup& g, bool force) {
    auto& last = last_gather_[{net.id(), g}];
    if (!force && now() - last < kMulticastGatherDelay) return;
    last = now();
    std::vector<std::uint64_t> ask;
    if (Peer* root = link_.best_root()) ask.push_back(root->address());
    if (net.controller() != self().address()) ask.push_back(net.controller());
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
    (void)peer;
    wire::OkMulticastGather g;
    const char* why = nullptr;
    if (!wire::parse_ok_multicast_gather(p, &g, &why)) {
        ++stats().drop_malformed;
        return;
    }
    const MulticastGroup group{g.mac, g.adi};
    for (std::uint64_t m : g.members) {
        if (m != self().address()) subscribers_.add(g.network_id, group, m, now());
    }
    // Send what was waiting for these members.
    for (PendingMulticast& pm : pending_multicasts_) {
        if (pm.network_id != g.network_id || !(pm.group == group)) continue;
        Network* net = network(pm.network_id);
        if (net == nullptr || !net->has_config()) continue;
        for (std::uint64_t m : g.members) {
            if (m == self().address() || pm.sent_to.size() >= pm.limit ||
                std::find(pm.sent_to.begin(), pm.sent_to.end(), m) != pm.sent_to.end()) {
                continue;
            }
            pm.sent_to.push_back(m);
            send_multicast_to(*net, m, group, pm.src_mac, pm.ethertype, pm.data.data(), pm.data.size());
        }
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
    while (!pending_multicasts_.empty() && now() - pending_multicasts_.front().created >= kMulticastTransmitTimeout) {
        pending_multicasts_.pop_front();
    }
}

}  // namespace zt
