#pragma once
// On-disk format of the ratchet segment (persist/README.md): a 64-byte header, then fixed 64-byte
// records, each with its own CRC32C. The file is only ever appended to, or replaced whole by a
// compaction (write `.new`, fsync, rename). Replaying it in order gives the latest ratchet per
// destination; a torn tail is recognised by its checksum and discarded.

#include "persist/records.hpp"

#include <cstddef>
#include <cstdint>
#include <unordered_map>

namespace persist {

inline constexpr std::size_t segment_header_size = 64;
inline constexpr std::size_t segment_record_size = 64;

enum class record_type : std::uint8_t { ratchet = 1, forget = 2 };

/// Writes the segment header into out[0..64).
void encode_segment_header(std::uint8_t* out) noexcept;
/// Writes one record into out[0..64). For `forget` the ratchet and time are zero.
void encode_segment_record(record_type type, const ratchet_record& r, std::uint8_t* out) noexcept;

struct hash16_hasher {
    std::size_t operator()(const rns::hash16& h) const noexcept {
        std::size_t v = 0;
        for (std::size_t i = 0; i < sizeof v; ++i) {
            v = (v << 8) | h[i];
        }
        return v; // destination hashes are SHA-256 output: already uniform
    }
};

/// Latest ratchet per destination: ratchet key and received time.
using ratchet_map = std::unordered_map<rns::hash16, ratchet_record, hash16_hasher>;

struct segment_scan {
    bool header_ok = false;
    std::size_t records = 0;         ///< valid records replayed
    std::size_t valid_end = 0;       ///< offset after the last valid record (append position)
    std::size_t torn_tail_bytes = 0; ///< bytes after the last valid record (discarded)
    std::size_t corrupt_records = 0; ///< bad records followed by valid ones (not a torn tail)
    std::size_t expired = 0;         ///< ratchets older than the expiry, dropped
};

/// Replays a segment image into map (latest record wins; `forget` erases). Entries whose
/// received time is older than now - expiry are dropped (spec §5.4).
segment_scan scan_segment(rns::byte_view file, ratchet_map& map, double now, double expiry) noexcept;

} // namespace persist
