// SPDX-License-Identifier: Apache-2.0
#include "zt/credentials.hpp"

#include <cstring>

namespace zt {

namespace {

constexpr std::uint64_t kSignedFormFence = 0x7f7f7f7f7f7f7f7fULL;
constexpr std::uint8_t kSignatureTypeC25519 = 1;
constexpr unsigned kMaxCustodyChainLength = 7;
constexpr std::size_t kThingValueLen = 16;

bool reject(const char** why, const char* reason) {
    if (why != nullptr) *why = reason;
    return false;
}

std::uint64_t controller_of(std::uint64_t network_id) { return network_id >> 24; }

// A signature slot: type 1 is a 96-byte C25519 signature (any other length is a lie); other types
// are skipped by their length and leave the signature empty.
bool read_signature(Reader& r, Signature* sig, const char** why, const char* wrong_length) {
    const std::uint8_t type = r.u8();
    const std::uint16_t len = r.u16();
    if (!r.ok()) return true;  // truncation shows in r.ok() at the end
    if (type != kSignatureTypeC25519) {
        sig->fill(0);
        r.skip(len);
        return true;
    }
    if (len != kSignatureLen) return reject(why, wrong_length);
    r.copy(sig->data(), sig->size());
    return true;
}

void write_signature(Writer& w, const Signature& sig) {
    w.u8(kSignatureTypeC25519);
    w.u16(static_cast<std::uint16_t>(kSignatureLen));
    w.bytes(sig.data(), sig.size());
}

bool skip_extension(Reader& r) { return r.skip(r.u16()); }

// Wraps the unsigned fields into the signed form and signs or verifies it.
template <typename Fields>
std::vector<std::uint8_t> signed_form(Fields fields) {
    std::vector<std::uint8_t> out;
    Writer w(out);
    w.u64(kSignedFormFence);
    fields(w);
    w.u16(0);  // extension length
    w.u64(kSignedFormFence);
    return out;
}

bool verify_by_controller(std::uint64_t network_id, std::uint64_t signed_by, const Identity& controller,
                          const std::vector<std::uint8_t>& msg, const Signature& sig) {
    if (signed_by == 0 || signed_by != controller_of(network_id) || controller.address() != signed_by) return false;
    return controller.verify(msg.data(), msg.size(), sig.data(), sig.size());
}

}  // namespace

// ---- Tag ----------------------------------------------------------------------------------------

namespace {
void tag_fields(const Tag& t, Writer& w) {
    w.u64(t.network_id);
    w.u64(t.timestamp);
    w.u32(t.id);
    w.u32(t.value);
    w.u40(t.issued_to);
    w.u40(t.signed_by);
}
}  // namespace

bool Tag::parse(Reader& r, Tag* out, const char** why) {
    Tag t;
    t.network_id = r.u64();
    t.timestamp = r.u64();
    t.id = r.u32();
    t.value = r.u32();
    t.issued_to = r.u40();
    t.signed_by = r.u40();
    if (!read_signature(r, &t.signature, why, "tag: signature is not 96 bytes")) return false;
    if (!skip_extension(r)) return reject(why, "tag: truncated");
    *out = t;
    return true;
}

void Tag::serialize(Writer& w) const {
    tag_fields(*this, w);
    write_signature(w, signature);
    w.u16(0);
}

bool Tag::sign(const Identity& controller) {
    if (!controller.has_private()) return false;
    signed_by = controller.address();
    const auto msg = signed_form([this](Writer& w) { tag_fields(*this, w); });
    signature = controller.sign(msg.data(), msg.size());
    return true;
}

bool Tag::verify(const Identity& controller) const {
    const auto msg = signed_form([this](Writer& w) { tag_fields(*this, w); });
    return verify_by_controller(network_id, signed_by, controller, msg, signature);
}

// ---- Capability ---------------------------------------------------------------------------------

namespace {
// Everything but the chain of custody: what every custody signature signs.
void capability_fields(const Capability& c, Writer& w) {
    w.u64(c.network_id);
    w.u64(c.timestamp);
    w.u32(c.id);
    w.u16(static_cast<std::uint16_t>(c.rules.size()));
    serialize_rules(w, c.rules);
    w.u8(c.max_custody_chain_length);
}
}  // namespace

bool Capability::parse(Reader& r, Capability* out, const char** why) {
    Capability c;
    c.network_id = r.u64();
    c.timestamp = r.u64();
    c.id = r.u32();
    const std::uint16_t rule_count = r.u16();
    if (!r.ok()) return reject(why, "capability: truncated");
    if (rule_count > kMaxCapabilityRules) return reject(why, "capability: more than 64 rules");
    if (!parse_rules(r, rule_count, &c.rules, why)) return false;
    c.max_custody_chain_length = r.u8();
    if (r.ok() && (c.max_custody_chain_length < 1 || c.max_custody_chain_length > kMaxCustodyChainLength)) {
        return reject(why, "capability: custody chain limit out of range");
    }
    while (r.ok()) {
        Custody entry;
        entry.to = r.u40();
        if (entry.to == 0) break;  // a zero "to" ends the chain
        if (c.custody.size() >= c.max_custody_chain_length) return reject(why, "capability: custody chain too long");
        entry.from = r.u40();
        if (!read_signature(r, &entry.signature, why, "capability: custody signature is not 96 bytes")) return false;
        c.custody.push_back(entry);
    }
    if (!skip_extension(r)) return reject(why, "capability: truncated");
    *out = std::move(c);
    return true;
}

void Capability::serialize(Writer& w) const {
    capability_fields(*this, w);
    for (const Custody& entry : custody) {
        w.u40(entry.to);
        w.u40(entry.from);
        write_signature(w, entry.signature);
    }
    w.u40(0);
    w.u16(0);
}

bool Capability::sign(const Identity& from, std::uint64_t issued_to) {
    if (!from.has_private() || issued_to == 0 || max_custody_chain_length < 1 ||
        max_custody_chain_length > kMaxCustodyChainLength || custody.size() >= max_custody_chain_length) {
        return false;
    }
    const auto msg = signed_form([this](Writer& w) { capability_fields(*this, w); });
    custody.push_back({issued_to, from.address(), from.sign(msg.data(), msg.size())});
    return true;
}

bool Capability::verify(const Identity& controller, const std::vector<Identity>& holders) const {
    if (max_custody_chain_length < 1 || max_custody_chain_length > kMaxCustodyChainLength) return false;
    if (custody.empty() || custody.size() > max_custody_chain_length) return false;
    const auto msg = signed_form([this](Writer& w) { capability_fields(*this, w); });
    for (std::size_t i = 0; i < custody.size(); ++i) {
        const Custody& entry = custody[i];
        if (entry.to == 0 || entry.from == 0) return false;
        const Identity* signer = nullptr;
        if (i == 0) {
            // The chain starts at the network's controller.
            if (entry.from != controller_of(network_id) || controller.address() != entry.from) return false;
            signer = &controller;
        } else {
            if (entry.from != custody[i - 1].to) return false;  // handed on by whoever held it
            for (const Identity& h : holders) {
                if (h.address() == entry.from) signer = &h;
            }
            if (signer == nullptr) return false;
        }
        if (!signer->verify(msg.data(), msg.size(), entry.signature.data(), entry.signature.size())) return false;
    }
    return true;
}

// ---- CertificateOfOwnership ---------------------------------------------------------------------

namespace {
void coo_fields(const CertificateOfOwnership& c, Writer& w) {
    w.u64(c.network_id);
    w.u64(c.timestamp);
    w.u64(c.flags);
    w.u32(c.id);
    w.u16(static_cast<std::uint16_t>(c.things.size()));
    for (const auto& thing : c.things) {
        w.u8(static_cast<std::uint8_t>(thing.type));
        w.bytes(thing.value, kThingValueLen);
    }
    w.u40(c.issued_to);
    w.u40(c.signed_by);
}

bool owns_thing(const CertificateOfOwnership& c, CertificateOfOwnership::Thing type, const std::uint8_t* v,
                std::size_t len) {
    for (const auto& thing : c.things) {
        if (thing.type == type && std::memcmp(thing.value, v, len) == 0) return true;
    }
    return false;
}
}  // namespace

void CertificateOfOwnership::add_ip(const InetAddress& ip) {
    if (things.size() >= kMaxThings || ip.is_nil()) return;
    Item item;
    item.type = ip.family == InetAddress::Family::kV4 ? Thing::kIpv4 : Thing::kIpv6;
    std::memcpy(item.value, ip.ip, ip.ip_len());
    things.push_back(item);
}

void CertificateOfOwnership::add_mac(std::uint64_t mac) {
    if (things.size() >= kMaxThings) return;
    Item item;
    item.type = Thing::kMac;
    store_be(item.value, mac, 6);
    things.push_back(item);
}

bool CertificateOfOwnership::owns(const InetAddress& ip) const {
    if (ip.family == InetAddress::Family::kV4) return owns_thing(*this, Thing::kIpv4, ip.ip, 4);
    if (ip.family == InetAddress::Family::kV6) return owns_thing(*this, Thing::kIpv6, ip.ip, 16);
    return false;
}

bool CertificateOfOwnership::owns_mac(std::uint64_t mac) const {
    std::uint8_t b[6];
    store_be(b, mac, 6);
    return owns_thing(*this, Thing::kMac, b, 6);
}

bool CertificateOfOwnership::parse(Reader& r, CertificateOfOwnership* out, const char** why) {
    CertificateOfOwnership c;
    c.network_id = r.u64();
    c.timestamp = r.u64();
    c.flags = r.u64();
    c.id = r.u32();
    const std::uint16_t count = r.u16();
    if (!r.ok()) return reject(why, "certificate of ownership: truncated");
    if (count > kMaxThings) return reject(why, "certificate of ownership: more than 16 things");
    for (unsigned i = 0; i < count; ++i) {
        Item item;
        item.type = static_cast<Thing>(r.u8());
        r.copy(item.value, kThingValueLen);
        c.things.push_back(item);
    }
    c.issued_to = r.u40();
    c.signed_by = r.u40();
    if (!read_signature(r, &c.signature, why, "certificate of ownership: signature is not 96 bytes")) return false;
    if (!skip_extension(r)) return reject(why, "certificate of ownership: truncated");
    *out = std::move(c);
    return true;
}

void CertificateOfOwnership::serialize(Writer& w) const {
    coo_fields(*this, w);
    write_signature(w, signature);
    w.u16(0);
}

bool CertificateOfOwnership::sign(const Identity& controller) {
    if (!controller.has_private()) return false;
    signed_by = controller.address();
    const auto msg = signed_form([this](Writer& w) { coo_fields(*this, w); });
    signature = controller.sign(msg.data(), msg.size());
    return true;
}

bool CertificateOfOwnership::verify(const Identity& controller) const {
    const auto msg = signed_form([this](Writer& w) { coo_fields(*this, w); });
    return verify_by_controller(network_id, signed_by, controller, msg, signature);
}

// ---- Revocation ---------------------------------------------------------------------------------

namespace {
void revocation_fields(const Revocation& v, Writer& w) {
    w.u32(0);  // unused
    w.u32(v.id);
    w.u64(v.network_id);
    w.u32(0);  // unused
    w.u32(v.credential_id);
    w.u64(v.threshold);
    w.u64(v.flags);
    w.u40(v.target);
    w.u40(v.signed_by);
    w.u8(static_cast<std::uint8_t>(v.credential_type));
}
}  // namespace

bool Revocation::parse(Reader& r, Revocation* out, const char** why) {
    Revocation v;
    r.skip(4);
    v.id = r.u32();
    v.network_id = r.u64();
    r.skip(4);
    v.credential_id = r.u32();
    v.threshold = r.u64();
    v.flags = r.u64();
    v.target = r.u40();
    v.signed_by = r.u40();
    v.credential_type = static_cast<CredentialType>(r.u8());
    if (!read_signature(r, &v.signature, why, "revocation: signature is not 96 bytes")) return false;
    if (!skip_extension(r)) return reject(why, "revocation: truncated");
    *out = v;
    return true;
}

void Revocation::serialize(Writer& w) const {
    revocation_fields(*this, w);
    write_signature(w, signature);
    w.u16(0);
}

bool Revocation::sign(const Identity& controller) {
    if (!controller.has_private()) return false;
    signed_by = controller.address();
    const auto msg = signed_form([this](Writer& w) { revocation_fields(*this, w); });
    signature = controller.sign(msg.data(), msg.size());
    return true;
}

bool Revocation::verify(const Identity& controller) const {
    const auto msg = signed_form([this](Writer& w) { revocation_fields(*this, w); });
    return verify_by_controller(network_id, signed_by, controller, msg, signature);
}

// ---- CredentialBundle ---------------------------------------------------------------------------

namespace {
// A 16-bit count (absent at the end of the payload: none) and that many credentials.
template <typename T>
bool read_counted(Reader& r, std::vector<T>* out, const char** why) {
    if (r.remaining() == 0) return true;  // older senders stop early
    const std::uint16_t count = r.u16();
    if (!r.ok()) return reject(why, "network credentials: truncated count");
    for (unsigned i = 0; i < count; ++i) {
        T item;
        if (!T::parse(r, &item, why)) return false;
        out->push_back(std::move(item));
    }
    return true;
}

template <typename T>
void write_counted(Writer& w, const std::vector<T>& items) {
    w.u16(static_cast<std::uint16_t>(items.size()));
    for (const T& item : items) item.serialize(w);
}
}  // namespace

bool CredentialBundle::parse(const std::uint8_t* data, std::size_t len, CredentialBundle* out, const char** why) {
    if (data == nullptr && len > 0) return reject(why, "network credentials: no data");
    Reader r(data, len);
    CredentialBundle b;
    while (r.remaining() > 0 && *r.cursor() != 0) {
        CertificateOfMembership com;
        if (!CertificateOfMembership::parse(r, &com, why)) return false;
        b.coms.push_back(std::move(com));
    }
    if (r.remaining() > 0) r.skip(1);  // the 0 ending the certificates (the oldest senders stop before it)
    if (!read_counted(r, &b.capabilities, why) || !read_counted(r, &b.tags, why) ||
        !read_counted(r, &b.revocations, why) || !read_counted(r, &b.coos, why)) {
        return false;
    }
    *out = std::move(b);
    return true;
}

void CredentialBundle::serialize(Writer& w) const {
    for (const auto& com : coms) com.serialize(w);
    w.u8(0);
    write_counted(w, capabilities);
    write_counted(w, tags);
    write_counted(w, revocations);
    write_counted(w, coos);
}

}  // namespace zt
