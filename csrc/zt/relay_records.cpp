// SPDX-License-Identifier: Apache-2.0
#include "zt/relay_records.hpp"

#include "zt/constants.hpp"

namespace zt {

namespace {
void append_header(std::vector<std::uint8_t>& out, std::size_t len) {
    out.push_back(kTcpRelayRecordType);
    out.push_back(0x03);  // TLS 1.2, as far as a middlebox can tell
    out.push_back(0x03);
    out.push_back(static_cast<std::uint8_t>(len >> 8));
    out.push_back(static_cast<std::uint8_t>(len & 0xff));
}

std::uint16_t port_at(const std::uint8_t* p) { return static_cast<std::uint16_t>((p[0] << 8) | p[1]); }
}  // namespace

void append_relay_hello(std::vector<std::uint8_t>& out) {
    append_header(out, 4);
    out.push_back(kSoftwareMajor);
    out.push_back(kSoftwareMinor);
    out.push_back(static_cast<std::uint8_t>(kSoftwareRevision >> 8));
    out.push_back(static_cast<std::uint8_t>(kSoftwareRevision & 0xff));
}

bool append_relay_datagram(std::vector<std::uint8_t>& out, const InetAddress& to, const std::uint8_t* data,
                           std::size_t len) {
    if (to.family != InetAddress::Family::kV4 || len > kTcpRelayMaxBody - kTcpRelayAddressLen) return false;
    append_header(out, kTcpRelayAddressLen + len);
    out.push_back(4);
    out.insert(out.end(), to.ip, to.ip + 4);
    out.push_back(static_cast<std::uint8_t>(to.port >> 8));
    out.push_back(static_cast<std::uint8_t>(to.port & 0xff));
    out.insert(out.end(), data, data + len);
    return true;
}

RelayRecordsRead read_relay_records(const std::uint8_t* data, std::size_t len, const RelayDatagramSink& sink) {
    RelayRecordsRead r;
    while (len - r.consumed >= kTcpRelayHeaderLen) {
        const std::uint8_t* h = data + r.consumed;
        if (h[0] != kTcpRelayRecordType) {
            r.broken = true;
            break;
        }
        const std::size_t body_len = (static_cast<std::size_t>(h[3]) << 8) | h[4];
        if (len - r.consumed - kTcpRelayHeaderLen < body_len) break;
        const std::uint8_t* body = h + kTcpRelayHeaderLen;
        // A 4-byte record is a version (a relay's own opening, or an echo of ours), whatever its first byte.
        if (body_len == 4 || body_len == 0 || body[0] == 0) {
            r.consumed += kTcpRelayHeaderLen + body_len;
            continue;
        }
        if (body[0] == 4 && body_len >= kTcpRelayAddressLen) {
            sink(InetAddress::v4(body + 1, port_at(body + 5)), body + kTcpRelayAddressLen, body_len - kTcpRelayAddressLen);
        } else if (body[0] == 6 && body_len >= kTcpRelayAddress6Len) {
            sink(InetAddress::v6(body + 1, port_at(body + 17)), body + kTcpRelayAddress6Len,
                 body_len - kTcpRelayAddress6Len);
        } else {
            r.broken = true;  // an unknown address type, or one too short for its address
            break;
        }
        r.consumed += kTcpRelayHeaderLen + body_len;
        ++r.datagrams;
    }
    return r;
}

}  // namespace zt
