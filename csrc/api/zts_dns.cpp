// SPDX-License-Identifier: Apache-2.0
// Name resolution: not available. libzt resolves with lwIP's DNS client; Debian's lwIP, which we
// link, is built without it (LWIP_DNS 0), so there is nothing to resolve with. The calls keep
// libzt's argument checks, then fail with zts_errno ZTS_ENOSYS.
#include "ZeroTierSockets.h"
#include "api/socket_call.hpp"

namespace {

constexpr unsigned kDnsMaxServers = 2;  // lwIP's DNS_MAX_SERVERS in libzt's build

}  // namespace

extern "C" {

struct zts_hostent* zts_bsd_gethostbyname(const char* name) {
    zt::api::set_zts_errno(name == nullptr ? ZTS_EINVAL : ZTS_ENOSYS);
    return nullptr;
}

int zts_dns_set_server(uint8_t index, const zts_ip_addr* addr) {
    if (!zt::api::node_running()) return ZTS_ERR_SERVICE;
    if (index >= kDnsMaxServers || addr == nullptr) return ZTS_ERR_ARG;
    return zt::api::fail(ZTS_ENOSYS);
}

const zts_ip_addr* zts_dns_get_server(uint8_t) {
    zt::api::set_zts_errno(ZTS_ENOSYS);
    return nullptr;
}

}  // extern "C"
