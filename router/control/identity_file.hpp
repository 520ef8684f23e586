#pragma once
// The transport identity on disk (spec §6.16, §11): 64 raw bytes, X25519 private ‖ Ed25519 seed —
// the reference's storage/transport_identity. Start-up only (plain file I/O); after start the
// persistence thread owns all file access.

#include "router/rns/bytes.hpp"

#include <optional>
#include <string>

namespace rns::control {

struct identity_file_result {
    std::optional<byte_array<64>> key;
    bool created = false;
    std::string error; ///< set iff !key
};

/// Reads path; it must hold exactly 64 bytes.
[[nodiscard]] identity_file_result load_transport_identity(const std::string& path);

/// Reads path, or if it does not exist creates a fresh identity there (mode 0600, written to a
/// temporary file, fsynced and renamed, so a crash never leaves a torn key).
[[nodiscard]] identity_file_result load_or_create_transport_identity(const std::string& path);

/// File name of the transport identity inside a state directory.
inline constexpr const char* transport_identity_file = "transport_identity";

} // namespace rns::control
