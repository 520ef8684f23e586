// crypto::sha256_batch: every engine that runs here agrees with the scalar path (crypto::sha256)
// for bursts of every awkward size and packets of every length class, including the SHA-256
// padding boundaries (55/56/63/64 bytes) and empty input.

#include "crypto/random.hpp"
#include "crypto/sha256.hpp"
#include "crypto/sha256_batch.hpp"
#include "router/rns/bytes.hpp"

#include <doctest/doctest.h>

#include <vector>

using namespace rns;
using crypto::sha256_batch;
using crypto::sha256_engine;

TEST_CASE("sha256_batch: each available engine equals the scalar path") {
    std::vector<std::size_t> lengths = {0, 1, 19, 55, 56, 63, 64, 65, 100, 119, 120, 128, 300, 383, 500, 1064};
    for (std::size_t i = 0; i < 60; ++i) {
        lengths.push_back(crypto::random_array<2>()[0] + crypto::random_array<1>()[0] * 2u);
    }
    std::vector<bytes> packets;
    for (std::size_t n : lengths) {
        bytes p(n);
        crypto::random_fill(p);
        packets.push_back(std::move(p));
    }
    std::vector<byte_view> views(packets.begin(), packets.end());

    int engines_run = 0;
    for (std::uint8_t k = 0; k < static_cast<std::uint8_t>(sha256_engine::count); ++k) {
        const auto e = static_cast<sha256_engine>(k);
        sha256_batch eng(e);
        if (!sha256_batch::available(e)) {
            CHECK(eng.engine() == sha256_engine::sodium); // falls back, still correct
            continue;
        }
        CAPTURE(eng.name());
        REQUIRE(eng.engine() == e);
        ++engines_run;
        // Bursts of 0, 1, lane counts and their neighbours, and everything at once.
        for (std::size_t burst : {std::size_t{0}, std::size_t{1}, std::size_t{7}, std::size_t{8},
                                  std::size_t{9}, std::size_t{16}, std::size_t{33}, views.size()}) {
            for (std::size_t start = 0; start + burst <= views.size(); start += burst + 5) {
                std::vector<hash32> out(burst);
                eng.hash(std::span(views).subspan(start, burst), out);
                for (std::size_t i = 0; i < burst; ++i) {
                    CHECK(out[i] == crypto::sha256(views[start + i]));
                }
                if (burst == 0) {
                    break;
                }
            }
        }
    }
    CHECK(engines_run >= 2); // sodium and openssl always exist
}

TEST_CASE("sha256_batch: the chosen engine is available and named") {
    const sha256_engine best = sha256_batch::fastest();
    CHECK(sha256_batch::available(best));
    CHECK(sha256_batch::fastest() == best); // measured once, cached
    sha256_batch eng(best);
    CHECK(eng.engine() == best);
    CHECK(crypto::sha256_engine_from_string(eng.name()) == best);
    CHECK_FALSE(crypto::sha256_engine_from_string("no-such-engine").has_value());
    // FIPS 180-2 "abc" through the chosen engine.
    const byte_view abc = as_bytes("abc");
    hash32 out{};
    eng.hash(std::span(&abc, 1), std::span(&out, 1));
    CHECK(to_hex(out) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}
