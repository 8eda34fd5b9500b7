// SPDX-License-Identifier: Apache-2.0
// The TCP hooks of our build (include/lwip_port_hooks.h), both called under the core lock.
extern "C" {
#include <lwip/ip_addr.h>
#include <lwip/tcp.h>
}

#include <sodium.h>

#include <chrono>
#include <cstdint>
#include <cstring>

namespace {

// The secret of RFC 6528's F(): made once per process, on first use (C++ statics are thread-safe).
const unsigned char* isn_key() {
    static const auto key = [] {
        struct Key {
            unsigned char bytes[crypto_shorthash_KEYBYTES];
        } k;
        crypto_shorthash_keygen(k.bytes);
        return k;
    }();
    return key.bytes;
}

// An address as the bytes F() hashes: 4 for IPv4, 16 for IPv6; returns how many it wrote.
std::size_t address_bytes(const ip_addr_t* a, unsigned char* out) {
    if (IP_IS_V6(a)) {
        std::memcpy(out, ip_2_ip6(a)->addr, 16);
        return 16;
    }
    std::memcpy(out, &ip_2_ip4(a)->addr, 4);
    return 4;
}

}  // namespace

extern "C" u32_t lwip_port_tcp_isn(const ip_addr_t* local_ip, u16_t local_port, const ip_addr_t* remote_ip,
                                   u16_t remote_port) {
    // ISN = M + F(local address and port, remote address and port, secret): M a clock ticking every
    // 4 microseconds, F a keyed hash (SipHash, libsodium's crypto_shorthash) of the connection's
    // four-tuple. A new incarnation of a four-tuple still starts above the old one's numbers (M moves
    // on), while an off-path attacker can no longer guess another connection's.
    unsigned char tuple[16 + 2 + 16 + 2];
    std::size_t n = address_bytes(local_ip, tuple);
    std::memcpy(tuple + n, &local_port, 2);
    n += 2;
    n += address_bytes(remote_ip, tuple + n);
    std::memcpy(tuple + n, &remote_port, 2);
    n += 2;
    unsigned char hash[crypto_shorthash_BYTES];
    crypto_shorthash(hash, tuple, n, isn_key());
    std::uint32_t f;
    std::memcpy(&f, hash, sizeof f);
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                        std::chrono::steady_clock::now().time_since_epoch()).count();
    return static_cast<u32_t>(static_cast<std::uint64_t>(us) / 4) + f;
}

extern "C" err_t lwip_port_tcp_segment_arrives(struct tcp_pcb* pcb) {
    // lwIP 2.1.3 frees a pcb whose last FIN is acknowledged (LAST_ACK) without calling its error
    // callback when the receive side was shut down (TF_RXCLOSED): it assumes whoever shut it down let
    // go of the pcb. A netconn does not when the socket sends its FIN (shutdown(SHUT_WR)) after the
    // peer's, then reads the end of the stream: reading it shuts the receive side (netconn_recv), the
    // netconn keeps the pcb, the peer's ACK frees it, and close() then writes to freed memory. A pcb
    // with an error callback still has an owner, so in that state it is told, as when the receive side
    // is open: the netconn forgets the pcb. No data can arrive after the peer's FIN, so nothing else
    // depends on the flag in LAST_ACK.
    if (pcb->state == LAST_ACK && (pcb->flags & TF_RXCLOSED) != 0 && pcb->errf != nullptr) {
        tcp_clear_flags(pcb, TF_RXCLOSED);
    }
    return ERR_OK;
}
