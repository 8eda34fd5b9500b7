// SPDX-License-Identifier: Apache-2.0
#include "osdep/local_addresses.hpp"

#include <ifaddrs.h>
#include <net/if.h>
#include <sys/socket.h>

#include <algorithm>
#include <string_view>

namespace zt::osdep {

std::vector<InetAddress> local_interface_addresses(const std::vector<std::string>& blacklisted_prefixes) {
    std::vector<InetAddress> out;
    ifaddrs* list = nullptr;
    if (::getifaddrs(&list) != 0) return out;
    for (const ifaddrs* i = list; i != nullptr; i = i->ifa_next) {
        if (i->ifa_addr == nullptr || (i->ifa_flags & IFF_UP) == 0 || (i->ifa_flags & IFF_LOOPBACK) != 0) continue;
        const std::string_view name(i->ifa_name != nullptr ? i->ifa_name : "");
        const bool blacklisted = std::any_of(blacklisted_prefixes.begin(), blacklisted_prefixes.end(),
                                             [&](const std::string& p) { return name.substr(0, p.size()) == p; });
        InetAddress a;
        if (blacklisted || !InetAddress::from_sockaddr(i->ifa_addr, &a)) continue;
        const IpScope scope = a.scope();
        if (scope == IpScope::kLoopback || scope == IpScope::kLinkLocal || scope == IpScope::kMulticast ||
            scope == IpScope::kNone) {
            continue;
        }
        if (std::find(out.begin(), out.end(), a) == out.end()) out.push_back(a);
    }
    ::freeifaddrs(list);
    return out;
}

}  // namespace zt::osdep
