// SPDX-License-Identifier: Apache-2.0
// A network's configuration as its controller issues it: name, type, MTU, managed addresses and
// routes, rules, credentials. Carried as a Dictionary (keys in docs/protocol/vl2.md section 3.2),
// stored by clients in networks.d/<nwid>.conf.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "zt/com.hpp"
#include "zt/credentials.hpp"
#include "zt/dictionary.hpp"
#include "zt/inet_address.hpp"
#include "zt/rules.hpp"

namespace zt {

inline constexpr unsigned kNetworkDefaultMtu = 2800;
inline constexpr unsigned kNetworkMinMtu = 1280;
inline constexpr unsigned kNetworkMaxMtu = 10000;
inline constexpr std::size_t kMaxStaticIps = 32;
inline constexpr std::size_t kMaxRoutes = 128;
inline constexpr std::size_t kMaxSpecialists = 256;
inline constexpr std::size_t kMaxCapabilities = 128;
inline constexpr std::size_t kMaxTags = 128;
inline constexpr std::size_t kMaxCoos = 4;
inline constexpr std::uint64_t kNetconfVersion = 7;

enum NetconfFlags : std::uint64_t {
    kNetconfFlagEnableBroadcast = 0x2,
    kNetconfFlagNdpEmulation = 0x4,
    kNetconfFlagUnsupportedMatchResult = 0x8,
    kNetconfFlagDisableCompression = 0x10,
};

enum SpecialistRole : std::uint64_t {
    kSpecialistActiveBridge = 0x020000000000ULL,
    kSpecialistAnchor = 0x040000000000ULL,
    kSpecialistMulticastReplicator = 0x080000000000ULL,
};

struct ManagedIp {  // an address with its prefix length
    InetAddress ip;  // port field unused
    unsigned bits = 0;
};

struct ManagedRoute {
    InetAddress target;  // network address
    unsigned bits = 0;
    InetAddress via;  // nil: on-link
    std::uint16_t flags = 0;
    std::uint16_t metric = 0;
};

struct NetworkDns {
    std::string domain;                // at most 127 bytes
    std::vector<InetAddress> servers;  // at most 4 (port field unused)
};

// Single sign-on (keys ssov, ssoe, aurl, aexpt and the version 1 keys): what a client shows its user
// when the network requires authentication. Version 0 uses the URL and expiry, version 1 the rest.
struct NetworkSso {
    std::uint64_t version = 0;
    bool enabled = false;
    std::string authentication_url;           // aurl
    std::int64_t authentication_expiry = 0;   // aexpt (ms; version 0)
    std::string issuer_url;                   // iurl
    std::string central_endpoint_url;         // ssoce
    std::string nonce;                        // sson
    std::string state;                        // ssos
    std::string client_id;                    // ssocid
    std::string provider;                     // ssop ("default" when absent)
};

inline constexpr std::size_t kMaxNetworkNameLen = 127;

struct NetworkConfig {
    enum class Type : std::uint8_t { kPrivate = 0, kPublic = 1 };

    std::uint64_t network_id = 0;
    std::uint64_t timestamp = 0;
    std::uint64_t credential_time_max_delta = 0;
    std::uint64_t revision = 0;
    std::uint64_t issued_to = 0;
    std::uint64_t remote_trace_target = 0;
    std::uint8_t remote_trace_level = 0;
    std::uint64_t flags = 0;
    std::uint32_t multicast_limit = 0;
    Type type = Type::kPrivate;
    std::string name;
    unsigned mtu = kNetworkDefaultMtu;
    std::vector<std::uint64_t> specialists;
    std::vector<ManagedRoute> routes;
    std::vector<ManagedIp> static_ips;
    std::vector<Rule> rules;
    std::optional<CertificateOfMembership> com;
    std::vector<Capability> capabilities;
    std::vector<Tag> tags;
    std::vector<CertificateOfOwnership> coos;
    NetworkDns dns;
    NetworkSso sso;

    // Reads a config dictionary (also legacy v < 6 keys where they matter: eb, p, v4s, v6s, et, ab;
    // not the legacy text COM). Rejects a missing network ID or issued-to, malformed or oversized
    // binary fields, more entries than the maxima above, a name over 127 bytes and an unknown type;
    // clamps the MTU; keeps the first kMaxCoos certificates of ownership, as ZeroTier does.
    static bool from_dictionary(const Dictionary& d, NetworkConfig* out, const char** why);
    // The keys in the order ZeroTier writes them (netconf version 7, no legacy keys).
    Dictionary to_dictionary() const;

