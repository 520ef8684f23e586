#pragma once
// rnode-sidecar command line: the flags are the reference configuration's RNodeInterface keys
// (spec/rnode.md §7) with the same units, defaults and limits (§3.1), plus the router link.

#include "drivers/rnode_sidecar/link_protocol.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace rnode {

struct sidecar_options {
    std::string port;
    std::uint32_t frequency = 0;
    std::uint32_t bandwidth = 0;
    std::uint8_t txpower = 0; ///< §7: 0 when not given
    std::uint8_t spreading_factor = 0;
    std::uint8_t coding_rate = 0;
    std::optional<double> airtime_limit_short; ///< percent; not sent when missing (reference)
    std::optional<double> airtime_limit_long;
    std::optional<std::string> id_callsign;
    std::optional<std::uint32_t> id_interval;
    bool flow_control = false;
    std::string router;
    std::string name;
    sidecar_link::iface_mode mode = sidecar_link::iface_mode::full;
    std::string netname;
    std::string netkey;
    unsigned ifac_size_bits = 0; ///< 0: the RNode default (8 bytes) when IFAC is on
};

/// Parses argv (without argv[0]). Returns the options or one error message naming the flag.
[[nodiscard]] std::variant<sidecar_options, std::string> parse_options(const std::vector<std::string>& args);
[[nodiscard]] const char* usage_text() noexcept;

/// §7: airtime limit percent (2 decimals kept) → the u16 the device takes (percent × 100).
[[nodiscard]] std::uint16_t airtime_limit_wire(double percent) noexcept;

} // namespace rnode
