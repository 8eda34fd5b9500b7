// SPDX-License-Identifier: Apache-2.0
// Wire constants and limits of the ZeroTier protocol (version 12), grouped by what they bound.
// Values are facts of the protocol; see docs/protocol/vl1.md for where each one comes from.
#pragma once

#include <cstddef>
#include <cstdint>

namespace zt {

// Identities (C25519 = X25519 key || Ed25519 key).
inline constexpr std::size_t kAddressLen = 5;
inline constexpr std::uint64_t kAddressMask = 0xffffffffffULL;
inline constexpr std::uint8_t kAddressReservedPrefix = 0xff;
inline constexpr std::size_t kPublicKeyLen = 64;
inline constexpr std::size_t kPrivateKeyLen = 64;
inline constexpr std::size_t kKeyPairLen = kPublicKeyLen + kPrivateKeyLen;
inline constexpr std::size_t kSignatureLen = 96;
inline constexpr std::size_t kSymmetricKeyLen = 48;  // what key agreement yields per peer
inline constexpr std::uint8_t kIdentityTypeC25519 = 0;
// address(5) type(1) public(64) secret-length(1): the public identity on the wire.
inline constexpr std::size_t kIdentityWireLen = kAddressLen + 1 + kPublicKeyLen + 1;
inline constexpr std::size_t kIdentityMaxBinaryLen = kIdentityWireLen + kPrivateKeyLen;

// The memory-hard address derivation.
inline constexpr std::size_t kIdentityGenMemory = 2 * 1024 * 1024;
inline constexpr std::uint8_t kIdentityGenFirstByteLessThan = 17;

// String forms.
inline constexpr std::size_t kIdentityStringBufferLen = 384;  // ZT_IDENTITY_STRING_BUFFER_LENGTH

// Worlds (planets and moons).
inline constexpr std::size_t kWorldMaxRoots = 4;
inline constexpr std::size_t kWorldMaxEndpointsPerRoot = 32;
inline constexpr std::size_t kWorldMaxSerializedLen = ((1024 + (32 * 32)) * kWorldMaxRoots) + 64 + 96 + 128;
inline constexpr std::uint64_t kWorldIdEarth = 149604618ULL;
inline constexpr std::uint64_t kWorldIdMars = 227883110ULL;

}  // namespace zt

