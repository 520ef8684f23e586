#pragma once
// Cryptographic randomness (libsodium, getrandom-backed).

#include "router/rns/bytes.hpp"

#include <sodium.h>

namespace rns::crypto {

inline void random_fill(std::span<std::uint8_t> out) noexcept { randombytes_buf(out.data(), out.size()); }

template <std::size_t N> byte_array<N> random_array() noexcept {
    byte_array<N> out;
    random_fill(out);
    return out;
}

/// Initialises libsodium once; call before any crypto (idempotent, thread-safe).
bool init() noexcept;

} // namespace rns::crypto
