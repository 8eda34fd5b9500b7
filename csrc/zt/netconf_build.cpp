// SPDX-License-Identifier: Apache-2.0
// The controller's side of a config: what it decided for a member, plus the credentials it signs
// (EmbeddedNetworkController::_request does the same): capabilities handed to the member, tags, a
// certificate of ownership (ID 1) for the member's static IPs, and the certificate of membership.
#include <algorithm>
#include <map>

#include "zt/netconf.hpp"

namespace zt {

namespace {

constexpr std::uint32_t kOwnershipCertificateId = 1;

bool reject(const char** why, const char* reason) {
    if (why != nullptr) *why = reason;
    return false;
}

const char* check_limits(const NetconfSpec& spec) {
    const NetworkConfig& b = spec.base;
    if (b.network_id == 0) return "network config: no network ID";
    if (b.name.size() > kMaxNetworkNameLen) return "network config: name longer than 127 bytes";
    if (b.static_ips.size() > kMaxStaticIps) return "network config: more than 32 static IPs";
    if (b.routes.size() > kMaxRoutes) return "network config: more than 128 routes";
    if (b.specialists.size() > kMaxSpecialists) return "network config: more than 256 specialists";
    if (b.rules.size() > kMaxNetworkRules) return "network config: more than 1024 rules";
    if (b.dns.servers.size() > 4) return "network config: more than 4 DNS servers";
    if (b.dns.domain.size() > kMaxNetworkNameLen) return "network config: DNS domain longer than 127 bytes";
    if (spec.capabilities.size() > kMaxCapabilities) return "network config: more than 128 capabilities";
    if (spec.tags.size() > kMaxTags) return "network config: more than 128 tags";
    for (const auto& c : spec.capabilities) {
        if (c.rules.size() > kMaxCapabilityRules) return "network config: a capability with more than 64 rules";
    }
    return nullptr;
}

}  // namespace

bool build_network_config(const NetconfSpec& spec, const Identity& controller, const Identity& member,
                          NetworkConfig* out, const char** why) {
    if (const char* limit = check_limits(spec)) return reject(why, limit);
    if (!controller.has_private()) return reject(why, "network config: the controller identity has no private key");
    if (controller.address() != spec.base.network_id >> 24) {
        return reject(why, "network config: the controller's address is not the top 40 bits of the network ID");
    }
    if (member.is_null()) return reject(why, "network config: no member identity");
    if (spec.base.issued_to != 0 && spec.base.issued_to != member.address()) {
        return reject(why, "network config: issued-to is not the member's address");
    }

    NetworkConfig nc = spec.base;
    nc.issued_to = member.address();
    nc.mtu = std::clamp(nc.mtu, kNetworkMinMtu, kNetworkMaxMtu);
    nc.com.reset();
    nc.capabilities.clear();
    nc.tags.clear();
    nc.coos.clear();
    const std::uint64_t now = nc.timestamp;

    for (const auto& c : spec.capabilities) {
        Capability cap;
        cap.network_id = nc.network_id;
        cap.timestamp = now;
        cap.id = c.id;
        cap.rules = c.rules;
        cap.max_custody_chain_length = 1;  // the member may not hand it on
        if (!cap.sign(controller, nc.issued_to)) return reject(why, "network config: capability signing failed");
        nc.capabilities.push_back(std::move(cap));
    }
    std::stable_sort(nc.capabilities.begin(), nc.capabilities.end(),
                     [](const Capability& a, const Capability& b) { return a.id < b.id; });

    std::map<std::uint32_t, std::uint32_t> tags_by_id;  // sorted by ID; the last of equal IDs wins
    for (const auto& [id, value] : spec.tags) tags_by_id[id] = value;
    for (const auto& [id, value] : tags_by_id) {
        Tag tag;
        tag.network_id = nc.network_id;
        tag.timestamp = now;
        tag.id = id;
        tag.value = value;
        tag.issued_to = nc.issued_to;
        if (!tag.sign(controller)) return reject(why, "network config: tag signing failed");
        nc.tags.push_back(tag);
    }

    if (!nc.static_ips.empty()) {
        CertificateOfOwnership coo;
        coo.network_id = nc.network_id;
        coo.timestamp = now;
        coo.id = kOwnershipCertificateId;
        coo.issued_to = nc.issued_to;
        for (const ManagedIp& ip : nc.static_ips) coo.add_ip(ip.ip);
        if (!coo.sign(controller)) return reject(why, "network config: ownership signing failed");
        nc.coos.push_back(std::move(coo));
    }

    CertificateOfMembership com =
        CertificateOfMembership::issue(now, nc.credential_time_max_delta, nc.network_id, member);
    if (!com.sign(controller)) return reject(why, "network config: membership signing failed");
    nc.com = std::move(com);
    *out = std::move(nc);
    return true;
}

}  // namespace zt
