#pragma once
// Shared by the checkers whose vectors embed packets as {"raw", "parsed"} (packets, announces,
// path_request, capture_*, links, ...): parse the raw bytes and compare every field the reference
// recorded, then rebuild the packet from the recorded fields and compare the bytes.

#include "router/rns/packet.hpp"
#include "tests/conformance/registry.hpp"

#include <optional>
#include <string>

namespace rns::conformance {

/// Checks one {"raw", "parsed"} object both ways. parsed.unpack_ok == false means the reference's
/// unpack rejected it: then our parser must reject it too. Returns the raw bytes when the packet
/// was accepted and every check passed, nullopt otherwise (failures are recorded in ctx).
std::optional<bytes> check_packet_json(context& ctx, const json& packet, const std::string& label);

/// Parses bytes the way the reference's unpack does (bit 7 ignored); records a failure when the
/// bytes do not parse.
std::optional<packet_view> parse_or_fail(context& ctx, byte_view raw, const std::string& label);

} // namespace rns::conformance
