// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: the TCP relay's record stream (zt/relay_records), as a relay or anyone on the
// way to it can send it. Byte 0 of the input picks the sizes of the pieces the rest arrives in (as
// TCP may cut it anywhere); the rest is the stream. Checks:
//   - reading the stream piece by piece, as osdep/tcp_relay does (append, read, drop what was
//     consumed), hands over exactly the datagrams, sources and verdict of reading it whole;
//   - every datagram lies inside the input, and consumed never passes its end;
//   - an IPv4 datagram written again as a record reads back the same.
#include <cstdint>
#include <cstring>
#include <vector>

#include "fuzz_support.hpp"
#include "zt/relay_records.hpp"

namespace {

struct Datagram {
    zt::InetAddress from;
    std::vector<std::uint8_t> data;
    bool operator==(const Datagram& o) const { return from == o.from && data == o.data; }
};

struct Outcome {
    std::vector<Datagram> datagrams;
    bool broken = false;
};

Outcome read_whole(const std::uint8_t* data, std::size_t size) {
    Outcome out;
    const zt::RelayRecordsRead r =
        zt::read_relay_records(data, size, [&](const zt::InetAddress& from, const std::uint8_t* d, std::size_t n) {
            fuzz::check(d >= data && n <= size && d + n <= data + size);
            out.datagrams.push_back({from, std::vector<std::uint8_t>(d, d + n)});
        });
    fuzz::check(r.consumed <= size);
    fuzz::check(r.datagrams == out.datagrams.size());
    out.broken = r.broken;
    return out;
}

Outcome read_in_pieces(const std::uint8_t* data, std::size_t size, std::uint8_t piece_seed) {
    Outcome out;
    std::vector<std::uint8_t> in;
    std::size_t at = 0;
    std::uint32_t state = piece_seed | 1u;
    while (at < size && !out.broken) {
        state = state * 1103515245u + 12345u;
        const std::size_t piece = 1 + (state >> 16) % 97;
        const std::size_t n = piece < size - at ? piece : size - at;
        in.insert(in.end(), data + at, data + at + n);
        at += n;
        const zt::RelayRecordsRead r = zt::read_relay_records(
            in.data(), in.size(), [&](const zt::InetAddress& from, const std::uint8_t* d, std::size_t len) {
                out.datagrams.push_back({from, std::vector<std::uint8_t>(d, d + len)});
            });
        fuzz::check(r.consumed <= in.size());
        out.broken = r.broken;
        in.erase(in.begin(), in.begin() + static_cast<std::ptrdiff_t>(r.consumed));
    }
    return out;
}

void check_round_trip(const Datagram& d) {
    if (d.from.family != zt::InetAddress::Family::kV4) return;
    std::vector<std::uint8_t> record;
    fuzz::check(zt::append_relay_datagram(record, d.from, d.data.data(), d.data.size()));
    const Outcome again = read_whole(record.data(), record.size());
    fuzz::check(!again.broken && again.datagrams.size() == 1 && again.datagrams[0] == d);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const std::uint8_t piece_seed = data[0];
    ++data;
    --size;
    const Outcome whole = read_whole(data, size);
    const Outcome pieces = read_in_pieces(data, size, piece_seed);
    fuzz::check(whole.broken == pieces.broken);
    fuzz::check(whole.datagrams == pieces.datagrams);
    for (const Datagram& d : whole.datagrams) check_round_trip(d);
    return 0;
}
