// SPDX-License-Identifier: Apache-2.0
// net::lwip_may_see on IPv6 packets a member could send: router advertisements, redirects and
// Packet Too Big below 1280 are kept from lwIP behind any extension headers; fragments pass only
// for TCP and UDP (lwIP decides what a fragmented packet is after reassembly, from whichever
// fragment came first); neighbor discovery that would take over an address does not pass (anything
// from the virtual router, advertisements naming it, unsolicited advertisements); the rest of
// ICMPv6 passes; packets shorter than their fixed header do not.
//
// Prints "PASS <case>" or "FAIL <case>" per case; exit status 1 if any failed. Built and run by
// tests/c/test_frame_filter.py.
#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

#include "core_test_check.hpp"
#include "net/frame_filter.hpp"

namespace {

using zt::net::lwip_may_see;
using Bytes = std::vector<std::uint8_t>;

constexpr std::uint16_t kIpv6 = 0x86dd;
constexpr std::uint16_t kArp = 0x0806;

using Address = std::array<std::uint8_t, 16>;
const Address kMember{0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01};
const Address kAllNodes{0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01};
const Address kUs{0xfd, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0x99, 0x93, 0, 0, 0, 0, 0x02};
// What net/ipv6_router.cpp makes for a network: fe80:: and a MAC's modified EUI-64.
const Address kRouter{0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x2c, 0x5a, 0x74, 0xff, 0xfe, 0x72, 0x74, 0x6e};

// An IPv6 packet: fixed header (next header `first`), then `rest` (extension headers and the upper
// layer), as a member would send it (hop limit 255; by default from its link-local address to
// all-nodes).
Bytes ipv6(std::uint8_t first, const Bytes& rest, const Address& to = kAllNodes, const Address& from = kMember) {
    Bytes p(40, 0);
    p[0] = 0x60;
    p[4] = static_cast<std::uint8_t>(rest.size() >> 8);
    p[5] = static_cast<std::uint8_t>(rest.size());
    p[6] = first;
    p[7] = 255;
    std::copy(from.begin(), from.end(), p.begin() + 8);
    std::copy(to.begin(), to.end(), p.begin() + 24);
    p.insert(p.end(), rest.begin(), rest.end());
    return p;
}

Bytes icmp6(std::uint8_t type) {
    Bytes m(16, 0);
    m[0] = type;
    return m;
}

Bytes packet_too_big(std::uint32_t mtu) {
    Bytes m = icmp6(2);
    for (int i = 0; i < 4; ++i) m[4 + i] = static_cast<std::uint8_t>(mtu >> (24 - 8 * i));
    m.resize(8 + 48, 0);  // and the start of the packet that was too big
    return m;
}

// A neighbor advertisement (solicited, override) for `target`, with a target link-layer address.
Bytes neighbor_advertisement(const Address& target) {
    Bytes m{136, 0, 0, 0, 0x60, 0, 0, 0};
    m.insert(m.end(), target.begin(), target.end());
    const Bytes option{2, 1, 0x32, 0x11, 0x22, 0x33, 0x44, 0x55};
    m.insert(m.end(), option.begin(), option.end());
    return m;
}

// A neighbor solicitation for `target`, with a source link-layer address.
Bytes neighbor_solicitation(const Address& target) {
    Bytes m = neighbor_advertisement(target);
    m[0] = 135;
    m[4] = 0;
    m[24] = 1;
    return m;
}

// An 8-byte extension header (hop-by-hop, destination options: padding only) before `rest`.
Bytes extension(std::uint8_t next, const Bytes& rest) {
    Bytes h{next, 0, 1, 4, 0, 0, 0, 0};  // PadN of 4 bytes
    h.insert(h.end(), rest.begin(), rest.end());
    return h;
}

Bytes fragment(std::uint8_t next, unsigned offset_units, const Bytes& rest) {
    const unsigned field = offset_units << 3;
    Bytes h{next, 0, static_cast<std::uint8_t>(field >> 8), static_cast<std::uint8_t>(field | 1), 0, 0, 0, 7};
    h.insert(h.end(), rest.begin(), rest.end());
    return h;
}

bool passes(const Bytes& p) { return lwip_may_see(kIpv6, p.data(), p.size(), kRouter.data()); }

void router_advertisements_and_redirects_stop_here() {
    CHECK(!passes(ipv6(58, icmp6(134))));
    CHECK(!passes(ipv6(58, icmp6(137))));
    CHECK(!passes(ipv6(0, extension(58, icmp6(134)))));  // behind hop-by-hop options
    CHECK(!passes(ipv6(0, extension(60, extension(58, icmp6(134))))));  // and destination options
}

void packet_too_big_below_the_minimum_mtu_stops_here() {
    CHECK(!passes(ipv6(58, packet_too_big(50))));  // lwIP's fragmentation would loop forever
    CHECK(!passes(ipv6(58, packet_too_big(1279))));
    CHECK(!passes(ipv6(60, extension(58, packet_too_big(0)))));
    CHECK(passes(ipv6(58, packet_too_big(1280))));
    CHECK(passes(ipv6(58, packet_too_big(0xffffffff))));
    CHECK(passes(ipv6(58, Bytes{2, 0, 0, 0, 0, 0})));  // too short to say: lwIP drops it
}

void fragments_pass_only_for_tcp_and_udp() {
    for (unsigned offset : {0U, 3U}) {
        CHECK(passes(ipv6(44, fragment(17, offset, Bytes(16, 0)))));
        CHECK(passes(ipv6(44, fragment(6, offset, Bytes(16, 0)))));
        // Whatever this piece holds: the reassembled packet is ICMPv6 (or whatever the first piece said).
        CHECK(!passes(ipv6(44, fragment(58, offset, Bytes(16, 0)))));
        CHECK(!passes(ipv6(44, fragment(60, offset, Bytes(16, 0)))));
        CHECK(!passes(ipv6(0, extension(44, fragment(58, offset, icmp6(128))))));
    }
}

void neighbor_discovery_that_would_take_over_an_address_stops_here() {
    // Naming the virtual router: lwIP would send all off-link IPv6 to the member's MAC.
    CHECK(!passes(ipv6(58, neighbor_advertisement(kRouter), kUs)));
    CHECK(!passes(ipv6(0, extension(58, neighbor_advertisement(kRouter)), kUs)));
    // Unsolicited (to a multicast group): naming an address of ours, lwIP would give it up.
    CHECK(!passes(ipv6(58, neighbor_advertisement(kUs))));
    CHECK(!passes(ipv6(58, neighbor_advertisement(kMember))));
    // Anything claiming to come from the router, which never sends onto the network.
    CHECK(!passes(ipv6(58, neighbor_solicitation(kUs), kUs, kRouter)));
    CHECK(!passes(ipv6(58, icmp6(128), kUs, kRouter)));
    CHECK(!passes(ipv6(17, Bytes(8, 0), kUs, kRouter)));
    // What members do send: solicitations, and advertisements answering them (to the asker).
    CHECK(passes(ipv6(58, neighbor_solicitation(kUs))));
    CHECK(passes(ipv6(58, neighbor_advertisement(kMember), kUs)));
    Bytes short_one = ipv6(58, neighbor_advertisement(kRouter), kUs);
    short_one.resize(40 + 20);  // no whole target: lwIP's to drop
    CHECK(passes(short_one));
}

void the_rest_of_icmpv6_passes() {
    for (std::uint8_t type : {128, 129, 133, 135, 143, 1}) CHECK(passes(ipv6(58, icmp6(type))));
    CHECK(passes(ipv6(17, Bytes(8, 0))));  // UDP
    CHECK(passes(ipv6(0, Bytes{58})));  // a truncated extension header: lwIP's to drop
    CHECK(passes(ipv6(58, Bytes{})));  // an ICMPv6 header missing: likewise
}

void short_packets_stop_here() {
    const Bytes whole = ipv6(58, icmp6(128));
    CHECK(!lwip_may_see(kIpv6, whole.data(), 39, kRouter.data()));
    CHECK(lwip_may_see(kIpv6, whole.data(), 40, kRouter.data()));
    const Bytes arp(28, 0);
    CHECK(lwip_may_see(kArp, arp.data(), 28, kRouter.data()));
    CHECK(!lwip_may_see(kArp, arp.data(), 27, kRouter.data()));
}

}  // namespace

int main() {
    bool ok = core_test::run_case("router_advertisements_and_redirects_stop_here",
                                  router_advertisements_and_redirects_stop_here);
    ok &= core_test::run_case("packet_too_big_below_the_minimum_mtu_stops_here",
                              packet_too_big_below_the_minimum_mtu_stops_here);
    ok &= core_test::run_case("fragments_pass_only_for_tcp_and_udp", fragments_pass_only_for_tcp_and_udp);
    ok &= core_test::run_case("neighbor_discovery_that_would_take_over_an_address_stops_here",
                              neighbor_discovery_that_would_take_over_an_address_stops_here);
    ok &= core_test::run_case("the_rest_of_icmpv6_passes", the_rest_of_icmpv6_passes);
    ok &= core_test::run_case("short_packets_stop_here", short_packets_stop_here);
    return ok ? 0 : 1;
}
