// SPDX-License-Identifier: Apache-2.0
// ztx_wire_* and ztx_defrag_*: the VL1 packet layer as plain functions over bytes, for tests, tools
// and replaying captured traffic.
#include <cstring>
#include <memory>
#include <new>
#include <string>

#include "ZeroTierSockets.h"
#include "api/arg_error.hpp"
#include "libzt_ext.h"
#include "tools/inspect.hpp"
#include "zt/packet.hpp"

static_assert(ZTX_WIRE_MAX_PACKET_LEN == zt::Packet::kCapacity, "libzt_ext.h disagrees with the core");
static_assert(ZTX_WIRE_MAX_FRAGMENTS == zt::kMaxPacketFragments, "libzt_ext.h disagrees with the core");
static_assert(ZTX_WIRE_MIN_MTU == zt::kMinPacketLen + 1, "libzt_ext.h disagrees with the core");

struct ztx_defrag {
    zt::Defragmenter defragmenter;
};

namespace {

using zt::api::arg_error;

zt::SymmetricKey key_from(const uint8_t* key) {
    zt::SymmetricKey k;
    std::memcpy(k.data(), key, k.size());
    return k;
}

int copy_out(const zt::Packet& p, uint8_t* out, size_t* out_len) {
    if (p.size() > *out_len) return arg_error("output buffer too small (ZTX_WIRE_MAX_PACKET_LEN always suffices)");
    std::memcpy(out, p.data(), p.size());
    *out_len = p.size();
    return ZTS_ERR_OK;
}

const char* packet_length_error(size_t len) {
    if (len < zt::kMinPacketLen) return "packet: shorter than the 28-byte header";
    if (len > zt::Packet::kCapacity) return "packet: longer than ZTX_WIRE_MAX_PACKET_LEN";
    return nullptr;
}

const char* dearmor_failure(zt::CipherSuite suite) {
    switch (suite) {
        case zt::CipherSuite::kPoly1305:
        case zt::CipherSuite::kSalsa2012Poly1305:
        case zt::CipherSuite::kAesGmacSiv: return "packet: MAC check failed (wrong key, or altered in transit)";
        case zt::CipherSuite::kTrustedPath: return "packet: suite 2 (trusted path) carries no MAC";
    }
    return "packet: unassigned cipher suite (4-7)";
}

}  // namespace