    bool is_public() const { return type == Type::kPublic; }
    bool broadcast_enabled() const { return (flags & kNetconfFlagEnableBroadcast) != 0; }
    bool ndp_emulation() const { return (flags & kNetconfFlagNdpEmulation) != 0; }
    bool permits_bridging(std::uint64_t address) const;
    const Tag* tag(std::uint32_t id) const;
};

// The config a member of an ad-hoc network (vl2_address.hpp) gives itself: for
// "ffSSSSEEEE000000" its 6PLANE address and rules admitting only IPv6 ICMP and TCP/UDP to ports
// SSSS..EEEE (plus replies); for "ffAAhhhhhhhhhh01" its 6PLANE address and AA.x.y.z/8 from its own
// address, everything accepted, and hhhhhhhhhh (if not 0) as a specialist. False for a port range
// that ends before it starts and for other 0xff IDs: such networks do not exist.
bool adhoc_network_config(std::uint64_t network_id, std::uint64_t my_address, std::uint64_t now, NetworkConfig* out);

// Ownership as a member judges it for the rules' SENDER_*_AUTHENTICATED bits: the certificates of
// ownership of the sender (ours for outbound frames), and for inbound frames on networks with NDP
// emulation also any IPv6 address in the network's 6PLANE /40 or RFC4193 /88 prefix that we use
// ourselves (those addresses name their owner). Holds references: keep both alive while in use.
class ConfigOwnership : public OwnershipCheck {
  public:
    ConfigOwnership(const NetworkConfig& config, const std::vector<CertificateOfOwnership>& coos, bool inbound)
        : config_(config), coos_(coos), inbound_(inbound) {}
    bool owns_ip(const InetAddress& ip) const override;
    bool owns_mac(std::uint64_t mac) const override;

  private:
    const NetworkConfig& config_;
    const std::vector<CertificateOfOwnership>& coos_;
    bool inbound_;
};

// What a controller decides for one member; build_network_config turns it into a complete,
// signed NetworkConfig (COM, certificate of ownership for its IPs, signed tags and capabilities).
struct NetconfSpec {
    NetworkConfig base;  // everything except credentials; base.issued_to = the member
    struct CapabilitySpec {
        std::uint32_t id = 0;
        std::vector<Rule> rules;
    };
    std::vector<CapabilitySpec> capabilities;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> tags;  // (id, value)
};
bool build_network_config(const NetconfSpec& spec, const Identity& controller, const Identity& member,
                          NetworkConfig* out, const char** why);

// The chunked, signed wire form of a config (OK(NETWORK_CONFIG_REQUEST) or NETWORK_CONFIG payload
// after any reply header): one chunk per entry, each at most kMaxConfigChunk bytes of dictionary.
//   [8] nwid [2] n [n] data [1] flags [8] update id [4] total length [4] index [1] 1 [2] 96 [96] sig
inline constexpr std::size_t kMaxConfigChunk = 9740;
inline constexpr std::size_t kMaxConfigLength = Dictionary::kMaxLen;  // a whole config, reassembled
std::vector<std::vector<std::uint8_t>> sign_config_chunks(const std::string& dictionary, std::uint64_t network_id,
                                                          std::uint64_t update_id, const Identity& controller);

// Client-side reassembly of chunks into a whole dictionary: up to 3 updates in flight (a new one
// evicts the least recently touched), duplicate chunks ignored, every chunk's signature checked
// against the controller's identity before anything is kept. Stricter than ZeroTier, which counts
// bytes: chunks of one update must agree on the total and must not overlap.
class ConfigAssembler {
  public:
    enum class Result { kIncomplete, kComplete, kRejected };
    static constexpr std::size_t kMaxUpdates = 3;
    static constexpr std::size_t kMaxChunksPerUpdate = kMaxConfigLength / 1024 + 1;

    // `chunk` is the payload starting at the network ID (after any OK header). `from_controller`
    // allows a legacy unsigned single-chunk config from the controller itself (its update ID is the
    // packet ID). On kComplete, *dictionary and *update_id are set and the update is forgotten; on
    // kRejected, *why says why (a duplicate chunk is kIncomplete, not a rejection).
    Result add(const std::uint8_t* chunk, std::size_t len, const Identity& controller, bool from_controller,
               std::uint64_t packet_id, std::string* dictionary, std::uint64_t* update_id,
               const char** why = nullptr);

  private:
    struct Update {
        std::uint64_t id = 0;
        std::uint32_t total = 0;
        std::uint32_t have = 0;
        std::string data;
        std::vector<std::uint64_t> chunk_ids;  // first 16 signature bytes folded to 8: the dedupe key
        std::vector<std::pair<std::uint32_t, std::uint32_t>> ranges;  // [index, index + n) received
        std::uint64_t touched = 0;
    };
    std::vector<Update> updates_;
    std::uint64_t clock_ = 0;
};

}  // namespace zt
