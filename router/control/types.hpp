#pragma once
// Interfaces as the control plane sees them: a dense id, a mode (spec §6.13) and the settings
// that drive announce propagation, caps, ingress control and link MTU clamping.

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

namespace rns::control {

/// Dense interface index given by transport::add_interface (0, 1, 2, ...).
using iface_id = std::uint16_t;
inline constexpr iface_id no_iface = std::numeric_limits<iface_id>::max();

/// Interface modes (spec §1.3 values, §6.13 behaviour).
enum class iface_mode : std::uint8_t {
    full = 1,
    point_to_point = 2,
    access_point = 3,
    roaming = 4,
    boundary = 5,
    gateway = 6,
    internal = 7,
};

/// Config spellings of spec §6.13: full, gateway/gw, access_point/accesspoint/ap,
/// pointtopoint/ptp (and point_to_point), roaming, boundary, internal.
[[nodiscard]] std::optional<iface_mode> parse_iface_mode(std::string_view s) noexcept;
[[nodiscard]] const char* to_string(iface_mode m) noexcept;

/// spec §1.3 DISCOVER_PATHS_FOR: modes whose received path requests trigger recursive discovery.
[[nodiscard]] constexpr bool discovers_paths(iface_mode m) noexcept {
    return m == iface_mode::access_point || m == iface_mode::gateway || m == iface_mode::roaming ||
           m == iface_mode::internal;
}

struct iface_config {
    std::string name;
    iface_mode mode = iface_mode::full;
    /// Bits per second (spec §10.5; UDP default 10 M). Drives the announce cap (§6.8), the
    /// recursive path-request gate (§6.9) and the link proof timeout (§6.4).
    std::uint64_t bitrate = 10'000'000;
    /// Fraction of the bitrate announces may use (spec §1.2 ANNOUNCE_CAP 2 %).
    double announce_cap = 0.02;
    /// Hardware MTU; 0 = none (spec §6.4 LR MTU clamping, §7.2).
    std::uint32_t hw_mtu = 0;
    bool autoconfigure_mtu = false; ///< TCP/Backbone/Local style interfaces
    bool fixed_mtu = false;         ///< Auto/Weave style interfaces
    /// spec §6.6 step 5: on an equal emission, a path via an interface of strictly greater gravity
    /// replaces the current one.
    int gravity = 0;
    /// Recursive discovery for unknown paths requested on this interface even in full/ptp mode.
    bool recursive_prs = false;
    bool announces_from_internal = true; ///< spec §6.8 rule 2
    bool announces_to_internal = false;  ///< spec §6.8 rule 4
    /// Ingress control (spec §6.6.1). Serial, KISS, RNode and local interfaces never limit.
    bool ingress_control = true;
    /// Announce rate control (spec §6.6 step 6): transport nodes enable it on every configured
    /// interface with target 3600 s, grace 5, penalty 0.
    bool announce_rate_limit = true;
    double announce_rate_target = 3600.0;
    double announce_rate_grace = 5.0;
    double announce_rate_penalty = 0.0;
    bool out = true; ///< may transmit (reference OUT)
    /// Synthesizes a tunnel (spec §6.14) whenever it (re)connects: outgoing TCP (non-KISS) and
    /// Backbone client interfaces (the reference's `wants_tunnel`). See transport::interface_connected.
    bool wants_tunnel = false;
};

} // namespace rns::control
