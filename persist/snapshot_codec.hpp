#pragma once
// Whole-file snapshots (path table, known destinations, transport identity). Each file is
// magic(8) ‖ version u32 ‖ count u32 ‖ records ‖ CRC32C(all before) u32, little endian, and is
// replaced atomically (tmp, fsync, rename, fsync dir), so a reader sees the old or the new file,
// and the checksum catches anything else (persist/README.md).

#include "persist/records.hpp"

#include <optional>
#include <vector>

namespace persist {

[[nodiscard]] rns::bytes encode_paths(const std::vector<path_record>& paths);
[[nodiscard]] rns::bytes encode_known(const std::vector<known_destination>& known);
[[nodiscard]] rns::bytes encode_identity(const identity_key& key);

/// nullopt when the file is truncated, has a bad checksum or a malformed record.
[[nodiscard]] std::optional<std::vector<path_record>> decode_paths(rns::byte_view file);
[[nodiscard]] std::optional<std::vector<known_destination>> decode_known(rns::byte_view file);
[[nodiscard]] std::optional<identity_key> decode_identity(rns::byte_view file);

} // namespace persist
