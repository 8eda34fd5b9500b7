// SPDX-License-Identifier: Apache-2.0
// Rule evaluation on one frame, with ZeroTier's semantics (Network.cpp _doZtFilter): the match
// state of a set starts true, each MATCH is ANDed (or ORed) into it after applying its NOT bit, an
// ACTION is taken if the set matched, and the state restarts after every action. A MATCH that cannot
// apply to the frame (an IPv4 match on ARP) is false whatever its NOT bit says: the "hard no".
// Nothing here allocates; frames are read only within their length.
#include <algorithm>

#include "zt/credentials.hpp"
#include "zt/crypto.hpp"
#include "zt/ip_numbers.hpp"
#include "zt/rule_table.hpp"
#include "zt/rules.hpp"
#include "zt/vl2_address.hpp"

namespace zt {

namespace {

constexpr std::uint8_t kIpProtoSctp = 132;
constexpr std::uint8_t kIpProtoUdpLite = 136;

// Finds the upper-layer protocol of an IPv6 packet behind the extension headers ZeroTier skips
// (hop-by-hop 0, routing 43, destination options 60, mobility 135). False if a header runs past
// the frame; *pos may equal the length (no upper-layer bytes), callers check what they read.
bool ipv6_upper_layer(const std::uint8_t* p, std::size_t len, std::size_t* pos, unsigned* proto) {
    if (len < kIpv6HeaderLen) return false;
    std::size_t at = kIpv6HeaderLen;
    unsigned next = p[6];
    while (at <= len) {
        switch (next) {
            case 0:
            case 43:
            case 60:
            case 135:
                if (at + 8 > len) return false;
                next = p[at];
                at += static_cast<std::size_t>(p[at + 1]) * 8 + 8;
                break;
            default:
                *pos = at;
                *proto = next;
                return true;
        }
    }
    return false;
}

bool is_port_protocol(unsigned proto) {
    return proto == kIpProtoTcp || proto == kIpProtoUdp || proto == kIpProtoSctp || proto == kIpProtoUdpLite;
}

// ZeroTier compares the top `bits` bits for IPv4 (bits > 32 taken as 32)...
bool ipv4_prefix_contains(const Rule& rule, const std::uint8_t* ip) {
    const std::uint8_t* prefix = rule.value.data() + rule_value::kIpv4Prefix.at;
    const unsigned bits = std::min<unsigned>(prefix[4], 32);
    if (bits == 0) return true;
    const auto net = static_cast<std::uint32_t>(load_be(prefix, 4));
    const auto addr = static_cast<std::uint32_t>(load_be(ip, 4));
    return (net >> (32 - bits)) == (addr >> (32 - bits));
}

// ...but for IPv6 it masks the frame's address and compares it with the rule's address as given,
// so a rule address with host bits set matches nothing.
bool ipv6_prefix_contains(const Rule& rule, const std::uint8_t* ip) {
    const std::uint8_t* prefix = rule.value.data() + rule_value::kIpv6Prefix.at;
    const unsigned bits = std::min<unsigned>(prefix[16], 128);
    for (unsigned i = 0; i < 16; ++i) {
        const unsigned covered = bits > i * 8 ? std::min(bits - i * 8, 8u) : 0;
        const std::uint8_t mask = static_cast<std::uint8_t>(0xff00u >> covered);
        if ((ip[i] & mask) != prefix[i]) return false;
    }
    return true;
}

const std::uint32_t* find_tag(const std::vector<std::pair<std::uint32_t, std::uint32_t>>& tags, std::uint32_t id) {
    for (const auto& t : tags) {
        if (t.first == id) return &t.second;
    }
    return nullptr;
}

// MATCH_RANDOM's coin: a per-thread xorshift generator seeded from the system's random source. Not
// cryptographic; it only samples traffic.
std::uint32_t random32() {
    thread_local std::uint64_t state = 0;
    while (state == 0) crypto::random_bytes(&state, sizeof state);
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return static_cast<std::uint32_t>(state >> 16);
}

// Everything one table's walk keeps between rules.
struct Walk {
    const FrameInfo& frame;
    bool unsupported_match_result;
    bool super_accept = false;  // we are a TEE/REDIRECT target: accept despite addressing checks
    bool skip_drop = false;     // a tag match could not be checked yet: let the next DROP pass
    bool have_characteristics = false;
    std::uint64_t ownership_bits = 0;

