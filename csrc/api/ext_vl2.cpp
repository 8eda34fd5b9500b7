// SPDX-License-Identifier: Apache-2.0
// ztx_dictionary_*, ztx_netconf_*, ztx_com_*, ztx_credentials_*, ztx_rules_*, ztx_config_*: the VL2
// objects over bytes, for tests, tools and controllers in other languages.
#include <cstring>
#include <new>
#include <string>

#include "ZeroTierSockets.h"
#include "api/arg_error.hpp"
#include "api/identity_handle.hpp"
#include "api/netconf_spec.hpp"
#include "api/vl2_json.hpp"
#include "libzt_ext.h"
#include "zt/netconf.hpp"
#include "zt/rule_table.hpp"
#include "zt/vl2_address.hpp"

static_assert(ZTX_NETCONF_MAX_LEN == zt::kMaxConfigLength, "libzt_ext.h disagrees with the core");
static_assert(ZTX_MAX_NETWORK_RULES == zt::kMaxNetworkRules, "libzt_ext.h disagrees with the core");
static_assert(ZTX_MAX_CAPABILITY_RULES == zt::kMaxCapabilityRules, "libzt_ext.h disagrees with the core");
static_assert(ZTX_CONFIG_CHUNK_MAX_DATA == zt::kMaxConfigChunk, "libzt_ext.h disagrees with the core");
static_assert(ZTX_CONFIG_CHUNK_MAX_LEN == 8 + 2 + zt::kMaxConfigChunk + 1 + 8 + 4 + 4 + 1 + 2 + zt::kSignatureLen,
              "libzt_ext.h disagrees with the core");

struct ztx_config_assembler {
    zt::ConfigAssembler assembler;
};

