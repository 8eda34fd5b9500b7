// SPDX-License-Identifier: Apache-2.0
// Vl2 driven through its seam alone (csrc/zt/vl1_link.hpp): a fake Vl1Link records every packet
// VL2 would send and every event it would report, and the cases hand it packets as VL1 would after
// authentication. Cases that otherwise need two or three processes: a config arriving in chunks out
// of order (with a forged chunk among them), a membership credential refused then accepted, and a
// multicast whose members are only known once a gather answer arrives.
//
// Prints "PASS <case>" or "FAIL <case>" (after the failed checks) per case; exit status 1 if any
// failed. Built and run by tests/unit/test_vl2_seam.py.
#include <algorithm>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core_test_check.hpp"
#include "zt/bytes.hpp"
#include "zt/credentials.hpp"
#include "zt/netconf.hpp"
#include "zt/network_controller.hpp"
#include "zt/vl1_link.hpp"
#include "zt/vl2.hpp"
#include "zt/vl2_address.hpp"

namespace {

using namespace zt;

// What VL2 asked VL1 to send, decompressed.
struct Sent {
    std::uint64_t to;
    Verb verb;
    std::vector<std::uint8_t> payload;
    bool as_reply;
};

class FakeLink final : public Vl1Link {
  public:
    explicit FakeLink(const Identity& self) : self_(self) {}

    Peer& add_peer(const Identity& id) {
        std::unique_ptr<Peer> peer = Peer::create(self_, id.public_only(), now_);
        Peer& ref = *peer;
        peers_[id.address()] = std::move(peer);
        return ref;
    }
    void set_best_root(Peer* root) {  // one of the roots, as the node's own link has it
        best_root_ = root;
        roots_.push_back(World::Root{root->identity(), {}});
    }
    std::vector<Sent> take_sent() { return std::exchange(sent_, {}); }
    const std::vector<NodeEvent>& events() const { return events_; }
    NodeStats& stats() { return stats_; }

    const Identity& identity() const override { return self_; }
    std::int64_t now() const override { return now_; }
    Peer* peer(std::uint64_t address) override {
        auto it = peers_.find(address);
        return it == peers_.end() ? nullptr : it->second.get();
    }
    bool am_root() const override { return false; }
    const std::vector<World::Root>& roots() const override { return roots_; }
    Peer* best_root() override { return best_root_; }
    void for_each_peer(const std::function<void(Peer&)>& fn) override {
        for (auto& kv : peers_) fn(*kv.second);
    }
    void send(Packet& p, bool encrypt) override { record(p, false); }
    void reply(Peer& to, Packet& p) override { record(p, true); }
    void request_whois(std::uint64_t address) override { whois_.push_back(address); }
    void want_background_at(std::int64_t t) override {}
    void emit(NodeEvent e) override { events_.push_back(std::move(e)); }
    NodeStats& counters() override { return stats_; }

  private:
    void record(const Packet& p, bool as_reply) {
        Packet copy = p;
        if (copy.compressed()) CHECK(copy.decompress());
        std::vector<std::uint8_t> payload(copy.payload(), copy.payload() + copy.payload_size());
        sent_.push_back(Sent{copy.destination(), copy.verb(), std::move(payload), as_reply});
    }

    Identity self_;
    std::int64_t now_ = 1700000000000;
    std::map<std::uint64_t, std::unique_ptr<Peer>> peers_;
    std::vector<World::Root> roots_;
    Peer* best_root_ = nullptr;
    std::vector<Sent> sent_;
    std::vector<NodeEvent> events_;
    std::vector<std::uint64_t> whois_;
    NodeStats stats_;
};

struct Frame {
    std::uint64_t network_id, src_mac, dst_mac;
    std::uint16_t ethertype;
    std::vector<std::uint8_t> data;
};

class FakeHost final : public NodeHost {
  public:
    void send_datagram(std::int64_t, const InetAddress&, const std::uint8_t*, std::size_t, unsigned) override {
        ++datagrams;  // VL2 never sends datagrams itself: everything goes through Vl1Link
    }
    void on_event(const NodeEvent&) override { ++host_events; }  // events go through Vl1Link too
    void on_frame(std::uint64_t network_id, std::uint64_t src_mac, std::uint64_t dst_mac, std::uint16_t ethertype,
                  const std::uint8_t* data, std::size_t len) override {
        frames.push_back(Frame{network_id, src_mac, dst_mac, ethertype, std::vector<std::uint8_t>(data, data + len)});
    }
    void on_config_request(const ConfigRequest&) override { ++config_requests; }

