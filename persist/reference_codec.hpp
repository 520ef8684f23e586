#pragma once
// The reference implementation's storage file formats (spec §11; vectors/ratchet_storage.json),
// both directions: parse a file into our records, and encode our records into the same bytes
// (umsgpack: smallest integer encodings, float64 for floats, bin for bytes, str for text).

#include "persist/records.hpp"

#include <optional>
#include <string>
#include <vector>

namespace persist::reference {

/// `cache/announces/<hex packet hash>`: [raw announce as received, str(interface) or nil].
struct cached_announce {
    rns::bytes raw;
    std::optional<std::string> interface;
    bool operator==(const cached_announce&) const = default;
};

/// One `tunnels` entry: [tunnel_id, interface_hash or nil, [path entries], expires].
struct tunnel_record {
    rns::hash32 tunnel_id{};
    std::optional<rns::hash32> interface_hash;
    std::vector<path_record> paths;
    double expires = 0;
    bool operator==(const tunnel_record&) const = default;
};

/// A local destination's `.ratchets` file: {"signature": sig over packed, "ratchets": packed},
/// packed = msgpack array of the ratchet PRIVATE keys, newest first.
struct local_ratchets {
    rns::byte_array<64> signature{};
    rns::bytes packed;
    std::vector<rns::hash32> ratchets;
};

// Parsers: nullopt on anything malformed (wrong types or sizes, trailing bytes).
[[nodiscard]] std::optional<ratchet_record> parse_ratchet(const rns::hash16& destination, rns::byte_view file);
[[nodiscard]] std::optional<std::vector<path_record>> parse_destination_table(rns::byte_view file);
[[nodiscard]] std::optional<std::vector<known_destination>> parse_known_destinations(rns::byte_view file);
[[nodiscard]] std::optional<identity_key> parse_transport_identity(rns::byte_view file);
[[nodiscard]] std::optional<cached_announce> parse_cached_announce(rns::byte_view file);
[[nodiscard]] std::optional<std::vector<rns::hash32>> parse_packet_hashlist(rns::byte_view file);
[[nodiscard]] std::optional<std::vector<tunnel_record>> parse_tunnels(rns::byte_view file);
[[nodiscard]] std::optional<local_ratchets> parse_local_ratchets(rns::byte_view file);

// Encoders: the exact bytes the reference writes for the same content.
[[nodiscard]] rns::bytes encode_ratchet(const ratchet_record& r);
[[nodiscard]] rns::bytes encode_destination_table(const std::vector<path_record>& paths);
[[nodiscard]] rns::bytes encode_known_destinations(const std::vector<known_destination>& known);
[[nodiscard]] rns::bytes encode_cached_announce(const cached_announce& a);
[[nodiscard]] rns::bytes encode_packet_hashlist(const std::vector<rns::hash32>& hashes);
[[nodiscard]] rns::bytes encode_tunnels(const std::vector<tunnel_record>& tunnels);

} // namespace persist::reference