    const std::uint8_t* data() const { return frame.payload; }
    std::size_t len() const { return frame.payload != nullptr ? frame.payload_len : 0; }
    bool ipv4() const { return frame.ethertype == kEthertypeIpv4 && len() >= kIpv4HeaderMin; }
    bool ipv6() const { return frame.ethertype == kEthertypeIpv6 && len() >= kIpv6HeaderLen; }
    const std::vector<std::pair<std::uint32_t, std::uint32_t>>& local_tags() const {
        return frame.inbound ? frame.receiver_tags : frame.sender_tags;
    }
    const std::vector<std::pair<std::uint32_t, std::uint32_t>>& remote_tags() const {
        return frame.inbound ? frame.sender_tags : frame.receiver_tags;
    }

    // The SENDER_*_AUTHENTICATED bits: does the sender own the frame's source addresses?
    std::uint64_t ownership() {
        if (have_characteristics) return ownership_bits;
        have_characteristics = true;
        InetAddress source;
        const std::uint8_t* p = data();
        if (ipv4()) {
            source = InetAddress::v4(p + 12, 0);
        } else if (ipv6()) {
            // Neighbor discovery carries no usable source address: a solicitation counts as
            // authenticated (IPv6 would hardly work otherwise), an advertisement by its target.
            const bool ndp = len() >= kIpv6HeaderLen + 8 + 16 && p[6] == kIpProtoIcmpv6 &&
                             (p[kIpv6HeaderLen] == kIcmpv6NeighborSolicitation ||
                              p[kIpv6HeaderLen] == kIcmpv6NeighborAdvertisement);
            if (ndp && p[kIpv6HeaderLen] == kIcmpv6NeighborSolicitation) {
                ownership_bits |= kCharacteristicSenderIpAuthenticated;
            } else if (ndp) {
                source = InetAddress::v6(p + kIpv6HeaderLen + 8, 0);
            } else {
                source = InetAddress::v6(p + 8, 0);
            }
        } else if (frame.ethertype == kEthertypeArp && len() >= 28) {
            source = InetAddress::v4(p + 14, 0);  // the sender protocol address
        }
        if (frame.ownership != nullptr) {
            if (!source.is_nil() && frame.ownership->owns_ip(source)) {
                ownership_bits |= kCharacteristicSenderIpAuthenticated;
            }
            if (frame.ownership->owns_mac(frame.mac_source)) ownership_bits |= kCharacteristicSenderMacAuthenticated;
        }
        return ownership_bits;
    }

    // The characteristics among `wanted` (the rule's mask: only those decide the match). The
    // ownership bits cost a lookup in the sender's certificates and the TCP flags a walk of the
    // headers, so each is looked up only when the rule asks for it: a rule such as "not a SYN" runs
    // on every frame both ways.
    std::uint64_t characteristics(std::uint64_t wanted) {
        std::uint64_t cf = frame.inbound ? kCharacteristicInbound : 0;
        if (mac_is_multicast(frame.mac_dest)) cf |= kCharacteristicMulticast;
        if (frame.mac_dest == kBroadcastMac) cf |= kCharacteristicBroadcast;
        if (wanted & (kCharacteristicSenderIpAuthenticated | kCharacteristicSenderMacAuthenticated)) cf |= ownership();
        if ((wanted & kCharacteristicTcpFlagsMask) == 0) return cf;
        const std::uint8_t* p = data();
        if (ipv4() && p[9] == kIpProtoTcp) {
            const std::size_t header = 4u * (p[0] & 0xf);
            if (header + 14 <= len()) {  // (ZeroTier reads these two bytes without checking)
                cf |= p[header + 13] | (static_cast<std::uint64_t>(p[header + 12] & 0x0f) << 8);
            }
        } else if (frame.ethertype == kEthertypeIpv6) {
            std::size_t pos = 0;
            unsigned proto = 0;
            if (ipv6_upper_layer(p, len(), &pos, &proto) && proto == kIpProtoTcp && len() > pos + 14) {
                cf |= p[pos + 13] | (static_cast<std::uint64_t>(p[pos + 12] & 0x0f) << 8);
            }
        }
        return cf;
    }

