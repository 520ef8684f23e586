// The segment format: replay order, forget records, torn tails, corruption in the middle, expiry.
#include "persist/crc32c.hpp"
#include "persist/ratchet_log.hpp"
#include "test_util.hpp"

#include <doctest/doctest.h>

using namespace persist;

namespace {
rns::bytes build(const std::vector<std::pair<record_type, ratchet_record>>& recs) {
    rns::bytes f(segment_header_size);
    encode_segment_header(f.data());
    for (const auto& [t, r] : recs) {
        std::size_t at = f.size();
        f.resize(at + segment_record_size);
        encode_segment_record(t, r, f.data() + at);
    }
    return f;
}
ratchet_record rec(std::uint64_t d, std::uint64_t n, double t) { return {test::dest_of(d), test::ratchet_of(n), t}; }
} // namespace

TEST_CASE("ratchet_log: record layout is 64 bytes with CRC32C of bytes 0..59 at 60") {
    std::uint8_t b[64];
    encode_segment_record(record_type::ratchet, rec(1, 2, 1702000000.5), b);
    CHECK(b[0] == 1);
    std::uint32_t stored = static_cast<std::uint32_t>(b[60]) | static_cast<std::uint32_t>(b[61]) << 8 |
                           static_cast<std::uint32_t>(b[62]) << 16 | static_cast<std::uint32_t>(b[63]) << 24;
    CHECK(stored == crc32c({b, 60}));
}

TEST_CASE("ratchet_log: latest record per destination wins, forget erases") {
    auto f = build({{record_type::ratchet, rec(1, 10, 100)},
                    {record_type::ratchet, rec(2, 20, 100)},
                    {record_type::ratchet, rec(1, 11, 200)},
                    {record_type::forget, rec(2, 0, 0)}});
    ratchet_map m;
    auto s = scan_segment(f, m, 300, ratchet_expiry_seconds);
    CHECK(s.header_ok);
    CHECK(s.records == 4);
    CHECK(s.torn_tail_bytes == 0);
    CHECK(s.valid_end == f.size());
    REQUIRE(m.size() == 1);
    CHECK(m.at(test::dest_of(1)).ratchet == test::ratchet_of(11));
    CHECK(m.at(test::dest_of(1)).received == 200);
}

TEST_CASE("ratchet_log: a torn tail at every cut point is discarded, earlier records intact") {
    std::vector<std::pair<record_type, ratchet_record>> recs;
    for (std::uint64_t i = 0; i < 5; ++i) {
        recs.push_back({record_type::ratchet, rec(i, i, 1000)});
    }
    auto full = build(recs);
    for (std::size_t cut = segment_header_size + 4 * segment_record_size + 1; cut < full.size(); ++cut) {
        ratchet_map m;
        auto s = scan_segment(rns::byte_view(full.data(), cut), m, 1000, ratchet_expiry_seconds);
        REQUIRE(s.records == 4);
        CHECK(s.corrupt_records == 0);
        CHECK(s.torn_tail_bytes == cut - (segment_header_size + 4 * segment_record_size));
        CHECK(m.size() == 4);
    }
    // A full-length garbage record at the end (e.g. zeros from a extended file) is a torn tail too.
    auto zeros = full;
    zeros.resize(full.size() + segment_record_size, 0);
    ratchet_map m;
    auto s = scan_segment(zeros, m, 1000, ratchet_expiry_seconds);
    CHECK(s.records == 5);
    CHECK(s.torn_tail_bytes == segment_record_size);
    CHECK(s.corrupt_records == 0);
}

TEST_CASE("ratchet_log: a flipped bit in the middle is corruption, not a tail; the rest replays") {
    std::vector<std::pair<record_type, ratchet_record>> recs;
    for (std::uint64_t i = 0; i < 5; ++i) {
        recs.push_back({record_type::ratchet, rec(i, i, 1000)});
    }
    auto f = build(recs);
    f[segment_header_size + 2 * segment_record_size + 30] ^= 0x10;
    ratchet_map m;
    auto s = scan_segment(f, m, 1000, ratchet_expiry_seconds);
    CHECK(s.records == 4);
    CHECK(s.corrupt_records == 1);
    CHECK(s.torn_tail_bytes == 0);
    CHECK(m.count(test::dest_of(2)) == 0);
    CHECK(m.count(test::dest_of(4)) == 1);
}

TEST_CASE("ratchet_log: bad header means nothing is trusted") {
    auto f = build({{record_type::ratchet, rec(1, 1, 1)}});
    f[3] ^= 1;
    ratchet_map m;
    auto s = scan_segment(f, m, 1, ratchet_expiry_seconds);
    CHECK_FALSE(s.header_ok);
    CHECK(m.empty());
}

TEST_CASE("ratchet_log: ratchets older than 30 days are dropped (spec §5.4)") {
    double now = 1702000000;
    auto f = build({{record_type::ratchet, rec(1, 1, now - 2592000 - 1)},
                    {record_type::ratchet, rec(2, 2, now - 2592000 + 1)}});
    ratchet_map m;
    auto s = scan_segment(f, m, now, ratchet_expiry_seconds);
    CHECK(s.expired == 1);
    CHECK(m.size() == 1);
    CHECK(m.count(test::dest_of(2)) == 1);
}
