// SPDX-License-Identifier: Apache-2.0
// One virtual network we are a member of: its configuration as the controller last issued it, our
// MAC and multicast subscriptions on it, and what we know of each other member (credentials, when we
// last pushed ours). The node drives it; this class holds state and the decisions that need only it.
//
//   joined --(config request)--> REQUESTING --(signed config)--> OK <--(refresh every 60 s)
//                                    |                            |
//                                    +--(ERROR from controller)--> ACCESS_DENIED / NOT_FOUND
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "zt/netconf.hpp"
#include "zt/vl2_address.hpp"

namespace zt {

inline constexpr std::int64_t kNetworkAutoconfDelay = 60000;     // re-request a config this often
inline constexpr std::int64_t kNetworkRequestRetry = 5000;       // until the first config arrives
inline constexpr std::int64_t kConfigRequestMinInterval = 1500;  // controllers drop repeats within 1 s
inline constexpr std::int64_t kMulticastAnnouncePeriod = 60000;  // MULTICAST_LIKE our groups
inline constexpr std::int64_t kMulticastLikeExpire = 600000;
inline constexpr std::int64_t kMulticastGatherDelay = kMulticastLikeExpire / 10;
inline constexpr std::int64_t kMulticastTransmitTimeout = 5000;
// Subscriptions kept per multicast group, and in all groups together (a root keeps every peer's).
inline constexpr std::size_t kMaxMulticastGroupMembers = 4096;
inline constexpr std::size_t kMaxMulticastSubscriptions = std::size_t{1} << 18;
inline constexpr std::int64_t kCredentialPushInterval = kPeerActivityTimeout;

class Network {
  public:
    enum class Status : int { kRequesting = 0, kOk = 1, kAccessDenied = 2, kNotFound = 3, kPortError = 4, kClientTooOld = 5 };

    Network(std::uint64_t id, std::uint64_t my_address);

    std::uint64_t id() const { return id_; }
    std::uint64_t controller() const { return id_ >> 24; }
    std::uint64_t mac() const { return mac_; }
    Status status() const { return status_; }
    void set_status(Status s) { status_ = s; }
    bool has_config() const { return config_.has_value(); }
    const NetworkConfig& config() const { return *config_; }
    const std::string& config_dictionary() const { return config_dictionary_; }

    // Installs a config (already verified) unless it is not for us or this network, is the same as
    // the current one, or is newer than it in neither revision nor timestamp.
    enum class Apply { kApplied, kSame, kRefused };
    Apply apply_config(NetworkConfig config, std::string dictionary, std::uint64_t my_address);

    ConfigAssembler& assembler() { return assembler_; }
    std::int64_t last_config_request = INT64_MIN / 2;
    std::int64_t config_request_due = 0;  // 0, or when to ask again ahead of the periodic refresh
    std::int64_t last_config_update = INT64_MIN / 2;
    std::uint64_t config_request_packet = 0;

    // ---- our multicast subscriptions ----------------------------------------------------------------
    // The groups we want frames for: broadcast (if enabled), address resolution for each of our
    // managed IPs, and what the host subscribed explicitly.
    std::set<MulticastGroup> groups() const;
    bool subscribe(const MulticastGroup& g) { return explicit_groups_.insert(g).second; }
    bool unsubscribe(const MulticastGroup& g) { return explicit_groups_.erase(g) > 0; }
    std::int64_t last_announce = INT64_MIN / 2;

    // ---- other members --------------------------------------------------------------------------------
    struct Member {
        std::optional<CertificateOfMembership> com;
        std::uint64_t com_revocation_threshold = 0;
        std::vector<Tag> tags;
        std::vector<CertificateOfOwnership> coos;
        std::int64_t last_pushed_credentials = INT64_MIN / 2;
        std::uint64_t pushed_config_timestamp = 0;
        std::int64_t last_like_sent = INT64_MIN / 2;
        std::int64_t last_credential_request = INT64_MIN / 2;
    };
    Member& member(std::uint64_t address) { return members_[address]; }
    const Member* find_member(std::uint64_t address) const;
    // May this peer send us frames? Public networks: yes. Private: its certificate must agree with
    // ours (same network, recent enough, bound to the identity we know for it) and not be revoked.
    bool gate(std::uint64_t address, const Identity& identity) const;
    // Accepts a certificate for the member it was issued to (already signature-checked); false if
    // `address` is not its issued_to, or it is older than the one held, or revoked.
    bool add_com(std::uint64_t address, const CertificateOfMembership& com);
    void revoke_com(std::uint64_t address, std::uint64_t threshold);
    // Drops what we hold for a member we no longer know (its peer was forgotten). A revocation
    // threshold stays: forgetting must not undo a revocation.
    void forget_member(std::uint64_t address);
    bool needs_credential_push(std::uint64_t address, std::int64_t now) const;

  private:
    std::uint64_t id_;
    std::uint64_t mac_;
    Status status_ = Status::kRequesting;
    std::optional<NetworkConfig> config_;
    std::string config_dictionary_;
    ConfigAssembler assembler_;
    std::set<MulticastGroup> explicit_groups_;
    std::unordered_map<std::uint64_t, Member> members_;
};

// Who subscribes to which multicast group on which network: learned from MULTICAST_LIKE and
// gather results, expiring after ten minutes. Roots keep it for everyone.
class MulticastSubscribers {
  public:
    void add(std::uint64_t network_id, const MulticastGroup& g, std::uint64_t address, std::int64_t now);
    void remove(std::uint64_t network_id, const MulticastGroup& g, std::uint64_t address);
    void remove_member(std::uint64_t address);  // from every group (its peer was forgotten)
    // Up to `limit` subscribers (not `except`), most recently seen first.
    std::vector<std::uint64_t> get(std::uint64_t network_id, const MulticastGroup& g, std::size_t limit,
                                   std::uint64_t except) const;
    std::size_t count(std::uint64_t network_id, const MulticastGroup& g) const;
    void expire(std::int64_t now);

  private:
    struct Key {
        std::uint64_t network_id;
        MulticastGroup group;
        bool operator<(const Key& o) const {
            return network_id < o.network_id || (network_id == o.network_id && group < o.group);
        }
    };
    using Subscribers = std::map<std::uint64_t, std::int64_t>;  // address -> last seen
    std::map<Key, Subscribers> subscribers_;
    std::size_t total_ = 0;  // subscriptions in all groups
};

}  // namespace zt
