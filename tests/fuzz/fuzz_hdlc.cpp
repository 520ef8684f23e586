// libFuzzer target: the HDLC deframer (spec §10.1) on arbitrary streams. Input byte 0 picks the
// chunking, byte 1 a small HW_MTU and IFAC size (so every length rule triggers); the rest is the
// stream. The deframer must agree frame for frame with a literal model of the reference's read
// loop, and an encoded copy of the stream must deframe back to itself.

#include "tests/fuzz/framing_models.hpp"

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace rns;
    if (size < 2) {
        return 0;
    }
    const std::uint8_t seed = data[0];
    const std::size_t hw_mtu = 20 + (data[1] & 0x3f);
    const std::size_t ifac = (data[1] >> 6) * 4;
    byte_view stream(data + 2, size - 2);

    hdlc::deframer d(hw_mtu, ifac, hdlc::tcp_min_exclusive);
    fuzz::hdlc_model model{hw_mtu, ifac, hdlc::tcp_min_exclusive, {}, {}};
    std::vector<bytes> got;
    fuzz::for_each_chunk(stream, seed, [&](byte_view c) {
        d.feed(c, [&](byte_view f) { got.emplace_back(f.begin(), f.end()); });
        model.feed(c);
    });
    if (got != model.frames || d.counters().frames != got.size()) {
        std::abort();
    }

    // Round trip: the whole stream as one payload.
    hdlc::deframer big(stream.size() + 1, 0, 0);
    std::vector<bytes> back;
    bytes enc = hdlc::encode(stream);
    fuzz::for_each_chunk(enc, seed, [&](byte_view c) {
        big.feed(c, [&](byte_view f) { back.emplace_back(f.begin(), f.end()); });
    });
    if (stream.empty() ? !back.empty() : (back.size() != 1 || !equal(back[0], stream))) {
        std::abort();
    }
    return 0;
}
