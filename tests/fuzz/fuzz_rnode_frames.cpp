// libFuzzer target: the sidecar's RNode frame reader (spec/rnode.md §1) on arbitrary serial
// streams. Input byte 0 picks the chunking. The reader must survive anything, and a stream of
// frames encoded by the KISS encoder must come back whole, whatever garbage precedes it.
#include "drivers/rnode_sidecar/frames.hpp"
#include "tests/fuzz/framing_models.hpp"

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace rns;
    if (size < 2) {
        return 0;
    }
    const std::uint8_t seed = data[0];
    // The command byte is never escaped (spec/rnode.md §1.3), so FEND cannot be one.
    const std::uint8_t command = data[1] == kiss::fend ? 0x00 : data[1];
    byte_view stream(data + 2, size - 2);

    rnode::frame_reader r;
    std::size_t n = 0;
    fuzz::for_each_chunk(stream, seed, [&](byte_view c) {
        r.feed(c, [&](std::uint8_t, byte_view p) {
            if (p.size() > rnode::frame_reader::max_payload) {
                std::abort();
            }
            ++n;
        });
    });
    r.idle_timeout();

    // Arbitrary bytes (FEND removed, so they stay one garbage frame), then a real frame.
    bytes in;
    for (std::uint8_t b : stream) {
        in.push_back(b == kiss::fend ? 0x00 : b);
    }
    const std::size_t keep = stream.size() > rnode::frame_reader::max_payload ? rnode::frame_reader::max_payload : stream.size();
    const bytes frame = rnode::encode_frame(command, stream.first(keep));
    in.insert(in.end(), frame.begin(), frame.end());
    rnode::frame_reader r2;
    std::vector<std::pair<std::uint8_t, bytes>> got;
    fuzz::for_each_chunk(in, seed, [&](byte_view c) {
        r2.feed(c, [&](std::uint8_t cmd, byte_view p) { got.emplace_back(cmd, bytes(p.begin(), p.end())); });
    });
    if (got.empty() || got.back().first != command || !equal(got.back().second, stream.first(keep))) {
        std::abort();
    }
    return 0;
}
