// SPDX-License-Identifier: Apache-2.0
// net::lwip_may_see on IPv6 packets a member could send: router advertisements, redirects and
// Packet Too Big below 1280 are kept from lwIP behind any extension headers; fragments pass only
// for TCP and UDP (lwIP decides what a fragmented packet is after reassembly, from whichever
// fragment came first); the rest of ICMPv6 passes; packets shorter than their fixed header do not.
//
// Prints "PASS <case>" or "FAIL <case>" per case; exit status 1 if any failed. Built and run by
// tests/c/test_frame_filter.py.
#include <cstdint>
#include <vector>

#include "core_test_check.hpp"
#include "net/frame_filter.hpp"

namespace {

using zt::net::lwip_may_see;
using Bytes = std::vector<std::uint8_t>;

constexpr std::uint16_t kIpv6 = 0x86dd;
constexpr std::uint16_t kArp = 0x0806;

// An IPv6 packet: fixed header (next header `first`), then `rest` (extension headers and the upper
// layer), as a member would send it (hop limit 255, link-local source, all-nodes destination).
Bytes ipv6(std::uint8_t first, const Bytes& rest) {
    Bytes p(40, 0);
    p[0] = 0x60;
    p[4] = static_cast<std::uint8_t>(rest.size() >> 8);
    p[5] = static_cast<std::uint8_t>(rest.size());
    p[6] = first;
    p[7] = 255;
    p[8] = 0xfe;
    p[9] = 0x80;
    p[23] = 0x01;
    p[24] = 0xff;
    p[25] = 0x02;
    p[39] = 0x01;
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

bool passes(const Bytes& p) { return lwip_may_see(kIpv6, p.data(), p.size()); }

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

void the_rest_of_icmpv6_passes() {
    for (std::uint8_t type : {128, 129, 133, 135, 136, 143, 1}) CHECK(passes(ipv6(58, icmp6(type))));
    CHECK(passes(ipv6(17, Bytes(8, 0))));  // UDP
    CHECK(passes(ipv6(0, Bytes{58})));  // a truncated extension header: lwIP's to drop
    CHECK(passes(ipv6(58, Bytes{})));  // an ICMPv6 header missing: likewise
}

void short_packets_stop_here() {
    const Bytes whole = ipv6(58, icmp6(128));
    CHECK(!lwip_may_see(kIpv6, whole.data(), 39));
    CHECK(lwip_may_see(kIpv6, whole.data(), 40));
    const Bytes arp(28, 0);
    CHECK(lwip_may_see(kArp, arp.data(), 28));
    CHECK(!lwip_may_see(kArp, arp.data(), 27));
}

}  // namespace

int main() {
    bool ok = core_test::run_case("router_advertisements_and_redirects_stop_here",
                                  router_advertisements_and_redirects_stop_here);
    ok &= core_test::run_case("packet_too_big_below_the_minimum_mtu_stops_here",
                              packet_too_big_below_the_minimum_mtu_stops_here);
    ok &= core_test::run_case("fragments_pass_only_for_tcp_and_udp", fragments_pass_only_for_tcp_and_udp);
    ok &= core_test::run_case("the_rest_of_icmpv6_passes", the_rest_of_icmpv6_passes);
    ok &= core_test::run_case("short_packets_stop_here", short_packets_stop_here);
    return ok ? 0 : 1;
}
