// SPDX-License-Identifier: Apache-2.0
// The controller side of virtual networks: NETWORK_CONFIG_REQUESTs for networks whose ID starts with
// our address go to the application (NodeHost::on_config_request), which decides; its decisions come
// back here to be built into signed configs and sent in chunks, pushed, refused, or revoked.
//
// It sees VL1 only through Vl1Link. When this node is also a member of a network it controls, its
// own requests come from VL2 (request_from_self) and the answers go back to it through LocalMember,
// never over the wire.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "zt/netconf.hpp"
#include "zt/vl1_link.hpp"

namespace zt {

// This node as a member of its own networks (implemented by VL2).
class LocalMember {
  public:
    virtual ~LocalMember() = default;
    // A config the controller decided for us: applied as if it had come over the wire.
    virtual void apply_own_config(std::uint64_t network_id, NetworkConfig config, const std::string& dictionary) = 0;
    virtual void own_config_refused(std::uint64_t network_id, ErrorCode code) = 0;
    virtual void revoke_locally(std::uint64_t network_id, std::uint64_t member, std::uint64_t threshold) = 0;
};

class NetworkController final : public VerbSink {
  public:
    NetworkController(Vl1Link& link, NodeHost& host) : link_(link), host_(host) {}
    NetworkController(const NetworkController&) = delete;
    NetworkController& operator=(const NetworkController&) = delete;

    // Requests reach the application only while enabled (it has a handler); otherwise members are
    // told UNSUPPORTED_OPERATION.
    void set_enabled(bool enabled) { enabled_ = enabled; }
    void set_local_member(LocalMember* member) { local_ = member; }

    // Our own VL2 asks for the config of a network we control (metadata: the request's dictionary).
    void request_from_self(std::uint64_t network_id, const std::string& metadata);

    // The application's decisions (see node.hpp's controller_* for the contracts).
    bool respond(std::uint64_t request_id, const NetconfSpec& spec, const char** why);
    bool respond_error(std::uint64_t request_id, ErrorCode code);
    bool push(const NetconfSpec& spec, const char** why);
    bool revoke(std::uint64_t network_id, std::uint64_t member, const std::vector<std::uint64_t>& notify);

    // ---- VerbSink ------------------------------------------------------------------------------------
    bool handles(Verb verb) const override { return verb == Verb::kNetworkConfigRequest; }
    void on_packet(Peer& from, std::int64_t local_socket, const InetAddress& source, const Packet& p) override;
    bool on_ok(Verb in_re, Peer& from, const Packet& p) override { return false; }
    void on_network_error(Peer& from, const wire::Error& e) override {}
    void background() override;  // forgets requests the application left unanswered
    bool keeps_peer(std::uint64_t address) const override { return false; }
    void forget_peer(std::uint64_t address) override {}

  private:
    const Identity& self() const { return link_.identity(); }

    Vl1Link& link_;
    NodeHost& host_;
    LocalMember* local_ = nullptr;
    bool enabled_ = false;
    struct PendingRequest {
        std::uint64_t member;
        std::uint64_t network_id;
        std::uint64_t packet_id;
        std::int64_t created;
    };
    std::unordered_map<std::uint64_t, PendingRequest> pending_requests_;
    std::map<std::pair<std::uint64_t, std::uint64_t>, std::int64_t> last_request_;  // (nwid, member)
};

}  // namespace zt