namespace zt {

// Protocol versions (HELLO announces kProtocolVersion; peers below kProtocolVersionMin are ignored;
// peers at kProtocolVersionAes and up are sent AES-GMAC-SIV).
inline constexpr std::uint8_t kProtocolVersion = 12;
inline constexpr std::uint8_t kProtocolVersionMin = 4;
inline constexpr std::uint8_t kProtocolVersionAes = 12;
inline constexpr std::uint8_t kProtocolVersionEcho = 5;
// The software version we announce: libzt's 1.8.x line pins ZeroTier One 1.12.0's core.
inline constexpr std::uint8_t kSoftwareMajor = 1;
inline constexpr std::uint8_t kSoftwareMinor = 12;
inline constexpr std::uint16_t kSoftwareRevision = 0;

// Packet framing.
enum PacketOffset : std::size_t {
    kIdxPacketId = 0,
    kIdxDestination = 8,
    kIdxSource = 13,
    kIdxFlags = 18,
    kIdxMac = 19,
    kIdxVerb = 27,
    kIdxPayload = 28,
};
inline constexpr std::size_t kMinPacketLen = kIdxPayload;
inline constexpr std::size_t kDefaultPhysMtu = 1432;  // UDP payload per datagram
inline constexpr std::size_t kMinPhysMtu = 1400;
inline constexpr std::size_t kMaxPacketFragments = 7;  // head included
inline constexpr std::size_t kMaxPacketLen = kMaxPacketFragments * kDefaultPhysMtu;  // 10024
inline constexpr std::size_t kMaxDatagramLen = 16384;  // receive buffer: any path MTU we may meet

enum FlagBits : std::uint8_t {
    kFlagLegacyEncrypted = 0x80,  // set with suite 1 only, for pre-1.0.3 peers; never read
    kFlagFragmented = 0x40,
    kFlagCipherMask = 0x38,
    kFlagHopsMask = 0x07,
};
inline constexpr unsigned kCipherShift = 3;
inline constexpr std::uint8_t kVerbMask = 0x1f;
inline constexpr std::uint8_t kVerbFlagCompressed = 0x80;

// Fragments: id(8) destination(5) 0xff(1) total<<4|number(1) hops(1) data.
enum FragmentOffset : std::size_t {
    kIdxFragmentIndicator = 13,
    kIdxFragmentNumbers = 14,
    kIdxFragmentHops = 15,
    kIdxFragmentPayload = 16,
};
inline constexpr std::size_t kMinFragmentLen = kIdxFragmentPayload;
inline constexpr std::uint8_t kFragmentIndicator = 0xff;
inline constexpr std::size_t kLegacyBeaconLen = 13;

// Relaying and queues.
inline constexpr unsigned kMaxHops = 7;       // field limit
inline constexpr unsigned kRelayMaxHops = 3;  // we relay only below this
// Packets from/to an address we have no identity for wait for WHOIS in bounded queues: a few per
// address and a fixed total. At either bound a newcomer is refused (never an older packet pushed out),
// so a flood of packets from made-up senders cannot displace the genuine ones already waiting.
inline constexpr std::size_t kRxQueueSize = 32;  // also the number of fragment sets reassembled at once
inline constexpr std::size_t kTxQueueSize = 32;
inline constexpr std::size_t kQueuePerAddress = 8;
inline constexpr std::int64_t kReceiveQueueTimeout = 5000;
inline constexpr std::int64_t kTransmitQueueTimeout = 5000;
// WHOIS: one outstanding request per address, sent, then retried 500, 1000 and 2000 ms after the
// previous try; without an answer 4 s after the last, or when its packets time out, it is given up (its
// waiting packets dropped). Every WHOIS sent, first or retry, takes a token of one node-wide bucket.
inline constexpr std::int64_t kWhoisRetryDelay = 500;
inline constexpr unsigned kWhoisMaxSends = 4;
inline constexpr unsigned kWhoisBurst = 32;
inline constexpr std::int64_t kWhoisRefillMs = 20;  // 50 WHOIS per second sustained

// Timers (milliseconds).
inline constexpr std::int64_t kPingCheckInterval = 5000;
inline constexpr std::int64_t kPathHeartbeatPeriod = 14000;
inline constexpr std::int64_t kPathAliveTimeout = kPathHeartbeatPeriod + 5000;
inline constexpr std::int64_t kPathHelloRateLimit = 1000;
inline constexpr std::int64_t kPeerPingPeriod = 60000;
inline constexpr std::int64_t kPeerPathExpiration = (kPeerPingPeriod * 4) + 3000;
inline constexpr std::int64_t kPeerActivityTimeout = 30000;  // libzt (SDK) value
// Peers we have heard nothing from for this long are forgotten (ZeroTier's Peer::isAlive window as
// libzt builds it), unless they are roots or controllers of networks we joined.
inline constexpr std::int64_t kPeerIdleTimeout = kPeerActivityTimeout;
// At most this many peers. At the bound a new peer may displace the idlest one quiet for at least
// kPeerEvictionMinIdle (never a root or a controller of a joined network); if none is that quiet,
// the newcomer is refused and must try again later.
inline constexpr std::size_t kMaxPeers = 65536;
inline constexpr std::int64_t kPeerEvictionMinIdle = 10000;
inline constexpr std::int64_t kTrustExpiration = 600000;
inline constexpr std::int64_t kMinUniteInterval = 30000;
// A RENDEZVOUS about a peer whose identity is still being looked up is kept this long for when WHOIS
// answers. ZeroTier One drops it; behind a port-restricted NAT that costs the punch until the root's
// next RENDEZVOUS, kMinUniteInterval later (the other side's NAT only opens once this side has sent).
inline constexpr std::int64_t kRendezvousKeep = 10000;
inline constexpr std::int64_t kTryRememberedPathInterval = 30000;
inline constexpr std::int64_t kDirectPathPushInterval = 15000;
inline constexpr std::int64_t kDirectPathPushIntervalHavePath = 120000;
inline constexpr std::int64_t kPushDirectPathsCutoffTime = 30000;
inline constexpr unsigned kPushDirectPathsCutoffLimit = 8;
inline constexpr unsigned kPushDirectPathsMaxPerScopeAndFamily = 8;
inline constexpr std::int64_t kPeerWhoisRateLimit = 100;
// NETWORK_CREDENTIALS from one peer: bursts of this many, then one per refill period (ZeroTier cuts a
// peer off after 15 packets each within a second of the previous one).
inline constexpr unsigned kPeerCredentialsBurst = 15;
inline constexpr std::int64_t kPeerCredentialsRefill = 250;
inline constexpr std::int64_t kEchoRateLimit = 1000 / 6;
inline constexpr std::int64_t kIdentityVerificationRateLimit = 2000;  // per source /24 (IPv4) or /48 (IPv6)
inline constexpr std::size_t kMaxPeerPaths = 64;
inline constexpr std::size_t kMaxUserMessageLen = 16384;

}  // namespace zt