namespace {

using zt::api::arg_error;
using zt::api::JsonWriter;

// JSON out, sized as ztx_wire_describe: too small a buffer learns the size it needs.
int copy_text(const std::string& text, char* out, size_t* out_len) {
    if (text.size() + 1 > *out_len) {
        *out_len = text.size() + 1;
        return arg_error("output buffer too small (*out_len now says how large it must be)");
    }
    std::memcpy(out, text.c_str(), text.size() + 1);
    *out_len = text.size();
    return ZTS_ERR_OK;
}

int copy_bytes(const void* data, size_t len, uint8_t* out, size_t* out_len) {
    if (len > *out_len) {
        *out_len = len;
        return arg_error("output buffer too small (*out_len now says how large it must be)");
    }
    if (len > 0) std::memcpy(out, data, len);
    *out_len = len;
    return ZTS_ERR_OK;
}

int copy_bytes(const std::string& s, uint8_t* out, size_t* out_len) {
    return copy_bytes(s.data(), s.size(), out, out_len);
}

bool bad_input(const void* data, size_t len) { return data == nullptr && len > 0; }

const zt::Identity* identity_of(const ztx_identity* h) { return h != nullptr ? &h->id : nullptr; }

bool parse_netconf(const uint8_t* dict, size_t len, zt::NetworkConfig* nc, const char** why) {
    zt::Dictionary d;
    return zt::Dictionary::parse(dict, len, &d, why) && zt::NetworkConfig::from_dictionary(d, nc, why);
}

// Exactly one certificate of membership, nothing after it.
bool parse_com(const uint8_t* data, size_t len, zt::CertificateOfMembership* com, const char** why) {
    zt::Reader r(data, len);
    if (!zt::CertificateOfMembership::parse(r, com, why)) return false;
    if (r.remaining() != 0) {
        *why = "certificate of membership: bytes after it";
        return false;
    }
    return true;
}

// Exactly one capability, nothing after it.
bool parse_capability(const uint8_t* data, size_t len, zt::Capability* cap, const char** why) {
    zt::Reader r(data, len);
    if (!zt::Capability::parse(r, cap, why)) return false;
    if (r.remaining() != 0) {
        *why = "capability: bytes after it";
        return false;
    }
    return true;
}

int write_serialized(const std::vector<uint8_t>& bytes, uint8_t* out, size_t* out_len) {
    return copy_bytes(bytes.data(), bytes.size(), out, out_len);
}

// The frame as the rules see it; `coo` gets the owned things.
const char* frame_from_c(const ztx_frame_t& f, zt::FrameInfo* info, zt::CertificateOfOwnership* coo) {
    if (bad_input(f.payload, f.payload_len)) return "frame: payload is NULL but payload_len is not 0";
    if ((f.sender_tags == nullptr && f.sender_tag_count > 0) ||
        (f.receiver_tags == nullptr && f.receiver_tag_count > 0) ||
        (f.sender_owns == nullptr && f.sender_owns_count > 0)) {
        return "frame: a list is NULL but its count is not 0";
    }
    info->zt_source = f.zt_source & zt::kAddressMask;
    info->zt_dest = f.zt_dest & zt::kAddressMask;
    info->mac_source = f.mac_source & 0xffffffffffffULL;
    info->mac_dest = f.mac_dest & 0xffffffffffffULL;
    info->ethertype = f.ethertype;
    info->vlan_id = f.vlan_id;
    info->payload = f.payload;
    info->payload_len = f.payload_len;
    info->inbound = f.inbound != 0;
    for (unsigned i = 0; i < f.sender_tag_count; ++i) {
        info->sender_tags.emplace_back(f.sender_tags[i].id, f.sender_tags[i].value);
    }
    for (unsigned i = 0; i < f.receiver_tag_count; ++i) {
        info->receiver_tags.emplace_back(f.receiver_tags[i].id, f.receiver_tags[i].value);
    }
    for (unsigned i = 0; i < f.sender_owns_count; ++i) {
        zt::CertificateOfOwnership::Item item;
        item.type = static_cast<zt::CertificateOfOwnership::Thing>(f.sender_owns[i].type);
        std::memcpy(item.value, f.sender_owns[i].value, sizeof item.value);
        coo->things.push_back(item);
    }
    return nullptr;
}

int verdict_to_c(zt::FilterResult::Verdict v) {
    switch (v) {
        case zt::FilterResult::Verdict::kDrop: return ZTX_VERDICT_DROP;
        case zt::FilterResult::Verdict::kAccept: return ZTX_VERDICT_ACCEPT;
        case zt::FilterResult::Verdict::kSuperAccept: return ZTX_VERDICT_SUPER_ACCEPT;
        case zt::FilterResult::Verdict::kNoMatch: break;
    }
    return ZTX_VERDICT_NO_MATCH;
}

void result_to_c(const zt::FilterResult& r, ztx_filter_result_t* out) {
    std::memset(out, 0, sizeof *out);
    out->verdict = verdict_to_c(r.verdict);
    out->redirect_to = r.redirect_to;
    out->tee_to = r.tee_to;
    out->tee_length = r.tee_length;
    out->watch = r.watch ? 1 : 0;
    out->qos_bucket = r.qos_bucket;
    out->capability = r.capability;
    out->capability_tee_to = r.capability_tee_to;
    out->capability_tee_length = r.capability_tee_length;
    out->capability_watch = r.capability_watch ? 1 : 0;
}

// Shared by evaluate and filter: the rules and the frame, or the reason they are unusable.
int run_rules(const uint8_t* rules, size_t len, const ztx_capability_spec_t* caps, unsigned cap_count, bool whole,
              const ztx_frame_t* frame, ztx_filter_result_t* out) {
    if (frame == nullptr || out == nullptr || bad_input(rules, len)) return arg_error("arguments must not be NULL");
    if (caps == nullptr && cap_count > 0) return arg_error("capabilities is NULL but capability_count is not 0");
    const char* why = nullptr;
    std::vector<zt::Rule> table;
    if (!zt::parse_rules(rules, len, zt::kMaxNetworkRules, &table, &why)) return arg_error(why);
    std::vector<zt::Capability> capabilities(cap_count);
    for (unsigned i = 0; i < cap_count; ++i) {
        if (bad_input(caps[i].rules, caps[i].rules_len)) return arg_error("a capability's rules are NULL");
        capabilities[i].id = caps[i].id;
        if (!zt::parse_rules(caps[i].rules, caps[i].rules_len, zt::kMaxCapabilityRules, &capabilities[i].rules, &why)) {
            return arg_error(why);
        }
    }
    zt::FrameInfo info;
    std::vector<zt::CertificateOfOwnership> coos(1);  // what the sender owns, as one certificate
    if (const char* bad = frame_from_c(*frame, &info, &coos[0])) return arg_error(bad);
    zt::NetworkConfig config;  // ours, for the NDP-emulated prefixes; empty: none
    if (bad_input(frame->config, frame->config_len)) {
        return arg_error("frame: config is NULL but config_len is not 0");
    }
    if (frame->config != nullptr && !parse_netconf(frame->config, frame->config_len, &config, &why)) {
        return arg_error(why);
    }
    const zt::ConfigOwnership ownership(config, coos, info.inbound);
    info.ownership = &ownership;
    const bool unsupported = (frame->netconf_flags & zt::kNetconfFlagUnsupportedMatchResult) != 0;
    const zt::FilterResult r =
        whole ? zt::filter_frame(table, capabilities.data(), capabilities.size(), info, unsupported)
              : zt::evaluate_rules(table, info, unsupported);
    result_to_c(r, out);
    return ZTS_ERR_OK;
}

}  // namespace

