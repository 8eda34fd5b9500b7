// SPDX-License-Identifier: Apache-2.0
// This host's IP addresses that peers could reach us at: every interface address except loopback,
// link-local and multicast, skipping interfaces whose names start with a blacklisted prefix.
#pragma once

#include <string>
#include <vector>

#include "zt/inet_address.hpp"

namespace zt::osdep {

std::vector<InetAddress> local_interface_addresses(const std::vector<std::string>& blacklisted_prefixes);

}  // namespace zt::osdep
