#pragma once
// Control-plane counters: per interface rx/tx by packet type, announce outcomes, path requests,
// and every drop under its own named reason (project rule: no silent drop).

#include <array>
#include <cstdint>
#include <vector>

namespace rns::control {

enum class drop_reason : std::uint8_t {
    too_short,              ///< len(raw) <= 2 (spec §6.2 step 2)
    ifac_flag,              ///< IFAC flag set on an interface without IFAC (spec §6.2 step 2)
    malformed,              ///< header shorter than 19/35 bytes (spec §4.2)
    hop_limit,              ///< hop byte >= 128 (spec §4.2)
    unknown_interface,      ///< inbound on an id that is not (or no longer) an interface
    foreign_transport,      ///< HEADER_2 for another transport node (spec §6.3 rule 1)
    plain_announce,         ///< ANNOUNCE to a PLAIN/GROUP destination (spec §6.3 rule 3)
    plain_hops,             ///< PLAIN/GROUP packet not heard directly (hops > 1, spec §6.3)
    duplicate,              ///< packet hash already seen (spec §6.3 rule 6)
    no_path,                ///< HEADER_2 to us for a destination without a path (spec §6.4)
    lr_mtu_unclampable,     ///< LR MTU clamping impossible (spec §6.4, reference quirk kept)
    link_hops_mismatch,     ///< link-table packet with an unexpected hop count or interface (§6.5)
    announce_bad_signature, ///< spec §5.2 step 3
    announce_invalid,       ///< truncated, destination mismatch (spec §5.2)
    announce_key_collision, ///< destination known with another public key (spec §5.2 step 5)
    announce_local,         ///< announce for one of our own destinations
    announce_not_newer,     ///< path table kept (spec §6.6 step 5): replay/echo/older emission
    announce_held,          ///< ingress control held it (spec §6.6.1)
    announce_held_dropped,  ///< ingress hold refused (hops >= 127 or the hold is full)
    announce_overload,      ///< not verified: the control plane's announce backlog was full (its
                            ///< share of the core verifies fewer than arrive; spec §6.6.1 analogue)
    control_overload,       ///< not handled: the control plane's backlog was full (packets queued
                            ///< behind announces awaiting verification)
    announce_too_large,     ///< cannot be re-sent as HEADER_2 within the MTU (spec §5.1)
    announce_queue_full,    ///< announce cap queue at MAX_QUEUED_ANNOUNCES (spec §6.8)
    announce_queue_expired, ///< queued for more than 24 h (spec §6.8)
    announce_forgotten,     ///< rebroadcast due but the identity was forgotten (spec §6.7)
    path_request_malformed, ///< shorter than 16 bytes or tagless (spec §6.9)
    path_request_duplicate, ///< dest‖tag seen before (spec §6.9)
    path_request_ignored,   ///< nothing to answer with (no path, no recursion) (spec §6.9)
    lrproof_unknown_link,   ///< LRPROOF for a link id not in the link table
    lrproof_invalid,        ///< wrong length, unknown destination key or bad signature (§6.10)
    lrproof_mismatch,       ///< wrong hop count or interface (§6.10)
    proof_wrong_interface,  ///< reverse-table proof from the wrong interface (§6.11)
    proof_unknown,          ///< proof for no reverse/link entry (a receipt we do not hold)
    not_for_us,             ///< addressed to no local destination and not in transport
    tunnel_malformed,       ///< tunnel synthesis data not 176 bytes (spec §6.14)
    tunnel_bad_signature,   ///< tunnel synthesis signature does not verify (spec §6.14)
    tunnel_unknown,         ///< path learned on an interface whose tunnel is no longer in the
                            ///< table: not recorded in it (spec §6.14)
    tunnel_table_full,      ///< tunnel synthesis refused: the table holds max_tunnels tunnels
    count_
};
inline constexpr std::size_t drop_reason_count = static_cast<std::size_t>(drop_reason::count_);
[[nodiscard]] const char* to_string(drop_reason r) noexcept;

/// Per packet type (spec §4.1): DATA, ANNOUNCE, LINKREQUEST, PROOF.
using per_type = std::array<std::uint64_t, 4>;

struct iface_counters {
    per_type rx_packets{};
    per_type rx_bytes{};
    per_type tx_packets{};
    per_type tx_bytes{};
    std::uint64_t announces_accepted = 0;     ///< path table updated (spec §6.6 step 6)
    std::uint64_t announces_rebroadcast = 0;  ///< rebroadcasts sent on this interface
    std::uint64_t announces_rate_limited = 0; ///< received here and rate-blocked (no rebroadcast)
    std::uint64_t announces_held = 0;         ///< ingress control holds
    std::uint64_t announces_queued = 0;       ///< put in the announce cap queue
    std::uint64_t path_responses_sent = 0;
    std::uint64_t path_requests_received = 0;
    std::uint64_t path_requests_sent = 0;
    std::uint64_t forwarded = 0;              ///< transport forwards sent on this interface
    std::array<std::uint64_t, drop_reason_count> drops{};
};

struct transport_counters {
    std::vector<iface_counters> ifaces; ///< indexed by iface_id
    std::array<std::uint64_t, drop_reason_count> drops{}; ///< totals over all interfaces
    std::uint64_t dedup_rotations = 0;
    std::uint64_t announce_verifications = 0; ///< Ed25519 verifications of announces (spec §5.2 step 3)
    std::uint64_t announce_verify_cached = 0; ///< copies of an already verified announce (no verification)
    // Tunnels (spec §6.14).
    std::uint64_t tunnels_established = 0;   ///< synthesis of a tunnel id not in the table
    std::uint64_t tunnels_reappeared = 0;    ///< synthesis of a known tunnel id (paths restored)
    std::uint64_t tunnel_paths_restored = 0; ///< paths put back on a reappeared tunnel's interface
    std::uint64_t tunnel_paths_deprecated = 0; ///< not restored (worse or expired), removed from the tunnel
    std::uint64_t tunnels_expired = 0;       ///< culled: past expiry or expiry too far ahead
    std::uint64_t tunnel_paths_expired = 0;  ///< culled: older than 8 h or superseded by the active path
    std::uint64_t tunnels_synthesized = 0;   ///< syntheses we sent on our own client interfaces

    [[nodiscard]] std::uint64_t drop_count(drop_reason r) const noexcept {
        return drops[static_cast<std::size_t>(r)];
    }
};

} // namespace rns::control
