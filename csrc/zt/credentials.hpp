// SPDX-License-Identifier: Apache-2.0
// The other credentials a controller signs besides the certificate of membership: tags (id/value
// labels for rules), capabilities (extra rule tables), certificates of ownership (which IPs and
// MACs a member may use) and revocations (withdrawing a credential before it expires).
// All are signed by the network's controller (network_id >> 24) with ZeroTier's C25519 signature,
// over a "signed form": 8 bytes of 0x7f, the fields without the signature, [2] 0, 8 bytes of 0x7f.
// A signature slot of a type other than 1 is skipped by its length (the credential then does not
// verify); every credential ends with a length-prefixed extension that is skipped and written empty.
#pragma once

#include <cstdint>
#include <vector>

#include "zt/bytes.hpp"
#include "zt/com.hpp"
#include "zt/identity.hpp"
#include "zt/inet_address.hpp"
#include "zt/rules.hpp"

namespace zt {

// [8] nwid [8] ts [4] id [4] value [5] issued to [5] signed by [1] 1 [2] 96 [96] sig [2] 0
struct Tag {
    std::uint64_t network_id = 0;
    std::uint64_t timestamp = 0;
    std::uint32_t id = 0;
    std::uint32_t value = 0;
    std::uint64_t issued_to = 0;
    std::uint64_t signed_by = 0;
    Signature signature{};

    static bool parse(Reader& r, Tag* out, const char** why);
    void serialize(Writer& w) const;
    bool sign(const Identity& controller);
    bool verify(const Identity& controller) const;
};

// [8] nwid [8] ts [4] id [2] rule count, rules, [1] max custody chain length,
// custody chain { [5] to [5] from [1] 1 [2] 96 [96] sig } ending with a zero "to", [2] 0
struct Capability {
    struct Custody {
        std::uint64_t to = 0;
        std::uint64_t from = 0;
        Signature signature{};
    };
    std::uint64_t network_id = 0;
    std::uint64_t timestamp = 0;
    std::uint32_t id = 0;
    std::vector<Rule> rules;
    std::uint8_t max_custody_chain_length = 1;
    std::vector<Custody> custody;

    static bool parse(Reader& r, Capability* out, const char** why);
    void serialize(Writer& w) const;
    // Appends a custody entry from `from` (who must hold the private key) to `issued_to`; false if
    // the chain is full. The controller makes the first entry, a holder may hand it on.
    bool sign(const Identity& from, std::uint64_t issued_to);
    // The chain: entry 0 from the controller, each later one from the previous holder, every
    // signature valid. `holders` are the identities of later signers (not needed for chains of one).
    bool verify(const Identity& controller, const std::vector<Identity>& holders = {}) const;
    std::uint64_t issued_to() const { return custody.empty() ? 0 : custody.back().to; }
};

// [8] nwid [8] ts [8] flags [4] id [2] count, count x { [1] type [16] value }, [5] issued to
// [5] signed by [1] 1 [2] 96 [96] sig [2] 0. Things: MAC (1), IPv4 (2), IPv6 (3).
struct CertificateOfOwnership {
    enum class Thing : std::uint8_t { kNull = 0, kMac = 1, kIpv4 = 2, kIpv6 = 3 };
    struct Item {
        Thing type = Thing::kNull;
        std::uint8_t value[16] = {};
    };
    static constexpr std::size_t kMaxThings = 16;

    std::uint64_t network_id = 0;
    std::uint64_t timestamp = 0;
    std::uint64_t flags = 0;
    std::uint32_t id = 0;
    std::vector<Item> things;
    std::uint64_t issued_to = 0;
    std::uint64_t signed_by = 0;
    Signature signature{};

    void add_ip(const InetAddress& ip);  // ignored beyond kMaxThings, as ZeroTier does
    void add_mac(std::uint64_t mac);
    bool owns(const InetAddress& ip) const;  // port field ignored
    bool owns_mac(std::uint64_t mac) const;
    static bool parse(Reader& r, CertificateOfOwnership* out, const char** why);
    void serialize(Writer& w) const;
    bool sign(const Identity& controller);
    bool verify(const Identity& controller) const;
};

// [4] 0 [4] id [8] nwid [4] 0 [4] credential id [8] threshold [8] flags [5] target [5] signed by
// [1] credential type [1] 1 [2] 96 [96] sig [2] 0
struct Revocation {
    enum class CredentialType : std::uint8_t {
        kNull = 0,
        kCom = 1,
        kCapability = 2,
        kTag = 3,
        kCoo = 4,
        kRevocation = 6,
    };
    static constexpr std::uint64_t kFlagFastPropagate = 0x1;

    std::uint32_t id = 0;
    std::uint64_t network_id = 0;
    std::uint32_t credential_id = 0;
    std::uint64_t threshold = 0;
    std::uint64_t flags = 0;
    std::uint64_t target = 0;
    std::uint64_t signed_by = 0;
    CredentialType credential_type = CredentialType::kCom;
    Signature signature{};

    static bool parse(Reader& r, Revocation* out, const char** why);
    void serialize(Writer& w) const;
    bool sign(const Identity& controller);
    bool verify(const Identity& controller) const;
};

// NETWORK_CREDENTIALS payload: COMs up to a 0 byte, then counted capabilities, tags, revocations
// and certificates of ownership (each section optional from the end; bytes after the last are
// ignored, as ZeroTier ignores them). serialize() always writes all four counts.
struct CredentialBundle {
    std::vector<CertificateOfMembership> coms;
    std::vector<Capability> capabilities;
    std::vector<Tag> tags;
    std::vector<Revocation> revocations;
    std::vector<CertificateOfOwnership> coos;

    static bool parse(const std::uint8_t* data, std::size_t len, CredentialBundle* out, const char** why);
    void serialize(Writer& w) const;
};

}  // namespace zt