    int datagrams = 0;
    int host_events = 0;
    int config_requests = 0;
    std::vector<Frame> frames;
};

// One VL2 over the fake VL1, wired as Node wires the real one.
struct Stack {
    Identity self = Identity::generate();
    FakeLink link{self};
    FakeHost host;
    NetworkController controller{link, host};
    Vl2 vl2{link, host, controller, kProtocolVersion};

    Stack() { controller.set_local_member(&vl2); }

    std::size_t count_events(NodeEvent::Type type) const {
        return static_cast<std::size_t>(std::count_if(link.events().begin(), link.events().end(),
                                                      [type](const NodeEvent& e) { return e.type == type; }));
    }
    Packet from(const Identity& sender, Verb verb) { return Packet(self.address(), sender.address(), verb); }
};

std::vector<std::uint8_t> serialized(const CredentialBundle& bundle) {
    std::vector<std::uint8_t> out;
    Writer w(out);
    bundle.serialize(w);
    return out;
}

// A private network of `controller` with a config for `member` that permits everything.
NetconfSpec spec_for(const Identity& controller, std::uint64_t network_id, const Identity& member, std::int64_t now) {
    NetconfSpec spec;
    spec.base.network_id = network_id;
    spec.base.issued_to = member.address();
    spec.base.timestamp = static_cast<std::uint64_t>(now);
    spec.base.credential_time_max_delta = 7200000;
    spec.base.revision = 1;
    spec.base.multicast_limit = 32;
    spec.base.name = "seam";
    spec.base.rules.push_back(Rule{});  // a default Rule is ACCEPT
    return spec;
}

// ---- cases ---------------------------------------------------------------------------------------

void config_chunks_out_of_order() {
    Stack s;
    const Identity controller = Identity::generate();
    Peer& controller_peer = s.link.add_peer(controller);
    const std::uint64_t nwid = (controller.address() << 24) | 0x5eau;

    CHECK(s.vl2.join(nwid));
    std::vector<Sent> sent = s.link.take_sent();
    CHECK(sent.size() == 1);
    if (sent.size() == 1) {
        CHECK(sent[0].verb == Verb::kNetworkConfigRequest && sent[0].to == controller.address());
        CHECK(sent[0].payload.size() >= 8 && load_be(sent[0].payload.data(), 8) == nwid);
    }
    CHECK(s.count_events(NodeEvent::Type::kNetworkRequestingConfig) == 1);

    NetworkConfig config;
    const char* why = nullptr;
    CHECK(build_network_config(spec_for(controller, nwid, s.self, s.link.now()), controller, s.self.public_only(),
                               &config, &why));
    // Padded with a key the config does not know, so that it takes more than one chunk.
    Dictionary d = config.to_dictionary();
    d.set("zpad", std::string(kMaxConfigChunk + 1000, 'p'));
    const std::string dictionary = d.serialize();
    const std::vector<std::vector<std::uint8_t>> chunks = sign_config_chunks(dictionary, nwid, 0x5eed, controller);
    CHECK(chunks.size() == 2);
    if (chunks.size() != 2) return;
    auto ok_with = [&](const std::vector<std::uint8_t>& chunk) {
        Packet ok = s.from(controller, Verb::kOk);
        wire::build_reply_header(ok, {Verb::kNetworkConfigRequest, 0x1001});
        ok.append(chunk.data(), chunk.size());
        return ok;
    };

    CHECK(s.vl2.on_ok(Verb::kNetworkConfigRequest, controller_peer, ok_with(chunks[1])));  // the last one first
    CHECK(!s.vl2.network(nwid)->has_config());

    std::vector<std::uint8_t> forged = chunks[0];
    forged.back() ^= 0x01;  // in the signature
    s.vl2.on_ok(Verb::kNetworkConfigRequest, controller_peer, ok_with(forged));
    CHECK(s.link.stats().drop_auth == 1);
    CHECK(!s.vl2.network(nwid)->has_config());

    s.vl2.on_ok(Verb::kNetworkConfigRequest, controller_peer, ok_with(chunks[0]));
    CHECK(s.vl2.network(nwid)->has_config());
    CHECK(s.count_events(NodeEvent::Type::kNetworkOk) == 1);
    CHECK(s.count_events(NodeEvent::Type::kNetworkConfig) == 1);
    for (const NodeEvent& e : s.link.events()) {
        if (e.type == NodeEvent::Type::kNetworkConfig) {
            CHECK(std::string(e.data.begin(), e.data.end()) == dictionary);
        }
    }
    // A repeated chunk of the completed update changes nothing.
    s.vl2.on_ok(Verb::kNetworkConfigRequest, controller_peer, ok_with(chunks[1]));
    CHECK(s.count_events(NodeEvent::Type::kNetworkConfig) == 1);
    CHECK(s.host.datagrams == 0 && s.host.host_events == 0);
}

void credential_refused_then_accepted() {
    Stack s;
    const Identity controller = Identity::generate();
    const Identity member = Identity::generate();
    Peer& controller_peer = s.link.add_peer(controller);
    Peer& member_peer = s.link.add_peer(member);
    const std::uint64_t nwid = (controller.address() << 24) | 0xc0du;
    const char* why = nullptr;

    // Joined, with our own config from the controller (one chunk).
    CHECK(s.vl2.join(nwid));
    NetworkConfig ours;
    CHECK(build_network_config(spec_for(controller, nwid, s.self, s.link.now()), controller, s.self.public_only(),
                               &ours, &why));
    for (const std::vector<std::uint8_t>& chunk :
         sign_config_chunks(ours.to_dictionary().serialize(), nwid, 0xabc, controller)) {
        Packet ok = s.from(controller, Verb::kOk);
        wire::build_reply_header(ok, {Verb::kNetworkConfigRequest, 0x2001});
        ok.append(chunk.data(), chunk.size());
        s.vl2.on_ok(Verb::kNetworkConfigRequest, controller_peer, ok);
    }
    CHECK(s.vl2.network(nwid) != nullptr && s.vl2.network(nwid)->has_config());
    s.link.take_sent();

    const std::uint8_t payload[20] = {0x45};
    auto frame_from_member = [&] {
        Packet f = s.from(member, Verb::kFrame);
        f.append_u64(nwid);
        f.append_u16(0x0800);
        f.append(payload, sizeof payload);
        s.vl2.on_packet(member_peer, -1, InetAddress(), f);
    };
    auto credentials_from_member = [&](const std::vector<std::uint8_t>& body) {
        Packet c = s.from(member, Verb::kNetworkCredentials);
        c.append(body.data(), body.size());
        s.vl2.on_packet(member_peer, -1, InetAddress(), c);
    };
    auto member_is_refused = [&] {
        const std::vector<Sent> sent = s.link.take_sent();
        const bool told = sent.size() == 1 && sent[0].verb == Verb::kError && sent[0].as_reply &&
                          sent[0].to == member.address();
        wire::Error e;
        Packet err(member.address(), s.self.address(), Verb::kError);
        if (told) err.append(sent[0].payload.data(), sent[0].payload.size());
        return told && wire::parse_error(err, &e, &why) && e.code == ErrorCode::kNeedMembershipCertificate &&
               e.header.in_re_verb == Verb::kFrame && e.network_id == nwid;
    };

    // No credential yet: the frame is dropped and the member told to prove itself.
    frame_from_member();
    CHECK(member_is_refused());
    CHECK(s.host.frames.empty());

    // Its certificate, forged (one bit of the controller's signature changed): refused.
    NetworkConfig theirs;
    CHECK(build_network_config(spec_for(controller, nwid, member, s.link.now()), controller, member.public_only(),
                               &theirs, &why));
    CHECK(theirs.com.has_value());
    if (!theirs.com) return;
    CredentialBundle bundle;
    bundle.coms.push_back(*theirs.com);
    const std::vector<std::uint8_t> genuine = serialized(bundle);
    std::vector<std::uint8_t> com_bytes;
    Writer w(com_bytes);
    theirs.com->serialize(w);
    std::vector<std::uint8_t> forged = genuine;
    auto at = std::search(forged.begin(), forged.end(), com_bytes.begin(), com_bytes.end());
    CHECK(at != forged.end());
    if (at == forged.end()) return;
    *(at + static_cast<std::ptrdiff_t>(com_bytes.size()) - 1) ^= 0x01;  // the signature ends the certificate
    const std::uint64_t auth_drops = s.link.stats().drop_auth;
    credentials_from_member(forged);
    CHECK(s.link.stats().drop_auth == auth_drops + 1);
    frame_from_member();
    CHECK(member_is_refused());
    CHECK(s.host.frames.empty());

    // The genuine certificate: accepted, and the member's frames reach the local stack.
    credentials_from_member(genuine);
    CHECK(s.link.stats().drop_auth == auth_drops + 1);
    frame_from_member();
    CHECK(s.link.take_sent().empty());
    CHECK(s.host.frames.size() == 1);
    if (s.host.frames.size() == 1) {
        const Frame& f = s.host.frames[0];
        CHECK(f.network_id == nwid && f.ethertype == 0x0800);
        CHECK(f.src_mac == mac_from_address(member.address(), nwid));
        CHECK(f.dst_mac == s.vl2.network(nwid)->mac());
        CHECK(f.data == std::vector<std::uint8_t>(payload, payload + sizeof payload));
    }
    CHECK(s.link.stats().frames_in == 1);
}

void multicast_waits_for_gather() {
    Stack s;
    const Identity root = Identity::generate();
    Peer& root_peer = s.link.add_peer(root);
    s.link.set_best_root(&root_peer);
    const std::uint64_t nwid = 0xff0a000000000001ULL;  // ad-hoc: 10.x.y.z/8, everything accepted
    CHECK(is_adhoc_network(nwid));
    CHECK(s.vl2.join(nwid));
    Network* net = s.vl2.network(nwid);
    CHECK(net != nullptr && net->has_config() && net->config().multicast_limit >= 2);
    if (net == nullptr || !net->has_config()) return;
    s.link.take_sent();

    const MulticastGroup group{0x01005e000001ULL, 0};
    std::vector<std::uint8_t> data(40, 0x5a);
    CHECK(s.vl2.send_frame(nwid, net->mac(), group.mac, 0x0800, data.data(), data.size()));
    std::vector<Sent> sent = s.link.take_sent();
    const auto gathers_to_root = std::count_if(sent.begin(), sent.end(), [&](const Sent& x) {
        return x.verb == Verb::kMulticastGather && x.to == root.address();
    });
    CHECK(gathers_to_root == 1);
    CHECK(std::none_of(sent.begin(), sent.end(), [](const Sent& x) { return x.verb == Verb::kMulticastFrame; }));
    CHECK(s.link.stats().frames_out == 0);

    // The root's answer, later: the frame waiting for members goes to each member it names.
    const std::vector<std::uint64_t> members = {0x1111111111ULL, 0x2222222222ULL, s.self.address()};
    auto gather_answer = [&] {
        Packet ok = s.from(root, Verb::kOk);
        wire::build_reply_header(ok, {Verb::kMulticastGather, 0x3001});
        ok.append_u64(nwid);
        std::uint8_t mac[6];
        store_be(mac, group.mac, 6);
        ok.append(mac, 6);
        ok.append_u32(group.adi);
        ok.append_u32(static_cast<std::uint32_t>(members.size()));
        ok.append_u16(static_cast<std::uint16_t>(members.size()));
        for (std::uint64_t m : members) ok.append_u40(m);
        return ok;
    };
    CHECK(s.vl2.on_ok(Verb::kMulticastGather, root_peer, gather_answer()));
    sent = s.link.take_sent();
    CHECK(sent.size() == 2);
    for (std::size_t i = 0; i < sent.size() && i < 2; ++i) {
        CHECK(sent[i].verb == Verb::kMulticastFrame && sent[i].to == members[i]);
        CHECK(sent[i].payload.size() >= data.size() && load_be(sent[i].payload.data(), 8) == nwid);
        CHECK(std::equal(data.begin(), data.end(), sent[i].payload.end() - static_cast<std::ptrdiff_t>(data.size())));
    }
    CHECK(s.link.stats().frames_out == 2);

    // The same answer again: those members have the frame already.
    s.vl2.on_ok(Verb::kMulticastGather, root_peer, gather_answer());
    CHECK(s.link.take_sent().empty());

    // A later frame to the group goes straight to the members now known, without waiting.
    CHECK(s.vl2.send_frame(nwid, net->mac(), group.mac, 0x0800, data.data(), data.size()));
    sent = s.link.take_sent();
    CHECK(std::count_if(sent.begin(), sent.end(), [](const Sent& x) { return x.verb == Verb::kMulticastFrame; }) == 2);
}

}  // namespace

int main() {
    const std::pair<const char*, void (*)()> cases[] = {
        {"config_chunks_out_of_order", config_chunks_out_of_order},
        {"credential_refused_then_accepted", credential_refused_then_accepted},
        {"multicast_waits_for_gather", multicast_waits_for_gather},
    };
    int failed = 0;
    for (const auto& c : cases) failed += core_test::run_case(c.first, c.second) ? 0 : 1;
    return failed == 0 ? 0 : 1;
}
