// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: network configs from dictionaries (every key, binary ones included, and the
// legacy ones). A config that parses must write a dictionary that parses to a config writing the
// very same dictionary: what a member stores it reads back unchanged. Its credentials are checked
// against a fixed controller identity (almost always failing, which must fail cleanly).
// Seeds: tests/fuzz/corpus/netconf/ (the captured and built configs, one with a DNS entry as ZeroTier
// One may write it), made by make_vl2_seeds.py.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "zt/netconf.hpp"
#include "fuzz_support.hpp"

namespace {

using fuzz::check;

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
    if (nc.com) nc.com->verify(fuzz::captured_controller());
    for (const auto& c : nc.capabilities) c.verify(fuzz::captured_controller());
    for (const auto& t : nc.tags) t.verify(fuzz::captured_controller());
    for (const auto& c : nc.coos) c.verify(fuzz::captured_controller());
    nc.permits_bridging(nc.issued_to);
    nc.tag(1);
    zt::ConfigOwnership ownership(nc, nc.coos, true);
    for (const auto& ip : nc.static_ips) ownership.owns_ip(ip.ip);
    return 0;
}
