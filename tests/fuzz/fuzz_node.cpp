// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: a whole node's intake (zt::Node::process_datagram and the verb handlers behind
// it, VL1 and VL2), with a host that swallows what the node sends. Inputs are records as
// node_records.hpp describes; here A is a peer P and B our root R (which may say more: OK(WHOIS),
// RENDEZVOUS, world updates, and it controls network kControlled). The node is also a controller,
// so P's config requests for kOwn reach the controller side. Actions:
//   1 = join an ad-hoc network (IPv4 28.0.0.0/8, public, every frame accepted, multicast to up to
//       1024 members: P's frames, LIKEs and gathers reach the handlers of a joined network);
//   2 = join a network R controls (the node asks R for its config: R's answers, pushed configs
//       and credentials are then taken apart);
//   3 = with no argument, leave both; else subscribe each joined network to the group the
//       argument's first 10 bytes name (MAC, ADI, big-endian as on the wire) and send the rest to
//       that MAC as an IPv4 frame (gathers, multicasts, the rules on the way out).
// A fresh node per input (fuzz::Run).
#include <cstdint>

#include "node_records.hpp"
#include "zt/vl2_address.hpp"

namespace {

fuzz::Cast& cast() {
    static fuzz::Cast c = [] {
        fuzz::Cast made(fuzz::kIdentity4, fuzz::kIdentity5, "127.0.0.2/20000", fuzz::kIdentity2, "127.0.0.1/9993");
        made.planet.roots.push_back({made.b.id.public_only(), {made.b.at}});
        return made;
    }();
    return c;
}

void subscribe_and_send(zt::Node& node, std::int64_t now, const std::uint8_t* arg, std::size_t len) {
    zt::MulticastGroup group;
    if (len >= 10) {
        group.mac = zt::load_be(arg, 6);
        group.adi = static_cast<std::uint32_t>(zt::load_be(arg + 6, 4));
        arg += 10;
        len -= 10;
    } else {
        group.mac = 0xffffffffffffULL;
    }
    for (std::uint64_t id : node.network_ids()) {
        node.multicast_subscribe(now, id, group);
        zt::Network* net = node.network(id);
        if (net == nullptr) continue;
        node.send_frame(now, id, net->mac(), group.mac, 0x0800, arg, len);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::Cast& c = cast();
    const std::uint64_t adhoc = 0xff1c000000000001ULL;  // "ffAAhhhhhhhhhh01": AA = 28, no hub
    const std::uint64_t controlled = (c.b.id.address() << 24) | 0x000042;
    fuzz::Run run(c);
    run.node().set_controller(true);
    run.node().topology().add(c.a.id, run.now());
    run.node().process_background(run.now());

    const auto action = [&](zt::Node& n, std::int64_t& t, unsigned which, const std::uint8_t* arg, std::size_t len) {
        if (which == 1) {
            n.join(t, adhoc);
        } else if (which == 2) {
            n.join(t, controlled);
        } else if (len == 0) {
            n.leave(t, adhoc);
            n.leave(t, controlled);
        } else {
            subscribe_and_send(n, t, arg, len);
        }
    };
    run.play(data, size, action);
    return 0;
}
