// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: certificates of membership and every other credential parser, alone and in a
// NETWORK_CREDENTIALS bundle. Byte 0 picks the parser (0 COM, 1 tag, 2 capability, 3 certificate
// of ownership, 4 revocation, else a bundle); the rest is its input. What parses must serialize to
// bytes that parse and serialize identically, and its signature and agreement checks (against fixed
// identities) must run cleanly.
// Seeds: tests/fuzz/corpus/com/ (captured and built credentials), made by make_vl2_seeds.py.
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "zt/credentials.hpp"
#include "fuzz_support.hpp"

namespace {

using fuzz::check;

template <typename T>
std::vector<std::uint8_t> bytes_of(const T& item) {
    std::vector<std::uint8_t> out;
    zt::Writer w(out);
    item.serialize(w);
    return out;
}

// One credential: parse, then serialize -> parse -> serialize must be a fixed point.
template <typename T>
void one(const std::uint8_t* data, std::size_t size) {
    zt::Reader r(data, size);
    T item;
    const char* why = nullptr;
    if (!T::parse(r, &item, &why)) {
        check(why != nullptr);
        return;
    }
    check(r.ok() && r.pos() <= size);
    const std::vector<std::uint8_t> out = bytes_of(item);
    zt::Reader r2(out.data(), out.size());
    T again;
    check(T::parse(r2, &again, &why) && r2.remaining() == 0);
    check(bytes_of(again) == out);
    item.verify(fuzz::captured_controller());
}

void bundle(const std::uint8_t* data, std::size_t size) {
    zt::CredentialBundle b;
    const char* why = nullptr;
    if (!zt::CredentialBundle::parse(data, size, &b, &why)) {
        check(why != nullptr);
        return;
    }
    const std::vector<std::uint8_t> out = bytes_of(b);
    zt::CredentialBundle again;
    check(zt::CredentialBundle::parse(out.data(), out.size(), &again, &why));
    check(bytes_of(again) == out);
    for (const auto& com : b.coms) {
        com.verify(fuzz::captured_controller());
        com.agrees_with(com, fuzz::captured_controller());
        if (!b.coms.empty()) b.coms.front().agrees_with(com, fuzz::captured_controller());
    }
    for (const auto& c : b.capabilities) c.verify(fuzz::captured_controller(), {fuzz::captured_controller()});
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::uint8_t* rest = data + 1;
    const std::size_t n = size - 1;
    switch (data[0]) {
        case 0: one<zt::CertificateOfMembership>(rest, n); break;
        case 1: one<zt::Tag>(rest, n); break;
        case 2: one<zt::Capability>(rest, n); break;
        case 3: one<zt::CertificateOfOwnership>(rest, n); break;
        case 4: one<zt::Revocation>(rest, n); break;
        default: bundle(rest, n); break;
    }
    return 0;
}
