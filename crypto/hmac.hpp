#pragma once
// HMAC-SHA256 and HKDF (RFC 5869) as Reticulum uses them (spec §2.3).

#include "crypto/bytes.hpp"

namespace rns::crypto {

/// HMAC-SHA256 with a key of any length.
hash32 hmac_sha256(byte_view key, byte_view msg) noexcept;

/// HKDF-SHA256 into `out`. An empty salt means 32 zero bytes (spec §2.3). RFC 5869 limits the
/// output to 255 blocks (8160 bytes); past that the one-byte counter wraps here (Reticulum only
/// ever derives 32 or 64 bytes). A zero length yields nothing (the reference raises instead).
void hkdf(std::span<std::uint8_t> out, byte_view ikm, byte_view salt, byte_view info = {}) noexcept;

inline bytes hkdf(std::size_t length, byte_view ikm, byte_view salt, byte_view info = {}) {
    bytes out(length);
    hkdf(out, ikm, salt, info);
    return out;
}

} // namespace rns::crypto