    // 1 or 0 as the rule's own test says; `no` and `yes` are the NOT-proof "hard" answers, already
    // inverted so that applying the NOT bit afterwards yields false (or true).
    unsigned match(const Rule& rule, unsigned no, unsigned yes) {
        const std::uint8_t* p = data();
        switch (rule.type()) {
            case RuleType::kMatchSourceZtAddress: return rule.get(rule_value::kZtAddress) == frame.zt_source;
            case RuleType::kMatchDestZtAddress: return rule.get(rule_value::kZtAddress) == frame.zt_dest;
            case RuleType::kMatchVlanId: return rule.get(rule_value::kVlanId) == frame.vlan_id;
            // VLAN priority and DEI are not parsed: frames carry 0.
            case RuleType::kMatchVlanPcp: return rule.get(rule_value::kVlanPcp) == 0;
            case RuleType::kMatchVlanDei: return rule.get(rule_value::kVlanDei) == 0;
            case RuleType::kMatchMacSource: return rule.get(rule_value::kMac) == frame.mac_source;
            case RuleType::kMatchMacDest: return rule.get(rule_value::kMac) == frame.mac_dest;
            case RuleType::kMatchIpv4Source: return ipv4() ? ipv4_prefix_contains(rule, p + 12) : no;
            case RuleType::kMatchIpv4Dest: return ipv4() ? ipv4_prefix_contains(rule, p + 16) : no;
            case RuleType::kMatchIpv6Source: return ipv6() ? ipv6_prefix_contains(rule, p + 8) : no;
            case RuleType::kMatchIpv6Dest: return ipv6() ? ipv6_prefix_contains(rule, p + 24) : no;
            case RuleType::kMatchIpTos: {
                unsigned tos = 0;
                if (ipv4()) tos = p[1];
                else if (ipv6()) tos = ((p[0] << 4) & 0xf0) | ((p[1] >> 4) & 0x0f);  // traffic class
                else return no;
                tos &= static_cast<unsigned>(rule.get(rule_value::kTosMask));
                return tos >= rule.get(rule_value::kTosStart) && tos <= rule.get(rule_value::kTosEnd);
            }
            case RuleType::kMatchIpProtocol: {
                if (ipv4()) return p[9] == rule.get(rule_value::kIpProtocol);
                std::size_t pos = 0;
                unsigned proto = 0;
                if (frame.ethertype == kEthertypeIpv6 && ipv6_upper_layer(p, len(), &pos, &proto)) {
                    return proto == rule.get(rule_value::kIpProtocol);
                }
                return no;
            }
            case RuleType::kMatchEthertype: return rule.get(rule_value::kEthertype) == frame.ethertype;
            case RuleType::kMatchIcmp: return icmp(rule, no, yes);
            case RuleType::kMatchIpSourcePortRange:
            case RuleType::kMatchIpDestPortRange: return port_range(rule, no);
            case RuleType::kMatchCharacteristics: {
                const std::uint64_t wanted = rule.get(rule_value::kCharacteristics);
                return (characteristics(wanted) & wanted) != 0;
            }
            case RuleType::kMatchFrameSizeRange:
                return len() >= rule.get(rule_value::kRangeStart) && len() <= rule.get(rule_value::kRangeEnd);
            case RuleType::kMatchRandom: return random32() <= rule.get(rule_value::kProbability);
            case RuleType::kMatchTagsDifference:
            case RuleType::kMatchTagsBitwiseAnd:
            case RuleType::kMatchTagsBitwiseOr:
            case RuleType::kMatchTagsBitwiseXor:
            case RuleType::kMatchTagsEqual: return tags(rule, no, yes);
            case RuleType::kMatchTagSender:
            case RuleType::kMatchTagReceiver: return tag_of_end(rule, no, yes);
            case RuleType::kMatchIntegerRange: return integer_range(rule);
            default: return unsupported_match_result ? 1 : 0;
        }
    }

    unsigned icmp(const Rule& rule, unsigned no, unsigned yes) {
        const std::uint8_t* p = data();
        std::size_t at = 0;
        if (ipv4()) {
            if (p[9] != kIpProtoIcmp) return no;
            at = 4u * (p[0] & 0xf);
        } else if (frame.ethertype == kEthertypeIpv6) {
            unsigned proto = 0;
            if (!ipv6_upper_layer(p, len(), &at, &proto) || proto != kIpProtoIcmpv6) return no;
        } else {
            return no;
        }
        if (len() < at + 2 || p[at] != rule.get(rule_value::kIcmpType)) return no;
        if ((rule.get(rule_value::kIcmpFlags) & kIcmpCodeGiven) == 0) return yes;
        return p[at + 1] == rule.get(rule_value::kIcmpCode);
    }

