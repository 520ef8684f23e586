#include "persist/crc32c.hpp"

#include <array>

namespace persist {

namespace {

// Reflected polynomial 0x82F63B78 (Castagnoli).
constexpr std::array<std::uint32_t, 256> make_table() noexcept {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
        std::uint32_t c = i;
        for (int k = 0; k < 8; ++k) {
            c = (c & 1U) ? (c >> 1) ^ 0x82F63B78U : c >> 1;
        }
        t[i] = c;
    }
    return t;
}
constexpr auto table = make_table();

std::uint32_t crc_table(const std::uint8_t* p, std::size_t n, std::uint32_t c) noexcept {
    for (std::size_t i = 0; i < n; ++i) {
        c = table[(c ^ p[i]) & 0xffU] ^ (c >> 8);
    }
    return c;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) std::uint32_t crc_sse42(const std::uint8_t* p, std::size_t n,
                                                         std::uint32_t c) noexcept {
    std::uint64_t c64 = c;
    while (n >= 8) {
        std::uint64_t v = 0;
        __builtin_memcpy(&v, p, 8);
        c64 = __builtin_ia32_crc32di(c64, v);
        p += 8;
        n -= 8;
    }
    c = static_cast<std::uint32_t>(c64);
    while (n > 0) {
        c = __builtin_ia32_crc32qi(c, *p);
        ++p;
        --n;
    }
    return c;
}

// Picked once at start-up from the CPU features (STYLE.md: specialise at start-up, not per call).
using crc_fn = std::uint32_t (*)(const std::uint8_t*, std::size_t, std::uint32_t) noexcept;
const crc_fn impl = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("sse4.2") ? crc_sse42 : crc_table;
}();
#else
const auto impl = crc_table;
#endif

} // namespace

std::uint32_t crc32c(rns::byte_view data, std::uint32_t crc) noexcept {
    return ~impl(data.data(), data.size(), ~crc);
}

std::uint32_t crc32c_portable(rns::byte_view data, std::uint32_t crc) noexcept {
    return ~crc_table(data.data(), data.size(), ~crc);
}

} // namespace persist
