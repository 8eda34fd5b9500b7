// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: a root's intake. The node under test is the planet's only root, so it relays
// for anyone and introduces peers that talk through it (RENDEZVOUS); A and B are two peers of it.
// Inputs are records as node_records.hpp describes: HELLOs give A and B paths, packets from one to
// the other (bit 6 of the kind byte) are what a root forwards, and its answers to both sides and
// its records of whom it introduced must hold whatever they send. Action N moves the clock N
// minutes on and runs the timers, so introductions and paths age out between records too.
// A fresh root per input (fuzz::Run).
#include <cstdint>

#include "node_records.hpp"

namespace {

fuzz::Cast& cast() {
    static fuzz::Cast c = [] {
        fuzz::Cast made(fuzz::kIdentity2, fuzz::kIdentity5, "127.0.0.2/20000", fuzz::kIdentity4, "127.0.0.3/30000");
        zt::InetAddress root_at;
        zt::InetAddress::from_string("127.0.0.1/9993", &root_at);
        made.planet.roots.push_back({made.self.public_only(), {root_at}});
        return made;
    }();
    return c;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const fuzz::Cast& c = cast();
    fuzz::Run run(c);
    // Known already (their identities checked once, not per input: that check is what costs).
    run.node().topology().add(c.a.id, run.now());
    run.node().topology().add(c.b.id, run.now());
    run.node().process_background(run.now());

    const auto action = [](zt::Node& n, std::int64_t& t, unsigned which, const std::uint8_t*, std::size_t) {
        t += 60'000 * which;
        n.process_background(t);
    };
    run.play(data, size, action);
    return 0;
}