    unsigned port_range(const Rule& rule, unsigned no) {
        const std::uint8_t* p = data();
        const bool dest = rule.type() == RuleType::kMatchIpDestPortRange;
        const auto start = static_cast<long>(rule.get(rule_value::kRangeStart));
        const auto end = static_cast<long>(rule.get(rule_value::kRangeEnd));
        long port = -1;
        if (ipv4()) {
            const std::size_t header = 4u * (p[0] & 0xf);
            if (is_port_protocol(p[9]) && len() > header + 4) {
                port = static_cast<long>(load_be(p + header + (dest ? 2 : 0), 2));
            }
            return port >= 0 && port >= start && port <= end;  // not TCP/UDP/...: plain false, NOT applies
        }
        std::size_t pos = 0;
        unsigned proto = 0;
        if (frame.ethertype != kEthertypeIpv6 || !ipv6_upper_layer(p, len(), &pos, &proto)) return no;
        if (is_port_protocol(proto) && len() > pos + 4) {
            port = static_cast<long>(load_be(p + pos + (dest ? 2 : 0), 2));
        }
        return port > 0 && port >= start && port <= end;  // (port 0 never matches over IPv6, as in ZeroTier)
    }

    unsigned tags(const Rule& rule, unsigned no, unsigned yes) {
        const auto id = static_cast<std::uint32_t>(rule.get(rule_value::kTagId));
        const auto want = static_cast<std::uint32_t>(rule.get(rule_value::kTagValue));
        const std::uint32_t* local = find_tag(local_tags(), id);
        if (local == nullptr) return no;
        const std::uint32_t* remote = find_tag(remote_tags(), id);
        if (remote == nullptr) {
            // Inbound is strict. Outbound we may not know the receiver's tags yet (they check on
            // their side), and a TEE/REDIRECT target may not know them either.
            if (frame.inbound && !super_accept) return no;
            skip_drop = true;
            return yes;
        }
        switch (rule.type()) {
            case RuleType::kMatchTagsDifference:
                return (*local > *remote ? *local - *remote : *remote - *local) <= want;
            case RuleType::kMatchTagsBitwiseAnd: return (*local & *remote) == want;
            case RuleType::kMatchTagsBitwiseOr: return (*local | *remote) == want;
            case RuleType::kMatchTagsBitwiseXor: return (*local ^ *remote) == want;
            default: return *local == want && *remote == want;  // TAGS_EQUAL
        }
    }

    unsigned tag_of_end(const Rule& rule, unsigned no, unsigned yes) {
        const auto id = static_cast<std::uint32_t>(rule.get(rule_value::kTagId));
        const auto want = static_cast<std::uint32_t>(rule.get(rule_value::kTagValue));
        if (super_accept) {
            skip_drop = true;
            return yes;
        }
        const bool sender = rule.type() == RuleType::kMatchTagSender;
        if (sender == frame.inbound) {  // the other end's tag
            const std::uint32_t* remote = find_tag(remote_tags(), id);
            if (remote != nullptr) return *remote == want;
            if (sender) return no;
            skip_drop = true;  // an outbound frame's receiver may not have told us its tags yet
            return yes;
        }
        const std::uint32_t* local = find_tag(local_tags(), id);
        return local != nullptr ? (*local == want ? 1 : 0) : no;
    }

