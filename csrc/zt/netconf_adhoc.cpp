// SPDX-License-Identifier: Apache-2.0
// Configs of ad-hoc networks, which have no controller: every member derives the same config from
// the network ID (ZeroTier's Network::requestConfiguration does the same for IDs starting 0xff).
#include <cstdio>

#include "zt/ip_numbers.hpp"
#include "zt/netconf.hpp"
#include "zt/rule_table.hpp"
#include "zt/vl2_address.hpp"

namespace zt {

namespace {

constexpr std::uint64_t kAdhocCredentialTimeMaxDelta = 2 * 60 * 60 * 1000;  // 2 h: the largest allowed
constexpr std::uint32_t kAdhocIpv4MulticastLimit = 1024;
constexpr std::uint64_t kTcpSyn = 0x02;
constexpr std::uint64_t kTcpAck = 0x10;

// A rule with its NOT/OR `bits` and up to two of its values set (where the rule table puts them).
Rule rule(RuleType type, std::uint8_t bits = 0, ValueField field = {}, std::uint64_t value = 0,
          ValueField second = {}, std::uint64_t second_value = 0) {
    Rule r;
    r.t = static_cast<std::uint8_t>(static_cast<std::uint8_t>(type) | bits);
    r.len = static_cast<std::uint8_t>(rule_value_length(type));
    r.set(field, value);
    r.set(second, second_value);
    return r;
}

// Fields every ad-hoc config shares.
NetworkConfig base(std::uint64_t network_id, std::uint64_t my_address, std::uint64_t now) {
    NetworkConfig nc;
    nc.network_id = network_id;
    nc.timestamp = now;
    nc.credential_time_max_delta = kAdhocCredentialTimeMaxDelta;
    nc.revision = 1;
    nc.issued_to = my_address;
    nc.flags = kNetconfFlagNdpEmulation;
    nc.mtu = kNetworkDefaultMtu;
    nc.type = NetworkConfig::Type::kPublic;
    const InetAddress sixplane = sixplane_address(network_id, my_address);
    nc.static_ips.push_back({InetAddress::v6(sixplane.ip, 0), sixplane.port});
    return nc;
}

// "ffSSSSEEEE000000": IPv6 only, ICMPv6, TCP/UDP to ports SSSS..EEEE, and replies.
NetworkConfig port_range_config(std::uint64_t network_id, std::uint64_t my_address, std::uint64_t now,
                                std::uint16_t start, std::uint16_t end) {
    NetworkConfig nc = base(network_id, my_address, now);
    nc.multicast_limit = 0;
    nc.rules = {
        // Drop everything but IPv6.
        rule(RuleType::kMatchEthertype, kRuleNot, rule_value::kEthertype, kEthertypeIpv6),
        rule(RuleType::kActionDrop),
        // Accept ICMPv6.
        rule(RuleType::kMatchIpProtocol, 0, rule_value::kIpProtocol, kIpProtoIcmpv6),
        rule(RuleType::kActionAccept),
        // Accept UDP or TCP to the port range.
        rule(RuleType::kMatchIpProtocol, 0, rule_value::kIpProtocol, kIpProtoUdp),
        rule(RuleType::kMatchIpProtocol, kRuleOr, rule_value::kIpProtocol, kIpProtoTcp),
        rule(RuleType::kMatchIpDestPortRange, 0, rule_value::kRangeStart, start, rule_value::kRangeEnd, end),
        rule(RuleType::kActionAccept),
        // Accept TCP that opens nothing...
        rule(RuleType::kMatchCharacteristics, kRuleNot, rule_value::kCharacteristics, kTcpSyn),
        rule(RuleType::kActionAccept),
        // ...and SYN+ACK: replies to our SYNs.
        rule(RuleType::kMatchCharacteristics, 0, rule_value::kCharacteristics, kTcpSyn),
        rule(RuleType::kMatchCharacteristics, 0, rule_value::kCharacteristics, kTcpAck),
        rule(RuleType::kActionAccept),
        rule(RuleType::kActionDrop),
    };
    char name[32];
    std::snprintf(name, sizeof name, "adhoc-%04x-%04x", start, end);
    nc.name = name;
    return nc;
}

// "ffAAhhhhhhhhhh01": IPv4 AA.x.y.z/8 from the last three bytes of our address, everything accepted,
// hhhhhhhhhh (if not 0) listed as a plain specialist, the network's multicast hub.
NetworkConfig ipv4_config(std::uint64_t network_id, std::uint64_t my_address, std::uint64_t now) {
    NetworkConfig nc = base(network_id, my_address, now);
    nc.multicast_limit = kAdhocIpv4MulticastLimit;
    const std::uint64_t hub = (network_id >> 8) & kAddressMask;
    if (hub != 0) nc.specialists.push_back(hub);
    const std::uint8_t ip[4] = {static_cast<std::uint8_t>(network_id >> 48),
                                static_cast<std::uint8_t>(my_address >> 16),
                                static_cast<std::uint8_t>(my_address >> 8), static_cast<std::uint8_t>(my_address)};
    nc.static_ips.push_back({InetAddress::v4(ip, 0), 8});
    nc.rules = {rule(RuleType::kActionAccept)};
    nc.name = "adhoc-" + std::to_string(ip[0]) + ".0.0.0";
    return nc;
}

}  // namespace

bool adhoc_network_config(std::uint64_t network_id, std::uint64_t my_address, std::uint64_t now, NetworkConfig* out) {
    if (!is_adhoc_network(network_id)) return false;
    my_address &= kAddressMask;
    if ((network_id & 0xffffff) == 0) {
        const auto start = static_cast<std::uint16_t>(network_id >> 40);
        const auto end = static_cast<std::uint16_t>(network_id >> 24);
        if (end < start) return false;
        *out = port_range_config(network_id, my_address, now, start, end);
        return true;
    }
    if ((network_id & 0xff) == 0x01) {
        *out = ipv4_config(network_id, my_address, now);
        return true;
    }
    return false;
}

}  // namespace zt
