// SPDX-License-Identifier: Apache-2.0
// VL1 packets: the 28-byte header, armoring (cipher suites 0, 1 and 3), HELLO's partly encrypted
// tail, LZ4 compression of payloads, and splitting into datagram-sized fragments.
//
//   0       8            13           18     19          27     28
//   | id(8) | dest(5)    | source(5)  | flags| mac(8)    | verb | payload ...
//   flags: F(legacy encrypted) F(fragmented) CCC(cipher suite) HHH(hops)
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>

#include "zt/constants.hpp"
#include "zt/crypto.hpp"
#include "zt/identity.hpp"

namespace zt {

enum class Verb : std::uint8_t {
    kNop = 0x00,
    kHello = 0x01,
    kError = 0x02,
    kOk = 0x03,
    kWhois = 0x04,
    kRendezvous = 0x05,
    kFrame = 0x06,
    kExtFrame = 0x07,
    kEcho = 0x08,
    kMulticastLike = 0x09,
    kNetworkCredentials = 0x0a,
    kNetworkConfigRequest = 0x0b,
    kNetworkConfig = 0x0c,
    kMulticastGather = 0x0d,
    kMulticastFrame = 0x0e,
    kPushDirectPaths = 0x10,
    kAck = 0x12,
    kQosMeasurement = 0x13,
    kUserMessage = 0x14,
    kRemoteTrace = 0x15,
    kPathNegotiationRequest = 0x16,
};
const char* verb_name(Verb v);  // "HELLO", ...; "UNKNOWN" for unassigned values

enum class ErrorCode : std::uint8_t {
    kNone = 0x00,
    kInvalidRequest = 0x01,
    kBadProtocolVersion = 0x02,
    kObjectNotFound = 0x03,
    kIdentityCollision = 0x04,
    kUnsupportedOperation = 0x05,
    kNeedMembershipCertificate = 0x06,
    kNetworkAccessDenied = 0x07,
    kUnwantedMulticast = 0x08,
    kNetworkAuthenticationRequired = 0x09,
};

enum class CipherSuite : std::uint8_t {
    kPoly1305 = 0,           // authenticated, not encrypted: HELLO (and some multipath verbs)
    kSalsa2012Poly1305 = 1,  // peers below protocol 12
    kTrustedPath = 2,        // no crypto, only on locally configured trusted paths
    kAesGmacSiv = 3,         // peers at protocol 12 and up
};

// Everything one peer relationship needs for armoring, derived once from the 48-byte agreed key.
class PeerKey {
  public:
    explicit PeerKey(const SymmetricKey& key);
    ~PeerKey();
    PeerKey(const PeerKey&) = delete;
    PeerKey& operator=(const PeerKey&) = delete;

    const SymmetricKey& key() const { return key_; }
    crypto::Aes256& k0() { return k0_; }  // AES-GMAC-SIV: GMAC key
    crypto::Aes256& k1() { return k1_; }  // AES-GMAC-SIV: tag encryption and CTR key

    // KBKDF-HMAC-SHA384 with label '0' or '1' (exposed for the vector test).
    static void derive_aes_key(const SymmetricKey& key, char label, std::uint8_t out[48]);

  private:
    SymmetricKey key_;
    crypto::Aes256 k0_;
    crypto::Aes256 k1_;
};

// One whole (assembled) packet in a fixed buffer. Bounds are checked on every append; an overflow
// marks the packet bad (ok() == false) instead of writing past the end.
class Packet {
  public:
    static constexpr std::size_t kCapacity = kMaxPacketLen;

    Packet();
    // A new packet: random ID, the addresses, flags 0, MAC 0, the verb; size 28.
    Packet(std::uint64_t destination, std::uint64_t source, Verb verb);
    // Copies a received packet. Returns false (and leaves size 0) if len < 28 or > capacity.
    bool assign(const std::uint8_t* data, std::size_t len);

    std::uint8_t* data() { return buf_.data(); }
    const std::uint8_t* data() const { return buf_.data(); }
    std::size_t size() const { return size_; }
    bool ok() const { return ok_; }

    // Header fields.
    std::uint64_t packet_id() const;
    void set_packet_id(std::uint64_t id);
    std::uint64_t destination() const;
    std::uint64_t source() const;
    void set_destination(std::uint64_t a);
    void set_source(std::uint64_t a);
    unsigned hops() const { return buf_[kIdxFlags] & kFlagHopsMask; }
    void increment_hops();  // wraps within the 3-bit field, as relays do
    CipherSuite cipher() const { return static_cast<CipherSuite>((buf_[kIdxFlags] & kFlagCipherMask) >> kCipherShift); }
    bool fragmented() const { return (buf_[kIdxFlags] & kFlagFragmented) != 0; }
    void set_fragmented(bool f);
    Verb verb() const { return static_cast<Verb>(buf_[kIdxVerb] & kVerbMask); }
    bool compressed() const { return (buf_[kIdxVerb] & kVerbFlagCompressed) != 0; }

    const std::uint8_t* payload() const { return buf_.data() + kIdxPayload; }
    std::uint8_t* payload() { return buf_.data() + kIdxPayload; }
    std::size_t payload_size() const { return size_ - kIdxPayload; }

