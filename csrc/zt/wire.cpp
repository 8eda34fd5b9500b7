// SPDX-License-Identifier: Apache-2.0
// VL1 verb payloads (vl1.md section 5): HELLO, OK/ERROR, WHOIS, RENDEZVOUS, PUSH_DIRECT_PATHS,
// USER_MESSAGE. Each parser is a ladder of bounds checks with one way out per lie it catches.
//
// Three address layouts meet here: HELLO and OK(HELLO) use InetAddress's type-byte form,
// RENDEZVOUS puts the port first then a length and the IP, PUSH_DIRECT_PATHS a type, a length
// covering IP + port, the IP, then the port.
#include <cstring>

#include "zt/wire.hpp"
#include "zt/wire_reader.hpp"

namespace zt::wire {

using detail::payload_of;
using detail::payload_reader;
using detail::reject;

namespace {

constexpr std::uint8_t kMoonRecordType = static_cast<std::uint8_t>(World::Type::kMoon);
constexpr std::size_t kMoonRecordLen = 1 + 8 + 8;
constexpr std::uint8_t kPathTypeV4 = 4;
constexpr std::uint8_t kPathTypeV6 = 6;

// A public identity on the wire: 71 bytes, never a private key.
bool read_public_identity(Reader& r, Identity* out, const char* truncated, const char** why) {
    std::size_t used = 0;
    if (!Identity::from_bytes(r.cursor(), r.remaining(), out, &used, why)) {
        return r.remaining() < kIdentityWireLen ? reject(why, truncated) : false;
    }
    if (out->has_private()) return reject(why, "identity: a private key on the wire");
    r.skip(used);
    return true;
}

void append_identity(Packet& p, const Identity& id) {
    std::vector<std::uint8_t> bytes;
    id.to_bytes(bytes, false);
    p.append(bytes.data(), bytes.size());
}

void append_inet_address(Packet& p, const InetAddress& a) {
    std::vector<std::uint8_t> bytes;
    Writer w(bytes);
    a.serialize(w);
    p.append(bytes.data(), bytes.size());
}

bool is_network_error(ErrorCode c) {
    switch (c) {
        case ErrorCode::kObjectNotFound:
        case ErrorCode::kUnsupportedOperation:
        case ErrorCode::kNeedMembershipCertificate:
        case ErrorCode::kNetworkAccessDenied:
        case ErrorCode::kUnwantedMulticast:
        case ErrorCode::kNetworkAuthenticationRequired: return true;
        default: return false;
    }
}

}  // namespace

// ---- HELLO ------------------------------------------------------------------------------------------

bool parse_hello(const Packet& p, const SymmetricKey* key, Hello* out, const char** why) {
    if (!payload_of(p, Verb::kHello, "HELLO: not a HELLO packet", why)) return false;
    Reader r = payload_reader(p);
    Hello h;
    h.protocol = r.u8();
    h.major = r.u8();
    h.minor = r.u8();
    h.revision = r.u16();
    h.timestamp = r.u64();
    if (!r.ok()) return reject(why, "HELLO: truncated before the identity");
    if (!read_public_identity(r, &h.identity, "HELLO: truncated identity", why)) return false;
    if (h.identity.address() != p.source()) return reject(why, "HELLO: identity does not match the source address");

    // Everything after the identity is optional (older senders stop early), but a field that starts
    // must be whole.
    if (r.remaining() > 0 && !InetAddress::deserialize(r, &h.destination)) {
        return reject(why, "HELLO: malformed destination address");
    }
    if (r.remaining() > 0) {
        if (r.remaining() < 16) return reject(why, "HELLO: truncated planet ID and timestamp");
        h.has_planet = true;
        h.planet_id = r.u64();
        h.planet_timestamp = r.u64();
    }
    if (r.remaining() > 0) h.encrypted_offset = kIdxPayload + r.pos();
    if (r.remaining() > 0 && key != nullptr) {
        // The rest is encrypted: decrypt a copy, the packet stays as received.
        Packet plain;
        plain.assign(p.data(), p.size());
        const std::size_t start = h.encrypted_offset;
        plain.crypt_field(*key, start, p.size() - start);
        Reader m(plain.data() + start, p.size() - start);
        const unsigned count = m.u16();
        if (!m.ok()) return reject(why, "HELLO: truncated moon count");
        if (m.remaining() / kMoonRecordLen < count) return reject(why, "HELLO: truncated moon list");
        for (unsigned i = 0; i < count; ++i) {
            const std::uint8_t type = m.u8();
            MoonRef ref;
            ref.id = m.u64();
            ref.timestamp = m.u64();
            if (type == kMoonRecordType) h.moons.push_back(ref);  // other world types: not moons, skipped
        }
    }
    *out = std::move(h);
    return true;
}

void build_hello(Packet& p, const Hello& h, const SymmetricKey& key) {
    p.append_u8(h.protocol);
    p.append_u8(h.major);
    p.append_u8(h.minor);
    p.append_u16(h.revision);
    p.append_u64(h.timestamp);
    append_identity(p, h.identity);
    append_inet_address(p, h.destination);
    if (!h.has_planet && h.moons.empty()) return;  // the short form of old senders
    p.append_u64(h.planet_id);
    p.append_u64(h.planet_timestamp);
    const std::size_t encrypted_from = p.size();
    p.append_u16(static_cast<std::uint16_t>(h.moons.size()));
    for (const MoonRef& m : h.moons) {
        p.append_u8(kMoonRecordType);
        p.append_u64(m.id);
        p.append_u64(m.timestamp);
    }
    if (p.ok()) p.crypt_field(key, encrypted_from, p.size() - encrypted_from);
}

// ---- OK and ERROR ------------------------------------------------------------------------------------

bool parse_reply_header(const Packet& p, ReplyHeader* out, const char** why) {
    if (p.size() < kMinPacketLen) return reject(why, "packet: shorter than the 28-byte header");
    if (p.compressed()) return reject(why, "packet: payload still compressed (decompress first)");
    if (p.verb() != Verb::kOk && p.verb() != Verb::kError) return reject(why, "reply: not an OK or ERROR packet");
    Reader r = payload_reader(p);
    ReplyHeader h;
    h.in_re_verb = static_cast<Verb>(r.u8());
    h.in_re_packet_id = r.u64();
    if (!r.ok()) return reject(why, "reply: truncated in-re verb and packet ID");
    *out = h;
    return true;
}

void build_reply_header(Packet& p, const ReplyHeader& h) {
    p.append_u8(static_cast<std::uint8_t>(h.in_re_verb));
    p.append_u64(h.in_re_packet_id);
}

bool parse_ok_hello(const Packet& p, OkHello* out, const char** why) {
    ReplyHeader h;
    if (!parse_reply_header(p, &h, why)) return false;
    if (p.verb() != Verb::kOk || h.in_re_verb != Verb::kHello) return reject(why, "OK(HELLO): not an OK in re HELLO");
    Reader r(p.payload() + kReplyBodyOffset, p.payload_size() - kReplyBodyOffset);
    OkHello ok;
    ok.timestamp_echo = r.u64();
    ok.protocol = r.u8();
    ok.major = r.u8();
    ok.minor = r.u8();
    ok.revision = r.u16();
    if (!r.ok()) return reject(why, "OK(HELLO): truncated version fields");
    if (r.remaining() > 0 && !InetAddress::deserialize(r, &ok.external)) {
        return reject(why, "OK(HELLO): malformed external address");
    }
    if (r.remaining() > 0) {
        const std::size_t worlds_len = r.u16();
        if (!r.ok()) return reject(why, "OK(HELLO): truncated world update length");
        const std::uint8_t* worlds = r.take(worlds_len);
        if (worlds == nullptr) return reject(why, "OK(HELLO): world updates longer than the packet");
        std::size_t at = 0;
        while (at < worlds_len) {
            World w;
            std::size_t used = 0;
            if (!World::parse(worlds + at, worlds_len - at, &w, &used, why)) return false;
            if (used == 0) return reject(why, "OK(HELLO): empty world update");
            ok.worlds.push_back(std::move(w));
            at += used;
        }
    }
    *out = std::move(ok);
    return true;
}

void build_ok_hello(Packet& p, const OkHello& ok) {
    p.append_u64(ok.timestamp_echo);
    p.append_u8(ok.protocol);
    p.append_u8(ok.major);
    p.append_u8(ok.minor);
    p.append_u16(ok.revision);
    append_inet_address(p, ok.external);
    std::vector<std::uint8_t> worlds;
    for (const World& w : ok.worlds) w.serialize(worlds);
    // Worlds too long for the 16-bit length could never fit a packet either: the append below then
    // overflows and marks the packet bad.
    p.append_u16(static_cast<std::uint16_t>(worlds.size() > 0xffff ? 0xffff : worlds.size()));
    p.append(worlds.data(), worlds.size());
}

bool parse_ok_whois(const Packet& p, std::vector<Identity>* out, const char** why) {
    ReplyHeader h;
    if (!parse_reply_header(p, &h, why)) return false;
    if (p.verb() != Verb::kOk || h.in_re_verb != Verb::kWhois) return reject(why, "OK(WHOIS): not an OK in re WHOIS");
    Reader r(p.payload() + kReplyBodyOffset, p.payload_size() - kReplyBodyOffset);
    std::vector<Identity> ids;
    if (r.remaining() == 0) return reject(why, "OK(WHOIS): no identity");
    while (r.remaining() > 0) {
        Identity id;
        if (!read_public_identity(r, &id, "OK(WHOIS): truncated identity", why)) return false;
        ids.push_back(id);
    }
    *out = std::move(ids);
    return true;
}

void build_ok_whois(Packet& p, const std::vector<Identity>& ids) {
    for (const Identity& id : ids) append_identity(p, id);
}

bool parse_error(const Packet& p, Error* out, const char** why) {
    Error e;
    if (!parse_reply_header(p, &e.header, why)) return false;
    if (p.verb() != Verb::kError) return reject(why, "ERROR: not an ERROR packet");
    Reader r(p.payload() + kReplyBodyOffset, p.payload_size() - kReplyBodyOffset);
    e.code = static_cast<ErrorCode>(r.u8());
    if (!r.ok()) return reject(why, "ERROR: missing error code");
    if (is_network_error(e.code) && r.remaining() >= 8) e.network_id = r.u64();
    *out = e;
    return true;
}

void build_error(Packet& p, const Error& e) {
    build_reply_header(p, e.header);
    p.append_u8(static_cast<std::uint8_t>(e.code));
    if (is_network_error(e.code)) p.append_u64(e.network_id);
}

// ---- WHOIS, RENDEZVOUS -------------------------------------------------------------------------------

bool parse_whois(const Packet& p, std::vector<std::uint64_t>* out, const char** why) {
    if (!payload_of(p, Verb::kWhois, "WHOIS: not a WHOIS packet", why)) return false;
    if (p.payload_size() == 0) return reject(why, "WHOIS: no address");
    if (p.payload_size() % kAddressLen != 0) return reject(why, "WHOIS: payload is not a whole number of addresses");
    Reader r = payload_reader(p);
    std::vector<std::uint64_t> addresses;
    while (r.remaining() > 0) addresses.push_back(r.u40());
    *out = std::move(addresses);
    return true;
}

void build_whois(Packet& p, const std::vector<std::uint64_t>& addresses) {
    for (std::uint64_t a : addresses) p.append_u40(a);
}

bool parse_rendezvous(const Packet& p, Rendezvous* out, const char** why) {
    if (!payload_of(p, Verb::kRendezvous, "RENDEZVOUS: not a RENDEZVOUS packet", why)) return false;
    Reader r = payload_reader(p);
    Rendezvous v;
    v.flags = r.u8();
    v.peer = r.u40();
    const std::uint16_t port = r.u16();
    const std::uint8_t ip_len = r.u8();
    if (!r.ok()) return reject(why, "RENDEZVOUS: truncated");
    if (ip_len != 4 && ip_len != 16) return reject(why, "RENDEZVOUS: address length is neither 4 nor 16");
    const std::uint8_t* ip = r.take(ip_len);
    if (ip == nullptr) return reject(why, "RENDEZVOUS: truncated IP address");
    v.at = ip_len == 4 ? InetAddress::v4(ip, port) : InetAddress::v6(ip, port);
    *out = v;
    return true;
}

void build_rendezvous(Packet& p, const Rendezvous& r) {
    p.append_u8(r.flags);
    p.append_u40(r.peer);
    p.append_u16(r.at.port);
    p.append_u8(static_cast<std::uint8_t>(r.at.ip_len()));
    p.append(r.at.ip, r.at.ip_len());
}

// ---- PUSH_DIRECT_PATHS -------------------------------------------------------------------------------

bool parse_push_direct_paths(const Packet& p, std::vector<DirectPath>* out, const char** why) {
    if (!payload_of(p, Verb::kPushDirectPaths, "PUSH_DIRECT_PATHS: not a PUSH_DIRECT_PATHS packet", why)) return false;
    Reader r = payload_reader(p);
    const unsigned count = r.u16();
    if (!r.ok()) return reject(why, "PUSH_DIRECT_PATHS: missing record count");
    std::vector<DirectPath> paths;
    for (unsigned i = 0; i < count; ++i) {
        DirectPath d;
        d.flags = r.u8();
        r.skip(r.u16());  // extensions: none defined
        const std::uint8_t type = r.u8();
        const std::uint8_t len = r.u8();
        const std::uint8_t* body = r.take(len);
        if (body == nullptr) return reject(why, "PUSH_DIRECT_PATHS: truncated record");
        if (type == kPathTypeV4) {
            if (len != 4 + 2) return reject(why, "PUSH_DIRECT_PATHS: IPv4 record length is not 6");
            d.address = InetAddress::v4(body, static_cast<std::uint16_t>(load_be(body + 4, 2)));
        } else if (type == kPathTypeV6) {
            if (len != 16 + 2) return reject(why, "PUSH_DIRECT_PATHS: IPv6 record length is not 18");
            d.address = InetAddress::v6(body, static_cast<std::uint16_t>(load_be(body + 16, 2)));
        } else {
            continue;  // an address type we do not know, skipped by its length
        }
        paths.push_back(d);
    }
    *out = std::move(paths);
    return true;
}

void build_push_direct_paths(Packet& p, const std::vector<DirectPath>& paths) {
    std::size_t count = 0;
    for (const DirectPath& d : paths) count += d.address.is_nil() ? 0 : 1;
    p.append_u16(static_cast<std::uint16_t>(count));
    for (const DirectPath& d : paths) {
        if (d.address.is_nil()) continue;
        const bool v4 = d.address.family == InetAddress::Family::kV4;
        p.append_u8(d.flags);
        p.append_u16(0);  // no extensions
        p.append_u8(v4 ? kPathTypeV4 : kPathTypeV6);
        p.append_u8(static_cast<std::uint8_t>(d.address.ip_len() + 2));
        p.append(d.address.ip, d.address.ip_len());
        p.append_u16(d.address.port);
    }
}

// ---- USER_MESSAGE ------------------------------------------------------------------------------------

bool parse_user_message(const Packet& p, UserMessage* out, const char** why) {
    if (!payload_of(p, Verb::kUserMessage, "USER_MESSAGE: not a USER_MESSAGE packet", why)) return false;
    Reader r = payload_reader(p);
    UserMessage m;
    m.type = r.u64();
    if (!r.ok()) return reject(why, "USER_MESSAGE: shorter than its 8-byte type");
    m.data.assign(r.cursor(), r.cursor() + r.remaining());
    *out = std::move(m);
    return true;
}

void build_user_message(Packet& p, std::uint64_t type, const void* data, std::size_t len) {
    p.append_u64(type);
    p.append(data, len);
}

}  // namespace zt::wire
