// SPDX-License-Identifier: Apache-2.0
// The record stream of ZeroTier's TCP fallback relay (what zerotier-one's tcp-proxy serves and
// `libzt relay` serves), written and read without any socket: osdep/tcp_relay drives a connection
// with it, and tests/fuzz/fuzz_relay_records.cpp feeds it whatever a relay could send.
//
// Records look like TLS 1.2 application data to a middlebox: 0x17 0x03 0x03, a 2-byte big-endian
// length, then that many bytes. A client opens with a 4-byte record (its version: major, minor,
// revision as 2 bytes), which marks it as one whose records carry addresses; after that each record
// is an address type byte (4: IPv4, 4 address bytes; 6: IPv6, 16 bytes), the port (2 bytes, network
// order), then the datagram. From the client the address is the destination, from the relay the
// source. Clients send IPv4 only, as ZeroTier One's do; relays may answer with either.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "zt/inet_address.hpp"

namespace zt {

inline constexpr std::uint8_t kTcpRelayRecordType = 0x17;
inline constexpr std::size_t kTcpRelayHeaderLen = 5;
inline constexpr std::size_t kTcpRelayAddressLen = 7;    // 0x04, IPv4 address, port
inline constexpr std::size_t kTcpRelayAddress6Len = 19;  // 0x06, IPv6 address, port
inline constexpr std::size_t kTcpRelayMaxBody = 0xffff;  // the length field's reach

// Appends the opening record (our version).
void append_relay_hello(std::vector<std::uint8_t>& out);
// Appends one datagram for IPv4 destination `to`; false (nothing appended) if `to` is not IPv4 or
// the record would not fit its length field.
bool append_relay_datagram(std::vector<std::uint8_t>& out, const InetAddress& to, const std::uint8_t* data,
                           std::size_t len);

using RelayDatagramSink = std::function<void(const InetAddress& from, const std::uint8_t* data, std::size_t len)>;

struct RelayRecordsRead {
    std::size_t consumed = 0;  // bytes of whole records taken; the rest waits for more input
    bool broken = false;       // not a relay's stream (wrong record type, unknown address type)
    std::size_t datagrams = 0;
};

// Reads the whole records at the start of `data`, handing each datagram to `sink` (pointers into
// `data`); version records and empty or address-type-0 records carry nothing. Stops at the first
// incomplete record, or at a record that shows the stream is not a relay's: nothing after that
// can be trusted, and the caller closes the connection.
RelayRecordsRead read_relay_records(const std::uint8_t* data, std::size_t len, const RelayDatagramSink& sink);

}  // namespace zt
