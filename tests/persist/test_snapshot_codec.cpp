// Snapshot files: round trip, and every truncation or single-bit flip is rejected.
#include "persist/snapshot_codec.hpp"
#include "test_util.hpp"

#include <doctest/doctest.h>

using namespace persist;

namespace {
std::vector<path_record> sample_paths() {
    std::vector<path_record> v;
    for (std::uint64_t i = 0; i < 3; ++i) {
        path_record p;
        p.destination = test::dest_of(i);
        p.timestamp = 1702000000.25 + static_cast<double>(i);
        p.next_hop = test::dest_of(100 + i);
        p.hops = static_cast<std::uint8_t>(i + 1);
        p.expires = p.timestamp + 604800;
        for (std::uint64_t k = 0; k <= i; ++k) {
            rns::byte_array<10> b{};
            b[0] = static_cast<std::uint8_t>(k);
            b[9] = static_cast<std::uint8_t>(i);
            p.random_blobs.push_back(b);
        }
        p.interface_hash = test::ratchet_of(i);
        p.announce_hash = test::ratchet_of(50 + i);
        p.announce.assign(150 + i, static_cast<std::uint8_t>(i));
        v.push_back(p);
    }
    return v;
}
std::vector<known_destination> sample_known() {
    std::vector<known_destination> v;
    for (std::uint64_t i = 0; i < 3; ++i) {
        known_destination k;
        k.destination = test::dest_of(i);
        k.last_heard = 1702000000.5;
        k.announce_hash = test::ratchet_of(i);
        k.public_key[0] = static_cast<std::uint8_t>(i);
        if (i == 1) {
            k.app_data = rns::bytes{1, 2, 3};
        } else if (i == 2) {
            k.app_data = rns::bytes{}; // empty but present: not the same as none
        }
        k.last_used = i == 0 ? -1.0 : 0.0;
        v.push_back(k);
    }
    return v;
}
} // namespace

TEST_CASE("snapshot_codec: paths, known destinations and identity round trip") {
    auto p = sample_paths();
    auto k = sample_known();
    identity_key id{};
    for (std::size_t i = 0; i < id.size(); ++i) {
        id[i] = static_cast<std::uint8_t>(i);
    }
    auto dp = decode_paths(encode_paths(p));
    REQUIRE(dp);
    CHECK(*dp == p);
    auto dk = decode_known(encode_known(k));
    REQUIRE(dk);
    CHECK(*dk == k);
    CHECK((*dk)[0].app_data == std::nullopt);
    CHECK((*dk)[2].app_data == rns::bytes{});
    auto di = decode_identity(encode_identity(id));
    REQUIRE(di);
    CHECK(*di == id);
    auto empty = decode_paths(encode_paths({}));
    REQUIRE(empty);
    CHECK(empty->empty());
}

TEST_CASE("snapshot_codec: every truncation and every single-bit flip is rejected") {
    auto f = encode_known(sample_known());
    for (std::size_t n = 0; n < f.size(); ++n) {
        REQUIRE_FALSE(decode_known(rns::byte_view(f.data(), n)));
    }
    for (std::size_t i = 0; i < f.size(); ++i) {
        for (int bit = 0; bit < 8; ++bit) {
            auto g = f;
            g[i] ^= static_cast<std::uint8_t>(1U << bit);
            REQUIRE_FALSE(decode_known(g));
        }
    }
    // A file of one kind is not accepted as another.
    CHECK_FALSE(decode_paths(f));
}
