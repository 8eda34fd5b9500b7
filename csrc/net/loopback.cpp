// SPDX-License-Identifier: Apache-2.0
#include "net/loopback.hpp"

#include "net/lwip.hpp"

extern "C" {
#include <lwip/ip.h>
}

namespace zt::net {

namespace {

struct netif g_loopback;

err_t output_ip4(struct netif* n, struct pbuf* p, const ip4_addr_t*) { return netif_loop_output(n, p); }
err_t output_ip6(struct netif* n, struct pbuf* p, const ip6_addr_t*) { return netif_loop_output(n, p); }

err_t init(struct netif* n) {
    n->name[0] = 'l';
    n->name[1] = 'o';
    n->mtu = 0xffff - 40;  // packets never leave the process: no reason to fragment them
    n->mtu6 = n->mtu;
    n->output = output_ip4;
    n->output_ip6 = output_ip6;
    return ERR_OK;
}

}  // namespace

void add_loopback_locked() {
    ip4_addr_t ip, mask;
    IP4_ADDR(&ip, 127, 0, 0, 1);
    IP4_ADDR(&mask, 255, 0, 0, 0);
    netif_add(&g_loopback, &ip, &mask, IP4_ADDR_ANY4, nullptr, init, ip_input);
    ip6_addr_t one;
    IP6_ADDR(&one, 0, 0, 0, PP_HTONL(1));
    netif_ip6_addr_set(&g_loopback, 0, &one);
    netif_ip6_addr_set_state(&g_loopback, 0, IP6_ADDR_PREFERRED);
    netif_set_link_up(&g_loopback);
    netif_set_up(&g_loopback);
}

}  // namespace zt::net