    // Appending payload (big-endian integers).
    void append_u8(std::uint8_t v);
    void append_u16(std::uint16_t v);
    void append_u32(std::uint32_t v);
    void append_u40(std::uint64_t v);
    void append_u64(std::uint64_t v);
    void append(const void* p, std::size_t n);
    void append_zeros(std::size_t n);
    void truncate(std::size_t size);  // keeps the header

    // Armor the whole packet with the given suite (sets the cipher bits, legacy flag, MAC, and for
    // suite 3 replaces the packet ID by the SIV tag). Only the originator armors, so the hop count is
    // reset to 0 (suite 3 authenticates the flags byte as sent and verifies it with hops masked to 0).
    // Set the fragmented flag first: it is authenticated. Suite 2 or 4-7 marks the packet bad.
    void armor(PeerKey& key, CipherSuite suite);
    // Verify and decrypt by the suite named in the header. False: bad MAC, suite 2 or unknown
    // suite; the packet is then unusable. Hops may be anything (relays change them).
    bool dearmor(PeerKey& key);

    // HELLO's moon list is XORed with Salsa20/12 under the unmangled key and the packet ID with the
    // low 3 bits of byte 7 cleared. Applies to bytes [start, start+len) of the packet.
    void crypt_field(const SymmetricKey& key, std::size_t start, std::size_t len);

    // LZ4 on bytes 28..end; compress() keeps the original unless it gets smaller (and skips tiny
    // payloads); decompress() returns false on corrupt data or if the result would not fit.
    bool compress();
    bool decompress();

  private:
    void mangle_salsa_key(const SymmetricKey& key, std::uint8_t out[32]) const;

    // Not zeroed past the header: a packet is built by appending and read up to size(), and
    // clearing 10 KB for every frame showed in profiles. Bytes past size() are never read.
    std::array<std::uint8_t, kCapacity> buf_;
    std::size_t size_ = 0;
    bool ok_ = true;
};

// Splits an armored packet into datagrams of at most `mtu` bytes: the head (the packet's first
// bytes) then fragments (16 header bytes and the next slice), as few as the MTU allows, all as long
// as the head but the last, which may be shorter. The packet's fragmented flag must already
// be set (before armoring) iff fragmentation is needed: use needs_fragmentation(). The sink is called
// once per datagram. Returns false, calling the sink never, if the flag disagrees with the size, the
// MTU cannot hold a header, or the packet would need more than kMaxPacketFragments pieces (receivers
// drop such sets, so sending them would only waste bandwidth).
bool needs_fragmentation(std::size_t packet_size, std::size_t mtu);
bool for_each_datagram(const Packet& armored, std::size_t mtu,
                       const std::function<void(const std::uint8_t* data, std::size_t len)>& sink);

// What one UDP payload is, judged from its length and the fragment indicator byte.
enum class DatagramKind { kInvalid, kBeacon, kFragment, kPacket };
DatagramKind classify_datagram(const std::uint8_t* data, std::size_t len);

// Reassembles packets from heads and fragments arriving in any order. Holds at most kRxQueueSize
// packets in progress (the oldest is dropped for a new one) and drops any older than
// kReceiveQueueTimeout. Fragments are not authenticated: a set is only as good as the MAC of the
// packet it assembles into, which the caller checks.
class Defragmenter {
  public:
    // kDropped: this datagram was not used (malformed, duplicate, inconsistent with its set, or it
    // would make the packet larger than Packet::kCapacity; in that last case the set is abandoned).
    enum class Result { kIncomplete, kComplete, kDropped };

    // A head (fragmented flag set) or a fragment. On kComplete, *out holds the assembled packet.
    Result add_head(const std::uint8_t* data, std::size_t len, std::int64_t now, Packet* out);
    Result add_fragment(const std::uint8_t* data, std::size_t len, std::int64_t now, Packet* out);
    void expire(std::int64_t now);
    std::size_t in_progress() const;
    // Datagrams (heads and fragments) held by sets that were evicted or timed out: never used.
    std::uint64_t abandoned_pieces() const { return abandoned_pieces_; }

  private:
    // One packet in progress. Pieces (head = number 0) are stored back to back in arrival order in
    // one packet-sized buffer, so a slot costs about one packet and an overflowing set is detected
    // before anything is written.
    struct Slot {
        std::uint64_t packet_id = 0;
        std::int64_t created = 0;
        bool used = false;
        unsigned total = 0;           // 0 until a fragment tells us
        std::uint32_t have_mask = 0;  // bit n: piece n received (head = 0)
        std::uint16_t stored = 0;     // bytes used in data
        std::array<std::uint16_t, kMaxPacketFragments> piece_offset{};
        std::array<std::uint16_t, kMaxPacketFragments> piece_len{};
        std::array<std::uint8_t, Packet::kCapacity> data{};
    };
    Slot* find_or_claim(std::uint64_t id, std::int64_t now);
    Result store(Slot& s, unsigned number, const std::uint8_t* piece, std::size_t len, Packet* out);
    Result try_complete(Slot& s, Packet* out);

    void abandon(Slot& s);

    std::array<Slot, kRxQueueSize> slots_{};
    std::uint64_t abandoned_pieces_ = 0;
};

}  // namespace zt