    // An integer read from the frame: `bits` = (format & 63) + 1 wide, big-endian unless format bit
    // 7. Big-endian reads the last bytes of the 8-byte window at the index, little-endian the first;
    // a window past the frame reads as 0. The range end is the start plus a 32-bit offset, as
    // ZeroTier keeps it in memory.
    unsigned integer_range(const Rule& rule) {
        const std::uint64_t start = rule.get(rule_value::kIntegerStart);
        const auto span = static_cast<std::uint32_t>(rule.get(rule_value::kIntegerEnd) - start);
        const std::size_t index = rule.get(rule_value::kIntegerIndex);
        const auto format = rule.get(rule_value::kIntegerFormat);
        const unsigned bits = static_cast<unsigned>(format & kIntegerBitsMask) + 1;
        const unsigned bytes = (bits + 7) / 8;
        const std::uint8_t* p = data();
        std::uint64_t v = 0;
        if ((format & kIntegerLittleEndian) == 0) {
            const std::size_t at = index + (8 - bytes);
            if (at + bytes <= len()) v = load_be(p + at, bytes);
            v &= ~0ULL >> (64 - bits);
        } else {
            if (index + bytes <= len()) {
                for (std::size_t i = 0; i < bytes; ++i) v = (v >> 8) | (static_cast<std::uint64_t>(p[index + i]) << 56);
            }
            v >>= (64 - bits);
        }
        return v >= start && v <= start + span;
    }
};

}  // namespace

FilterResult evaluate_rules(const std::vector<Rule>& rules, const FrameInfo& frame, bool unsupported_match_result) {
    FilterResult result;
    if (rules_are_accept_all(rules)) {  // the default rule set: nothing to look at
        result.verdict = FilterResult::Verdict::kAccept;
        return result;
    }
    Walk walk{frame, unsupported_match_result};
    const std::uint64_t self = frame.self();
    unsigned set_matches = 1;
    for (const Rule& rule : rules) {
        const RuleType type = rule.type();
        if (rule.is_action()) {
            if (set_matches == 0) {
                // Not taken; but a frame addressed to us by a TEE/REDIRECT is super-accepted if
                // anything accepts it.
                const bool forwards = type == RuleType::kActionTee || type == RuleType::kActionWatch ||
                                      type == RuleType::kActionRedirect;
                if (frame.inbound && forwards && (rule.get(rule_value::kForwardAddress) & kAddressMask) == self) {
                    walk.super_accept = true;
                }
                set_matches = 1;
                continue;
            }
            switch (type) {
                case RuleType::kActionDrop:
                    if (walk.skip_drop) {
                        walk.skip_drop = false;
                        continue;
                    }
                    result.verdict = FilterResult::Verdict::kDrop;
                    return result;
                case RuleType::kActionAccept:
                    result.verdict =
                        walk.super_accept ? FilterResult::Verdict::kSuperAccept : FilterResult::Verdict::kAccept;
                    return result;
                case RuleType::kActionPriority:
                    // The bucket is not on the wire (length 0), so it reads as 0.
                    result.qos_bucket = rule.len > 0 && rule.value[0] <= 8 ? rule.value[0] : 0;
                    result.verdict = FilterResult::Verdict::kAccept;
                    return result;
                case RuleType::kActionBreak: result.verdict = FilterResult::Verdict::kNoMatch; return result;
                case RuleType::kActionTee:
                case RuleType::kActionWatch:
                case RuleType::kActionRedirect: {
                    const std::uint64_t target = rule.get(rule_value::kForwardAddress) & kAddressMask;
                    if (target == frame.zt_source || target == frame.zt_dest) {
                        // A copy to an end of the frame is pointless; inbound, we are the target.
                        if (frame.inbound && target == self && target != frame.zt_source) {
                            result.verdict = FilterResult::Verdict::kSuperAccept;
                            return result;
                        }
                        continue;
                    }
                    if (type == RuleType::kActionRedirect) {
                        result.redirect_to = target;
                        result.verdict = FilterResult::Verdict::kAccept;
                        return result;
                    }
                    const auto limit = static_cast<std::uint32_t>(rule.get(rule_value::kForwardLength));
                    const auto whole = static_cast<std::uint32_t>(walk.len());
                    result.tee_to = target;
                    result.tee_length = limit != 0 && limit < whole ? limit : whole;
                    result.watch = type == RuleType::kActionWatch;
                    continue;
                }
                default: continue;  // actions we do not know are no-ops
            }
        }
        // A false AND set stays false: skip its remaining ANDed matches.
        const bool ored = rule.ored();
        if (set_matches == 0 && !ored) continue;
        const unsigned not_bit = rule.negated() ? 1 : 0;
        const unsigned matched = walk.match(rule, not_bit, not_bit ^ 1) ^ not_bit;
        set_matches = ored ? (set_matches | matched) : (set_matches & matched);
    }
    result.verdict = FilterResult::Verdict::kNoMatch;
    return result;
}

FilterResult filter_frame(const std::vector<Rule>& network_rules, const Capability* capabilities,
                          std::size_t capability_count, const FrameInfo& frame, bool unsupported_match_result) {
    FilterResult result = evaluate_rules(network_rules, frame, unsupported_match_result);
    if (result.verdict != FilterResult::Verdict::kNoMatch) return result;
    for (std::size_t i = 0; i < capability_count; ++i) {
        const FilterResult c = evaluate_rules(capabilities[i].rules, frame, unsupported_match_result);
        if (c.verdict != FilterResult::Verdict::kAccept && c.verdict != FilterResult::Verdict::kSuperAccept) continue;
        // The network table's TEE (taken before it ran out) still applies; so does this one's.
        result.verdict = frame.inbound ? c.verdict : FilterResult::Verdict::kAccept;
        result.redirect_to = c.redirect_to;
        result.qos_bucket = c.qos_bucket;
        result.capability = static_cast<int>(i);
        result.capability_tee_to = c.tee_to;
        result.capability_tee_length = c.tee_length;
        result.capability_watch = c.watch;
        return result;
    }
    result.verdict = FilterResult::Verdict::kDrop;
    return result;
}

}  // namespace zt
