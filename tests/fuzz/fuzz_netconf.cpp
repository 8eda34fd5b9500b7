// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: network configs from dictionaries (every key, binary ones included, and the
// legacy ones). A config that parses must write a dictionary that parses to a config writing the
// very same dictionary: what a member stores it reads back unchanged. Its credentials are checked
// against a fixed controller identity (almost always failing, which must fail cleanly).
// Seeds: tests/fuzz/corpus/netconf/ (the captured and built configs), made by make_vl2_seeds.py.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "zt/netconf.hpp"

namespace {

void check(bool condition) {
    if (!condition) std::abort();
}

const zt::Identity& controller() {
    static const zt::Identity id = [] {
        zt::Identity i;
        const char* why = nullptr;
        zt::Identity::from_string(
            "0f2e12b316:0:5b3b0fea9dda4b2af5f0f56bd3b5051112a62c4edc555e5edfadaaeb4c079d4be69b9c8f807904aeb7374ae17a28"
            "24610e1a16db737453ea0e62835ef5e2ba5f",
            &i, &why);
        return i;
    }();
    return id;
}

std::string round(const zt::NetworkConfig& nc) { return nc.to_dictionary().serialize(); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    zt::Dictionary d;
    zt::NetworkConfig nc;
    const char* why = nullptr;
    if (!zt::Dictionary::parse(data, size, &d, &why) || !zt::NetworkConfig::from_dictionary(d, &nc, &why)) {
        check(why != nullptr);
        return 0;
    }
    const std::string first = round(nc);
    zt::Dictionary d2;
    zt::NetworkConfig nc2;
    check(zt::Dictionary::parse(reinterpret_cast<const std::uint8_t*>(first.data()), first.size(), &d2, &why));
    check(zt::NetworkConfig::from_dictionary(d2, &nc2, &why));
    check(round(nc2) == first);
    if (nc.com) nc.com->verify(controller());
    for (const auto& c : nc.capabilities) c.verify(controller());
    for (const auto& t : nc.tags) t.verify(controller());
    for (const auto& c : nc.coos) c.verify(controller());
    nc.permits_bridging(nc.issued_to);
    nc.tag(1);
    zt::ConfigOwnership ownership(nc, nc.coos, true);
    for (const auto& ip : nc.static_ips) ownership.owns_ip(ip.ip);
    return 0;
}
