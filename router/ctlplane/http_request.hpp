#pragma once
// The HTTP/1.x request head the /metrics listener (prometheus.hpp) accepts (RFC 9112 §3: a
// request line "METHOD SP TARGET SP VERSION", header lines, an empty line). Only the request line
// matters here; the headers are read and ignored. DPDK-free, so a fuzz target can drive it.

#include <cstddef>
#include <string_view>

namespace rns::ctlplane {

enum class http_route {
    metrics,     ///< GET /metrics (a query string is ignored): the exposition text
    not_found,   ///< GET of another target
    bad_method,  ///< a well-formed request line with a method other than GET (405)
    bad_request, ///< no well-formed request line (400)
};

/// Bytes of the head in buf (through its empty line, CRLF or bare LF), 0 while incomplete.
[[nodiscard]] std::size_t request_head_size(std::string_view buf) noexcept;

/// What a complete request head asks for.
[[nodiscard]] http_route route_request(std::string_view head) noexcept;

/// The most the listener reads before giving up on a head (answers 400).
inline constexpr std::size_t max_request_head = 8192;

} // namespace rns::ctlplane
