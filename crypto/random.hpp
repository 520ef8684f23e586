#pragma once
// Cryptographic randomness (libsodium, getrandom-backed).

#include "crypto/bytes.hpp"

#include <sodium.h>

namespace rns::crypto {

inline void random_fill(std::span<std::uint8_t> out) noexcept {
    // An empty span may have a null data(); libsodium declares the pointer non-null.
    if (!out.empty()) {
        randombytes_buf(out.data(), out.size());
    }
}

template <std::size_t N> byte_array<N> random_array() noexcept {
    byte_array<N> out;
    random_fill(out);
    return out;
}

/// Initialises libsodium once; call before any crypto (idempotent, thread-safe).
bool init() noexcept;

} // namespace rns::crypto
