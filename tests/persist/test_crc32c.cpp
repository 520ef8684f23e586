// CRC32C against the published check value and the table-driven second implementation.
#include "persist/crc32c.hpp"

#include <doctest/doctest.h>

#include <string_view>

TEST_CASE("crc32c: check value of \"123456789\" is 0xE3069283 (RFC 3720 B.4)") {
    auto v = rns::as_bytes("123456789");
    CHECK(persist::crc32c(v) == 0xE3069283U);
    CHECK(persist::crc32c_portable(v) == 0xE3069283U);
}

TEST_CASE("crc32c: 32 zero bytes give 0x8A9136AA (RFC 3720 B.4)") {
    rns::byte_array<32> z{};
    CHECK(persist::crc32c(z) == 0x8A9136AAU);
}

TEST_CASE("crc32c: hardware and table paths agree on every length and split") {
    rns::bytes b(300);
    for (std::size_t i = 0; i < b.size(); ++i) {
        b[i] = static_cast<std::uint8_t>(i * 131 + 7);
    }
    for (std::size_t n = 0; n <= b.size(); ++n) {
        rns::byte_view v(b.data(), n);
        REQUIRE(persist::crc32c(v) == persist::crc32c_portable(v));
        std::size_t half = n / 2;
        CHECK(persist::crc32c(v.subspan(half), persist::crc32c(v.first(half))) == persist::crc32c(v));
    }
}
