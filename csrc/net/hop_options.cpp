// SPDX-License-Identifier: Apache-2.0
#include "net/hop_options.hpp"

#include <cerrno>
#include <cstring>

#include "ZeroTierSockets.h"

namespace zt::net {

namespace {

constexpr int kNotOurs = -1;
constexpr int kDefaultUnicastHops = IP_DEFAULT_TTL;
constexpr int kDefaultMulticastHops = 1;

// Linux's rule for an option's values.
enum class Values {
    kTtl,          // IP_TTL: -1 (the default) or 1..255
    kHopLimit,     // IPV6_UNICAST_HOPS: -1 (the default) or 0..255
    kMulticastTtl, // both multicast TTLs: -1 (the default) or 0..255
    kAnyIsOn,      // IP_MULTICAST_LOOP: 0 off, anything else on
    kZeroOrOne,    // IPV6_MULTICAST_LOOP
};

struct HopOption {
    int lwip_name;
    Values values;
    bool udp_only;  // lwIP keeps it in its UDP PCB alone
};

bool hop_option(int family, int level, int name, HopOption* out) {
    if (level == ZTS_IPPROTO_IP) {
        switch (name) {
            case ZTS_IP_TTL: *out = {IP_TTL, Values::kTtl, false}; return true;
            case ZTS_IP_MULTICAST_TTL: *out = {IP_MULTICAST_TTL, Values::kMulticastTtl, true}; return true;
            case ZTS_IP_MULTICAST_LOOP: *out = {IP_MULTICAST_LOOP, Values::kAnyIsOn, true}; return true;
            default: return false;
        }
    }
    if (level == ZTS_IPPROTO_IPV6 && family == AF_INET6) {
        switch (name) {
            case ZTS_IPV6_UNICAST_HOPS: *out = {IP_TTL, Values::kHopLimit, false}; return true;
            case ZTS_IPV6_MULTICAST_HOPS: *out = {IP_MULTICAST_TTL, Values::kMulticastTtl, true}; return true;
            case ZTS_IPV6_MULTICAST_LOOP: *out = {IP_MULTICAST_LOOP, Values::kZeroOrOne, true}; return true;
            default: return false;
        }
    }
    return false;
}

// The value a setsockopt gives: an int, or (IPv4 options) a single byte. false: none.
bool given_value(int level, const void* value, socklen_t len, int* out) {
    if (value == nullptr) return false;
    if (len >= sizeof(int)) {
        std::memcpy(out, value, sizeof(int));
        return true;
    }
    if (!hop_value_may_be_a_byte(level) || len < 1) return false;
    *out = *static_cast<const unsigned char*>(value);
    return true;
}

// The value lwIP is to keep, or -1 for a value Linux refuses.
int checked(Values values, int v) {
    switch (values) {
        case Values::kTtl: return v == -1 ? kDefaultUnicastHops : (v >= 1 && v <= 255 ? v : -1);
        case Values::kHopLimit: return v == -1 ? kDefaultUnicastHops : (v >= 0 && v <= 255 ? v : -1);
        case Values::kMulticastTtl: return v == -1 ? kDefaultMulticastHops : (v >= 0 && v <= 255 ? v : -1);
        case Values::kAnyIsOn: return v != 0 ? 1 : 0;
        case Values::kZeroOrOne: return v == 0 || v == 1 ? v : -1;
    }
    return -1;
}

int lwip_option_for(int family, int type, int level, int name, LwipHopOption* out, HopOption* option) {
    if (!hop_option(family, level, name, option)) return kNotOurs;
    out->name = option->lwip_name;
    out->one_byte = option->lwip_name != IP_TTL;
    return option->udp_only && type != SOCK_DGRAM ? ENOPROTOOPT : 0;
}

}  // namespace

int hop_setting(int family, int type, int level, int name, const void* value, socklen_t len, LwipHopOption* out) {
    HopOption option{};
    const int status = lwip_option_for(family, type, level, name, out, &option);
    if (status == ENOPROTOOPT && level == ZTS_IPPROTO_IP && name == ZTS_IP_MULTICAST_TTL && type == SOCK_STREAM) {
        return EINVAL;
    }
    if (status != 0) return status;
    int v = 0;
    if (!given_value(level, value, len, &v)) return EINVAL;
    v = checked(option.values, v);
    if (v < 0) return EINVAL;
    out->value = v;
    out->byte = static_cast<unsigned char>(v);
    return 0;
}

int hop_reading(int family, int type, int level, int name, LwipHopOption* out) {
    HopOption option{};
    return lwip_option_for(family, type, level, name, out, &option);
}

bool hop_value_may_be_a_byte(int level) { return level == ZTS_IPPROTO_IP; }

}  // namespace zt::net
