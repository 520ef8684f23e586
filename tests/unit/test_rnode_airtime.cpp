// LoRa bitrate, PHY timing and time on air against the worked tables of spec/rnode.md §5.2–§5.5.
#include "drivers/rnode_sidecar/airtime.hpp"

#include <cmath>
#include <doctest/doctest.h>

using rnode::lora_params;

TEST_CASE("rnode bitrate: the §5.2 examples") {
    struct row {
        std::uint32_t bw;
        std::uint8_t sf, cr;
        double bitrate;
    };
    const row rows[] = {{125000, 8, 5, 3125.0},   {125000, 7, 5, 5468.75}, {125000, 9, 5, 1757.81},
                        {125000, 10, 5, 976.56},  {125000, 11, 5, 537.11}, {125000, 12, 8, 183.11},
                        {250000, 7, 5, 10937.5},  {500000, 5, 5, 62500},   {1625000, 5, 5, 203125}};
    for (const row& r : rows) {
        CAPTURE(r.sf);
        CAPTURE(r.bw);
        CHECK(rnode::reticulum_bitrate({r.bw, r.sf, r.cr}) == doctest::Approx(r.bitrate).epsilon(0.00005));
    }
    CHECK(rnode::reticulum_bitrate({125000, 8, 0}) == 0.0);
}

TEST_CASE("rnode PHY timing: the §5.3 table and Appendix A's STAT_PHYPRM") {
    struct row {
        std::uint32_t bw;
        std::uint8_t sf;
        double tsym;
        std::uint32_t bitrate, npre, pre_ms, slot, difs;
        bool ldro;
    };
    const row rows[] = {
        {125000, 7, 1.024, 5468, 24, 25, 24, 48, false},  {125000, 8, 2.048, 3125, 18, 37, 24, 48, false},
        {125000, 9, 4.096, 1757, 18, 74, 49, 98, false},  {125000, 10, 8.192, 976, 18, 148, 98, 196, false},
        {125000, 11, 16.384, 537, 18, 295, 100, 200, false}, {125000, 12, 32.768, 292, 18, 590, 100, 200, true},
        {250000, 7, 0.512, 10937, 47, 25, 24, 48, false}, {500000, 7, 0.256, 21875, 94, 25, 24, 48, false},
        {500000, 5, 0.064, 62500, 94, 7, 6, 12, false},
    };
    for (const row& r : rows) {
        CAPTURE(r.sf);
        CAPTURE(r.bw);
        const auto t = rnode::compute_phy_timing({r.bw, r.sf, 5});
        CHECK(t.symbol_time_ms == doctest::Approx(r.tsym));
        CHECK(t.bitrate == r.bitrate);
        CHECK(t.preamble_symbols == r.npre);
        CHECK(t.preamble_ms == r.pre_ms);
        CHECK(t.csma_slot_ms == r.slot);
        CHECK(t.difs_ms == r.difs);
        CHECK(t.ldro == r.ldro);
    }
    // Appendix A: 2048 µs, 488 Bd at SF8/125 kHz; 7/5/500k is "guard" (one packet per round).
    CHECK(rnode::compute_phy_timing({125000, 8, 5}).symbol_rate_baud == 488);
    CHECK(rnode::compute_phy_timing({500000, 7, 5}).one_per_round);
    CHECK_FALSE(rnode::compute_phy_timing({250000, 7, 5}).one_per_round);
    CHECK(rnode::compute_phy_timing({500000, 5, 5}).fast);
}

TEST_CASE("rnode split frames: the §5.5 table") {
    using v = std::vector<std::uint32_t>;
    CHECK(rnode::split_frames(20) == v{21});
    CHECK(rnode::split_frames(254) == v{255});
    CHECK(rnode::split_frames(255) == v{255, 2});
    CHECK(rnode::split_frames(300) == v{255, 47});
    CHECK(rnode::split_frames(507) == v{255, 254});
    CHECK(rnode::split_frames(508) == v{255, 255, 1});
}

TEST_CASE("rnode time on air: the §5.5 worked times (standard / firmware accounting)") {
    struct row {
        std::uint32_t bw;
        std::uint8_t sf, cr;
        std::uint32_t bytes;
        int standard_ms, firmware_ms;
    };
    const row rows[] = {
        {125000, 7, 5, 20, 73, 67},        {125000, 7, 5, 100, 191, 184},     {125000, 7, 5, 254, 416, 409},
        {125000, 7, 5, 300, 525, 514},     {125000, 7, 5, 500, 822, 806},     {125000, 8, 5, 20, 123, 111},
        {125000, 8, 5, 100, 328, 316},     {125000, 8, 5, 254, 728, 710},     {125000, 8, 5, 300, 923, 888},
        {125000, 8, 5, 500, 1435, 1400},   {125000, 9, 5, 20, 226, 208},      {125000, 9, 5, 100, 595, 572},
        {125000, 9, 5, 254, 1291, 1273},   {125000, 9, 5, 300, 1640, 1599},   {125000, 9, 5, 500, 2562, 2509},
        {125000, 12, 8, 20, 2302, 1935},   {125000, 12, 8, 100, 6496, 6129},  {125000, 12, 8, 254, 14361, 14203},
        {125000, 12, 8, 300, 17973, 17501}, {125000, 12, 8, 500, 28459, 27987}, {250000, 7, 5, 20, 48, 45},
        {250000, 7, 5, 100, 107, 104},     {250000, 7, 5, 254, 220, 216},     {250000, 7, 5, 300, 286, 280},
        {250000, 7, 5, 500, 434, 427},
    };
    for (const row& r : rows) {
        CAPTURE(r.sf);
        CAPTURE(r.cr);
        CAPTURE(r.bw);
        CAPTURE(r.bytes);
        const lora_params p{r.bw, r.sf, r.cr};
        CHECK(std::lround(rnode::packet_time_on_air_ms(p, r.bytes)) == r.standard_ms);
        CHECK(std::lround(rnode::packet_airtime_cost_ms(p, r.bytes)) == r.firmware_ms);
    }
}
