#pragma once
// Plain records the persistence thread stores, shared with the control plane and the importer.
// Field meanings follow the reference's tables (spec §5.4, §6.1, §11).

#include "router/rns/bytes.hpp"

#include <cstdint>
#include <optional>
#include <vector>

namespace persist {

/// Latest ratchet learned for a destination (spec §5.4): the 32-byte X25519 public key and the
/// unix time it was received.
struct ratchet_record {
    rns::hash16 destination{};
    rns::hash32 ratchet{};
    double received = 0;
    bool operator==(const ratchet_record&) const = default;
};

/// One path-table entry (spec §6.1; §11 `destination_table`), plus the raw announce as received
/// so that a restarted router answers path requests for it (spec §5.4 announce cache).
struct path_record {
    rns::hash16 destination{};
    double timestamp = 0;
    rns::hash16 next_hop{}; ///< transport id, or the destination itself for a direct neighbour
    std::uint8_t hops = 0;
    double expires = 0;
    std::vector<rns::byte_array<10>> random_blobs;
    rns::hash32 interface_hash{}; ///< SHA-256(str(interface)) like the reference
    rns::hash32 announce_hash{};  ///< packet hash of the cached announce
    rns::bytes announce;          ///< raw announce as received (hops not incremented); may be empty
    bool operator==(const path_record&) const = default;
};

/// A known destination (spec §5.2 step 6; §11 `known_destinations`).
struct known_destination {
    rns::hash16 destination{};
    double last_heard = 0;
    rns::hash32 announce_hash{};
    rns::byte_array<64> public_key{};
    std::optional<rns::bytes> app_data; ///< nullopt = none (the reference's nil)
    double last_used = 0;               ///< 0 never, -1 retained, else unix time
    bool operator==(const known_destination&) const = default;
};

/// A tunnel (spec §6.14; §11 `tunnels`): its id, the interface it was bound to (nullopt = none),
/// its expiry and the paths learned through it, each with its raw announce (interface_hash of a
/// tunnel path is the tunnel's interface hash, or zero).
struct tunnel_record {
    rns::hash32 tunnel_id{};
    std::optional<rns::hash32> interface_hash;
    double expires = 0;
    std::vector<path_record> paths;
    bool operator==(const tunnel_record&) const = default;
};

/// The transport identity's private key: X25519 private ‖ Ed25519 seed (spec §6.16).
using identity_key = rns::byte_array<64>;

/// Spec §5.4: RATCHET_EXPIRY, ratchets older than this are ignored and removed.
inline constexpr double ratchet_expiry_seconds = 2592000.0;

} // namespace persist
