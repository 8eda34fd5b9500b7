// SPDX-License-Identifier: Apache-2.0
// A config on the wire: the dictionary cut into chunks, each signed by the controller over
// everything from the network ID to the chunk index (docs/protocol/vl2.md section 2.2).
#include <algorithm>
#include <cstring>

#include "zt/netconf.hpp"

namespace zt {

namespace {

constexpr std::uint8_t kSignatureTypeC25519 = 1;
constexpr std::uint8_t kFlagsNone = 0;  // 0x01 would ask receivers to re-flood the chunk

ConfigAssembler::Result reject(const char** why, const char* reason) {
    if (why != nullptr) *why = reason;
    return ConfigAssembler::Result::kRejected;
}

// The dedupe key of a chunk: its signature is unique, so fold its first 16 bytes into 8.
std::uint64_t chunk_id_of(const std::uint8_t* signature) { return load_be(signature, 8) ^ load_be(signature + 8, 8); }

}  // namespace

std::vector<std::vector<std::uint8_t>> sign_config_chunks(const std::string& dictionary, std::uint64_t network_id,
                                                          std::uint64_t update_id, const Identity& controller) {
    std::vector<std::vector<std::uint8_t>> chunks;
    const auto total = static_cast<std::uint32_t>(dictionary.size());
    for (std::uint32_t index = 0; index < total;) {
        const auto n = static_cast<std::uint32_t>(std::min<std::size_t>(total - index, kMaxConfigChunk));
        std::vector<std::uint8_t> chunk;
        Writer w(chunk);
        w.u64(network_id);
        w.u16(static_cast<std::uint16_t>(n));
        w.bytes(dictionary.data() + index, n);
        w.u8(kFlagsNone);
        w.u64(update_id);
        w.u32(total);
        w.u32(index);
        const Signature sig = controller.sign(chunk.data(), chunk.size());
        w.u8(kSignatureTypeC25519);
        w.u16(static_cast<std::uint16_t>(kSignatureLen));
        w.bytes(sig.data(), sig.size());
        chunks.push_back(std::move(chunk));
        index += n;
    }
    return chunks;
}

ConfigAssembler::Result ConfigAssembler::add(const std::uint8_t* chunk, std::size_t len, const Identity& controller,
                                             bool from_controller, std::uint64_t packet_id, std::string* dictionary,
                                             std::uint64_t* update_id, const char** why) {
    if (chunk == nullptr) return reject(why, "config chunk: no data");
    Reader r(chunk, len);
    const std::uint64_t network_id = r.u64();
    const std::uint16_t n = r.u16();
    const std::uint8_t* data = r.take(n);
    if (!r.ok()) return reject(why, "config chunk: truncated dictionary data");
    if ((network_id >> 24) != controller.address()) {
        return reject(why, "config chunk: not for a network of this controller");
    }

    if (r.remaining() == 0) {
        // Controllers before 1.2 sent the whole config unsigned in one OK: trusted only from the
        // controller itself, over the session it authenticated.
        if (!from_controller) return reject(why, "config chunk: unsigned legacy config not from the controller");
        if (n == 0) return reject(why, "config chunk: empty legacy config");
        dictionary->assign(reinterpret_cast<const char*>(data), n);
        *update_id = packet_id;
        return Result::kComplete;
    }

    r.u8();  // flags: fast propagation is a relay's business, not reassembly's
    const std::uint64_t id = r.u64();
    const std::uint32_t total = r.u32();
    const std::uint32_t index = r.u32();
    const std::size_t signed_len = r.pos();
    const std::uint8_t signature_type = r.u8();
    const std::uint16_t signature_len = r.u16();
    const std::uint8_t* signature = r.take(kSignatureLen);
    if (!r.ok()) return reject(why, "config chunk: truncated trailer or signature");
    if (r.remaining() != 0) return reject(why, "config chunk: bytes after the signature");
    if (signature_type != kSignatureTypeC25519 || signature_len != kSignatureLen) {
        return reject(why, "config chunk: signature is not a 96-byte C25519 signature");
    }
    if (n == 0) return reject(why, "config chunk: empty chunk");
    if (total == 0 || total > kMaxConfigLength) return reject(why, "config chunk: total length out of range");
    if (static_cast<std::uint64_t>(index) + n > total) {
        return reject(why, "config chunk: chunk extends past the total length");
    }

    const std::uint64_t chunk_id = chunk_id_of(signature);
    auto slot = std::find_if(updates_.begin(), updates_.end(), [id](const Update& u) { return u.id == id; });
    if (slot != updates_.end() &&
        std::find(slot->chunk_ids.begin(), slot->chunk_ids.end(), chunk_id) != slot->chunk_ids.end()) {
        return Result::kIncomplete;  // a duplicate (chunks may arrive more than once): nothing new
    }
    // Nothing is kept, not even a slot, before the signature checks out.
    if (!controller.verify(chunk, signed_len, signature, kSignatureLen)) {
        return reject(why, "config chunk: signature is not the controller's");
    }

    if (slot == updates_.end()) {
        if (updates_.size() >= kMaxUpdates) {
            updates_.erase(std::min_element(updates_.begin(), updates_.end(),
                                            [](const Update& a, const Update& b) { return a.touched < b.touched; }));
        }
        Update u;
        u.id = id;
        u.total = total;
        u.data.assign(total, '\0');
        updates_.push_back(std::move(u));
        slot = updates_.end() - 1;
    }
    Update& u = *slot;
    u.touched = ++clock_;
    if (u.total != total) return reject(why, "config chunk: chunks of one update disagree on the total length");
    if (u.chunk_ids.size() >= kMaxChunksPerUpdate) return reject(why, "config chunk: too many chunks for one update");
    for (const auto& [start, end] : u.ranges) {
        if (index < end && start < index + n) return reject(why, "config chunk: overlaps a chunk already received");
    }
    std::memcpy(&u.data[index], data, n);
    u.have += n;
    u.ranges.emplace_back(index, index + n);
    u.chunk_ids.push_back(chunk_id);
    if (u.have != u.total) return Result::kIncomplete;

    *dictionary = std::move(u.data);
    *update_id = u.id;
    updates_.erase(slot);
    return Result::kComplete;
}

}  // namespace zt
