// SPDX-License-Identifier: Apache-2.0
#include "api/world_convert.hpp"

#include <algorithm>
#include <cstring>
#include <string_view>

namespace zt::api {

namespace {

// A fixed-size C string field must be NUL-terminated inside its buffer.
bool bounded(const char* s, std::size_t cap, std::string_view* out) {
    const void* nul = std::memchr(s, 0, cap);
    if (nul == nullptr) return false;
    *out = std::string_view(s, static_cast<const char*>(nul) - s);
    return true;
}

void copy_str(char* dst, std::size_t cap, const std::string& s) {
    const std::size_t n = std::min(s.size(), cap - 1);
    std::memcpy(dst, s.data(), n);
    dst[n] = '\0';
}

}  // namespace

bool world_from_c(const ztx_world_t& in, World* out, const char** why) {
    if (in.type != static_cast<int>(World::Type::kPlanet) && in.type != static_cast<int>(World::Type::kMoon)) {
        *why = "world: type must be 1 (planet) or 127 (moon)";
        return false;
    }
    if (in.root_count > ZTX_WORLD_MAX_ROOTS) {
        *why = "world: more than 4 roots";
        return false;
    }
    World w;
    w.type = static_cast<World::Type>(in.type);
    w.id = in.id;
    w.timestamp = in.timestamp;
    std::memcpy(w.update_key.data(), in.update_key, w.update_key.size());
    std::memcpy(w.signature.data(), in.signature, w.signature.size());
    for (unsigned i = 0; i < in.root_count; ++i) {
        const ztx_world_root_t& r = in.roots[i];
        World::Root root;
        std::string_view text;
        if (!bounded(r.identity, sizeof r.identity, &text)) {
            *why = "world: root identity string is not terminated";
            return false;
        }
        if (!Identity::from_string(text, &root.identity, why)) return false;
        if (root.identity.has_private()) {
            *why = "world: a root identity must be public only (it carries a private key)";
            return false;
        }
        if (r.endpoint_count > ZTX_WORLD_MAX_ENDPOINTS) {
            *why = "world: more than 32 endpoints for one root";
            return false;
        }
        for (unsigned e = 0; e < r.endpoint_count; ++e) {
            InetAddress ep;
            if (!bounded(r.endpoints[e], sizeof r.endpoints[e], &text) || !InetAddress::from_string(text, &ep)) {
                *why = "world: an endpoint is not of the form IP/PORT";
                return false;
            }
            root.endpoints.push_back(ep);
        }
        w.roots.push_back(std::move(root));
    }
    *out = std::move(w);
    return true;
}

void world_to_c(const World& in, ztx_world_t* out) {
    std::memset(out, 0, sizeof *out);
    out->type = static_cast<int>(in.type);
    out->id = in.id;
    out->timestamp = in.timestamp;
    std::memcpy(out->update_key, in.update_key.data(), in.update_key.size());
    std::memcpy(out->signature, in.signature.data(), in.signature.size());
    out->root_count = static_cast<unsigned>(in.roots.size());
    for (std::size_t i = 0; i < in.roots.size(); ++i) {
        ztx_world_root_t& r = out->roots[i];
        copy_str(r.identity, sizeof r.identity, in.roots[i].identity.to_string(false));
        r.endpoint_count = static_cast<unsigned>(in.roots[i].endpoints.size());
        for (std::size_t e = 0; e < in.roots[i].endpoints.size(); ++e) {
            copy_str(r.endpoints[e], sizeof r.endpoints[e], in.roots[i].endpoints[e].to_string());
        }
    }
}

}  // namespace zt::api