extern "C" {

uint64_t ztx_mac_from_address(uint64_t network_id, uint64_t node_id) {
    return zt::mac_from_address(node_id, network_id);
}

uint64_t ztx_address_from_mac(uint64_t network_id, uint64_t mac) { return zt::address_from_mac(mac, network_id); }

int ztx_dictionary_parse(const uint8_t* data, size_t len, char* out, size_t* out_len) {
    if (bad_input(data, len) || out_len == nullptr || (out == nullptr && *out_len > 0)) {
        return arg_error("arguments must not be NULL");
    }
    zt::Dictionary d;
    const char* why = nullptr;
    if (!zt::Dictionary::parse(data, len, &d, &why)) return arg_error(why);
    JsonWriter j;
    zt::api::write_dictionary_json(j, d);
    return copy_text(j.text(), out, out_len);
}

int ztx_netconf_parse(const uint8_t* dict, size_t len, const ztx_identity* controller, char* out, size_t* out_len) {
    if (bad_input(dict, len) || out_len == nullptr || (out == nullptr && *out_len > 0)) {
        return arg_error("arguments must not be NULL");
    }
    zt::NetworkConfig nc;
    const char* why = nullptr;
    if (!parse_netconf(dict, len, &nc, &why)) return arg_error(why);
    JsonWriter j;
    zt::api::write_netconf_json(j, nc, identity_of(controller));
    return copy_text(j.text(), out, out_len);
}

int ztx_netconf_reserialize(const uint8_t* dict, size_t len, uint8_t* out, size_t* out_len) {
    if (bad_input(dict, len) || out_len == nullptr || (out == nullptr && *out_len > 0)) {
        return arg_error("arguments must not be NULL");
    }
    zt::NetworkConfig nc;
    const char* why = nullptr;
    if (!parse_netconf(dict, len, &nc, &why)) return arg_error(why);
    return copy_bytes(nc.to_dictionary().serialize(), out, out_len);
}

int ztx_netconf_build(const ztx_netconf_spec_t* spec, const ztx_identity* controller, const ztx_identity* member,
                      uint8_t* out, size_t* out_len) {
    if (spec == nullptr || controller == nullptr || member == nullptr || out_len == nullptr ||
        (out == nullptr && *out_len > 0)) {
        return arg_error("arguments must not be NULL");
    }
    zt::NetconfSpec s;
    zt::NetworkConfig nc;
    const char* why = nullptr;
    if (!zt::api::netconf_spec_from_c(*spec, &s, &why)) return arg_error(why);
    if (!zt::build_network_config(s, controller->id, member->id, &nc, &why)) return arg_error(why);
    return copy_bytes(nc.to_dictionary().serialize(), out, out_len);
}

int ztx_netconf_adhoc(uint64_t network_id, uint64_t node_id, uint64_t now, uint8_t* out, size_t* out_len) {
    if (out_len == nullptr || (out == nullptr && *out_len > 0)) return arg_error("arguments must not be NULL");
    if (node_id == 0 || node_id > zt::kAddressMask) return arg_error("node_id must be a 40-bit address");
    zt::NetworkConfig nc;
    if (!zt::adhoc_network_config(network_id, node_id, now, &nc)) {
        return arg_error("not an ad-hoc network ID (ffSSSSEEEE000000 with SSSS <= EEEE, or ffAAhhhhhhhhhh01)");
    }
    return copy_bytes(nc.to_dictionary().serialize(), out, out_len);
}

int ztx_com_parse(const uint8_t* com, size_t len, const ztx_identity* controller, char* out, size_t* out_len) {
    if (bad_input(com, len) || out_len == nullptr || (out == nullptr && *out_len > 0)) {
        return arg_error("arguments must not be NULL");
    }
    zt::CertificateOfMembership c;
    const char* why = nullptr;
    if (!parse_com(com, len, &c, &why)) return arg_error(why);
    JsonWriter j;
    zt::api::write_com_json(j, c, identity_of(controller));
    return copy_text(j.text(), out, out_len);
}

int ztx_com_verify(const uint8_t* com, size_t len, const ztx_identity* controller) {
    if (bad_input(com, len) || controller == nullptr) return arg_error("arguments must not be NULL");
    zt::CertificateOfMembership c;
    const char* why = nullptr;
    if (!parse_com(com, len, &c, &why)) return arg_error(why);
    return c.verify(controller->id) ? 1 : 0;
}

int ztx_com_agrees(const uint8_t* mine, size_t mine_len, const uint8_t* theirs, size_t theirs_len,
                   const ztx_identity* their_identity) {
    if (bad_input(mine, mine_len) || bad_input(theirs, theirs_len) || their_identity == nullptr) {
        return arg_error("arguments must not be NULL");
    }
    zt::CertificateOfMembership a;
    zt::CertificateOfMembership b;
    const char* why = nullptr;
    if (!parse_com(mine, mine_len, &a, &why) || !parse_com(theirs, theirs_len, &b, &why)) return arg_error(why);
    return a.agrees_with(b, their_identity->id) ? 1 : 0;
}

int ztx_com_issue(uint64_t timestamp, uint64_t max_delta, uint64_t network_id, const ztx_identity* member,
                  const ztx_identity* controller, uint8_t* out, size_t* out_len) {
    if (member == nullptr || controller == nullptr || out_len == nullptr || (out == nullptr && *out_len > 0)) {
        return arg_error("arguments must not be NULL");
    }
    if (controller->id.address() != network_id >> 24) {
        return arg_error("certificate of membership: the controller is not the network's (network ID >> 24)");
    }
    zt::CertificateOfMembership com = zt::CertificateOfMembership::issue(timestamp, max_delta, network_id, member->id);
    if (!com.sign(controller->id)) {
        return arg_error("certificate of membership: the controller identity has no private key");
    }
    std::vector<uint8_t> bytes;
    zt::Writer w(bytes);
    com.serialize(w);
    return write_serialized(bytes, out, out_len);
}

int ztx_credentials_parse(const uint8_t* data, size_t len, const ztx_identity* controller, char* out, size_t* out_len) {
    if (bad_input(data, len) || out_len == nullptr || (out == nullptr && *out_len > 0)) {
        return arg_error("arguments must not be NULL");
    }
    zt::CredentialBundle b;
    const char* why = nullptr;
    if (!zt::CredentialBundle::parse(data, len, &b, &why)) return arg_error(why);
    JsonWriter j;
    zt::api::write_bundle_json(j, b, identity_of(controller));
    return copy_text(j.text(), out, out_len);
}

int ztx_credentials_reserialize(const uint8_t* data, size_t len, uint8_t* out, size_t* out_len) {
    if (bad_input(data, len) || out_len == nullptr || (out == nullptr && *out_len > 0)) {
        return arg_error("arguments must not be NULL");
    }
    zt::CredentialBundle b;
    const char* why = nullptr;
    if (!zt::CredentialBundle::parse(data, len, &b, &why)) return arg_error(why);
    std::vector<uint8_t> bytes;
    zt::Writer w(bytes);
    b.serialize(w);
    return write_serialized(bytes, out, out_len);
}

int ztx_capability_verify(const uint8_t* cap, size_t len, const ztx_identity* controller,
                          const ztx_identity* const* holders, unsigned holder_count) {
    if (bad_input(cap, len) || controller == nullptr || (holders == nullptr && holder_count > 0)) {
        return arg_error("arguments must not be NULL");
    }
    zt::Capability c;
    const char* why = nullptr;
    if (!parse_capability(cap, len, &c, &why)) return arg_error(why);
    std::vector<zt::Identity> others;
    for (unsigned i = 0; i < holder_count; ++i) {
        if (holders[i] == nullptr) return arg_error("holders must not contain NULL");
        others.push_back(holders[i]->id);
    }
    return c.verify(controller->id, others) ? 1 : 0;
}

int ztx_capability_transfer(const uint8_t* cap, size_t len, const ztx_identity* from, uint64_t to, uint8_t* out,
                            size_t* out_len) {
    if (bad_input(cap, len) || from == nullptr || out_len == nullptr || (out == nullptr && *out_len > 0)) {
        return arg_error("arguments must not be NULL");
    }
    zt::Capability c;
    const char* why = nullptr;
    if (!parse_capability(cap, len, &c, &why)) return arg_error(why);
    if (c.issued_to() != from->id.address()) return arg_error("capability: only its holder can hand it on");
    if (to == 0 || to > zt::kAddressMask) return arg_error("capability: `to` must be a 40-bit address");
    if (!c.sign(from->id, to)) {
        return arg_error("capability: the chain of custody is full, or the holder has no private key");
    }
    std::vector<uint8_t> bytes;
    zt::Writer w(bytes);
    c.serialize(w);
    return write_serialized(bytes, out, out_len);
}

int ztx_rules_parse(const uint8_t* rules, size_t len, char* out, size_t* out_len) {
    if (bad_input(rules, len) || out_len == nullptr || (out == nullptr && *out_len > 0)) {
        return arg_error("arguments must not be NULL");
    }
    std::vector<zt::Rule> table;
    const char* why = nullptr;
    if (!zt::parse_rules(rules, len, zt::kMaxNetworkRules, &table, &why)) return arg_error(why);
    JsonWriter j;
    zt::tools::write_rules_json(j, table);
    return copy_text(j.text(), out, out_len);
}

int ztx_rules_reserialize(const uint8_t* rules, size_t len, uint8_t* out, size_t* out_len) {
    if (bad_input(rules, len) || out_len == nullptr || (out == nullptr && *out_len > 0)) {
        return arg_error("arguments must not be NULL");
    }
    std::vector<zt::Rule> table;
    const char* why = nullptr;
    if (!zt::parse_rules(rules, len, zt::kMaxNetworkRules, &table, &why)) return arg_error(why);
    std::vector<uint8_t> bytes;
    zt::Writer w(bytes);
    zt::serialize_rules(w, table);
    return write_serialized(bytes, out, out_len);
}

int ztx_rules_from_json(const char* json, size_t len, unsigned max_rules, int flags, uint8_t* out, size_t* out_len) {
    if (bad_input(json, len) || out_len == nullptr || (out == nullptr && *out_len > 0)) {
        return arg_error("arguments must not be NULL");
    }
    if ((flags & ~ZTX_RULES_JSON_CONTROLLER) != 0) return arg_error("unknown flags");
    const auto reading = (flags & ZTX_RULES_JSON_CONTROLLER) != 0 ? zt::tools::RulesJsonReading::kController
                                                                 : zt::tools::RulesJsonReading::kComplete;
    std::vector<zt::Rule> table;
    std::string why;
    if (!zt::tools::read_rules_json(std::string_view(json, len), max_rules, reading, &table, &why)) {
        return arg_error(why.c_str());
    }
    std::vector<uint8_t> bytes;
    zt::Writer w(bytes);
    zt::serialize_rules(w, table);
    return write_serialized(bytes, out, out_len);
}

int ztx_rule_types(char* out, size_t* out_len) {
    if (out_len == nullptr || (out == nullptr && *out_len > 0)) return arg_error("arguments must not be NULL");
    JsonWriter j;
    j.begin_array();
    for (std::size_t i = 0; i < zt::rule_layout_count(); ++i) {
        const zt::RuleLayout& l = zt::rule_layout_at(i);
        const auto id = static_cast<std::uint8_t>(l.type);
        j.begin_object().key("type").str(l.name).key("id").num(id);
        j.key("action").boolean(zt::Rule{id}.is_action());
        j.key("alias");
        if (l.alias != nullptr) j.str(l.alias);
        else j.null();
        j.key("issued").boolean(l.not_issued == nullptr);
        j.key("fields").begin_array();
        for (std::size_t f = 0; f < l.field_count; ++f) j.str(l.fields[f].name);
        j.end_array().end_object();
    }
    j.end_array();
    return copy_text(j.text(), out, out_len);
}

int ztx_rules_evaluate(const uint8_t* rules, size_t len, const ztx_frame_t* frame, ztx_filter_result_t* out) {
    return run_rules(rules, len, nullptr, 0, false, frame, out);
}

int ztx_rules_filter(const uint8_t* rules, size_t len, const ztx_capability_spec_t* capabilities,
                     unsigned capability_count, const ztx_frame_t* frame, ztx_filter_result_t* out) {
    return run_rules(rules, len, capabilities, capability_count, true, frame, out);
}

int ztx_config_chunks(const ztx_identity* controller, uint64_t network_id, uint64_t update_id, const uint8_t* dict,
                      size_t len, uint8_t* out, size_t* out_len, size_t* lens, size_t* count) {
    if (controller == nullptr || bad_input(dict, len) || out_len == nullptr || count == nullptr ||
        (out == nullptr && *out_len > 0) || (lens == nullptr && *count > 0)) {
        return arg_error("arguments must not be NULL");
    }
    if (!controller->id.has_private()) return arg_error("config chunks: the controller identity has no private key");
    if (len == 0 || len > zt::kMaxConfigLength) {
        return arg_error("config chunks: dictionary empty or larger than ZTX_NETCONF_MAX_LEN");
    }
    if (update_id == 0) return arg_error("config chunks: the update ID must not be 0");
    const auto chunks = zt::sign_config_chunks(std::string(reinterpret_cast<const char*>(dict), len), network_id,
                                               update_id, controller->id);
    size_t total = 0;
    for (const auto& c : chunks) total += c.size();
    if (chunks.size() > *count || total > *out_len) {
        *count = chunks.size();
        *out_len = total;
        return arg_error("output buffers too small (*out_len and *count now say how large they must be)");
    }
    size_t at = 0;
    for (size_t i = 0; i < chunks.size(); ++i) {
        std::memcpy(out + at, chunks[i].data(), chunks[i].size());
        lens[i] = chunks[i].size();
        at += chunks[i].size();
    }
    *out_len = total;
    *count = chunks.size();
    return ZTS_ERR_OK;
}

int ztx_config_assembler_new(ztx_config_assembler** out) {
    if (out == nullptr) return arg_error("out must not be NULL");
    *out = new (std::nothrow) ztx_config_assembler;
    return *out != nullptr ? ZTS_ERR_OK : ZTS_ERR_GENERAL;
}

void ztx_config_assembler_free(ztx_config_assembler* a) { delete a; }

int ztx_config_assembler_add(ztx_config_assembler* a, const ztx_identity* controller, int from_controller,
                             uint64_t packet_id, const uint8_t* chunk, size_t len, uint8_t* out, size_t* out_len,
                             uint64_t* update_id) {
    if (a == nullptr || controller == nullptr || chunk == nullptr || out == nullptr || out_len == nullptr ||
        update_id == nullptr) {
        return arg_error("arguments must not be NULL");
    }
    if (*out_len < ZTX_NETCONF_MAX_LEN) return arg_error("out must hold ZTX_NETCONF_MAX_LEN bytes");
    std::string dictionary;
    const char* why = nullptr;
    const auto result =
        a->assembler.add(chunk, len, controller->id, from_controller != 0, packet_id, &dictionary, update_id, &why);
    switch (result) {
        case zt::ConfigAssembler::Result::kIncomplete: return ZTX_CONFIG_INCOMPLETE;
        case zt::ConfigAssembler::Result::kRejected: return arg_error(why);
        case zt::ConfigAssembler::Result::kComplete: break;
    }
    std::memcpy(out, dictionary.data(), dictionary.size());
    *out_len = dictionary.size();
    return ZTX_CONFIG_COMPLETE;
}

}  // extern "C"
