// SPDX-License-Identifier: Apache-2.0
#include "net/netif.hpp"

#include "net/lwip.hpp"

#include <cstring>

#include "net/frame_filter.hpp"
#include "net/ipv6_router.hpp"
#include "net/multicast_interface.hpp"
#include "net/time_wait_reopen.hpp"
#include "osdep/clock.hpp"
#include "zt/bytes.hpp"
#include "zt/ip_numbers.hpp"
#include "zt/vl2_address.hpp"

namespace zt::net {

namespace {

constexpr std::uint64_t kAllNodesMac = 0x333300000001ULL;  // ff02::1
constexpr char kNetifName[2] = {'z', 't'};  // what lwIP's netif_find and debug output call ours
}  // namespace

bool is_virtual_netif(const struct netif* n) { return n->name[0] == kNetifName[0] && n->name[1] == kNetifName[1]; }

struct NetifCallbacks {
    static VirtualNetif* self(struct netif* n) { return static_cast<VirtualNetif*>(n->state); }

    static err_t init(struct netif* n) {
        VirtualNetif* v = self(n);
        n->name[0] = kNetifName[0];
        n->name[1] = kNetifName[1];
        n->hwaddr_len = 6;
        store_be(n->hwaddr, v->mac_, 6);
        n->mtu = kNetworkDefaultMtu;
        n->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET | NETIF_FLAG_IGMP | NETIF_FLAG_MLD6;
        n->output = etharp_output;
        n->output_ip6 = ethip6_output;
        n->linkoutput = linkoutput;
        n->igmp_mac_filter = igmp_filter;
        n->mld_mac_filter = mld_filter;
        return ERR_OK;
    }

    // lwIP hands us a frame (core lock held): to the network, via the node.
    static err_t linkoutput(struct netif* n, struct pbuf* p) {
        VirtualNetif* v = self(n);
        if (p->tot_len < 14) return ERR_ARG;
        std::uint8_t stack_buf[2048];
        std::vector<std::uint8_t> heap_buf;
        std::uint8_t* frame = stack_buf;
        if (p->tot_len > sizeof stack_buf) {
            heap_buf.resize(p->tot_len);
            frame = heap_buf.data();
        }
        // Usually one pbuf (LWIP_NETIF_TX_SINGLE_PBUF): then no copy.
        const std::uint8_t* data = p->next == nullptr ? static_cast<const std::uint8_t*>(p->payload) : frame;
        if (p->next != nullptr) pbuf_copy_partial(p, frame, p->tot_len, 0);
        std::uint64_t dst = load_be(data, 6);
        const std::uint64_t src = load_be(data + 6, 6);
        const auto ethertype = static_cast<std::uint16_t>(load_be(data + 12, 2));
        if (dst == virtual_router_mac(v->network_id_) && ethertype == kEthertypeIpv6) {
            // Off-link IPv6 (6PLANE peers are not in our /64): the packet names its member. lwIP
            // checking on the router itself is answered here.
            const std::size_t ip_len = p->tot_len - 14u;
            if (answer_router_solicitation(n, v->network_id_, v->facts_.virtual_router, v->mac_, data + 14, ip_len)) {
                return ERR_OK;
            }
            dst = v->route_ipv6(data + 14, ip_len);
            if (dst == 0) return ERR_RTE;
        }
        if ((ethertype == kEthertypeIpv4 || ethertype == kEthertypeIpv6) &&
            v->ack_storm_.suppress(data + 14, p->tot_len - 14, osdep::now_ms())) {
            return ERR_OK;  // a repeat of a zero-window ACK: see ack_storm.hpp
        }
        if (v->acks_.batching()) {
            if (v->acks_.hold(src, dst, ethertype, data + 14, p->tot_len - 14)) return ERR_OK;
            v->send_held_acks();  // they go first: nothing overtakes them
        }
        v->frames_(v->network_id_, src, dst, ethertype, data + 14, p->tot_len - 14);
        return ERR_OK;
    }

    static err_t igmp_filter(struct netif* n, const ip4_addr_t* group, enum netif_mac_filter_action action) {
        // IPv4 multicast MAC: 01:00:5e + low 23 bits of the group.
        const std::uint32_t g = lwip_ntohl(ip4_addr_get_u32(group));
        const std::uint64_t mac = 0x01005e000000ULL | (g & 0x7fffff);
        self(n)->groups_(self(n)->network_id_, mac, action == NETIF_ADD_MAC_FILTER);
        return ERR_OK;
    }

