// SPDX-License-Identifier: Apache-2.0
// Vl2 (vl2.hpp): unicast Ethernet frames out (FRAME, EXT_FRAME for bridges) and in, with the
// membership gate and the rules, and NDP emulation on 6PLANE/RFC4193 networks.
#include <cstring>

#include "zt/ip_numbers.hpp"
#include "zt/vl2.hpp"

namespace zt {

namespace {

constexpr std::size_t kMaxFramePayload = kMaxPacketLen - kIdxPayload - 64;  // room for any verb's header

}  // namespace

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
    if (ethertype != kEthertypeIpv6 || len < kIpv6HeaderLen + 8 + 16 || !net.config().ndp_emulation()) return false;
    if (data[6] != kIpProtoIcmpv6 || data[kIpv6HeaderLen] != kIcmpv6NeighborSolicitation) return false;
    const std::uint8_t* target = data + kIpv6HeaderLen + 8;
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
    adv[6] = kIpProtoIcmpv6;
    adv[7] = 255;  // hop limit
    std::memcpy(adv + 8, target, 16);
    std::memcpy(adv + 24, mine, 16);
    adv[40] = kIcmpv6NeighborAdvertisement;
    adv[44] = 0x60;  // solicited | override
    std::memcpy(adv + 48, target, 16);
    adv[64] = 2;  // target link-layer address option
    adv[65] = 1;
    store_be(adv + 66, member_mac, 6);
    std::uint32_t sum = 0;
    for (std::size_t i = 8; i < 40; i += 2) sum += load_be(adv + i, 2);  // pseudo-header addresses
    sum += 32 + kIpProtoIcmpv6;                                                          // length, next header
    for (std::size_t i = 40; i < 72; i += 2) sum += load_be(adv + i, 2);
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    store_be(adv + 42, static_cast<std::uint16_t>(~sum), 2);
    ++stats().frames_in;
    host_.on_frame(net.id(), member_mac, src_mac, kEthertypeIpv6, adv, sizeof adv);
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

}  // namespace zt
