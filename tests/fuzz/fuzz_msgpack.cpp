// libFuzzer target: the msgpack decoder and pull reader on arbitrary bytes (link requests,
// responses and RTTs arrive from the network; storage files from disk).
//   - decode never reads past the buffer (exact-size heap copy) and bounds its depth;
//   - on success, encode → decode → encode is a fixed point (byte comparison, so NaN is fine);
//   - reader::skip consumes exactly what decode_one consumed;
//   - the link payload readers built on the reader accept or refuse without crashing.

#include "router/rns/link_packets.hpp"
#include "router/rns/msgpack.hpp"

#include <cstdlib>
#include <memory>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace rns;
    auto copy = std::make_unique<std::uint8_t[]>(size);
    std::copy(data, data + size, copy.get());
    byte_view in(copy.get(), size);

    auto d = msgpack::decode(in);
    if (d) {
        bytes e1 = msgpack::encode(d.val);
        auto d2 = msgpack::decode(e1);
        if (!d2 || msgpack::encode(d2.val) != e1) {
            std::abort();
        }
    }
    msgpack::reader r1(in);
    msgpack::value v;
    auto err = msgpack::decode_one(r1, v);
    msgpack::reader r2(in);
    bool skipped = r2.skip(msgpack::default_max_depth);
    if ((err == msgpack::error::ok) != skipped || (skipped && r1.position() != r2.position())) {
        std::abort();
    }

    (void)link::parse_rtt(in);
    (void)link::parse_request_plaintext(in);
    (void)link::parse_response_plaintext(in);
    return 0;
}
