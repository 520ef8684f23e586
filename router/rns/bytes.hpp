#pragma once
// Byte strings and fixed-size hashes shared by the protocol library and tools: the types crypto/
// defines (crypto/bytes.hpp) plus hex, concatenation and comparison helpers.

#include "crypto/bytes.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace rns {

using hash10 = byte_array<10>; ///< name hash (spec §1.1)

inline byte_view as_bytes(std::string_view s) noexcept {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

inline std::string to_hex(byte_view b) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(b.size() * 2);
    for (std::uint8_t c : b) {
        out.push_back(digits[c >> 4]);
        out.push_back(digits[c & 0x0f]);
    }
    return out;
}

namespace detail {
constexpr int hex_nibble(char c) noexcept {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}
} // namespace detail

/// Decodes lower- or upper-case hex; nullopt on odd length or a non-hex digit.
inline std::optional<bytes> from_hex(std::string_view s) {
    if (s.size() % 2 != 0) {
        return std::nullopt;
    }
    bytes out(s.size() / 2);
    for (std::size_t i = 0; i < out.size(); ++i) {
        int hi = detail::hex_nibble(s[2 * i]);
        int lo = detail::hex_nibble(s[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            return std::nullopt;
        }
        out[i] = static_cast<std::uint8_t>((hi << 4) | lo);
    }
    return out;
}

/// Decodes hex of exactly N bytes.
template <std::size_t N> std::optional<byte_array<N>> array_from_hex(std::string_view s) {
    auto b = from_hex(s);
    if (!b || b->size() != N) {
        return std::nullopt;
    }
    byte_array<N> out{};
    std::copy(b->begin(), b->end(), out.begin());
    return out;
}

inline bytes concat(std::initializer_list<byte_view> parts) {
    std::size_t n = 0;
    for (auto p : parts) {
        n += p.size();
    }
    bytes out;
    out.reserve(n);
    for (auto p : parts) {
        out.insert(out.end(), p.begin(), p.end());
    }
    return out;
}

inline bool equal(byte_view a, byte_view b) noexcept {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

} // namespace rns
