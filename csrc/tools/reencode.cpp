// SPDX-License-Identifier: Apache-2.0
// inspect::reencode: parse, then build again with the builders, so tests can hold both against bytes
// made by ZeroTier itself.
#include <cstring>

#include "tools/inspect.hpp"
#include "zt/wire.hpp"

namespace zt::inspect {

namespace {

bool reject(const char** why, const char* reason) {
    if (why != nullptr) *why = reason;
    return false;
}

}  // namespace

bool reencode(const Packet& p, const SymmetricKey* key, Packet* out, const char** why) {
    if (p.size() < kMinPacketLen) return reject(why, "packet: shorter than the 28-byte header");
    out->assign(p.data(), kMinPacketLen);  // the same header and verb byte
    switch (p.verb()) {
        case Verb::kHello: {
            if (key == nullptr) return reject(why, "HELLO: re-encoding needs the key (moon list)");
            wire::Hello h;
            if (!wire::parse_hello(p, key, &h, why)) return false;
            wire::build_hello(*out, h, *key);
            break;
        }
        case Verb::kOk: {
            wire::ReplyHeader h;
            if (!wire::parse_reply_header(p, &h, why)) return false;
            wire::build_reply_header(*out, h);
            if (h.in_re_verb == Verb::kHello) {
                wire::OkHello ok;
                if (!wire::parse_ok_hello(p, &ok, why)) return false;
                wire::build_ok_hello(*out, ok);
            } else if (h.in_re_verb == Verb::kWhois) {
                std::vector<Identity> ids;
                if (!wire::parse_ok_whois(p, &ids, why)) return false;
                wire::build_ok_whois(*out, ids);
            } else {
                return reject(why, "OK: no builder for this in-re verb");
            }
            break;
        }
        case Verb::kError: {
            wire::Error e;
            if (!wire::parse_error(p, &e, why)) return false;
            wire::build_error(*out, e);
            break;
        }
        case Verb::kWhois: {
            std::vector<std::uint64_t> addresses;
            if (!wire::parse_whois(p, &addresses, why)) return false;
            wire::build_whois(*out, addresses);
            break;
        }
        case Verb::kRendezvous: {
            wire::Rendezvous r;
            if (!wire::parse_rendezvous(p, &r, why)) return false;
            wire::build_rendezvous(*out, r);
            break;
        }
        case Verb::kPushDirectPaths: {
            std::vector<wire::DirectPath> paths;
            if (!wire::parse_push_direct_paths(p, &paths, why)) return false;
            wire::build_push_direct_paths(*out, paths);
            break;
        }
        case Verb::kUserMessage: {
            wire::UserMessage m;
            if (!wire::parse_user_message(p, &m, why)) return false;
            wire::build_user_message(*out, m.type, m.data.data(), m.data.size());
            break;
        }
        default: return reject(why, "no builder for this verb");
    }
    if (!out->ok()) return reject(why, "re-encoded packet does not fit");
    return true;
}

}  // namespace zt::inspect
