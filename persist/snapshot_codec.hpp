#pragma once
// Whole-file snapshots (path table, known destinations, transport identity). Each file is
// magic(8) ‖ version u32 ‖ count u32 ‖ records ‖ CRC32C(all before) u32, little endian, and is
// replaced atomically (tmp, fsync, rename, fsync dir), so a reader sees the old or the new file,
// and the checksum catches anything else (persist/README.md).

#include "persist/records.hpp"

#include <optional>
#include <string>
#include <vector>

namespace persist {

[[nodiscard]] rns::bytes encode_paths(const std::vector<path_record>& paths);
[[nodiscard]] rns::bytes encode_known(const std::vector<known_destination>& known);
[[nodiscard]] rns::bytes encode_identity(const identity_key& key);
[[nodiscard]] rns::bytes encode_tunnels(const std::vector<tunnel_record>& tunnels);

/// nullopt when the file is truncated, has a bad checksum or a malformed record.
[[nodiscard]] std::optional<std::vector<path_record>> decode_paths(rns::byte_view file);
[[nodiscard]] std::optional<std::vector<known_destination>> decode_known(rns::byte_view file);
[[nodiscard]] std::optional<identity_key> decode_identity(rns::byte_view file);

/// Tunnel records are length-prefixed: a record that does not parse is skipped and described in
/// `errors`, the others are kept. nullopt only when the file itself is bad (magic, version,
/// checksum, or a length running past the end).
struct decoded_tunnels {
    std::vector<tunnel_record> tunnels;
    std::vector<std::string> errors;
};
[[nodiscard]] std::optional<decoded_tunnels> decode_tunnels(rns::byte_view file);

} // namespace persist
