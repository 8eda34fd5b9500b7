// SPDX-License-Identifier: Apache-2.0
// Verb payloads: one struct per message, a parser that reads it from a dearmored (and decompressed)
// packet, and a builder that appends it to a packet under construction. Parsers are pure: no state,
// no I/O, bounds-checked, and they say why they reject. The node's handlers and the wire inspector
// (ztx_wire_*, used by tests and tools) share them, so what the tests decode is what the node sees.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "zt/identity.hpp"
#include "zt/inet_address.hpp"
#include "zt/packet.hpp"
#include "zt/world.hpp"

namespace zt::wire {

struct MoonRef {
    std::uint64_t id = 0;
    std::uint64_t timestamp = 0;  // 0 = wanted, not held
};

// HELLO (suite 0; the moon list after the planet fields is crypt_field-encrypted).
struct Hello {
    std::uint8_t protocol = kProtocolVersion;
    std::uint8_t major = kSoftwareMajor;
    std::uint8_t minor = kSoftwareMinor;
    std::uint16_t revision = kSoftwareRevision;
    std::uint64_t timestamp = 0;
    Identity identity;             // public part
    InetAddress destination;       // where the sender sent it (nil if absent)
    bool has_planet = false;
    std::uint64_t planet_id = 0;
    std::uint64_t planet_timestamp = 0;
    std::vector<MoonRef> moons;
    std::size_t encrypted_offset = 0;  // parsed: packet offset of the crypt_field part, 0 if absent
};
// Parses a dearmored HELLO; `key` decrypts the moon list (pass nullptr to leave moons empty).
bool parse_hello(const Packet& p, const SymmetricKey* key, Hello* out, const char** why);
// Appends the payload; the moon list is encrypted with `key` (so call before armoring).
void build_hello(Packet& p, const Hello& h, const SymmetricKey& key);

// OK and ERROR share a 9-byte prefix: in-re verb and in-re packet ID.
struct ReplyHeader {
    Verb in_re_verb = Verb::kNop;
    std::uint64_t in_re_packet_id = 0;
};
bool parse_reply_header(const Packet& p, ReplyHeader* out, const char** why);
void build_reply_header(Packet& p, const ReplyHeader& h);
// Offset of the verb-specific part of an OK/ERROR payload (after the prefix).
inline constexpr std::size_t kReplyBodyOffset = 9;

struct OkHello {
    std::uint64_t timestamp_echo = 0;
    std::uint8_t protocol = 0;
    std::uint8_t major = 0;
    std::uint8_t minor = 0;
    std::uint16_t revision = 0;
    InetAddress external;          // how the responder saw us (nil if absent)
    std::vector<World> worlds;     // world updates (possibly none)
};
bool parse_ok_hello(const Packet& p, OkHello* out, const char** why);
void build_ok_hello(Packet& p, const OkHello& ok);  // after build_reply_header

// OK(WHOIS): one or more public identities (the reference reads only the first).
bool parse_ok_whois(const Packet& p, std::vector<Identity>* out, const char** why);
void build_ok_whois(Packet& p, const std::vector<Identity>& ids);

struct Error {
    ReplyHeader header;
    ErrorCode code = ErrorCode::kNone;
    std::uint64_t network_id = 0;  // for the network-related codes, 0 if absent
};
bool parse_error(const Packet& p, Error* out, const char** why);
void build_error(Packet& p, const Error& e);

// WHOIS: one or more 5-byte addresses.
bool parse_whois(const Packet& p, std::vector<std::uint64_t>* out, const char** why);
void build_whois(Packet& p, const std::vector<std::uint64_t>& addresses);

// RENDEZVOUS: flags(1) address(5) port(2) iplen(1) ip(4|16).
struct Rendezvous {
    std::uint8_t flags = 0;
    std::uint64_t peer = 0;
    InetAddress at;
};
bool parse_rendezvous(const Packet& p, Rendezvous* out, const char** why);
void build_rendezvous(Packet& p, const Rendezvous& r);

// PUSH_DIRECT_PATHS: count(2), then flags(1) extlen(2) ext type(1) len(1) ip port(2) per record.
// Records of unknown address types are skipped (by their length byte); a list shorter than its count
// is rejected.
struct DirectPath {
    std::uint8_t flags = 0;
    InetAddress address;
};
bool parse_push_direct_paths(const Packet& p, std::vector<DirectPath>* out, const char** why);
void build_push_direct_paths(Packet& p, const std::vector<DirectPath>& paths);

// USER_MESSAGE: type(8) then data.
struct UserMessage {
    std::uint64_t type = 0;
    std::vector<std::uint8_t> data;
};
bool parse_user_message(const Packet& p, UserMessage* out, const char** why);
void build_user_message(Packet& p, std::uint64_t type, const void* data, std::size_t len);

// ---- VL2 verbs, decoded here so VL1 can count, relay and inspect them ----------------------------

struct Frame {  // FRAME: network(8) ethertype(2) payload
    std::uint64_t network_id = 0;
    std::uint16_t ethertype = 0;
    std::size_t payload_offset = 0;  // into the packet
    std::size_t payload_len = 0;
};
bool parse_frame(const Packet& p, Frame* out, const char** why);

struct ExtFrame {  // EXT_FRAME: network(8) flags(1) [COM] to(6) from(6) ethertype(2) payload
    std::uint64_t network_id = 0;
    std::uint8_t flags = 0;
    std::size_t com_offset = 0, com_len = 0;  // COM attached (flag 0x01), else 0
    std::uint64_t to_mac = 0, from_mac = 0;
    std::uint16_t ethertype = 0;
    std::size_t payload_offset = 0;
    std::size_t payload_len = 0;
};
bool parse_ext_frame(const Packet& p, ExtFrame* out, const char** why);

struct MulticastSubscription {  // one MULTICAST_LIKE tuple
    std::uint64_t network_id = 0;
    std::uint64_t mac = 0;
    std::uint32_t adi = 0;
};
bool parse_multicast_like(const Packet& p, std::vector<MulticastSubscription>* out, const char** why);

struct MulticastGather {
    std::uint64_t network_id = 0;
    std::uint8_t flags = 0;
    std::uint64_t mac = 0;
    std::uint32_t adi = 0;
    std::uint32_t limit = 0;
};
bool parse_multicast_gather(const Packet& p, MulticastGather* out, const char** why);

// OK(MULTICAST_GATHER): network(8) mac(6) adi(4) total known(4) count(2) count x address(5).
struct OkMulticastGather {
    std::uint64_t network_id = 0;
    std::uint64_t mac = 0;
    std::uint32_t adi = 0;
    std::uint32_t total_known = 0;
    std::vector<std::uint64_t> members;
};
bool parse_ok_multicast_gather(const Packet& p, OkMulticastGather* out, const char** why);

// OK(MULTICAST_FRAME): network(8) mac(6) adi(4) flags(1) [COM if 0x01] [total known(4) count(2)
// count x address(5) if 0x02].
struct OkMulticastFrame {
    std::uint64_t network_id = 0;
    std::uint64_t mac = 0;
    std::uint32_t adi = 0;
    std::uint8_t flags = 0;
    std::uint32_t total_known = 0;
    std::vector<std::uint64_t> members;
};
bool parse_ok_multicast_frame(const Packet& p, OkMulticastFrame* out, const char** why);

// NETWORK_CREDENTIALS: certificates of membership up to a 0 byte, then (each optional at the end)
// counted capabilities, tags, revocations and certificates of ownership. Only the framing is checked
// here (every credential has the length its format says); their meaning and signatures are VL2's.
struct NetworkCredentials {
    std::vector<std::uint64_t> com_network_ids;  // per certificate of membership (0 if it names none)
    unsigned capabilities = 0;
    unsigned tags = 0;
    unsigned revocations = 0;
    unsigned ownerships = 0;
};
bool parse_network_credentials(const Packet& p, NetworkCredentials* out, const char** why);

struct MulticastFrame {
    std::uint64_t network_id = 0;
    std::uint8_t flags = 0;
    std::uint32_t gather_limit = 0;  // flag 0x02
    std::uint64_t source_mac = 0;    // flag 0x04, else 0
    std::uint64_t dest_mac = 0;
    std::uint32_t adi = 0;
    std::uint16_t ethertype = 0;
    std::size_t payload_offset = 0;
    std::size_t payload_len = 0;
};
bool parse_multicast_frame(const Packet& p, MulticastFrame* out, const char** why);

struct NetworkConfigRequest {
    std::uint64_t network_id = 0;
    std::size_t metadata_offset = 0, metadata_len = 0;  // Dictionary bytes in the packet
    std::uint64_t revision = 0;    // 0 if absent
    std::uint64_t timestamp = 0;   // 0 if absent
};
bool parse_network_config_request(const Packet& p, NetworkConfigRequest* out, const char** why);

// One chunk of a network config: in OK(NETWORK_CONFIG_REQUEST) after the reply header, or in
// NETWORK_CONFIG from the start of the payload.
struct NetworkConfigChunk {
    std::uint64_t network_id = 0;
    std::size_t data_offset = 0, data_len = 0;
    bool has_trailer = false;  // legacy controllers omit it
    std::uint8_t flags = 0;
    std::uint64_t update_id = 0;
    std::uint32_t total_length = 0;
    std::uint32_t chunk_index = 0;
    std::size_t signature_offset = 0;  // 96-byte C25519 signature
};
bool parse_network_config_chunk(const Packet& p, std::size_t at, NetworkConfigChunk* out, const char** why);

// A one-line human description of any dearmored packet (header fields, then the verb's fields as
// key=value), for logs; never fails (ends with error=<why> when the payload does not parse). `key`
// only decrypts HELLO's moon list. tools/inspect.hpp has the same as JSON, and for raw datagrams.
std::string describe(const Packet& p, const SymmetricKey* key);

}  // namespace zt::wire
