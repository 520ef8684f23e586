// libFuzzer target: the KISS deframer (spec §10.2) on arbitrary streams. Input byte 0 picks the
// chunking, byte 1 the HW_MTU (small, or the serial 564); the rest is the stream. The deframer
// must agree with a literal model of the reference's read loop, and an encoded copy of the stream
// must deframe back to itself.

#include "tests/fuzz/framing_models.hpp"

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace rns;
    if (size < 2) {
        return 0;
    }
    const std::uint8_t seed = data[0];
    const std::size_t hw_mtu = data[1] == 0xff ? kiss::serial_hw_mtu : 1 + data[1];
    byte_view stream(data + 2, size - 2);

    kiss::deframer d(hw_mtu);
    fuzz::kiss_model model(hw_mtu);
    std::vector<bytes> got;
    fuzz::for_each_chunk(stream, seed, [&](byte_view c) {
        d.feed(c, [&](byte_view f) { got.emplace_back(f.begin(), f.end()); });
        model.feed(c);
    });
    if (got != model.frames) {
        std::abort();
    }
    d.idle_timeout();
    (void)d.take_ready();

    kiss::deframer big(stream.size() + 1);
    std::vector<bytes> back;
    bytes enc = kiss::encode(stream);
    fuzz::for_each_chunk(enc, seed, [&](byte_view c) {
        big.feed(c, [&](byte_view f) { back.emplace_back(f.begin(), f.end()); });
    });
    if (back.size() != 1 || !equal(back[0], stream)) {
        std::abort();
    }
    return 0;
}
