// HDLC and KISS framing. The deframers are compared against literal models of the reference's
// read loops (tests/fuzz/framing_models.hpp, shared with the fuzzers; spec §10.1: buffer, find
// FLAG, two byte-string replacements, length checks, the 2 × HW_MTU clear; spec §10.2: the
// byte-wise KISS loop) on random streams cut into random chunks, and against the encoders (round
// trips through garbage).

#include "router/rns/hdlc.hpp"
#include "router/rns/kiss.hpp"
#include "tests/fuzz/framing_models.hpp"

#include <doctest/doctest.h>

#include <random>
#include <vector>

using namespace rns;

namespace {

// Random bytes biased towards the special values of both framings.
bytes random_stream(std::mt19937& rng, std::size_t n) {
    static constexpr std::uint8_t specials[] = {0x7e, 0x7d, 0x5e, 0x5d, 0xc0, 0xdb, 0xdc, 0xdd, 0x00, 0x0f, 0x10};
    bytes out(n);
    for (auto& b : out) {
        b = (rng() % 3 == 0) ? specials[rng() % std::size(specials)] : static_cast<std::uint8_t>(rng());
    }
    return out;
}

std::vector<bytes> random_chunks(std::mt19937& rng, const bytes& stream) {
    std::vector<bytes> chunks;
    std::size_t pos = 0;
    while (pos < stream.size()) {
        std::size_t n = 1 + rng() % 64;
        n = std::min(n, stream.size() - pos);
        chunks.emplace_back(stream.begin() + static_cast<std::ptrdiff_t>(pos),
                            stream.begin() + static_cast<std::ptrdiff_t>(pos + n));
        pos += n;
    }
    return chunks;
}

template <class D> std::vector<bytes> run(D& d, const std::vector<bytes>& chunks) {
    std::vector<bytes> frames;
    for (const auto& c : chunks) {
        d.feed(c, [&](byte_view f) { frames.emplace_back(f.begin(), f.end()); });
    }
    return frames;
}

} // namespace

TEST_CASE("hdlc: deframer equals the reference's read loop on random streams and chunkings") {
    std::mt19937 rng(12345);
    for (int iter = 0; iter < 3000; ++iter) {
        const std::size_t hw_mtu = 20 + rng() % 40; // small, so length limits and clears trigger
        const std::size_t ifac = rng() % 3 == 0 ? rng() % 17 : 0;
        bytes stream;
        // frames of random sizes with random garbage around them
        int nframes = 1 + static_cast<int>(rng() % 6);
        for (int f = 0; f < nframes; ++f) {
            if (rng() % 4 == 0) {
                auto g = random_stream(rng, rng() % 30);
                stream.insert(stream.end(), g.begin(), g.end());
            }
            auto payload = random_stream(rng, rng() % (3 * hw_mtu));
            auto enc = rng() % 5 == 0 ? payload : hdlc::encode(payload);
            stream.insert(stream.end(), enc.begin(), enc.end());
        }
        auto chunks = random_chunks(rng, stream);
        fuzz::hdlc_model model{hw_mtu, ifac, 19, {}, {}};
        for (const auto& c : chunks) {
            model.feed(c);
        }
        hdlc::deframer d(hw_mtu, ifac, 19);
        auto got = run(d, chunks);
        REQUIRE(got == model.frames);
        CHECK(d.counters().frames == got.size());
    }
}

TEST_CASE("hdlc: encode/deframe round trip through garbage, counters name each drop") {
    std::mt19937 rng(7);
    hdlc::deframer d(hdlc::tcp_hw_mtu, 0, 19);
    std::vector<bytes> sent;
    bytes stream = {0x01, 0x02, 0x03}; // garbage before the first flag
    for (int i = 0; i < 200; ++i) {
        auto p = random_stream(rng, 20 + rng() % 600);
        sent.push_back(p);
        auto e = hdlc::encode(p);
        stream.insert(stream.end(), e.begin(), e.end());
    }
    auto got = run(d, random_chunks(rng, stream));
    CHECK(got == sent);
    CHECK(d.counters().garbage_bytes == 3);
    CHECK(d.counters().empty == 199); // back-to-back frames: the closing flag of one, opening of next

    hdlc::deframer small(30, 0, 19);
    bytes s2;
    for (auto len : {5, 19, 20, 30, 31}) {
        auto e = hdlc::encode(bytes(static_cast<std::size_t>(len), 0x41));
        s2.insert(s2.end(), e.begin(), e.end());
    }
    auto f2 = run(small, {s2});
    REQUIRE(f2.size() == 2);
    CHECK(f2[0].size() == 20);
    CHECK(f2[1].size() == 30);
    CHECK(small.counters().too_short == 2);
    CHECK(small.counters().too_long == 1);

    // An unterminated frame longer than 2 × HW_MTU at the end of a read is cleared.
    hdlc::deframer d3(30, 0, 19);
    bytes open = {hdlc::flag};
    open.insert(open.end(), 70, 0x42);
    (void)run(d3, {open});
    CHECK(d3.counters().overflow == 1);
    // the next flag opens a fresh frame
    auto good = hdlc::encode(bytes(25, 0x43));
    auto f3 = run(d3, {good});
    REQUIRE(f3.size() == 1);
    CHECK(f3[0] == bytes(25, 0x43));
}

