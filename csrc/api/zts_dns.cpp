// SPDX-License-Identifier: Apache-2.0
// Name resolution with lwIP's DNS client (LWIP_DNS, DNS_MAX_SERVERS servers): zts_dns_set_server,
// zts_dns_get_server, zts_bsd_gethostbyname, and ztx_dns_resolve for the Python layer's getaddrinfo.
// Queries go out over the node's networks like any UDP datagram, to the servers set here or, while
// none is set here, to those the joined networks push (net/dns_servers.hpp says which win).
#include <cstring>

#include "ZeroTierSockets.h"
#include "api/socket_call.hpp"
#include "libzt_ext.h"
#include "net/dns_servers.hpp"
#include "net/lwip.hpp"
#include "net/stack.hpp"

#include <lwip/api.h>
#include <lwip/dns.h>

namespace {

bool to_lwip(const zts_ip_addr& in, ip_addr_t* out) {
    std::memset(out, 0, sizeof *out);
    if (in.type == IPADDR_TYPE_V4) {
        IP_SET_TYPE_VAL(*out, IPADDR_TYPE_V4);
        ip_2_ip4(out)->addr = in.u_addr.ip4.addr;
        return true;
    }
    if (in.type == IPADDR_TYPE_V6) {
        IP_SET_TYPE_VAL(*out, IPADDR_TYPE_V6);
        std::memcpy(ip_2_ip6(out)->addr, in.u_addr.ip6.addr, 16);
        ip6_addr_clear_zone(ip_2_ip6(out));
        return true;
    }
    return false;
}

void from_lwip(const ip_addr_t& in, zts_ip_addr* out) {
    std::memset(out, 0, sizeof *out);
    if (IP_IS_V6_VAL(in)) {
        out->type = IPADDR_TYPE_V6;
        std::memcpy(out->u_addr.ip6.addr, ip_2_ip6(&in)->addr, 16);
    } else {
        out->type = IPADDR_TYPE_V4;
        out->u_addr.ip4.addr = ip_2_ip4(&in)->addr;
    }
}

// Resolves `name` (a numeric address is taken as it is) in the order `type` says (lwIP's
// NETCONN_DNS_*); blocks until an answer or lwIP's retries are spent. 0 or a zts errno.
int resolve(const char* name, u8_t type, ip_addr_t* out) {
    if (name == nullptr || *name == '\0' || std::strlen(name) > DNS_MAX_NAME_LENGTH) return ZTS_EINVAL;
    zt::net::ensure_stack();
    const err_t err = netconn_gethostbyname_addrtype(name, out, type);
    if (err == ERR_OK) return 0;
    return err == ERR_ARG ? ZTS_EINVAL : ZTS_EHOSTUNREACH;  // no answer, or no such name
}

// What zts_bsd_gethostbyname returns: per thread, valid until that thread's next call (the
// official libzt's is one for the process).
struct HostentStorage {
    zts_hostent hostent{};
    char name[DNS_MAX_NAME_LENGTH + 1] = {};
    char* aliases[1] = {nullptr};
    unsigned char address[16] = {};
    char* addresses[2] = {nullptr, nullptr};
};

}  // namespace

extern "C" {

struct zts_hostent* zts_bsd_gethostbyname(const char* name) {
    if (name == nullptr) {
        zt::api::set_zts_errno(ZTS_EINVAL);
        return nullptr;
    }
    if (!zt::api::node_running()) {
        zt::api::set_zts_errno(ZTS_ENETDOWN);
        return nullptr;
    }
    ip_addr_t addr;
    const int err = resolve(name, NETCONN_DNS_IPV4_IPV6, &addr);
    if (err != 0) {
        zt::api::set_zts_errno(err);
        return nullptr;
    }
    thread_local HostentStorage s;
    s = HostentStorage{};
    std::strncpy(s.name, name, sizeof s.name - 1);
    const bool v6 = IP_IS_V6_VAL(addr);
    std::memcpy(s.address, v6 ? static_cast<const void*>(ip_2_ip6(&addr)->addr) : &ip_2_ip4(&addr)->addr, v6 ? 16 : 4);
    s.addresses[0] = reinterpret_cast<char*>(s.address);
    s.hostent.h_name = s.name;
    s.hostent.h_aliases = s.aliases;
    s.hostent.h_addrtype = v6 ? ZTS_AF_INET6 : ZTS_AF_INET;
    s.hostent.h_length = v6 ? 16 : 4;
    s.hostent.h_addr_list = s.addresses;
    return &s.hostent;
}

int zts_dns_set_server(uint8_t index, const zts_ip_addr* addr) {
    if (!zt::api::node_running()) return ZTS_ERR_SERVICE;
    ip_addr_t server;
    if (index >= DNS_MAX_SERVERS || addr == nullptr || !to_lwip(*addr, &server)) return ZTS_ERR_ARG;
    zt::net::ensure_stack();
    zt::net::CoreLock core;
    zt::net::dns_set_application_server(index, server);  // (it wins over servers networks push)
    return ZTS_ERR_OK;
}

const zts_ip_addr* zts_dns_get_server(uint8_t index) {
    static zts_ip_addr servers[DNS_MAX_SERVERS];  // as libzt, one copy per index for the process
    if (index >= DNS_MAX_SERVERS) {
        zt::api::set_zts_errno(ZTS_EINVAL);
        return nullptr;
    }
    zt::net::ensure_stack();
    zt::net::CoreLock core;
    from_lwip(*dns_getserver(index), &servers[index]);
    return &servers[index];
}

int ztx_dns_resolve(const char* name, int family, zts_ip_addr* out) {
    if (name == nullptr || out == nullptr) return ZTS_ERR_ARG;
    if (family != 0 && family != ZTS_AF_INET && family != ZTS_AF_INET6) return ZTS_ERR_ARG;
    if (!zt::api::node_running()) return ZTS_ERR_SERVICE;
    const u8_t type = family == ZTS_AF_INET ? NETCONN_DNS_IPV4 : family == ZTS_AF_INET6 ? NETCONN_DNS_IPV6
                                                                                        : NETCONN_DNS_IPV4_IPV6;
    ip_addr_t addr;
    const int err = resolve(name, type, &addr);
    if (err != 0) return zt::api::fail(err);
    from_lwip(addr, out);
    return ZTS_ERR_OK;
}

}  // extern "C"
