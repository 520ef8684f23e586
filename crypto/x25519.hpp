#pragma once
// X25519 (RFC 7748). Private keys are stored unclamped, as the reference does; clamping happens
// inside the scalar multiplication.

#include "crypto/bytes.hpp"

#include <optional>

namespace rns::crypto {

using x25519_private = byte_array<32>;
using x25519_public = byte_array<32>;

[[nodiscard]] x25519_public x25519_public_from_private(const x25519_private& prv) noexcept;

/// Shared secret; nullopt when the peer key yields the all-zero output (low-order point).
[[nodiscard]] std::optional<byte_array<32>> x25519_shared(const x25519_private& prv,
                                                          const x25519_public& peer) noexcept;

} // namespace rns::crypto