TEST_CASE("hdlc: span encoder refuses short buffers and never writes past them") {
    bytes payload = {0x7e, 0x7d, 0x01};
    std::array<std::uint8_t, 8> buf{};
    CHECK(hdlc::encode(payload, std::span<std::uint8_t>(buf.data(), 6)) == 0);
    CHECK(buf == std::array<std::uint8_t, 8>{});
    CHECK(hdlc::encode(payload, std::span<std::uint8_t>(buf.data(), 7)) == 7);
    CHECK(to_hex(byte_view(buf.data(), 7)) == "7e7d5e7d5d017e");
}

TEST_CASE("kiss: deframer equals the reference's read loop on random streams and chunkings") {
    std::mt19937 rng(999);
    for (int iter = 0; iter < 3000; ++iter) {
        const std::size_t hw_mtu = 1 + rng() % 80;
        bytes stream;
        int nframes = 1 + static_cast<int>(rng() % 6);
        for (int f = 0; f < nframes; ++f) {
            if (rng() % 3 == 0) {
                auto g = random_stream(rng, rng() % 20);
                stream.insert(stream.end(), g.begin(), g.end());
            }
            auto payload = random_stream(rng, rng() % 100);
            auto cmd = static_cast<std::uint8_t>(rng() % 4 == 0 ? rng() : 0x00);
            auto enc = kiss::encode(payload, cmd);
            if (rng() % 5 == 0) {
                enc.pop_back(); // frames sharing a FEND, or unterminated
            }
            stream.insert(stream.end(), enc.begin(), enc.end());
        }
        auto chunks = random_chunks(rng, stream);
        fuzz::kiss_model model(hw_mtu);
        for (const auto& c : chunks) {
            model.feed(c);
        }
        kiss::deframer d(hw_mtu);
        REQUIRE(run(d, chunks) == model.frames);
    }
}

TEST_CASE("kiss: round trip, truncation, commands, escape carried over a FEND, idle timeout") {
    std::mt19937 rng(3);
    kiss::deframer d(kiss::serial_hw_mtu);
    std::vector<bytes> sent;
    bytes stream = {0x55, 0x66};
    for (int i = 0; i < 100; ++i) {
        auto p = random_stream(rng, rng() % 564);
        sent.push_back(p);
        auto e = kiss::encode(p);
        stream.insert(stream.end(), e.begin(), e.end());
    }
    CHECK(run(d, random_chunks(rng, stream)) == sent);
    CHECK(d.counters().garbage_bytes >= 2);

    kiss::deframer t(10);
    auto f = run(t, {kiss::encode(bytes(15, 0x01))});
    REQUIRE(f.size() == 1);
    CHECK(f[0] == bytes(10, 0x01));
    CHECK(t.counters().truncated == 1);
    CHECK(t.counters().truncated_bytes == 5);

    kiss::deframer c(100);
    auto nd = run(c, {*from_hex("c00132c0"), *from_hex("c0000102c0"), *from_hex("c00fffc0")});
    REQUIRE(nd.size() == 1);
    CHECK(to_hex(nd[0]) == "0102");
    CHECK(c.counters().non_data == 2); // TXDELAY, then READY at the last FEND... counted per frame
    CHECK(c.take_ready() == 1);
    CHECK(c.take_ready() == 0);

    // The reference keeps the escape flag across a FEND: a frame ending in FESC taints the next.
    kiss::deframer e(100);
    auto fe = run(e, {*from_hex("c000aadbc0c000dcbbc0")});
    REQUIRE(fe.size() == 2);
    CHECK(to_hex(fe[0]) == "aa");
    CHECK(to_hex(fe[1]) == "c0bb");

    kiss::deframer it(100);
    (void)run(it, {*from_hex("c0000102")});
    it.idle_timeout();
    CHECK(it.counters().timeouts == 1);
    auto after = run(it, {*from_hex("03c0")});
    CHECK(after.empty()); // the partial frame was dropped, the 03 is outside any frame
}
