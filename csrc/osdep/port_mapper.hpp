// SPDX-License-Identifier: Apache-2.0
// Asks the LAN's router to forward a UDP port to us, with NAT-PMP (libnatpmp) first and UPnP IGD
// (miniupnpc) when NAT-PMP fails, as ZeroTier One's port mapper does; the router's external
// address and mapped port are what the node then advertises to its peers. The mapping is renewed
// every refresh period and removed when the mapper stops (ZeroTier One leaves it to expire).
//
// All of it runs on a thread of its own: discovery and the routers' answers take seconds, and
// nothing here may hold up the node. The thread's state is shared, so stop() need not wait for a
// discovery in progress when there is nothing to remove yet.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "zt/inet_address.hpp"

namespace zt::osdep {

struct PortMapperOptions {
    std::uint16_t local_port = 0;
    std::string description;               // "ZeroTier/<address>@<port>", as ZeroTier One names its mappings
    std::int64_t refresh_ms = 300000;      // ZeroTier One's period; NAT-PMP leases last twice as long
    int discovery_ms = 2000;               // how long UPnP waits for SSDP answers
    std::int64_t stop_wait_ms = 5000;      // stop() waits this long for an existing mapping's removal
};

class PortMapper {
  public:
    explicit PortMapper(PortMapperOptions options);
    ~PortMapper();
    PortMapper(const PortMapper&) = delete;
    PortMapper& operator=(const PortMapper&) = delete;

    // Removes the mapping (if any) and ends the thread.
    void stop();
    // The external address and port the router forwards to us (empty until a mapping exists).
    std::vector<InetAddress> external() const;
    // "NAT-PMP", "UPnP" or "" (nothing mapped).
    std::string method() const;

    struct State;

  private:
    std::shared_ptr<State> state_;
};

}  // namespace zt::osdep
