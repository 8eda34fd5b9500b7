// SPDX-License-Identifier: Apache-2.0
// net::lwip_may_see on IPv6 packets a member could send: router advertisements, redirects and
// Packet Too Big below 1280 are kept from lwIP behind any extension headers; fragments pass only
// for TCP and UDP (lwIP decides what a fragmented packet is after reassembly, from whichever
// fragment came first); neighbor discovery that would take over an address does not pass (anything
// from the virtual router, advertisements naming it, unsolicited advertisements, a link-layer
// address for a member's 6PLANE or RFC 4193 address that is not that member's, a link-layer option
// of length 0); the rest of ICMPv6 passes; packets shorter than their fixed header do not.
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
// An RFC 4193 address of another member, and that member's MAC (what NetworkFacts::owner_mac says).
const Address kNamed{0xfd, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0x99, 0x93, 0, 0, 0, 0, 0x07};
constexpr std::uint64_t kNamedMac = 0x3211223344aaULL;
constexpr std::uint64_t kOtherMac = 0x321122334455ULL;

const zt::net::NetworkFacts& facts() {
    static const zt::net::NetworkFacts f = [] {
        zt::net::NetworkFacts made;
        std::copy(kRouter.begin(), kRouter.end(), made.virtual_router);
        made.owner_mac = [](const std::uint8_t* ip6) {
            return std::equal(kNamed.begin(), kNamed.end(), ip6) ? kNamedMac : std::uint64_t{0};
        };
        return made;
    }();
    return f;
}

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

// A neighbor advertisement (solicited, override) for `target`, with a target link-layer address
// option (of `units` 8-byte units, as its length field says).
Bytes neighbor_advertisement(const Address& target, std::uint64_t mac = kOtherMac, std::uint8_t units = 1) {
    Bytes m{136, 0, 0, 0, 0x60, 0, 0, 0};
    m.insert(m.end(), target.begin(), target.end());
    m.push_back(2);
    m.push_back(units);
    for (int i = 5; i >= 0; --i) m.push_back(static_cast<std::uint8_t>(mac >> (8 * i)));
    return m;
}

// A neighbor solicitation for `target`, with a source link-layer address option.
Bytes neighbor_solicitation(const Address& target, std::uint64_t mac = kOtherMac, std::uint8_t units = 1) {
    Bytes m = neighbor_advertisement(target, mac, units);
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

bool passes(const Bytes& p) { return lwip_may_see(kIpv6, p.data(), p.size(), facts()); }

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
    // A link-layer address for a member's RFC 4193 address: that member's, or dropped.
    CHECK(passes(ipv6(58, neighbor_advertisement(kNamed, kNamedMac), kUs)));
    CHECK(!passes(ipv6(58, neighbor_advertisement(kNamed, kOtherMac), kUs)));
    CHECK(passes(ipv6(58, neighbor_solicitation(kUs, kNamedMac), kUs, kNamed)));
    CHECK(!passes(ipv6(58, neighbor_solicitation(kUs, kOtherMac), kUs, kNamed)));
    // An option of length 0 (lwIP would read six bytes past it), even when the frame goes on.
    CHECK(!passes(ipv6(58, neighbor_solicitation(kUs, kOtherMac, 0))));
    CHECK(!passes(ipv6(58, neighbor_advertisement(kMember, kOtherMac, 0), kUs)));
    Bytes two_bytes_of_option = ipv6(58, neighbor_solicitation(kUs, kOtherMac, 0));
    two_bytes_of_option.resize(40 + 26);
    two_bytes_of_option[5] = 26;
    CHECK(!passes(two_bytes_of_option));
    // Behind extension headers too (the option's place counts from the ICMPv6 header).
    CHECK(!passes(ipv6(0, extension(58, neighbor_solicitation(kUs, kOtherMac)), kUs, kNamed)));
    CHECK(!passes(ipv6(60, extension(58, neighbor_advertisement(kNamed, kOtherMac)), kUs)));
    CHECK(passes(ipv6(60, extension(58, neighbor_advertisement(kNamed, kNamedMac)), kUs)));
    // Padding after the IPv6 payload is no option: lwIP reads up to the payload's length.
    Bytes padded = ipv6(58, neighbor_solicitation(kUs, kOtherMac, 0));
    padded[5] = 24;
    CHECK(passes(padded));
    Bytes wrong_mac_in_padding = ipv6(58, neighbor_solicitation(kUs, kOtherMac), kUs, kNamed);
    wrong_mac_in_padding[5] = 24;
    CHECK(passes(wrong_mac_in_padding));
    // A payload length beyond the frame: read no further than the frame (lwIP drops it).
    Bytes overlong = ipv6(58, neighbor_solicitation(kUs, kOtherMac), kUs, kNamed);
    overlong[4] = 0x10;
    CHECK(!passes(overlong));
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
    CHECK(!lwip_may_see(kIpv6, whole.data(), 39, facts()));
    CHECK(lwip_may_see(kIpv6, whole.data(), 40, facts()));
    const Bytes arp(28, 0);
    CHECK(lwip_may_see(kArp, arp.data(), 28, facts()));
    CHECK(!lwip_may_see(kArp, arp.data(), 27, facts()));
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
