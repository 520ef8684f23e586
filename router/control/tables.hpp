#pragma once
// The transport tables of spec §6.1, as the control plane (their single writer) keeps them.

#include "router/control/types.hpp"
#include "router/rns/bytes.hpp"

#include <cstdint>
#include <optional>
#include <vector>

namespace rns::control {

/// spec §6.1 path table entry.
struct path_entry {
    double timestamp = 0;        ///< last update, or last use for forwarding (culling uses this)
    hash16 next_hop{};           ///< transport id of the node it came through, or the destination
    std::uint8_t hops = 0;
    double expires = 0;          ///< only used by the acceptance rules (spec §6.6 step 5)
    std::vector<byte_array<10>> random_blobs; ///< last 64
    iface_id iface = no_iface;   ///< where the announce arrived: the outbound interface
    hash32 announce_hash{};      ///< key into the announce cache
};

/// spec §6.1 reverse table entry (key: truncated packet hash).
struct reverse_entry {
    iface_id received_on = no_iface;
    iface_id outbound = no_iface;
    double timestamp = 0;
};

/// spec §6.1 link table entry (key: link id).
struct link_entry {
    double timestamp = 0;
    hash16 next_hop{};
    iface_id nh_iface = no_iface;
    std::uint8_t remaining_hops = 0;
    iface_id received_on = no_iface;
    std::uint8_t taken_hops = 0;
    hash16 destination{};
    bool validated = false;
    double proof_timeout = 0;
};

/// spec §6.1 announce table entry (rebroadcasts and path responses waiting to be sent).
struct announce_entry {
    double timestamp = 0;
    double retransmit_at = 0;
    std::uint8_t retries = 0;
    hash16 received_from{};
    std::uint8_t hops = 0;
    bytes packet;                   ///< the announce as received (raw, hop byte not incremented)
    std::uint32_t local_rebroadcasts = 0;
    bool block_rebroadcasts = false; ///< send as PATH_RESPONSE
    iface_id attached = no_iface;   ///< send only there; no_iface = all (with the §6.8 rules)
};

/// spec §5.2 step 6 known destination.
struct known_destination {
    double last_announce = 0;
    hash32 packet_hash{};
    byte_array<64> public_key{};
    std::optional<bytes> app_data;
    double last_used = 0; ///< 0 = never
};

/// spec §6.6 step 6 announce rate entry.
struct rate_entry {
    double last = 0;
    std::uint32_t violations = 0;
    double blocked_until = 0;
    std::vector<double> timestamps; ///< last 16
};

/// spec §1.3 path states.
enum class path_state : std::uint8_t { unknown = 0, unresponsive = 1, responsive = 2 };

struct discovery_request {
    double timeout = 0;
    iface_id requesting = no_iface;
};

} // namespace rns::control