extern "C" {

int ztx_wire_kbkdf(const uint8_t key[ZTX_SYMMETRIC_KEY_LEN], char label, uint8_t out[48]) {
    if (key == nullptr || out == nullptr) return arg_error("arguments must not be NULL");
    if (label != '0' && label != '1') return arg_error("label must be '0' (K0) or '1' (K1)");
    zt::SymmetricKey k = key_from(key);
    zt::PeerKey::derive_aes_key(k, label, out);
    zt::crypto::wipe(k.data(), k.size());
    return ZTS_ERR_OK;
}

int ztx_wire_armor(const uint8_t key[ZTX_SYMMETRIC_KEY_LEN], int suite, int options, size_t mtu,
                   const uint8_t* packet, size_t len, uint8_t* out, size_t* out_len) {
    if (key == nullptr || packet == nullptr || out == nullptr || out_len == nullptr) {
        return arg_error("arguments must not be NULL");
    }
    if (suite != ZTX_WIRE_SUITE_POLY1305 && suite != ZTX_WIRE_SUITE_SALSA2012_POLY1305 &&
        suite != ZTX_WIRE_SUITE_AES_GMAC_SIV) {
        return arg_error("suite must be 0 (Poly1305), 1 (Salsa20/12 + Poly1305) or 3 (AES-GMAC-SIV)");
    }
    if ((options & ~ZTX_WIRE_ARMOR_COMPRESS) != 0) return arg_error("unknown armor option");
    if (mtu != 0 && mtu < ZTX_WIRE_MIN_MTU) return arg_error("mtu must be 0 or at least ZTX_WIRE_MIN_MTU");
    if (const char* why = packet_length_error(len)) return arg_error(why);
    auto p = std::make_unique<zt::Packet>();
    p->assign(packet, len);
    if ((options & ZTX_WIRE_ARMOR_COMPRESS) != 0) p->compress();
    if (mtu != 0) p->set_fragmented(zt::needs_fragmentation(p->size(), mtu));
    zt::PeerKey peer_key(key_from(key));
    p->armor(peer_key, static_cast<zt::CipherSuite>(suite));
    if (!p->ok()) return arg_error("packet: could not be armored");
    return copy_out(*p, out, out_len);
}

int ztx_wire_dearmor(const uint8_t key[ZTX_SYMMETRIC_KEY_LEN], const uint8_t* packet, size_t len, uint8_t* out,
                     size_t* out_len) {
    if (key == nullptr || packet == nullptr || out == nullptr || out_len == nullptr) {
        return arg_error("arguments must not be NULL");
    }
    if (const char* why = packet_length_error(len)) return arg_error(why);
    auto p = std::make_unique<zt::Packet>();
    p->assign(packet, len);
    zt::PeerKey peer_key(key_from(key));
    if (!p->dearmor(peer_key)) return arg_error(dearmor_failure(p->cipher()));
    if (!p->decompress()) return arg_error("packet: corrupt LZ4 payload, or larger than a packet once decompressed");
    return copy_out(*p, out, out_len);
}

int ztx_wire_fragment(const uint8_t* armored, size_t len, size_t mtu, uint8_t* out, size_t* out_len,
                      size_t lens[ZTX_WIRE_MAX_FRAGMENTS], size_t* count) {
    if (armored == nullptr || out == nullptr || out_len == nullptr || lens == nullptr || count == nullptr) {
        return arg_error("arguments must not be NULL");
    }
    if (const char* why = packet_length_error(len)) return arg_error(why);
    if (mtu < ZTX_WIRE_MIN_MTU) return arg_error("mtu must be at least ZTX_WIRE_MIN_MTU");
    auto p = std::make_unique<zt::Packet>();
    p->assign(armored, len);
    size_t used = 0;
    size_t n = 0;
    bool fits = true;
    const bool split = zt::for_each_datagram(*p, mtu, [&](const uint8_t* data, size_t size) {
        if (size > *out_len - used) {
            fits = false;
            return;
        }
        std::memcpy(out + used, data, size);
        used += size;
        lens[n++] = size;
    });
    if (!split) {
        return arg_error("packet: fragmented flag disagrees with the MTU, or more than 7 pieces would be needed");
    }
    if (!fits) return arg_error("output buffer too small");
    *out_len = used;
    *count = n;
    return ZTS_ERR_OK;
}

int ztx_wire_classify(const uint8_t* datagram, size_t len) {
    switch (zt::classify_datagram(datagram, len)) {
        case zt::DatagramKind::kBeacon: return ZTX_DATAGRAM_BEACON;
        case zt::DatagramKind::kFragment: return ZTX_DATAGRAM_FRAGMENT;
        case zt::DatagramKind::kPacket: return ZTX_DATAGRAM_PACKET;
        case zt::DatagramKind::kInvalid: break;
    }
    return ZTX_DATAGRAM_INVALID;
}

int ztx_wire_describe(const uint8_t* key, const uint8_t* datagram, size_t len, int format, char* out,
                      size_t* out_len) {
    if (datagram == nullptr || out == nullptr || out_len == nullptr) return arg_error("arguments must not be NULL");
    if (format != ZTX_WIRE_FORMAT_TEXT && format != ZTX_WIRE_FORMAT_JSON) return arg_error("unknown format");
    std::string text;
    using zt::inspect::Format;
    const Format f = format == ZTX_WIRE_FORMAT_JSON ? Format::kJson : Format::kText;
    if (key != nullptr) {
        zt::SymmetricKey k = key_from(key);
        text = zt::inspect::datagram(datagram, len, &k, f);
        zt::crypto::wipe(k.data(), k.size());
    } else {
        text = zt::inspect::datagram(datagram, len, nullptr, f);
    }
    if (text.size() + 1 > *out_len) {
        *out_len = text.size() + 1;
        return arg_error("output buffer too small (*out_len now says how large it must be)");
    }
    std::memcpy(out, text.c_str(), text.size() + 1);
    *out_len = text.size();
    return ZTS_ERR_OK;
}

int ztx_wire_reencode(const uint8_t* key, const uint8_t* packet, size_t len, uint8_t* out, size_t* out_len) {
    if (packet == nullptr || out == nullptr || out_len == nullptr) return arg_error("arguments must not be NULL");
    if (const char* why = packet_length_error(len)) return arg_error(why);
    auto in = std::make_unique<zt::Packet>();
    auto rebuilt = std::make_unique<zt::Packet>();
    in->assign(packet, len);
    zt::SymmetricKey k{};
    if (key != nullptr) k = key_from(key);
    const char* why = nullptr;
    const bool ok = zt::inspect::reencode(*in, key != nullptr ? &k : nullptr, rebuilt.get(), &why);
    zt::crypto::wipe(k.data(), k.size());
    if (!ok) return arg_error(why);
    return copy_out(*rebuilt, out, out_len);
}

int ztx_defrag_new(ztx_defrag** out) {
    if (out == nullptr) return arg_error("out must not be NULL");
    auto* d = new (std::nothrow) ztx_defrag;
    if (d == nullptr) return ZTS_ERR_GENERAL;
    *out = d;
    return ZTS_ERR_OK;
}

void ztx_defrag_free(ztx_defrag* d) { delete d; }

int ztx_defrag_add(ztx_defrag* d, const uint8_t* datagram, size_t len, int64_t now, uint8_t* out, size_t* out_len) {
    if (d == nullptr || datagram == nullptr || out == nullptr || out_len == nullptr) {
        return arg_error("arguments must not be NULL");
    }
    if (*out_len < zt::Packet::kCapacity) return arg_error("output buffer must hold ZTX_WIRE_MAX_PACKET_LEN bytes");
    auto p = std::make_unique<zt::Packet>();
    zt::Defragmenter::Result r = zt::Defragmenter::Result::kDropped;
    switch (zt::classify_datagram(datagram, len)) {
        case zt::DatagramKind::kFragment: r = d->defragmenter.add_fragment(datagram, len, now, p.get()); break;
        case zt::DatagramKind::kPacket:
            if ((datagram[zt::kIdxFlags] & zt::kFlagFragmented) != 0) {
                r = d->defragmenter.add_head(datagram, len, now, p.get());
            } else if (p->assign(datagram, len)) {
                r = zt::Defragmenter::Result::kComplete;
            }
            break;
        case zt::DatagramKind::kBeacon:
        case zt::DatagramKind::kInvalid: break;
    }
    switch (r) {
        case zt::Defragmenter::Result::kIncomplete: return ZTX_DEFRAG_INCOMPLETE;
        case zt::Defragmenter::Result::kComplete: copy_out(*p, out, out_len); return ZTX_DEFRAG_COMPLETE;
        case zt::Defragmenter::Result::kDropped: break;
    }
    return ZTX_DEFRAG_DROPPED;
}

int ztx_defrag_expire(ztx_defrag* d, int64_t now) {
    if (d == nullptr) return arg_error("defragmenter must not be NULL");
    d->defragmenter.expire(now);
    return static_cast<int>(d->defragmenter.in_progress());
}

int ztx_defrag_in_progress(const ztx_defrag* d) {
    if (d == nullptr) return arg_error("defragmenter must not be NULL");
    return static_cast<int>(d->defragmenter.in_progress());
}

}  // extern "C"
