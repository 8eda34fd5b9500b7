// SPDX-License-Identifier: Apache-2.0
#include "tools/inspect.hpp"

#include <cstdio>
#include <utility>
#include <vector>

#include "tools/json_writer.hpp"
#include "zt/bytes.hpp"
#include "zt/vl2_address.hpp"
#include "zt/wire.hpp"

namespace zt::inspect {

namespace {

// ---- rendering ------------------------------------------------------------------------------------
// Each field is kept rendered twice, as JSON and as text, so one decoding serves both formats. The
// JSON strings are the core's one JSON writer's (tools/json_writer.hpp).

std::string json_string(const std::string& s) { return tools::JsonWriter::quoted(s); }

std::string hex_of(std::uint64_t v, std::size_t bytes) {
    std::uint8_t b[8];
    store_be(b, v, bytes);
    return to_hex(b, bytes);
}

std::string version_text(unsigned major, unsigned minor, unsigned revision) {
    return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(revision);
}

class Fields {
  public:
    void number(const char* key, std::uint64_t v) { add(key, std::to_string(v), std::to_string(v)); }
    void flag(const char* key, bool v) { add(key, v ? "true" : "false", v ? "yes" : "no"); }
    void text(const char* key, const std::string& v) { add(key, json_string(v), v); }
    void hex(const char* key, std::uint64_t v, std::size_t bytes) { text(key, hex_of(v, bytes)); }
    void address(const char* key, std::uint64_t a) { hex(key, a, kAddressLen); }
    void mac(const char* key, std::uint64_t m) { text(key, mac_text(m)); }
    void inet(const char* key, const InetAddress& a) {
        if (a.is_nil()) add(key, "null", "none");
        else text(key, a.to_string());
    }
    void texts(const char* key, const std::vector<std::string>& items) {
        std::string json = "[";
        std::string plain = "[";
        for (std::size_t i = 0; i < items.size(); ++i) {
            json += (i ? "," : "") + json_string(items[i]);
            plain += (i ? "," : "") + items[i];
        }
        add(key, json + "]", plain + "]");
    }
    void objects(const char* key, const std::vector<Fields>& items) {
        std::string json = "[";
        std::string plain = "[";
        for (std::size_t i = 0; i < items.size(); ++i) {
            json += (i ? "," : "") + items[i].json();
            plain += (i ? "," : "") + std::string("{") + items[i].plain() + "}";
        }
        add(key, json + "]", plain + "]");
    }

    std::string json() const {
        std::string out = "{";
        for (std::size_t i = 0; i < items_.size(); ++i) {
            out += (i ? "," : "") + json_string(items_[i].key) + ":" + items_[i].json;
        }
        return out + "}";
    }
    std::string plain() const {
        std::string out;
        for (std::size_t i = 0; i < items_.size(); ++i) out += (i ? " " : "") + items_[i].key + "=" + items_[i].plain;
        return out;
    }

