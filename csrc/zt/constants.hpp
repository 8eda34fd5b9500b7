// SPDX-License-Identifier: Apache-2.0
// Wire constants and limits of the ZeroTier protocol (version 12), grouped by what they bound.
// Values are facts of the protocol; see ../shared/spec/vl1.md for where each one comes from.
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
