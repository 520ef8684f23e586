#include "router/control/random_source.hpp"

#include "crypto/random.hpp"
#include "crypto/sha256.hpp"

namespace rns::control {

namespace {
// 53 random bits → [0, 1), the same construction as Python's random.random().
double to_unit(std::uint64_t v) noexcept {
    return static_cast<double>(v >> 11) * (1.0 / 9007199254740992.0);
}
std::uint64_t load64(const std::uint8_t* p) noexcept {
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) {
        v = (v << 8) | p[i];
    }
    return v;
}
} // namespace

system_random::system_random() { crypto::init(); }

double system_random::uniform() {
    auto b = crypto::random_array<8>();
    return to_unit(load64(b.data()));
}

void system_random::fill(std::span<std::uint8_t> out) { crypto::random_fill(out); }

double seeded_random::uniform() {
    byte_array<8> b{};
    fill(b);
    return to_unit(load64(b.data()));
}

void seeded_random::fill(std::span<std::uint8_t> out) {
    std::size_t done = 0;
    while (done < out.size()) {
        byte_array<16> in{};
        for (int i = 0; i < 8; ++i) {
            in[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(_seed >> (56 - 8 * i));
            in[static_cast<std::size_t>(8 + i)] = static_cast<std::uint8_t>(_counter >> (56 - 8 * i));
        }
        ++_counter;
        auto h = crypto::sha256(in);
        for (std::size_t i = 0; i < h.size() && done < out.size(); ++i) {
            out[done++] = h[i];
        }
    }
}

void fixed_random::fill(std::span<std::uint8_t> out) {
    for (auto& b : out) {
        b = _next++;
    }
}

} // namespace rns::control