  private:
    struct Item {
        std::string key, json, plain;
    };
    void add(const char* key, std::string json, std::string plain) {
        items_.push_back({key, std::move(json), std::move(plain)});
    }
    std::vector<Item> items_;
};

// ---- per-verb decoding ----------------------------------------------------------------------------------
// Each returns false with *why set when the payload does not parse.

bool hello(const Packet& p, const SymmetricKey* key, Fields& f, const char** why) {
    wire::Hello h;
    if (!wire::parse_hello(p, key, &h, why)) return false;
    f.number("protocol", h.protocol);
    f.text("version", version_text(h.major, h.minor, h.revision));
    f.number("timestamp", h.timestamp);
    f.text("identity", h.identity.to_string(false));
    f.inet("destination", h.destination);
    if (h.has_planet) {
        f.number("planet_id", h.planet_id);
        f.number("planet_timestamp", h.planet_timestamp);
    }
    if (key != nullptr) {
        std::vector<Fields> moons;
        for (const wire::MoonRef& m : h.moons) {
            Fields mf;
            mf.number("id", m.id);
            mf.number("timestamp", m.timestamp);
            moons.push_back(mf);
        }
        f.objects("moons", moons);
    }
    return true;
}

bool config_chunk(const Packet& p, std::size_t at, Fields& f, const char** why) {
    wire::NetworkConfigChunk c;
    if (!wire::parse_network_config_chunk(p, at, &c, why)) return false;
    f.hex("network_id", c.network_id, 8);
    f.number("data_offset", c.data_offset);
    f.number("data_len", c.data_len);
    f.flag("has_trailer", c.has_trailer);
    if (c.has_trailer) {
        f.number("flags", c.flags);
        f.hex("update_id", c.update_id, 8);
        f.number("total_length", c.total_length);
        f.number("chunk_index", c.chunk_index);
        f.number("signed_offset", at);  // the signature covers the chunk from its network ID ...
        f.number("signed_len", c.signature_offset - 3 - at);  // ... to the signature type byte
        f.number("signature_offset", c.signature_offset);
    }
    return true;
}

bool ok_payload(const Packet& p, const wire::ReplyHeader& h, Fields& f, const char** why) {
    const std::size_t body = kIdxPayload + wire::kReplyBodyOffset;
    switch (h.in_re_verb) {
        case Verb::kHello: {
            wire::OkHello o;
            if (!wire::parse_ok_hello(p, &o, why)) return false;
            f.number("timestamp_echo", o.timestamp_echo);
            f.number("protocol", o.protocol);
            f.text("version", version_text(o.major, o.minor, o.revision));
            f.inet("external", o.external);
            std::vector<Fields> worlds;
            for (const World& w : o.worlds) {
                Fields wf;
                wf.number("type", static_cast<unsigned>(w.type));
                wf.number("id", w.id);
                wf.number("timestamp", w.timestamp);
                wf.number("roots", w.roots.size());
                worlds.push_back(wf);
            }
            f.objects("worlds", worlds);
            return true;
        }
        case Verb::kWhois: {
            std::vector<Identity> ids;
            if (!wire::parse_ok_whois(p, &ids, why)) return false;
            std::vector<std::string> texts;
            for (const Identity& id : ids) texts.push_back(id.to_string(false));
            f.texts("identities", texts);
            return true;
        }
        case Verb::kNetworkConfigRequest: return config_chunk(p, body, f, why);
        case Verb::kMulticastGather: {
            wire::OkMulticastGather g;
            if (!wire::parse_ok_multicast_gather(p, &g, why)) return false;
            f.hex("network_id", g.network_id, 8);
            f.mac("mac", g.mac);
            f.number("adi", g.adi);
            f.number("total_known", g.total_known);
            std::vector<std::string> members;
            for (std::uint64_t a : g.members) members.push_back(address_to_hex(a));
            f.texts("members", members);
            return true;
        }
        case Verb::kMulticastFrame: {
            wire::OkMulticastFrame m;
            if (!wire::parse_ok_multicast_frame(p, &m, why)) return false;
            f.hex("network_id", m.network_id, 8);
            f.mac("mac", m.mac);
            f.number("adi", m.adi);
            f.number("flags", m.flags);
            f.number("total_known", m.total_known);
            std::vector<std::string> members;
            for (std::uint64_t a : m.members) members.push_back(address_to_hex(a));
            f.texts("members", members);
            return true;
        }
        default:
            // OK(ECHO) echoes anything; OK(NETWORK_CONFIG) (sent as in re ECHO) carries a network ID
            // and an update ID; OK(EXT_FRAME) a network ID. Nothing in them can be malformed.
            f.number("body_len", p.size() - body);
            return true;
    }
}

bool payload(const Packet& p, const SymmetricKey* key, Fields& f, const char** why) {
    switch (p.verb()) {
        case Verb::kHello: return hello(p, key, f, why);
        case Verb::kOk:
        case Verb::kError: {
            wire::ReplyHeader h;
            if (!wire::parse_reply_header(p, &h, why)) return false;
            f.text("in_re_verb", verb_name(h.in_re_verb));
            f.hex("in_re_id", h.in_re_packet_id, 8);
            if (p.verb() == Verb::kOk) return ok_payload(p, h, f, why);
            wire::Error e;
            if (!wire::parse_error(p, &e, why)) return false;
            f.number("code", static_cast<unsigned>(e.code));
            if (e.network_id != 0) f.hex("network_id", e.network_id, 8);
            return true;
        }
        case Verb::kWhois: {
            std::vector<std::uint64_t> addresses;
            if (!wire::parse_whois(p, &addresses, why)) return false;
            std::vector<std::string> texts;
            for (std::uint64_t a : addresses) texts.push_back(address_to_hex(a));
            f.texts("addresses", texts);
            return true;
        }
        case Verb::kRendezvous: {
            wire::Rendezvous r;
            if (!wire::parse_rendezvous(p, &r, why)) return false;
            f.number("flags", r.flags);
            f.address("peer", r.peer);
            f.inet("at", r.at);
            return true;
        }
        case Verb::kFrame: {
            wire::Frame fr;
            if (!wire::parse_frame(p, &fr, why)) return false;
            f.hex("network_id", fr.network_id, 8);
            f.number("ethertype", fr.ethertype);
            f.number("payload_offset", fr.payload_offset);
            f.number("payload_len", fr.payload_len);
            return true;
        }
        case Verb::kExtFrame: {
            wire::ExtFrame fr;
            if (!wire::parse_ext_frame(p, &fr, why)) return false;
            f.hex("network_id", fr.network_id, 8);
            f.number("flags", fr.flags);
            f.number("com_len", fr.com_len);
            f.mac("to", fr.to_mac);
            f.mac("from", fr.from_mac);
            f.number("ethertype", fr.ethertype);
            f.number("payload_offset", fr.payload_offset);
            f.number("payload_len", fr.payload_len);
            return true;
        }
        case Verb::kMulticastLike: {
            std::vector<wire::MulticastSubscription> subs;
            if (!wire::parse_multicast_like(p, &subs, why)) return false;
            std::vector<Fields> items;
            for (const wire::MulticastSubscription& s : subs) {
                Fields sf;
                sf.hex("network_id", s.network_id, 8);
                sf.mac("mac", s.mac);
                sf.number("adi", s.adi);
                items.push_back(sf);
            }
            f.objects("subscriptions", items);
            return true;
        }
        case Verb::kNetworkCredentials: {
            wire::NetworkCredentials c;
            if (!wire::parse_network_credentials(p, &c, why)) return false;
            std::vector<std::string> networks;
            for (std::uint64_t n : c.com_network_ids) networks.push_back(hex_of(n, 8));
            f.texts("com_network_ids", networks);
            f.number("capabilities", c.capabilities);
            f.number("tags", c.tags);
            f.number("revocations", c.revocations);
            f.number("ownerships", c.ownerships);
            return true;
        }
        case Verb::kNetworkConfigRequest: {
            wire::NetworkConfigRequest q;
            if (!wire::parse_network_config_request(p, &q, why)) return false;
            f.hex("network_id", q.network_id, 8);
            f.number("metadata_offset", q.metadata_offset);
            f.number("metadata_len", q.metadata_len);
            f.number("revision", q.revision);
            f.number("config_timestamp", q.timestamp);
            return true;
        }
        case Verb::kNetworkConfig: return config_chunk(p, kIdxPayload, f, why);
        case Verb::kMulticastGather: {
            wire::MulticastGather g;
            if (!wire::parse_multicast_gather(p, &g, why)) return false;
            f.hex("network_id", g.network_id, 8);
            f.number("flags", g.flags);
            f.mac("mac", g.mac);
            f.number("adi", g.adi);
            f.number("limit", g.limit);
            return true;
        }
        case Verb::kMulticastFrame: {
            wire::MulticastFrame m;
            if (!wire::parse_multicast_frame(p, &m, why)) return false;
            f.hex("network_id", m.network_id, 8);
            f.number("flags", m.flags);
            if ((m.flags & 0x02) != 0) f.number("gather_limit", m.gather_limit);
            if ((m.flags & 0x04) != 0) f.mac("source", m.source_mac);
            f.mac("to", m.dest_mac);
            f.number("adi", m.adi);
            f.number("ethertype", m.ethertype);
            f.number("payload_offset", m.payload_offset);
            f.number("payload_len", m.payload_len);
            return true;
        }
        case Verb::kPushDirectPaths: {
            std::vector<wire::DirectPath> paths;
            if (!wire::parse_push_direct_paths(p, &paths, why)) return false;
            std::vector<Fields> items;
            for (const wire::DirectPath& d : paths) {
                Fields df;
                df.number("flags", d.flags);
                df.inet("address", d.address);
                items.push_back(df);
            }
            f.objects("paths", items);
            return true;
        }
        case Verb::kUserMessage: {
            wire::UserMessage m;
            if (!wire::parse_user_message(p, &m, why)) return false;
            f.number("type", m.type);
            f.number("data_len", m.data.size());
            return true;
        }
        default:
            // NOP, ECHO, traces, multipath verbs and unassigned numbers: opaque here.
            f.number("payload_len", p.payload_size());
            return true;
    }
}

void header(const Packet& p, Fields& f) {
    f.text("kind", "packet");
    f.hex("id", p.packet_id(), 8);
    f.address("destination", p.destination());
    f.address("source", p.source());
    f.number("suite", static_cast<unsigned>(p.cipher()));
    f.number("hops", p.hops());
    f.flag("fragmented", p.fragmented());
    f.text("verb", verb_name(p.verb()));
    f.number("verb_number", static_cast<unsigned>(p.verb()));
    f.number("size", p.size());
}

std::string render(const Fields& f, Format format) { return format == Format::kJson ? f.json() : f.plain(); }

std::string described_packet(const Packet& p, const SymmetricKey* key, Format format, const char* failure) {
    Fields f;
    header(p, f);
    const char* why = failure;
    if (why == nullptr && p.compressed()) why = "payload still compressed";
    if (why == nullptr) {
        Fields body;
        if (payload(p, key, body, &why)) {
            if (format == Format::kJson) {
                std::string out = f.json();
                out.pop_back();
                return out + ",\"fields\":" + body.json() + "}";
            }
            return f.plain() + " | " + body.plain();
        }
        if (why == nullptr) why = "malformed payload";
    }
    f.text("error", why);
    return render(f, format);
}

}  // namespace

std::string packet(const Packet& p, const SymmetricKey* key, Format format) {
    if (p.size() < kMinPacketLen) {
        Fields f;
        f.text("kind", "invalid");
        f.text("error", "shorter than a packet header");
        return render(f, format);
    }
    return described_packet(p, key, format, nullptr);
}

std::string datagram(const std::uint8_t* data, std::size_t len, const SymmetricKey* key, Format format) {
    Fields f;
    switch (classify_datagram(data, len)) {
        case DatagramKind::kBeacon:
            f.text("kind", "beacon");
            f.address("address", load_be(data + 8, kAddressLen));
            return render(f, format);
        case DatagramKind::kFragment:
            f.text("kind", "fragment");
            f.hex("id", load_be(data + kIdxPacketId, 8), 8);
            f.address("destination", load_be(data + kIdxDestination, kAddressLen));
            f.number("number", data[kIdxFragmentNumbers] & 0x0f);
            f.number("total", data[kIdxFragmentNumbers] >> 4);
            f.number("hops", data[kIdxFragmentHops] & kFlagHopsMask);
            f.number("size", len);
            return render(f, format);
        case DatagramKind::kPacket: {
            Packet p;
            if (!p.assign(data, len)) {
                f.text("kind", "invalid");
                f.text("error", "larger than any packet");
                return render(f, format);
            }
            if (key == nullptr) return described_packet(p, nullptr, format, nullptr);
            // (A reassembled packet keeps its fragmented flag, so the flag cannot tell a lone head
            // from a whole packet: only the MAC can.)
            PeerKey peer_key(*key);
            Packet plain;
            plain.assign(data, len);
            if (!plain.dearmor(peer_key)) return described_packet(p, key, format, "MAC check failed");
            if (!plain.decompress()) return described_packet(plain, key, format, "corrupt compressed payload");
            return described_packet(plain, key, format, nullptr);
        }
        case DatagramKind::kInvalid: break;
    }
    f.text("kind", "invalid");
    f.text("error", "too short to be a packet or fragment");
    f.number("size", len);
    return render(f, format);
}

}  // namespace zt::inspect

namespace zt::wire {

std::string describe(const Packet& p, const SymmetricKey* key) {
    return inspect::packet(p, key, inspect::Format::kText);
}

}  // namespace zt::wire
