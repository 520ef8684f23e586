#pragma once
// Hashing of byte-array keys (destination hashes, link ids, packet hashes) for unordered
// containers. The keys are already uniform cryptographic hashes, so their first 8 bytes are a
// good bucket hash; no need to hash them again.

#include "router/rns/bytes.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace rns::control {

struct array_hash {
    template <std::size_t N> std::size_t operator()(const byte_array<N>& a) const noexcept {
        static_assert(N >= sizeof(std::uint64_t));
        std::uint64_t v = 0;
        std::memcpy(&v, a.data(), sizeof(v));
        return static_cast<std::size_t>(v);
    }
};

} // namespace rns::control
