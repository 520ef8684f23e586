#pragma once
// Path requests (spec §6.9): DATA packets to the PLAIN destination rnstransport.path.request.
//
//   endpoint:  data = destination_hash(16) ‖ tag(16)
//   transport: data = destination_hash(16) ‖ requesting transport id(16) ‖ tag(16)
//
// The answer is an announce with context PATH_RESPONSE: build_announce(path_response = true) for
// a local destination, write_announce_rebroadcast(cached, path hops, own id, ctx::path_response)
// for a destination known through the path table (announce.hpp).

#include "router/rns/bytes.hpp"
#include "router/rns/packet.hpp"

#include <optional>
#include <span>

namespace rns {

inline constexpr std::size_t path_request_tag_size = 16;
/// Longest path request packet: header + destination + transport id + tag.
inline constexpr std::size_t path_request_max_packet = header_minsize + 3 * 16;

/// What a receiver reads from a path request's data (views into it).
struct path_request_view {
    byte_view destination_hash;     ///< 16 bytes
    byte_view requesting_transport; ///< 16 bytes when data is longer than 32, else empty
    byte_view tag;                  ///< 1..16 bytes (longer tags are cut to 16)
};

enum class path_request_error : std::uint8_t {
    ok = 0,
    too_short, ///< fewer than 16 bytes: no destination hash
    no_tag,    ///< only a destination hash: the reference ignores tagless requests
};
const char* to_string(path_request_error e) noexcept;

struct path_request_result {
    path_request_view request;
    path_request_error error = path_request_error::ok;
    explicit operator bool() const noexcept { return error == path_request_error::ok; }
};

/// spec §6.9: data longer than 32 bytes carries a requesting transport id at [16:32] and the tag
/// at [32:48]; 17..32 bytes carry the tag at [16:]; tags are cut to 16 bytes.
[[nodiscard]] path_request_result parse_path_request(byte_view data) noexcept;

/// True for a DATA packet to PLAIN rnstransport.path.request (spec §3, §6.9).
[[nodiscard]] bool is_path_request(const packet_view& p) noexcept;

/// The tag the reference makes when none is given: T(16 random bytes).
[[nodiscard]] byte_array<16> make_path_request_tag(const byte_array<16>& entropy) noexcept;
[[nodiscard]] byte_array<16> make_path_request_tag() noexcept;

/// Writes the whole request packet (HEADER_1, BROADCAST, PLAIN, DATA, hops 0, context NONE) into
/// out; transport_id is given by transport instances. Returns the length, 0 if out is too small.
[[nodiscard]] std::size_t write_path_request(const hash16& destination, const byte_array<16>& tag,
                                             const hash16* transport_id,
                                             std::span<std::uint8_t> out) noexcept;
[[nodiscard]] bytes build_path_request(const hash16& destination, const byte_array<16>& tag,
                                       const std::optional<hash16>& transport_id = std::nullopt);

} // namespace rns
