// IFAC (spec §9): the spec's worked vector (§9.5), the streaming mask against the one-shot HKDF,
// apply/verify round trips for every size in and out of place, and every drop reason.

#include "crypto/hmac.hpp"
#include "router/rns/ifac.hpp"

#include <doctest/doctest.h>

#include <random>

using namespace rns;

TEST_CASE("ifac: spec §9.5 worked example") {
    auto k = ifac::key::derive("testnet", "secret", 16);
    REQUIRE(k);
    CHECK(to_hex(k->ifac_key()) ==
          "28cc3b7d6b000f1f94327a75b3d1928e7869a85ffe87dff38e65e3cb882d8541f4786ba9c68b73c77f13f6c715c8132c"
          "cd9055aa033c1c9800c8c11ff0142fb5");
    bytes raw = *from_hex("08006b9f66014d9853faab220fba47d0276100000102030405060708090a0b0c0d0e0f10111213141516"
                          "1718191a1b1c1d1e1f");
    bytes wire(raw.size() + 16);
    REQUIRE(k->apply(raw, wire) == wire.size());
    CHECK(to_hex(wire) == "dcf30438335613f6d5c335c3b3b3c546cf01f856fd5fed2df43ab36aa20002b73c3bf0a8cd6dbb2761"
                          "23bc7b3846c3d636916a282c63f12510593154cbe51386fef4e6");
    CHECK(to_hex(byte_view(wire).subspan(2, 16)) == "0438335613f6d5c335c3b3b3c546cf01");
    bytes back(wire.size());
    std::size_t len = 0;
    REQUIRE(k->verify(wire, back, len) == ifac::verdict::ok);
    CHECK(equal(byte_view(back).first(len), raw));
}

TEST_CASE("ifac: derivation refuses missing secrets and sizes outside 1..64") {
    CHECK_FALSE(ifac::key::derive(std::nullopt, std::nullopt, 16));
    CHECK_FALSE(ifac::key::derive("n", std::nullopt, 0));
    CHECK_FALSE(ifac::key::derive("n", std::nullopt, 65));
    CHECK(ifac::key::derive("n", std::nullopt, 1));
    CHECK(ifac::key::derive(std::nullopt, "p", 64));
    // network name and passphrase are not interchangeable (order matters, spec §9.1)
    auto a = ifac::key::derive("x", "y", 8);
    auto b = ifac::key::derive("y", "x", 8);
    CHECK(a->ifac_key() != b->ifac_key());
    CHECK(ifac::origin("x", "y").size() == 64);
    CHECK(ifac::origin(std::nullopt, "y").size() == 32);
}

TEST_CASE("ifac: configured size in bits") {
    CHECK(ifac::size_from_config_bits(128, 8) == 16);
    CHECK(ifac::size_from_config_bits(12, 8) == 1);
    CHECK(ifac::size_from_config_bits(7, 8) == 8);  // below IFAC_MIN_SIZE: interface default
    CHECK(ifac::size_from_config_bits(-1, 16) == 16);
}

TEST_CASE("ifac: streaming mask equals one-shot HKDF, including past the 8160-byte counter wrap") {
    bytes ikm = {1, 2, 3, 4, 5};
    bytes salt(64, 0x33);
    for (std::size_t len : {1u, 31u, 32u, 33u, 64u, 65u, 500u, 8160u, 9000u}) {
        bytes want = crypto::hkdf(len, ikm, salt);
        ifac::mask_stream m(ikm, salt);
        bytes got(len);
        for (auto& b : got) {
            b = m.next();
        }
        CHECK(got == want);
    }
}

TEST_CASE("ifac: apply/verify round trip for every size, out of place and in place") {
    std::mt19937 rng(42);
    for (std::size_t n = ifac::min_size; n <= ifac::max_size; ++n) {
        auto k = ifac::key::derive("net", "pass", n);
        REQUIRE(k);
        bytes raw(3 + rng() % 500);
        for (auto& b : raw) {
            b = static_cast<std::uint8_t>(rng());
        }
        raw[0] &= 0x7f;
        bytes wire(raw.size() + n);
        REQUIRE(k->apply(raw, wire) == raw.size() + n);
        CHECK((wire[0] & 0x80) != 0);
        bytes code(n);
        k->compute_code(raw, code);
        CHECK(equal(byte_view(wire).subspan(2, n), code));

        bytes inplace(raw.size() + n);
        std::copy(raw.begin(), raw.end(), inplace.begin());
        REQUIRE(k->apply(byte_view(inplace).first(raw.size()), inplace) == wire.size());
        CHECK(inplace == wire);

        bytes out(wire.size());
        std::size_t len = 0;
        REQUIRE(k->verify(wire, out, len) == ifac::verdict::ok);
        CHECK(equal(byte_view(out).first(len), raw));
        REQUIRE(k->verify(inplace, inplace, len) == ifac::verdict::ok);
        CHECK(equal(byte_view(inplace).first(len), raw));
    }
}

TEST_CASE("ifac: every drop has its reason") {
    auto k = ifac::key::derive("net", std::nullopt, 8);
    REQUIRE(k);
    bytes raw = *from_hex("0800" "00112233445566778899aabbccddeeff" "00" "cafe");
    bytes wire(raw.size() + 8);
    REQUIRE(k->apply(raw, wire) != 0);
    bytes out(wire.size());
    std::size_t len = 0;
    CHECK(k->verify(byte_view(wire).first(2), out, len) == ifac::verdict::too_short);
    bytes clear = wire;
    clear[0] &= 0x7f;
    CHECK(k->verify(clear, out, len) == ifac::verdict::flag_clear);
    CHECK(k->verify(byte_view(wire).first(10), out, len) == ifac::verdict::no_room);
    CHECK(k->verify(wire, std::span<std::uint8_t>(out).first(wire.size() - 9), len) == ifac::verdict::out_too_small);
    // Any single-bit change of a 64-bit code or of the masked bytes is caught (probability 2^-64).
    for (std::size_t i = 0; i < wire.size(); ++i) {
        for (int bit = 0; bit < 8; ++bit) {
            if (i == 0 && bit == 7) {
                continue; // the IFAC flag itself: that is flag_clear, checked above
            }
            bytes t = wire;
            t[i] ^= static_cast<std::uint8_t>(1 << bit);
            CHECK(k->verify(t, out, len) == ifac::verdict::mismatch);
        }
    }
    auto other = ifac::key::derive("other", std::nullopt, 8);
    CHECK(other->verify(wire, out, len) == ifac::verdict::mismatch);
    CHECK(ifac::check_plain(raw) == ifac::verdict::ok);
    CHECK(ifac::check_plain(wire) == ifac::verdict::flag_set);
    CHECK(ifac::check_plain(byte_view(raw).first(2)) == ifac::verdict::too_short);
    CHECK(k->apply(byte_view(raw).first(2), wire) == 0);
    CHECK(k->apply(raw, std::span<std::uint8_t>(wire).first(raw.size() + 7)) == 0);
}
