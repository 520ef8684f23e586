#pragma once
// Migration: reads a reference instance's `storage/` folder (spec §11) into our records, so an
// operator can move a live node to rnsrouter (tools/rns-import writes them into a state dir).
// This is an offline step: the reference's files are read with ordinary descriptors, once.

#include "persist/reference_codec.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace persist {

struct import_result {
    std::vector<ratchet_record> ratchets;      ///< storage/ratchets/<hex destination>
    std::vector<path_record> paths;            ///< storage/destination_table, with cached announces
    std::vector<known_destination> known;      ///< storage/known_destinations
    std::optional<identity_key> identity;      ///< storage/transport_identity
    std::vector<rns::hash32> packet_hashes;    ///< storage/packet_hashlist.raw
    std::vector<reference::tunnel_record> tunnels; ///< storage/tunnels
    std::size_t cached_announces = 0;          ///< storage/cache/announces files read
    std::size_t paths_without_announce = 0;    ///< paths whose cached announce is missing
    std::vector<std::string> errors;           ///< files skipped, each with the reason
};

/// Reads everything it recognises under storage_dir; unreadable or malformed files are skipped
/// and listed in errors (an import never half-parses a file).
[[nodiscard]] import_result import_reference_storage(const std::filesystem::path& storage_dir);

} // namespace persist
