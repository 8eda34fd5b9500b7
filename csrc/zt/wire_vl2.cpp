// SPDX-License-Identifier: Apache-2.0
// VL2 verb payloads as VL1 sees them (vl1.md sections 5.7, 5.9, 5.11): frames, multicast
// subscriptions and gathers, network config requests and config chunks. Offsets returned point
// into the packet, so callers read frame data and dictionaries in place.
#include "zt/wire.hpp"
#include "zt/wire_reader.hpp"

namespace zt::wire {

using detail::payload_of;
using detail::payload_reader;
using detail::read_mac;
using detail::reject;
using detail::skip_certificate_of_membership;

namespace {

constexpr std::uint8_t kFlagComAttached = 0x01;     // EXT_FRAME, MULTICAST_GATHER, MULTICAST_FRAME
constexpr std::uint8_t kFlagGatherLimit = 0x02;     // MULTICAST_FRAME
constexpr std::uint8_t kFlagSourceMac = 0x04;       // MULTICAST_FRAME
constexpr std::uint8_t kFlagGatherResults = 0x02;   // OK(MULTICAST_FRAME)
constexpr std::uint8_t kSignatureTypeC25519 = 1;    // config chunk trailer
constexpr std::size_t kMulticastSubscriptionLen = 8 + 6 + 4;

std::size_t packet_offset(const Reader& r) { return kIdxPayload + r.pos(); }

}  // namespace

bool parse_frame(const Packet& p, Frame* out, const char** why) {
    if (!payload_of(p, Verb::kFrame, "FRAME: not a FRAME packet", why)) return false;
    Reader r = payload_reader(p);
    Frame f;
    f.network_id = r.u64();
    f.ethertype = r.u16();
    if (!r.ok()) return reject(why, "FRAME: truncated before the Ethernet payload");
    f.payload_offset = packet_offset(r);
    f.payload_len = r.remaining();
    *out = f;
    return true;
}

bool parse_ext_frame(const Packet& p, ExtFrame* out, const char** why) {
    if (!payload_of(p, Verb::kExtFrame, "EXT_FRAME: not an EXT_FRAME packet", why)) return false;
    Reader r = payload_reader(p);
    ExtFrame f;
    f.network_id = r.u64();
    f.flags = r.u8();
    if (!r.ok()) return reject(why, "EXT_FRAME: truncated before the flags");
    if ((f.flags & kFlagComAttached) != 0) {
        f.com_offset = packet_offset(r);
        if (!skip_certificate_of_membership(r, why)) return false;
        f.com_len = packet_offset(r) - f.com_offset;
    }
    f.to_mac = read_mac(r);
    f.from_mac = read_mac(r);
    f.ethertype = r.u16();
    if (!r.ok()) return reject(why, "EXT_FRAME: truncated before the Ethernet payload");
    f.payload_offset = packet_offset(r);
    f.payload_len = r.remaining();
    *out = f;
    return true;
}

bool parse_multicast_like(const Packet& p, std::vector<MulticastSubscription>* out, const char** why) {
    if (!payload_of(p, Verb::kMulticastLike, "MULTICAST_LIKE: not a MULTICAST_LIKE packet", why)) return false;
    if (p.payload_size() == 0) return reject(why, "MULTICAST_LIKE: no subscription");
    if (p.payload_size() % kMulticastSubscriptionLen != 0) {
        return reject(why, "MULTICAST_LIKE: payload is not a whole number of 18-byte subscriptions");
    }
    Reader r = payload_reader(p);
    std::vector<MulticastSubscription> subs;
    while (r.remaining() > 0) {
        MulticastSubscription s;
        s.network_id = r.u64();
        s.mac = read_mac(r);
        s.adi = r.u32();
        subs.push_back(s);
    }
    *out = std::move(subs);
    return true;
}

bool parse_multicast_gather(const Packet& p, MulticastGather* out, const char** why) {
    if (!payload_of(p, Verb::kMulticastGather, "MULTICAST_GATHER: not a MULTICAST_GATHER packet", why)) return false;
    Reader r = payload_reader(p);
    MulticastGather g;
    g.network_id = r.u64();
    g.flags = r.u8();
    g.mac = read_mac(r);
    g.adi = r.u32();
    g.limit = r.u32();
    if (!r.ok()) return reject(why, "MULTICAST_GATHER: truncated");
    if ((g.flags & kFlagComAttached) != 0 && !skip_certificate_of_membership(r, why)) return false;
    *out = g;
    return true;
}

bool parse_ok_multicast_gather(const Packet& p, OkMulticastGather* out, const char** why) {
    ReplyHeader h;
    if (!parse_reply_header(p, &h, why)) return false;
    if (p.verb() != Verb::kOk || h.in_re_verb != Verb::kMulticastGather) {
        return reject(why, "OK(MULTICAST_GATHER): not an OK in re MULTICAST_GATHER");
    }
    Reader r(p.payload() + kReplyBodyOffset, p.payload_size() - kReplyBodyOffset);
    OkMulticastGather g;
    g.network_id = r.u64();
    g.mac = read_mac(r);
    g.adi = r.u32();
    g.total_known = r.u32();
    const unsigned count = r.u16();
    if (!r.ok()) return reject(why, "OK(MULTICAST_GATHER): truncated");
    if (r.remaining() / kAddressLen < count) return reject(why, "OK(MULTICAST_GATHER): fewer members than counted");
    for (unsigned i = 0; i < count; ++i) g.members.push_back(r.u40());
    *out = std::move(g);
    return true;
}

bool parse_ok_multicast_frame(const Packet& p, OkMulticastFrame* out, const char** why) {
    ReplyHeader h;
    if (!parse_reply_header(p, &h, why)) return false;
    if (p.verb() != Verb::kOk || h.in_re_verb != Verb::kMulticastFrame) {
        return reject(why, "OK(MULTICAST_FRAME): not an OK in re MULTICAST_FRAME");
    }
    Reader r(p.payload() + kReplyBodyOffset, p.payload_size() - kReplyBodyOffset);
    OkMulticastFrame f;
    f.network_id = r.u64();
    f.mac = read_mac(r);
    f.adi = r.u32();
    f.flags = r.u8();
    if (!r.ok()) return reject(why, "OK(MULTICAST_FRAME): truncated");
    if ((f.flags & kFlagComAttached) != 0 && !skip_certificate_of_membership(r, why)) return false;
    if ((f.flags & kFlagGatherResults) != 0) {
        f.total_known = r.u32();
        const unsigned count = r.u16();
        if (!r.ok()) return reject(why, "OK(MULTICAST_FRAME): truncated gather results");
        if (r.remaining() / kAddressLen < count) return reject(why, "OK(MULTICAST_FRAME): fewer members than counted");
        for (unsigned i = 0; i < count; ++i) f.members.push_back(r.u40());
    }
    *out = std::move(f);
    return true;
}

bool parse_multicast_frame(const Packet& p, MulticastFrame* out, const char** why) {
    if (!payload_of(p, Verb::kMulticastFrame, "MULTICAST_FRAME: not a MULTICAST_FRAME packet", why)) return false;
    Reader r = payload_reader(p);
    MulticastFrame f;
    f.network_id = r.u64();
    f.flags = r.u8();
    if (!r.ok()) return reject(why, "MULTICAST_FRAME: truncated before the flags");
    if ((f.flags & kFlagComAttached) != 0 && !skip_certificate_of_membership(r, why)) return false;
    if ((f.flags & kFlagGatherLimit) != 0) f.gather_limit = r.u32();
    if ((f.flags & kFlagSourceMac) != 0) f.source_mac = read_mac(r);
    f.dest_mac = read_mac(r);
    f.adi = r.u32();
    f.ethertype = r.u16();
    if (!r.ok()) return reject(why, "MULTICAST_FRAME: truncated before the Ethernet payload");
    f.payload_offset = packet_offset(r);
    f.payload_len = r.remaining();
    *out = f;
    return true;
}

bool parse_network_config_request(const Packet& p, NetworkConfigRequest* out, const char** why) {
    if (!payload_of(p, Verb::kNetworkConfigRequest, "NETWORK_CONFIG_REQUEST: not a NETWORK_CONFIG_REQUEST packet",
                    why)) {
        return false;
    }
    Reader r = payload_reader(p);
    NetworkConfigRequest q;
    q.network_id = r.u64();
    if (!r.ok()) return reject(why, "NETWORK_CONFIG_REQUEST: missing network ID");
    // The metadata and the current revision are optional, but whole when present.
    if (r.remaining() > 0) {
        q.metadata_len = r.u16();
        q.metadata_offset = packet_offset(r);
        if (!r.skip(q.metadata_len)) return reject(why, "NETWORK_CONFIG_REQUEST: metadata longer than the packet");
    }
    if (r.remaining() > 0) {
        q.revision = r.u64();
        q.timestamp = r.u64();
        if (!r.ok()) return reject(why, "NETWORK_CONFIG_REQUEST: truncated revision and timestamp");
    }
    *out = q;
    return true;
}

bool parse_network_config_chunk(const Packet& p, std::size_t at, NetworkConfigChunk* out, const char** why) {
    if (p.size() < kMinPacketLen) return reject(why, "packet: shorter than the 28-byte header");
    if (p.compressed()) return reject(why, "packet: payload still compressed (decompress first)");
    if (at < kIdxPayload || at > p.size()) return reject(why, "config chunk: starts outside the payload");
    Reader r(p.data() + at, p.size() - at);
    NetworkConfigChunk c;
    c.network_id = r.u64();
    c.data_len = r.u16();
    c.data_offset = at + r.pos();
    if (!r.ok() || !r.skip(c.data_len)) return reject(why, "config chunk: truncated dictionary data");
    if (r.remaining() > 0) {  // legacy controllers stop here
        c.has_trailer = true;
        c.flags = r.u8();
        c.update_id = r.u64();
        c.total_length = r.u32();
        c.chunk_index = r.u32();
        const std::uint8_t signature_type = r.u8();
        const std::uint16_t signature_len = r.u16();
        c.signature_offset = at + r.pos();
        if (!r.skip(kSignatureLen)) return reject(why, "config chunk: truncated trailer or signature");
        if (signature_type != kSignatureTypeC25519 || signature_len != kSignatureLen) {
            return reject(why, "config chunk: signature is not a 96-byte C25519 signature");
        }
        if (static_cast<std::uint64_t>(c.chunk_index) + c.data_len > c.total_length) {
            return reject(why, "config chunk: chunk extends past the total length");
        }
    }
    *out = c;
    return true;
}

}  // namespace zt::wire
