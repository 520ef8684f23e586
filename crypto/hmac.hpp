#pragma once
// HMAC-SHA256 and HKDF (RFC 5869) as Reticulum uses them (spec §2.3).

#include "router/rns/bytes.hpp"

namespace rns::crypto {

/// HMAC-SHA256 with a key of any length.
hash32 hmac_sha256(byte_view key, byte_view msg) noexcept;

/// HKDF-SHA256 into `out` (any length up to 255*32). An empty salt means 32 zero bytes (spec §2.3).
void hkdf(std::span<std::uint8_t> out, byte_view ikm, byte_view salt, byte_view info = {}) noexcept;

inline bytes hkdf(std::size_t length, byte_view ikm, byte_view salt, byte_view info = {}) {
    bytes out(length);
    hkdf(out, ikm, salt, info);
    return out;
}

} // namespace rns::crypto