    static err_t mld_filter(struct netif* n, const ip6_addr_t* group, enum netif_mac_filter_action action) {
        // IPv6 multicast MAC: 33:33 + low 32 bits of the group.
        const std::uint32_t low = lwip_ntohl(group->addr[3]);
        const std::uint64_t mac = 0x333300000000ULL | low;
        self(n)->groups_(self(n)->network_id_, mac, action == NETIF_ADD_MAC_FILTER);
        return ERR_OK;
    }
};

VirtualNetif::VirtualNetif(std::uint64_t network_id, std::uint64_t mac, FrameSink frames, GroupSink groups)
    : network_id_(network_id), mac_(mac), frames_(std::move(frames)), groups_(std::move(groups)),
      netif_(new struct netif()) {
    router_link_local(network_id_, facts_.virtual_router);
    facts_.owner_mac = [this](const std::uint8_t* ip6) { return member_mac(ip6); };
    std::memset(netif_.get(), 0, sizeof(struct netif));
    netif_add_noaddr(netif_.get(), this, NetifCallbacks::init, ethernet_input);
    netif_create_ip6_linklocal_address(netif_.get(), 1);
    // Addresses on a ZeroTier network are assigned by its controller, unique by construction:
    // duplicate address detection would only delay them.
    netif_ip6_addr_set_state(netif_.get(), 0, IP6_ADDR_PREFERRED);
    netif_set_up(netif_.get());
    netif_set_link_up(netif_.get());
    // All-nodes (ff02::1): lwIP takes it as received without asking for it, as it asks for the groups
    // it joins; on ZeroTier nothing arrives that was not subscribed to. (IPv4's all-systems group
    // lwIP does ask for, when IGMP starts.) Router advertisements sent to it stop at
    // net/frame_filter.
    groups_(network_id_, kAllNodesMac, true);
    choose_multicast_interface(nullptr);
}

VirtualNetif::~VirtualNetif() {
    choose_multicast_interface(netif_.get());
    netif_set_link_down(netif_.get());
    netif_set_down(netif_.get());
    netif_remove(netif_.get());
    // Packets the interface sent to itself (to its own address; multicast, looped back by default as
    // on Linux) may still wait in its loop queue, and a call of netif_poll on it may already be
    // posted to lwIP's thread: netif_remove forgets neither. So the queue goes now, and the struct
    // goes in a call posted after that one (lwIP's thread runs them in order), which then finds an
    // empty queue instead of freed memory. With lwIP's mailbox full, the struct (a few hundred bytes)
    // is kept rather than freed under a call that may still come.
    struct netif* n = netif_.release();
    SYS_ARCH_DECL_PROTECT(lev);
    SYS_ARCH_PROTECT(lev);
    struct pbuf* queued = n->loop_first;
    n->loop_first = nullptr;
    n->loop_last = nullptr;
    SYS_ARCH_UNPROTECT(lev);
    if (queued != nullptr) pbuf_free(queued);  // the packets are one chain
    tcpip_try_callback([](void* dead) { delete static_cast<struct netif*>(dead); }, n);
}

bool VirtualNetif::up() const { return netif_is_up(netif_.get()) && netif_is_link_up(netif_.get()); }

int VirtualNetif::mtu() const { return netif_->mtu; }

bool VirtualNetif::has_ipv4() const { return !ip4_addr_isany_val(*netif_ip4_addr(netif_.get())); }

bool VirtualNetif::has_ipv6() const {
    for (int i = 1; i < LWIP_IPV6_NUM_ADDRESSES; ++i) {
        if (ip6_addr_isvalid(netif_ip6_addr_state(netif_.get(), i))) return true;
    }
    return false;
}

void VirtualNetif::apply(const NetworkConfig& config) {
    struct netif* n = netif_.get();
    n->mtu = static_cast<u16_t>(config.mtu);
    n->mtu6 = static_cast<u16_t>(config.mtu);
    // IPv4: lwIP holds one address per interface; the first managed one.
    ip4_addr_t ip4 = {};
    ip4_addr_t mask4 = {};
    ip4_addr_t gw4 = {};
    for (const ManagedIp& ip : config.static_ips) {
        if (ip.ip.family != InetAddress::Family::kV4) continue;
        std::memcpy(&ip4.addr, ip.ip.ip, 4);
        const std::uint32_t mask = ip.bits == 0 ? 0 : 0xffffffffU << (32 - std::min(ip.bits, 32U));
        mask4.addr = lwip_htonl(mask);
        break;
    }
    for (const ManagedRoute& r : config.routes) {
        if (r.target.family == InetAddress::Family::kV4 && r.bits == 0 && r.via.family == InetAddress::Family::kV4) {
            std::memcpy(&gw4.addr, r.via.ip, 4);  // a default route: the interface's gateway
        }
    }
    netif_set_addr(n, &ip4, &mask4, &gw4);

    // IPv6: add what is new, drop what is gone (slot 0 is the link-local address).
    for (int i = 1; i < LWIP_IPV6_NUM_ADDRESSES; ++i) {
        if (!ip6_addr_isvalid(netif_ip6_addr_state(n, i))) continue;
        bool wanted = false;
        for (const ManagedIp& ip : config.static_ips) {
            wanted = wanted || (ip.ip.family == InetAddress::Family::kV6 &&
                                std::memcmp(netif_ip6_addr(n, i)->addr, ip.ip.ip, 16) == 0);
        }
        if (!wanted) netif_ip6_addr_set_state(n, static_cast<s8_t>(i), IP6_ADDR_INVALID);
    }
    bool any_v6 = false;
    for (const ManagedIp& ip : config.static_ips) {
        if (ip.ip.family != InetAddress::Family::kV6) continue;
        any_v6 = true;
        ip6_addr_t a = {};
        std::memcpy(a.addr, ip.ip.ip, 16);
        s8_t idx = -1;
        if (netif_add_ip6_address(n, &a, &idx) == ERR_OK && idx >= 0) {
            netif_ip6_addr_set_state(n, idx, IP6_ADDR_PREFERRED);
        }
    }
    applied_ = config.static_ips;
    network_config_ = config;
    if (any_v6) announce_virtual_router(n, network_id_, config.mtu);
}

std::uint64_t VirtualNetif::route_ipv6(const std::uint8_t* packet, std::size_t len) const {
    if (len < kIpv6HeaderLen || (packet[0] >> 4) != 6) return 0;
    return member_mac(packet + 24);
}

std::uint64_t VirtualNetif::member_mac(const std::uint8_t* ip6) const {
    const std::uint64_t member = member_of_ipv6(network_config_, ip6);
    return member == 0 ? 0 : mac_from_address(member, network_id_);
}

void VirtualNetif::input(std::uint64_t src_mac, std::uint64_t dst_mac, std::uint16_t ethertype,
                         const std::uint8_t* data, std::size_t len) {
    if (len > 0xffff - 14) return;  // more than a pbuf can hold (ZeroTier frames are far smaller)
    if (!lwip_may_see(ethertype, data, len, facts_)) return;
    reopen_time_wait_for_syn(ethertype, data, len);
    struct pbuf* p = pbuf_alloc(PBUF_RAW, static_cast<u16_t>(len + 14), PBUF_RAM);
    if (p == nullptr) return;  // out of memory: a dropped frame, as on a congested link
    std::uint8_t header[14];
    store_be(header, dst_mac, 6);
    store_be(header + 6, src_mac, 6);
    store_be(header + 12, ethertype, 2);
    pbuf_take(p, header, sizeof header);
    pbuf_take_at(p, data, static_cast<u16_t>(len), 14);
    if (netif_.get()->input(p, netif_.get()) != ERR_OK) pbuf_free(p);
}

void VirtualNetif::send_held_acks() {
    if (!acks_.has_held()) return;
    for (const AckCoalescer::Held& h : acks_.take_held()) {
        frames_(network_id_, h.src_mac, h.dst_mac, h.ethertype, h.packet.data(), h.packet.size());
    }
}

void VirtualNetif::end_batch() {
    acks_.end_batch();
    send_held_acks();
}

void VirtualNetif::refresh_router() {
    if (has_ipv6()) announce_virtual_router(netif_.get(), network_id_, network_config_.mtu);
}

}  // namespace zt::net
