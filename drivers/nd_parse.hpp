#pragma once
// Parser of IPv6 neighbour solicitations and advertisements (RFC 4861 §4.3, §4.4) and their
// validity checks (§7.1.1, §7.1.2), on plain bytes: used by neighbor6_cache on received frames,
// and by a unit test and a fuzzer without DPDK.

#include <array>
#include <cstdint>
#include <optional>
#include <span>

namespace rns::drivers {

inline constexpr std::uint8_t icmp6_ns = 135;
inline constexpr std::uint8_t icmp6_na = 136;

struct nd_message {
    std::uint8_t type = 0;                 ///< icmp6_ns or icmp6_na
    std::array<std::uint8_t, 16> src{};    ///< IPv6 source (all zero: duplicate address detection)
    std::array<std::uint8_t, 16> target{}; ///< the address asked about / advertised
    std::uint8_t na_flags = 0;             ///< NA: R/S/O bits (first byte after the checksum)
    /// NS: source link-layer address option, NA: target link-layer address option (§4.6.1).
    std::optional<std::array<std::uint8_t, 6>> lla;
};

/// Ones' complement sum check of an upper-layer message over the IPv6 pseudo-header (RFC 8200
/// §8.1): ip6 is the 40-byte header (addresses, next header), l4 the len bytes after it.
[[nodiscard]] bool ipv6_upper_checksum_ok(const std::uint8_t* ip6, const std::uint8_t* l4, std::uint32_t len) noexcept;

/// packet: an IPv6 packet from its fixed header on (possibly followed by link padding). An NS or
/// NA when the header is IPv6 with next header ICMPv6, the payload length fits, hop limit 255,
/// ICMPv6 code 0, length >= 24, a correct checksum and well-formed options (none of length 0 or
/// past the end); otherwise nullopt.
[[nodiscard]] std::optional<nd_message> parse_nd(std::span<const std::uint8_t> packet) noexcept;

} // namespace rns::drivers
