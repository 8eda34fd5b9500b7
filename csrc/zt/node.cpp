// SPDX-License-Identifier: Apache-2.0
// Node (node.hpp): the three layers wired together.
#include "zt/node.hpp"

namespace zt {

Node::Node(const Identity& self, World planet, NodeConfig config, NodeHost& host, std::int64_t now)
    : vl1_(self, std::move(planet), config, host, now),
      controller_(vl1_, host),
      vl2_(vl1_, host, controller_, config.protocol_version) {
    controller_.set_local_member(&vl2_);
    // VL2 first: it takes every VL2 verb; the controller takes NETWORK_CONFIG_REQUEST.
    vl1_.add_sink(vl2_);
    vl1_.add_sink(controller_);
}

}  // namespace zt
