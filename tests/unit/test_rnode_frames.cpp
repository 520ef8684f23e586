// The sidecar's RNode frame reader against spec/rnode.md §1 and the Appendix A/B byte vectors.
#include "drivers/rnode_sidecar/frames.hpp"

#include <doctest/doctest.h>
#include <utility>
#include <vector>

namespace {

using frames = std::vector<std::pair<std::uint8_t, rns::bytes>>;

frames parse(rnode::frame_reader& r, const rns::bytes& in, std::size_t chunk = 1) {
    frames out;
    for (std::size_t i = 0; i < in.size(); i += chunk) {
        const std::size_t n = std::min(chunk, in.size() - i);
        r.feed(rns::byte_view(in.data() + i, n), [&](std::uint8_t c, rns::byte_view p) {
            out.emplace_back(c, rns::bytes(p.begin(), p.end()));
        });
    }
    return out;
}

} // namespace

TEST_CASE("rnode frames: Appendix A reception (RSSI, SNR, escaped DATA)") {
    const rns::bytes in = {0xc0, 0x23, 0x43, 0xc0, 0xc0, 0x24, 0xe2, 0xc0, 0xc0, 0x00,
                           0xaa, 0xdb, 0xdc, 0xbb, 0xdb, 0xdd, 0xc0};
    for (std::size_t chunk : {1u, 3u, 100u}) {
        rnode::frame_reader r;
        const frames f = parse(r, in, chunk);
        REQUIRE(f.size() == 3);
        CHECK(f[0] == std::make_pair(std::uint8_t{0x23}, rns::bytes{0x43})); // −90 dBm + 157
        CHECK(f[1] == std::make_pair(std::uint8_t{0x24}, rns::bytes{0xe2})); // −7.5 dB × 4
        CHECK(f[2] == std::make_pair(std::uint8_t{0x00}, rns::bytes{0xaa, 0xc0, 0xbb, 0xdb}));
    }
}

TEST_CASE("rnode frames: shared delimiters (§1.3 detect burst) and escaped single-byte replies") {
    rnode::frame_reader r;
    const frames f = parse(r, {0xc0, 0x08, 0x73, 0xc0, 0x50, 0x00, 0xc0, 0x48, 0x00, 0xc0, 0x49, 0x00, 0xc0}, 5);
    REQUIRE(f.size() == 4);
    CHECK(f[0].first == 0x08);
    CHECK(f[3].first == 0x49);
    // Appendix B: SNR raw C0 (−16 dB) arrives escaped; unlike the reference host we unescape it.
    rnode::frame_reader r2;
    const frames g = parse(r2, {0xc0, 0x24, 0xdb, 0xdc, 0xc0});
    REQUIRE(g.size() == 1);
    CHECK(g[0].second == rns::bytes{0xc0});
}

TEST_CASE("rnode frames: garbage, oversize frames and partial-frame timeouts are counted") {
    rnode::frame_reader r;
    rns::bytes in = {0x11, 0x22, 0x33, 0xc0, 0x00};
    in.insert(in.end(), 2000, 0x41); // longer than any frame: dropped whole
    in.push_back(0xc0);
    in.insert(in.end(), {0x00, 0x01, 0x02, 0xc0});
    const frames f = parse(r, in, 7);
    REQUIRE(f.size() == 1);
    CHECK(f[0].second == rns::bytes{0x01, 0x02});
    CHECK(r.counters().garbage_bytes == 3);
    CHECK(r.counters().oversize == 1);

    rnode::frame_reader t;
    (void)parse(t, {0xc0, 0x00, 0x05, 0x06});
    CHECK(t.in_data_frame());
    t.idle_timeout();
    CHECK(t.counters().partial_timeouts == 1);
    CHECK_FALSE(t.in_data_frame());
    // The rest of the interrupted frame is no longer taken for data.
    const frames after = parse(t, {0x07, 0xc0, 0x00, 0x09, 0xc0});
    REQUIRE(after.size() == 1);
    CHECK(after[0].second == rns::bytes{0x09});
}

TEST_CASE("rnode frames: encoding matches Appendix B") {
    CHECK(rnode::encode_frame(0x01, rns::bytes{0x36, 0x89, 0xca, 0xc0}) ==
          rns::bytes{0xc0, 0x01, 0x36, 0x89, 0xca, 0xdb, 0xdc, 0xc0});
    CHECK(rnode::encode_frame(0x02, rns::bytes{0x00, 0x01, 0xe8, 0x48}) ==
          rns::bytes{0xc0, 0x02, 0x00, 0x01, 0xe8, 0x48, 0xc0});
    CHECK(rnode::encode_frame(0x00, rns::bytes{0xdb, 0xc0}) == rns::bytes{0xc0, 0x00, 0xdb, 0xdd, 0xdb, 0xdc, 0xc0});
    // Appendix A: the packet 01 C0 02 DB 03.
    CHECK(rnode::encode_frame(0x00, rns::bytes{0x01, 0xc0, 0x02, 0xdb, 0x03}) ==
          rns::bytes{0xc0, 0x00, 0x01, 0xdb, 0xdc, 0x02, 0xdb, 0xdd, 0x03, 0xc0});
}
