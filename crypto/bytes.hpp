#pragma once
// Byte strings, views and fixed-size digests: the vocabulary of crypto/, the lowest layer (the
// protocol library's router/rns/bytes.hpp builds on it).

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace rns {

using bytes = std::vector<std::uint8_t>;
using byte_view = std::span<const std::uint8_t>;
template <std::size_t N> using byte_array = std::array<std::uint8_t, N>;

using hash16 = byte_array<16>; ///< truncated hash: identity, destination, link id, transport id
using hash32 = byte_array<32>; ///< full SHA-256

/// Copies the first N bytes of a view into an array (the view must hold at least N).
template <std::size_t N> byte_array<N> take(byte_view b) noexcept {
    byte_array<N> out{};
    for (std::size_t i = 0; i < N && i < b.size(); ++i) {
        out[i] = b[i];
    }
    return out;
}

} // namespace rns
